/**
 * The float64 reference of matmul: C[b] = act(op(A[b]) op(B[b]) + bias).
 *
 * A plain triple loop, written to be read: it is the oracle the WGSL matmul
 * kernels (kernels/matmul/matmul_*.wgsl) are checked against element by element.
 *
 * @module
 */
import type { MatmulPlan } from "../../kernels/matmul/matmul_shape.ts";
import { evaluateActivation } from "../activations.ts";

/** Options of {@linkcode matmulReference}. */
export interface MatmulReferenceOptions {
  /** Use A^T: A[b] is stored as [k, m] instead of [m, k]. */
  transposeA: boolean;
  /** Use B^T: B[b] is stored as [n, k] instead of [k, n]. */
  transposeB: boolean;
  /** A bias of n values added to every row of the product. */
  bias?: Float64Array;
  /** Activation coefficients (from `activationCoefficients`) applied after the bias. */
  activation?: Float64Array;
}

/**
 * Computes C[b] = act(op(A[b]) op(B[b]) + bias) in float64 for b < plan.batch.
 *
 * @param a A's values, row-major, `plan.strideA` elements apart per batch (0 = shared).
 * @param b B's values, row-major, `plan.strideB` elements apart per batch (0 = shared).
 * @param plan Shapes and strides from `planMatmul`.
 * @param options Transposes, bias and activation.
 * @returns C, row-major `[batch, m, n]` (`plan.batch * plan.m * plan.n` values).
 * @throws {RangeError} When `a`, `b` or the bias are shorter than the plan needs.
 * @example
 * ```ts
 * import { matmulReference } from "./matmul.ts";
 * import { planMatmul } from "../../kernels/matmul/matmul_shape.ts";
 * const plan = planMatmul([1, 2], [2, 1]);
 * matmulReference(new Float64Array([1, 2]), new Float64Array([3, 4]), plan, { transposeA: false, transposeB: false });
 * // Float64Array [11]
 * ```
 */
export function matmulReference(
  a: Float64Array,
  b: Float64Array,
  plan: MatmulPlan,
  options: MatmulReferenceOptions,
): Float64Array {
  const { m, n, k, batch, strideA, strideB, strideC } = plan;
  const needA = strideA * (batch - 1) + m * k, needB = strideB * (batch - 1) + k * n;
  if (batch > 0 && (a.length < needA || b.length < needB)) {
    throw new RangeError(
      `Cannot run "matmul": A has ${a.length} values and B ${b.length}, the plan needs ${needA} and ${needB}`,
    );
  }
  if (options.bias && options.bias.length !== n) {
    throw new RangeError(`Cannot run "matmul": bias has ${options.bias.length} elements, must have n = ${n}`);
  }
  // Element (i, p) of op(A) and (p, j) of op(B), row-major storage.
  const aAt = (base: number, i: number, p: number) =>
    options.transposeA ? a[base + p * m + i] : a[base + i * k + p];
  const bAt = (base: number, p: number, j: number) =>
    options.transposeB ? b[base + j * k + p] : b[base + p * n + j];
  const c = new Float64Array(batch * strideC);
  for (let t = 0; t < batch; t++) {
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let sum = 0;
        for (let p = 0; p < k; p++) sum += aAt(t * strideA, i, p) * bAt(t * strideB, p, j);
        if (options.bias) sum += options.bias[j];
        if (options.activation) sum = evaluateActivation(options.activation, sum, 0);
        c[t * strideC + i * n + j] = sum;
      }
    }
  }
  return c;
}
