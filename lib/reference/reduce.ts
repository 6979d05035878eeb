/**
 * Reductions, row-wise dot products and fixed-bin histograms in float64: the oracle of
 * `kernels/reduce/reduce.wgsl` and `kernels/reduce/histogram.wgsl`, and the reference backend's
 * implementation.
 *
 * Conventions shared by both backends (numpy-like):
 * - the sum of an empty line is 0 (so are `norm` and `sumOfSquares`); `mean`, `variance`, `min`
 *   and `max` of an empty line are NaN, without an error;
 * - `variance` divides by n - ddof and is NaN when n <= ddof;
 * - any NaN in a line makes every reduction of it NaN (min and max included);
 * - sums start from the first term (not from +0), so the sum of `[-0]` is -0.
 *
 * The histogram bins in float32 arithmetic, exactly as the kernel does, so both backends put every
 * float32 input in the same bin (see {@linkcode histogramBinning}).
 *
 * @module
 */
import type { HistogramCounts, HistogramOptions, ReduceOp } from "../../kernels/reduce/reduce_shape.ts";
import {
  checkReduceArguments,
  constantReduceResult,
  histogramBinning,
} from "../../kernels/reduce/reduce_shape.ts";
export {
  checkReduceArguments,
  constantReduceResult,
  type HistogramBinning,
  histogramBinning,
  REDUCE_OPS,
} from "../../kernels/reduce/reduce_shape.ts";

/** Sum starting from the first term (numpy-like: the sum of [-0] is -0, of [] is 0). */
function sumOf(values: ArrayLike<number>): number {
  if (values.length === 0) return 0;
  let sum = values[0];
  for (let k = 1; k < values.length; k++) sum += values[k];
  return sum;
}

function reduceLine(values: Float64Array, op: ReduceOp, ddof: number): number {
  const n = values.length;
  const constant = constantReduceResult(op, n, ddof);
  if (constant !== undefined) return constant;
  if (values.some(Number.isNaN)) return NaN;
  switch (op) {
    case "sum":
      return sumOf(values);
    case "mean":
      return sumOf(values) / n;
    case "variance": {
      // Two passes (mean, then squared deviations from it), as the kernel does.
      const mean = sumOf(values) / n;
      return sumOf(values.map((v) => (v - mean) ** 2)) / (n - ddof);
    }
    case "min":
    case "max": {
      // Strict comparison keeps the first of equal values (so min([-0, 0]) is -0), like the kernel
      // on lines of up to REDUCE_CHUNK (64) elements; past that the kernel visits them in another order.
      let best = values[0];
      for (const v of values) if (op === "min" ? v < best : v > best) best = v;
      return best;
    }
    case "norm":
      return Math.sqrt(sumOf(values.map((v) => v * v)));
    case "sumOfSquares":
      return sumOf(values.map((v) => v * v));
  }
}

/**
 * Reduces x viewed as a row-major [outer, n, inner] array over its middle axis.
 *
 * @param x The values (outer * n * inner of them).
 * @param outer Product of the extents before the axis.
 * @param n Extent of the reduced axis.
 * @param inner Product of the extents after the axis.
 * @param op The reduction.
 * @param ddof Delta degrees of freedom of `variance` (divides by n - ddof).
 * @returns The [outer, inner] results, row-major.
 * @throws {TypeError} On an unknown op. @throws {RangeError} On a bad ddof.
 * @example
 * ```ts
 * import { reduceReference } from "./reduce.ts";
 * // [[1, 2, 3], [4, 5, 6]] summed over axis 1:
 * const sums = reduceReference(new Float64Array([1, 2, 3, 4, 5, 6]), 2, 3, 1, "sum", 0);
 * if (sums[0] !== 6 || sums[1] !== 15) throw new Error("wrong sums");
 * ```
 */
export function reduceReference(
  x: Float64Array,
  outer: number,
  n: number,
  inner: number,
  op: ReduceOp,
  ddof: number,
): Float64Array {
  checkReduceArguments(op, ddof);
  const out = new Float64Array(outer * inner);
  const line = new Float64Array(n);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      for (let k = 0; k < n; k++) line[k] = x[(o * n + k) * inner + i];
      out[o * inner + i] = reduceLine(line, op, ddof);
    }
  }
  return out;
}

/**
 * Row-wise dot products of two row-major [rows, cols] arrays: out[r] = sum_c a[r, c] b[r, c].
 *
 * @param a First operand. @param b Second operand (same shape).
 * @param rows Number of rows. @param cols Number of columns.
 * @returns The `rows` dot products (0 for rows of no columns).
 */
export function rowDotReference(a: Float64Array, b: Float64Array, rows: number, cols: number): Float64Array {
  const out = new Float64Array(rows);
  const products = new Float64Array(cols);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) products[c] = a[r * cols + c] * b[r * cols + c];
    out[r] = sumOf(products);
  }
  return out;
}

/**
 * Counts values in `bins` equal-width bins over [low, high] (x == high counts in the last bin).
 *
 * Binning is float32 arithmetic, as in the kernel: with x, low and high rounded to float32,
 * bin = min(floor(f32(f32(x - low) * scale)), bins - 1) for low <= x <= high.
 *
 * @param x The values (each rounded to float32 before binning).
 * @param options low, high and bins.
 * @returns Counts per bin, and the underflow (x < low), overflow (x > high) and NaN counts.
 * @throws {RangeError} See {@linkcode histogramBinning}.
 * @example
 * ```ts
 * import { histogramReference } from "./reduce.ts";
 * const h = histogramReference(new Float64Array([0, 0.5, 1, 2, NaN]), { low: 0, high: 1, bins: 2 });
 * if (h.counts.join() !== "1,2" || h.overflow !== 1 || h.nan !== 1) throw new Error("wrong counts");
 * ```
 */
export function histogramReference(x: Float64Array, options: HistogramOptions): HistogramCounts {
  const { low, high, scale } = histogramBinning(options);
  const f32 = Math.fround;
  const counts = new Uint32Array(options.bins);
  let underflow = 0, overflow = 0, nan = 0;
  for (const value of x) {
    const v = f32(value);
    if (Number.isNaN(v)) nan++;
    else if (v < low) underflow++;
    else if (v > high) overflow++;
    else counts[Math.min(Math.floor(f32(f32(v - low) * scale)), options.bins - 1)]++;
  }
  return { counts, underflow, overflow, nan };
}
