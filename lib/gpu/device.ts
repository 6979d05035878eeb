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

import { readEnv } from "../env.ts";
import { startWatchdog } from "./watchdog.ts";
import { LOOP_PROBE_ITERATIONS, runLoopProbe } from "../../kernels/loop_probe.ts";

/** Thrown when no WebGPU adapter can be found. */
export class NoGpuAdapterError extends Error {
  /** @param detail What was tried, appended to the message. */
  constructor(detail = "") {
    super(
      "Cannot acquire a WebGPU adapter: navigator.gpu.requestAdapter() returned null" +
        (detail ? ` (${detail})` : "") +
        ". On Debian/Ubuntu install the CPU Vulkan driver with `apt-get install mesa-vulkan-drivers`, " +
        'or run on the float64 reference backend (`--backend reference`, or `{ backend: "reference" }`)',
    );
    this.name = "NoGpuAdapterError";
  }
}

/** Thrown by every GPU operation after the device was lost. */
export class GpuDeviceLostError extends Error {
  /** @param reason The `GPUDeviceLostInfo` reason; @param detail its message. */
  constructor(reason: string, detail: string) {
    super(
      `Cannot use the WebGPU device: it was lost (reason "${reason}": ${detail || "no message"}). ` +
        "Results already read back are kept; restart the process, or use `--backend reference`",
    );
    this.name = "GpuDeviceLostError";
  }
}

/** Thrown by the GPU call after a WebGPU validation error that no error scope caught. */
export class GpuValidationError extends Error {
  /** @param detail The WebGPU error message. */
  constructor(detail: string) {
    super(
      `A WebGPU validation error occurred in earlier GPU work, whose results are invalid: ${detail}. ` +
        "Run with KERNEL_DEBUG=1 to see each dispatch",
    );
    this.name = "GpuValidationError";
  }
}

/** What kernels are chosen by. */
export interface AdapterFacts {
  /** The adapter's description, e.g. `"llvmpipe (LLVM 15.0.6, 256 bits)"`. */
  description: string;
  /** Vendor string as the adapter reports it. */
  vendor: string;
  /** True for software (CPU) adapters: Mesa llvmpipe/lavapipe, SwiftShader, WARP. */
  isCpuAdapter: boolean;
  /** True when the device was created with the `timestamp-query` feature. */
  hasTimestamps: boolean;
  /**
   * Loop iterations one invocation completes before the adapter silently stops
   * its loops, measured at acquisition (`Infinity` when no limit was seen).
   */
  loopLimit: number;
  /**
   * True when wgpu reached the adapter through its OpenGL backend: on Linux, Mesa's GL driver when the
   * Vulkan driver (`mesa-vulkan-drivers`) is missing. Its shader compiler is slow on large
   * function-scope arrays, so kernels pick lighter variants there (see {@linkcode isGlBackend}).
   */
  viaGl: boolean;
}

/** A WebGPU device with the facts about its adapter and device-loss tracking. */
export class GpuContext {
  /** The adapter the device came from. */
  readonly adapter: GPUAdapter;
  /** The device every buffer and pipeline lives on. */
  readonly device: GPUDevice;
  /** Facts about the adapter. */
  readonly facts: AdapterFacts;
  #lost: GpuDeviceLostError | undefined;
  #error: GpuValidationError | undefined;

