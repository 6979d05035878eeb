/**
 * Views and element copies of backend tensors, for code that composes `Backend` operations over parts of
 * flat vectors (a layer's weights inside the flat parameters, a row of a stacked basis, a scalar slot of
 * a results vector) on either backend. A view shares its tensor's storage: never dispose a view, and
 * keep the tensor alive while the view is used.
 *
 * @module
 */
import type { Backend } from "../backend/backend.ts";
import { type DType, formatShape, shapeSize, type Tensor } from "../backend/tensor.ts";
import { ReferenceTensor } from "../backend/reference.ts";

/** A webgpu tensor's class, reached through an instance (a model never imports the webgpu backend). */
type GpuTensorClass = new (buffer: GPUBuffer, shape: readonly number[], dtype: DType) => Tensor;

/**
 * The same storage under another shape of the same size (a reshape without a copy).
 *
 * @throws {RangeError} When the sizes differ. @throws {TypeError} On a tensor of an unknown backend.
 */
export function tensorView(t: Tensor, shape: readonly number[]): Tensor {
  if (shapeSize(shape, "a view") !== t.size) {
    throw new RangeError(`Cannot view a tensor of shape ${formatShape(t.shape)} as ${formatShape(shape)}`);
  }
  if (t instanceof ReferenceTensor) return new ReferenceTensor(t.data, shape, t.dtype);
  if (t.backend === "webgpu" && t.buffer) {
    return new (t.constructor as GpuTensorClass)(t.buffer, shape, t.dtype);
  }
  throw new TypeError(`Cannot view a ${(t as Tensor).backend} tensor`);
}

/**
 * Copies `count` elements of `source` from `sourceOffset` into `target` from `targetOffset` (recorded
 * on webgpu, not flushed).
 *
 * @throws {RangeError} When a range is outside its tensor or the dtypes differ.
 */
export function copyElements(
  backend: Backend,
  source: Tensor,
  sourceOffset: number,
  target: Tensor,
  targetOffset: number,
  count: number,
): void {
  if (
    source.dtype !== target.dtype || !Number.isInteger(count) || count < 0 || sourceOffset < 0 ||
    targetOffset < 0 || sourceOffset + count > source.size || targetOffset + count > target.size
  ) {
    throw new RangeError(
      `Cannot copy ${count} elements from ${sourceOffset} of a ${source.dtype} ${
        formatShape(source.shape)
      } ` +
        `tensor to ${targetOffset} of a ${target.dtype} ${formatShape(target.shape)} tensor`,
    );
  }
  if (count === 0) return;
  if (source instanceof ReferenceTensor && target instanceof ReferenceTensor) {
    target.data.set(source.data.subarray(sourceOffset, sourceOffset + count), targetOffset);
    return;
  }
  if (source.buffer && target.buffer && backend.gpuTarget) {
    backend.gpuTarget.recorder.copy(
      source.buffer,
      sourceOffset * 4,
      target.buffer,
      targetOffset * 4,
      count * 4,
    );
    return;
  }
  throw new TypeError(
    `Cannot copy a ${source.backend} tensor into a ${target.backend} tensor on ${backend.name}`,
  );
}

/** A new tensor holding `count` elements of `source` from `offset`, with `shape`. */
export function sliceTensor(
  backend: Backend,
  source: Tensor,
  offset: number,
  shape: readonly number[],
): Tensor {
  const out = backend.zeros(shape, source.dtype);
  copyElements(backend, source, offset, out, 0, out.size);
  return out;
}
