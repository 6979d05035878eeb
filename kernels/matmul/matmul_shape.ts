/**
 * The plan of a (batched, transposed) matmul that the matmul kernels consume (kernels/matmul/matmul.ts,
 * kernels/conv/conv2d_gemm.ts); the float64 oracle is lib/reference/matmul.ts.
 *
 * @module
 */

const formatShape = (shape: readonly number[]) => `[${shape.join(", ")}]`;

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
