// STUB: to be replaced by the reductions helper.
import type { CommandRecorder } from "../lib/gpu/recorder.ts";
import type { ReduceOp } from "../lib/backend/backend.ts";

/** Records a reduction of x viewed as [outer, n, inner] over the middle axis into out [outer, inner]. */
export function encodeReduce(
  _rec: CommandRecorder,
  _args: {
    x: GPUBuffer;
    out: GPUBuffer;
    outer: number;
    n: number;
    inner: number;
    op: ReduceOp;
    ddof: number;
  },
): Promise<void> {
  throw new Error("not implemented");
}

/** Records out[r] = sum_c a[r,c] b[r,c]. */
export function encodeRowDot(
  _rec: CommandRecorder,
  _args: { a: GPUBuffer; b: GPUBuffer; out: GPUBuffer; rows: number; cols: number },
): Promise<void> {
  throw new Error("not implemented");
}

/** Records a histogram into out (u32, bins + 3: counts, underflow, overflow, nan); out is zero on entry. */
export function encodeHistogram(
  _rec: CommandRecorder,
  _args: { x: GPUBuffer; out: GPUBuffer; size: number; low: number; high: number; bins: number },
): Promise<void> {
  throw new Error("not implemented");
}
