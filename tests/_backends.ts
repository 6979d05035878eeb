/**
 * Runs a behavioural test once per backend (STYLE.md habit 6).
 *
 * The webgpu variant needs an adapter. Without one it is skipped with a notice,
 * except when `CI=true`, where it fails loudly: CI must never skip GPU tests silently.
 *
 * @module
 */
import { ReferenceBackend } from "../lib/backend/reference.ts";
import { WebGpuBackend } from "../lib/backend/webgpu.ts";
import type { Backend } from "../lib/backend/backend.ts";
import { type GpuContext, NoGpuAdapterError, tryAcquireGpu } from "../lib/gpu/device.ts";

/** True when running in CI (`CI=true`). */
export const IN_CI = Deno.env.get("CI") === "true";

const gpu: GpuContext | null = await tryAcquireGpu();
if (!gpu) {
  if (IN_CI) throw new NoGpuAdapterError("CI=true: GPU tests must run, install mesa-vulkan-drivers");
  console.error("No WebGPU adapter: webgpu tests are skipped (set CI=true to make that an error)");
}

/** The GPU context of the test process, or null. */
export const testGpu = gpu;

/** The backends under test, by name. */
export const backends: { name: "reference" | "webgpu"; make: () => Backend; ignore: boolean }[] = [
  { name: "reference", make: () => new ReferenceBackend(), ignore: false },
  { name: "webgpu", make: () => new WebGpuBackend(gpu!), ignore: gpu === null },
];

/**
 * Registers `fn` as one Deno test per backend, named `"<name> [<backend>]"`.
 *
 * @param name Test name.
 * @param fn The test body, given the backend.
 */
export function testBothBackends(name: string, fn: (backend: Backend) => Promise<void> | void): void {
  for (const b of backends) {
    Deno.test({ name: `${name} [${b.name}]`, ignore: b.ignore, fn: () => fn(b.make()) });
  }
}

/** Registers a test that needs the GPU (skipped without one, failing in CI as above). */
export function testGpuOnly(name: string, fn: (gpu: GpuContext) => Promise<void> | void): void {
  Deno.test({ name: `${name} [webgpu]`, ignore: gpu === null, fn: () => fn(gpu!) });
}
