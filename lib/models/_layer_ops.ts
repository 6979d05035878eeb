/**
 * Helpers shared by the backend-level layer ops (lib/models/conv_ops.ts, lib/models/norm_ops.ts):
 * tensor checks, the reference tensors' values and the GPU tensors' buffers, and scratch buffers.
 * Private: not exported from mod.ts.
 *
 * @module
 */
import type { Backend } from "../backend/backend.ts";
import { formatShape, type Tensor } from "../backend/tensor.ts";
import { ReferenceTensor } from "../backend/reference.ts";
import { createBuffer } from "../gpu/buffers.ts";
import type { CommandRecorder } from "../gpu/recorder.ts";

/** Checks that `t` is an f32 tensor of `backend` with `size` elements. */
export function check(backend: Backend, op: string, what: string, t: Tensor, size: number): void {
  const own = backend.name === "webgpu"
    ? t?.backend === "webgpu" && t.buffer !== undefined
    : t instanceof ReferenceTensor;
  if (!own || t.dtype !== "f32") {
    throw new TypeError(
      `Cannot run "${op}" on the ${backend.name} backend: ${what} is a ${t?.backend} ${t?.dtype} tensor`,
    );
  }
  if (t.size !== size) {
    throw new RangeError(
      `Cannot run "${op}": ${what} of shape ${formatShape(t.shape)} has ${t.size} elements, expected ${size}`,
    );
  }
}

/** The float64 values of a reference tensor. */
export const values = (t: Tensor): Float64Array => (t as ReferenceTensor).data as Float64Array;
/** The buffer of a GPU tensor. */
export const buffer = (t: Tensor): GPUBuffer => t.buffer!;
/** The recorder of the webgpu backend. */
export const recorder = (backend: Backend): CommandRecorder => backend.gpuTarget!.recorder;

/** A scratch GPU buffer freed after the next flush. */
export function scratch(rec: CommandRecorder, elements: number, label: string): GPUBuffer {
  const b = createBuffer(rec.gpu, elements * 4, label);
  rec.releaseAfterFlush(b);
  return b;
}
