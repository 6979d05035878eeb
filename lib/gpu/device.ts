/**
 * WebGPU adapter and device acquisition.
 *
 * One {@linkcode GpuContext} per process holds the adapter, the device and the
 * facts kernels are chosen by (is it a CPU adapter such as Mesa llvmpipe or
 * lavapipe, does it have timestamp queries). A missing adapter ends in one
 * {@linkcode NoGpuAdapterError} whose message names the fix; a lost device
 * turns every later use into a {@linkcode GpuDeviceLostError}.
 *
 * @module
 */

import { type AdapterFacts, GpuContext, isCpuAdapterInfo, NoGpuAdapterError } from "./context.ts";
import { LOOP_PROBE_ITERATIONS, runLoopProbe } from "./loop_probe.ts";
import { readEnv } from "../env.ts";
import { startWatchdog } from "./watchdog.ts";
import { glPathNotice, isGlBackend } from "./gl_path.ts";

export {
  type AdapterFacts,
  cpuSimdLanes,
  GpuContext,
  GpuDeviceLostError,
  GpuValidationError,
  isCpuAdapterInfo,
  NoGpuAdapterError,
} from "./context.ts";
export { describeAdapter, GL_PATH_FIX, glPathNotice, isGlBackend, slowGpuFix } from "./gl_path.ts";

let shared: Promise<GpuContext | null> | undefined;

/**
 * Requests an adapter and a device, or returns `null` when there is none.
 *
 * The device asks for the adapter's largest storage-buffer and workgroup limits
 * and for `timestamp-query` when offered. The result is shared by the process.
 *
 * @returns The process's GPU context, or `null` without an adapter.
 */
export function tryAcquireGpu(): Promise<GpuContext | null> {
  shared ??= createContext();
  return shared;
}

/**
 * Like {@linkcode tryAcquireGpu} but throws when there is no adapter.
 *
 * @throws {NoGpuAdapterError} When `navigator.gpu` has no adapter.
 * @example
 * ```ts ignore
 * const gpu = await acquireGpu();
 * console.log(gpu.facts.description);
 * ```
 */
export async function acquireGpu(): Promise<GpuContext> {
  const gpu = await tryAcquireGpu();
  if (!gpu) {
    throw new NoGpuAdapterError(
      typeof navigator !== "undefined" && "gpu" in navigator ? "" : "navigator.gpu is undefined",
    );
  }
  gpu.assertAlive();
  return gpu;
}

async function createContext(): Promise<GpuContext | null> {
  if (typeof navigator === "undefined" || !("gpu" in navigator) || !navigator.gpu) return null;
  const watchdog = startWatchdog(); // starts its thread while the adapter is requested
  let adapter: GPUAdapter | null = null;
  try {
    adapter = await navigator.gpu.requestAdapter({ powerPreference: "high-performance" });
  } catch {
    adapter = null;
  }
  if (!adapter) return null;
  const wanted: GPUFeatureName[] = ["timestamp-query"];
  const requiredFeatures = wanted.filter((f) => adapter.features.has(f));
  const l = adapter.limits;
  const requiredLimits: Record<string, number> = {
    maxStorageBufferBindingSize: l.maxStorageBufferBindingSize,
    maxBufferSize: l.maxBufferSize,
    maxComputeWorkgroupStorageSize: l.maxComputeWorkgroupStorageSize,
    maxComputeInvocationsPerWorkgroup: l.maxComputeInvocationsPerWorkgroup,
    maxComputeWorkgroupSizeX: l.maxComputeWorkgroupSizeX,
    maxComputeWorkgroupSizeY: l.maxComputeWorkgroupSizeY,
    maxStorageBuffersPerShaderStage: l.maxStorageBuffersPerShaderStage,
  };
  const device = await adapter.requestDevice({ requiredFeatures, requiredLimits, label: "sgd-toolkit" });
  const info = adapter.info;
  const facts: AdapterFacts = {
    description: info.description || info.device || info.vendor || "unknown adapter",
    vendor: info.vendor ?? "",
    isCpuAdapter: isCpuAdapterInfo(
      info,
      (info as { isFallbackAdapter?: boolean }).isFallbackAdapter ?? false,
    ),
    hasTimestamps: requiredFeatures.includes("timestamp-query"),
    loopLimit: Infinity,
    viaGl: isGlBackend(adapter.limits, Deno.build.os, readEnv("DENO_WEBGPU_BACKEND")),
  };
  if (facts.viaGl && readEnv("SGD_QUIET_GL_NOTICE") !== "1") console.error(glPathNotice(facts));
  await watchdog;
  const context = new GpuContext(adapter, device, facts);
  // Measure rather than guess: llvmpipe stops loops after ~65,535 iterations.
  const completed = await runLoopProbe(context, LOOP_PROBE_ITERATIONS);
  facts.loopLimit = completed < LOOP_PROBE_ITERATIONS ? completed : Infinity;
  return context;
}
