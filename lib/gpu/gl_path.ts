/**
 * The OpenGL path: wgpu reaches Mesa's llvmpipe through its GL backend when the Vulkan driver
 * (`mesa-vulkan-drivers`) is missing. How to recognise it, how to name it in messages, and the
 * one-line fix that makes it fast.
 *
 * @module
 */

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
