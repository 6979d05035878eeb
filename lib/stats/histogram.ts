/**
 * Freedman-Diaconis density histograms and the histogram-weighted mean, as the Dyson
 * notebooks compute them (spec seed001 B.5).
 *
 * @module
 */

/** A density histogram. */
export interface DensityHistogram {
  /** Bin edges, `bins + 1` ascending values. */
  edges: Float64Array;
  /** Bin centres. */
  centres: Float64Array;
  /** Counts per bin. */
  counts: Float64Array;
  /** counts / (total * width): integrates to 1 over the range when nothing falls outside. */
  density: Float64Array;
  /** The bin width. */
  binWidth: number;
  /** Values outside the range (not counted). */
  outside: number;
}

/** Options of {@linkcode densityHistogram}. */
export interface DensityHistogramOptions {
  /** [low, high] (default: [min, max] of the finite values). */
  range?: [number, number];
  /** Number of bins; wins over `binWidth`. */
  bins?: number;
  /** A bin width: bins = max(1, floor((high - low) / binWidth)) (default: Freedman-Diaconis). */
  binWidth?: number;
}

function finiteSorted(values: ArrayLike<number>, what: string): Float64Array {
  const sorted = Float64Array.from(values).filter(Number.isFinite).sort();
  if (sorted.length === 0) throw new RangeError(`Cannot ${what}: no finite values`);
  return sorted;
}

/**
 * The q-quantile with linear interpolation between order statistics (numpy's default):
 * h = (n - 1) q, x[floor h] + (h - floor h)(x[floor h + 1] - x[floor h]).
 *
 * @param sorted Ascending values.
 * @param q In [0, 1].
 * @returns The quantile.
 * @throws {RangeError} On an empty array or q outside [0, 1].
 */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0 || !(q >= 0 && q <= 1)) {
    throw new RangeError(
      `Cannot take a quantile: ${sorted.length} values, q = ${q} (need values, q in [0, 1])`,
    );
  }
  const h = (sorted.length - 1) * q, lo = Math.floor(h);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

/**
 * The Freedman-Diaconis bin width 2 IQR / n^(1/3) of the finite values.
 *
 * @param values Sample.
 * @returns The width (0 when the interquartile range is 0).
 * @throws {RangeError} When there are no finite values.
 */
export function freedmanDiaconisWidth(values: ArrayLike<number>): number {
  const sorted = finiteSorted(values, "compute a Freedman-Diaconis width");
  const iqr = quantileSorted(sorted, 0.75) - quantileSorted(sorted, 0.25);
  return 2 * iqr / Math.cbrt(sorted.length);
}

/**
 * A density histogram with equal bins over `range`; by default Freedman-Diaconis bins over
 * [min, max] with bins = floor((max - min) / width), at least 1, as the notebooks do
 * (numpy's own "fd" rounds up instead). The last bin includes its right edge; NaN and
 * values outside the range are left out (counted in `outside`), and density is normalised
 * by the number of finite values, as numpy's `density=True` does with an explicit range.
 *
 * @param values Sample.
 * @param options Range, bins or bin width.
 * @returns Edges, centres, counts and density.
 * @throws {RangeError} On no finite values, an empty range or a non-positive bin count.
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { densityHistogram } from "./histogram.ts";
 * const h = densityHistogram([0, 1, 1, 2], { bins: 2 });
 * assert.ok(h.counts[0] === 1 && h.counts[1] === 3);
 * ```
 */
export function densityHistogram(
  values: ArrayLike<number>,
  options: DensityHistogramOptions = {},
): DensityHistogram {
  const sorted = finiteSorted(values, "build a histogram");
  const [low, high] = options.range ?? [sorted[0], sorted[sorted.length - 1]];
  if (!(high > low)) {
    throw new RangeError(`Cannot build a histogram: range [${low}, ${high}] is empty`);
  }
  let bins = options.bins;
  if (bins === undefined) {
    const width = options.binWidth ?? freedmanDiaconisWidth(sorted);
    bins = width > 0 ? Math.max(1, Math.floor((high - low) / width)) : 1;
  }
  if (!Number.isInteger(bins) || bins < 1) {
    throw new RangeError(`Cannot build a histogram: bins is ${bins}, must be an integer >= 1`);
  }
  const binWidth = (high - low) / bins;
  const edges = Float64Array.from({ length: bins + 1 }, (_, i) => low + i * binWidth);
  edges[bins] = high;
  const centres = Float64Array.from({ length: bins }, (_, i) => low + (i + 0.5) * binWidth);
  const counts = new Float64Array(bins);
  let outside = 0;
  for (const v of sorted) {
    if (v < low || v > high) {
      outside++;
      continue;
    }
    counts[Math.min(bins - 1, Math.floor((v - low) / binWidth))]++;
  }
  const inside = sorted.length - outside;
  const density = counts.map((c) => inside > 0 ? c / (inside * binWidth) : 0);
  return { edges, centres, counts, density, binWidth, outside };
}

/**
 * The histogram-weighted mean sum(centre * density) / sum(density) (the notebooks' <S>;
 * not the sample mean, but within a fraction of a bin width of it).
 *
 * @param histogram A histogram (centres and density).
 * @returns The weighted mean.
 * @throws {RangeError} When the density sums to zero.
 */
export function histogramMean(histogram: Pick<DensityHistogram, "centres" | "density">): number {
  let num = 0, den = 0;
  for (let i = 0; i < histogram.centres.length; i++) {
    num += histogram.centres[i] * histogram.density[i];
    den += histogram.density[i];
  }
  if (!(den > 0)) throw new RangeError("Cannot take a histogram mean: the density sums to 0");
  return num / den;
}
