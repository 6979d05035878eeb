// STUB: to be replaced by the reductions helper.
import type { HistogramCounts, HistogramOptions, ReduceOp } from "../backend/backend.ts";

/** float64 reduction of x viewed as [outer, n, inner] over the middle axis. */
export function reduceReference(_x: Float64Array, _outer: number, _n: number, _inner: number, _op: ReduceOp, _ddof: number): Float64Array {
  throw new Error("not implemented");
}
/** float64 row-wise dot products. */
export function rowDotReference(_a: Float64Array, _b: Float64Array, _rows: number, _cols: number): Float64Array {
  throw new Error("not implemented");
}
/** Histogram counts. */
export function histogramReference(_x: Float64Array, _o: HistogramOptions): HistogramCounts {
  throw new Error("not implemented");
}
