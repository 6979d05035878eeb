// STUB: to be replaced by the matmul helper.
import type { CommandRecorder } from "../lib/gpu/recorder.ts";
import type { MatmulPlan } from "../lib/backend/tensor.ts";

/** Kernel variants of matmul. */
export type MatmulVariant = "naive" | "blocked" | "tiled";

/** Arguments of {@linkcode encodeMatmul}. */
export interface MatmulArgs {
  a: GPUBuffer;
  b: GPUBuffer;
  c: GPUBuffer;
  bias?: GPUBuffer;
  activation?: Float64Array;
  plan: MatmulPlan;
  transposeA: boolean;
  transposeB: boolean;
  variant: MatmulVariant | "auto";
}

/** Records C = act(op(A) op(B) + bias). */
export function encodeMatmul(_rec: CommandRecorder, _args: MatmulArgs): Promise<void> {
  throw new Error("not implemented");
}