  /**
   * @param adapter The adapter.
   * @param device A device requested from it.
   * @param facts What the adapter is.
   */
  constructor(adapter: GPUAdapter, device: GPUDevice, facts: AdapterFacts) {
    this.adapter = adapter;
    this.device = device;
    this.facts = facts;
    // A validation error inside a dispatch is asynchronous and otherwise only logged, while
    // results silently become zeros: remember it and fail the next GPU call loudly.
    device.addEventListener("uncapturederror", (event) => {
      const message = (event as GPUUncapturedErrorEvent).error.message;
      console.error(`WebGPU uncaptured error: ${message}`);
      this.#error ??= new GpuValidationError(message);
    });
    device.lost.then((info) => {
      // "destroyed" is our own dispose(); anything else is a real loss.
      this.#lost = new GpuDeviceLostError(info.reason ?? "unknown", info.message);
      if (info.reason !== "destroyed") console.error(this.#lost.message);
    });
  }

  /** True once the device is lost or destroyed. */
  get isLost(): boolean {
    return this.#lost !== undefined;
  }

  /**
   * Throws the device-lost error if the device is gone.
   *
   * @throws {GpuDeviceLostError} After device loss.
   */
  assertAlive(): void {
    if (this.#lost) throw this.#lost;
    if (this.#error) {
      const error = this.#error;
      this.#error = undefined; // reported once; later calls may proceed
      throw error;
    }
  }

  /** Destroys the device (every buffer with it). */
  dispose(): void {
    this.device.destroy();
  }
}

const CPU_ADAPTER_PATTERN = /llvmpipe|lavapipe|swiftshader|softpipe|warp|software/i;

/** Decides from the adapter's info whether it runs on the CPU. */
export function isCpuAdapterInfo(
  info: { description?: string; device?: string; vendor?: string },
  fallback = false,
): boolean {
  const text = `${info.description ?? ""} ${info.device ?? ""} ${info.vendor ?? ""}`;
  return fallback || CPU_ADAPTER_PATTERN.test(text);
}

/**
 * f32 lanes of one SIMD register of a CPU adapter, from its description (llvmpipe ends it with
 * "256 bits": 8 lanes); 8 when the description does not say. Meaningless on GPUs.
 */
export function cpuSimdLanes(facts: { description: string }): number {
  const bits = Number(/(\d+) bits/.exec(facts.description)?.[1] ?? 256);
  return Math.min(64, Math.max(1, 2 ** Math.round(Math.log2(bits / 32))));
}

/**
 * Whether an adapter comes through wgpu's OpenGL backend. WebGPU does not name the backend, so this
 * reads the one limit wgpu's GL backend fills in differently: `maxBindingsPerBindGroup` is 2^32 - 1
 * ("no real limit") there, while its Vulkan backend reports the driver's (e.g. 1024 on lavapipe);
 * Metal and D3D12 also say 2^32 - 1, so only Linux counts. `DENO_WEBGPU_BACKEND=gl`, which makes Deno
 * offer only GL adapters, decides it too.
 *
 * @param limits The adapter's limits (only `maxBindingsPerBindGroup` is read).
 * @param os The operating system (`Deno.build.os`).
 * @param requestedBackend The value of `DENO_WEBGPU_BACKEND`, if any.
 */
export function isGlBackend(
  limits: { maxBindingsPerBindGroup: number },
  os: string,
  requestedBackend?: string,
): boolean {
  if (requestedBackend?.trim().toLowerCase() === "gl") return true;
  return os === "linux" && limits.maxBindingsPerBindGroup >= 0xffffffff;
}

/** The adapter in messages, e.g. `"llvmpipe (LLVM 15.0.6, 256 bits) via OpenGL"`. */
export function describeAdapter(facts: { description: string; viaGl: boolean }): string {
  return facts.viaGl ? `${facts.description} via OpenGL` : facts.description;
}

/** The one-line fix that makes the GL path fast (Mesa's Vulkan driver, which Deno then prefers). */
export const GL_PATH_FIX =
  "install the Vulkan driver (Debian/Ubuntu: `apt-get install mesa-vulkan-drivers`), " +
  "or run on the float64 reference backend (`--backend reference`)";

/** The fix a watchdog message names for slow GPU work on this adapter. */
export function slowGpuFix(facts: { viaGl: boolean }): string {
  return facts.viaGl
    ? GL_PATH_FIX
    : "run on the float64 reference backend (`--backend reference`), or allow more " +
      "time with GPU_WATCHDOG_SECONDS=<seconds> if the work is simply large";
}

/**
 * The start-up notice on the GL path (printed once per process on stderr, unless
 * `SGD_QUIET_GL_NOTICE=1`): it works, slowly, and how to make it fast.
 */
export function glPathNotice(facts: { description: string }): string {
  return `Note: WebGPU runs on ${facts.description} through Mesa's OpenGL driver, the slow path ` +
    `(kernels take seconds to compile, some variants are skipped). For speed, ${GL_PATH_FIX}.`;
}

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
