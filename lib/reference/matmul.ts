// STUB: to be replaced by the matmul helper.
import type { MatmulPlan } from "../backend/tensor.ts";

/** Options of {@linkcode matmulReference}. */
export interface MatmulReferenceOptions {
  transposeA: boolean;
  transposeB: boolean;
  bias?: Float64Array;
  activation?: Float64Array;
}

/** float64 C = act(op(A) op(B) + bias). */
export function matmulReference(
  _a: Float64Array,
  _b: Float64Array,
  _plan: MatmulPlan,
  _o: MatmulReferenceOptions,
): Float64Array {
  throw new Error("not implemented");
}
