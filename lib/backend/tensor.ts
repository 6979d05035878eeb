/**
 * Tensors and shape checks shared by both backends.
 *
 * A tensor is a dense row-major array of `f32` (float64 on the reference
 * backend) or `u32` values with a shape. Its data lives where its backend keeps
 * it: a `GPUBuffer` for `webgpu`, a typed array for `reference`.
 *
 * @module
 */

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

/** Resolved operands of a (batched) matmul. */
export interface MatmulPlan {
  /** Rows of C. */
  m: number;
  /** Columns of C. */
  n: number;
  /** Inner dimension. */
  k: number;
  /** Number of C matrices. */
  batch: number;
  /** Elements between consecutive A matrices (0 = A shared by all). */
  strideA: number;
  /** Elements between consecutive B matrices (0 = B shared by all). */
  strideB: number;
  /** Elements between consecutive C matrices. */
  strideC: number;
  /** The output shape. */
  outShape: number[];
}

/**
 * Resolves the shapes of `op(A) op(B)` where op transposes the last two axes when asked.
 * A and B are 2-D or 3-D (`[batch, rows, cols]`); a 2-D operand is shared by every batch.
 *
 * @throws {RangeError} On mismatched inner dimensions or batch counts, or a rank other than 2 or 3.
 */
export function planMatmul(
  aShape: readonly number[],
  bShape: readonly number[],
  transposeA = false,
  transposeB = false,
): MatmulPlan {
  for (const [name, s] of [["A", aShape], ["B", bShape]] as const) {
    if (s.length !== 2 && s.length !== 3) {
      throw new RangeError(
        `Cannot multiply: ${name} has shape ${
          formatShape(s)
        }, must be 2-D [rows, cols] or 3-D [batch, rows, cols]`,
      );
    }
  }
  const [ar, ac] = aShape.slice(-2);
  const [br, bc] = bShape.slice(-2);
  const m = transposeA ? ac : ar;
  const k = transposeA ? ar : ac;
  const kb = transposeB ? bc : br;
  const n = transposeB ? br : bc;
  if (k !== kb) {
    throw new RangeError(
      `Cannot multiply A ${formatShape(aShape)}${transposeA ? "^T" : ""} by B ${formatShape(bShape)}${
        transposeB ? "^T" : ""
      }: inner dimensions ${k} and ${kb} differ`,
    );
  }
  const batchA = aShape.length === 3 ? aShape[0] : 0;
  const batchB = bShape.length === 3 ? bShape[0] : 0;
  if (batchA && batchB && batchA !== batchB) {
    throw new RangeError(
      `Cannot multiply batched A ${formatShape(aShape)} by B ${
        formatShape(bShape)
      }: batch counts ${batchA} and ${batchB} differ`,
    );
  }
  const batched = aShape.length === 3 || bShape.length === 3;
  const batch = batched ? Math.max(batchA, batchB) : 1;
  return {
    m,
    n,
    k,
    batch,
    strideA: aShape.length === 3 ? m * k : 0,
    strideB: bShape.length === 3 ? k * n : 0,
    strideC: m * n,
    outShape: batched ? [batch, m, n] : [m, n],
  };
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
