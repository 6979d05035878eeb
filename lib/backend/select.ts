/**
 * Choosing a backend: webgpu when an adapter exists, else reference with one notice.
 *
 * @module
 */
import type { Backend } from "./backend.ts";
import { ReferenceBackend } from "./reference.ts";
import { WebGpuBackend } from "./webgpu.ts";
import { acquireGpu, NoGpuAdapterError, tryAcquireGpu } from "../gpu/device.ts";

/** What a user may ask for: a backend by name, or `"auto"`. */
export type BackendChoice = "auto" | "webgpu" | "reference";

/**
 * The backend a choice gives on this machine, without creating it: `"auto"` is `"webgpu"` when an
 * adapter exists, else `"reference"`. (To try the no-adapter path on a machine that has one, hide every
 * adapter from Deno: `DENO_WEBGPU_BACKEND=none`, a wgpu backend list that names no backend.)
 *
 * @param choice Which backend (unknown names are left to {@linkcode getBackend} to reject).
 * @returns `"webgpu"` or `"reference"`.
 */
export async function resolveBackendChoice(
  choice: BackendChoice | string = "auto",
): Promise<"webgpu" | "reference"> {
  if (choice === "reference") return "reference";
  if (choice === "webgpu") return "webgpu";
  return (await tryAcquireGpu()) ? "webgpu" : "reference";
}

let noticeShown = false;

/**
 * Returns a backend.
 *
 * - `"webgpu"`: the GPU backend; throws `NoGpuAdapterError` without an adapter.
 * - `"reference"`: the float64 TypeScript backend.
 * - `"auto"` (default): webgpu when an adapter exists, else reference, printing one
 *   notice on stderr (once per process).
 *
 * @param choice Which backend.
 * @returns The backend.
 * @throws {NoGpuAdapterError} For `"webgpu"` without an adapter.
 * @throws {TypeError} On an unknown name.
 * @example
 * ```ts ignore
 * const backend = await getBackend("auto");
 * const c = await backend.matmul(backend.tensor([1, 2, 3, 4], [2, 2]), backend.tensor([1, 0, 0, 1], [2, 2]));
 * console.log(await backend.read(c)); // [1, 2, 3, 4]
 * ```
 */
export async function getBackend(choice: BackendChoice = "auto"): Promise<Backend> {
  if (choice === "reference") return new ReferenceBackend();
  if (choice === "webgpu") return new WebGpuBackend(await acquireGpu());
  if (choice !== "auto") {
    throw new TypeError(`Cannot select backend "${choice}": expected "auto", "webgpu" or "reference"`);
  }
  const gpu = await tryAcquireGpu();
  if (gpu) return new WebGpuBackend(gpu);
  if (!noticeShown) {
    noticeShown = true;
    console.error(
      `Notice: ${new NoGpuAdapterError().message}. Using the reference backend (float64, slower).`,
    );
  }
  return new ReferenceBackend();
}
