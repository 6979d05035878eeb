/**
 * Tensors and shape checks shared by both backends.
 *
 * A tensor is a dense row-major array of `f32` (float64 on the reference
 * backend) or `u32` values with a shape. Its data lives where its backend keeps
 * it: a `GPUBuffer` for `webgpu`, a typed array for `reference`.
 *
 * @module
 */
export { type MatmulPlan, planMatmul } from "../../kernels/matmul/matmul_shape.ts";

/** Element types. `f32` tensors hold float64 on the reference backend. */
export type DType = "f32" | "u32";

/** The two backends. */
export type BackendName = "webgpu" | "reference";

/** A dense row-major tensor on one backend. */
export interface Tensor {
  /** Extent of each axis. */
  readonly shape: readonly number[];
  /** Element type. */
  readonly dtype: DType;
  /** Number of elements (product of the shape). */
  readonly size: number;
  /** The backend holding the data. */
  readonly backend: BackendName;
  /** The GPU buffer of a webgpu tensor (fused model passes bind it); undefined on the reference backend. */
  readonly buffer?: GPUBuffer;
}

/**
 * Checks a shape and returns its number of elements.
 *
 * @param shape The shape.
 * @param what What is being made, for the message.
 * @returns The product of the extents.
 * @throws {RangeError} On a negative or non-integer extent.
 */
export function shapeSize(shape: readonly number[], what = "tensor"): number {
  if (!Array.isArray(shape)) {
    throw new TypeError(`Cannot create ${what}: shape ${String(shape)} is not an array`);
  }
  let size = 1;
  for (const [axis, n] of shape.entries()) {
    if (!Number.isInteger(n) || n < 0) {
      throw new RangeError(
        `Cannot create ${what}: shape [${
          shape.join(", ")
        }] has extent ${n} on axis ${axis}, must be a non-negative integer`,
      );
    }
    size *= n;
  }
  return size;
}

/** Formats a shape for messages: `[2, 3]`. */
export function formatShape(shape: readonly number[]): string {
  return `[${shape.join(", ")}]`;
}

/**
 * Splits a shape around `axis` into `[outer, n, inner]`, so reducing over `axis` is reducing
 * the middle index of a row-major `[outer, n, inner]` array.
 *
 * @throws {RangeError} When `axis` is out of range.
 */
export function splitAxis(
  shape: readonly number[],
  axis: number,
): { outer: number; n: number; inner: number; outShape: number[] } {
  const rank = shape.length;
  const a = axis < 0 ? axis + rank : axis;
  if (!Number.isInteger(a) || a < 0 || a >= rank) {
    throw new RangeError(
      `Cannot reduce a tensor of shape ${formatShape(shape)} over axis ${axis}: rank is ${rank}`,
    );
  }
  const outer = shape.slice(0, a).reduce((p, v) => p * v, 1);
  const inner = shape.slice(a + 1).reduce((p, v) => p * v, 1);
  return { outer, n: shape[a], inner, outShape: [...shape.slice(0, a), ...shape.slice(a + 1)] };
}
