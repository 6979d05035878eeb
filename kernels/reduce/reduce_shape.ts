/**
 * The arguments the reduction and histogram kernels consume (kernels/reduce/reduce.ts) and their checks,
 * shared with the float64 oracle (lib/reference/reduce.ts) so both backends reject with the same message.
 *
 * @module
 */

/** Reductions of {@linkcode Backend.reduce}. */
export type ReduceOp = "sum" | "mean" | "variance" | "min" | "max" | "norm" | "sumOfSquares";

/** Options of {@linkcode Backend.histogram}. */
export interface HistogramOptions {
  /** Left edge of the first bin. */
  low: number;
  /** Right edge of the last bin (values equal to it count in the last bin). */
  high: number;
  /** Number of equal-width bins. */
  bins: number;
}

/** The counts of a histogram. */
export interface HistogramCounts {
  /** Count per bin. */
  counts: Uint32Array;
  /** Values below `low`. */
  underflow: number;
  /** Values above `high`. */
  overflow: number;
  /** NaN values (not counted elsewhere). */
  nan: number;
}

/** The reductions, for argument checks and messages. */
export const REDUCE_OPS: readonly ReduceOp[] = [
  "sum",
  "mean",
  "variance",
  "min",
  "max",
  "norm",
  "sumOfSquares",
];

/**
 * Checks a reduction's op and ddof (both backends call this, so both reject with the same message).
 *
 * @param op The reduction.
 * @param ddof Delta degrees of freedom (used by `variance`).
 * @throws {TypeError} When `op` is not a {@linkcode ReduceOp}.
 * @throws {RangeError} When `ddof` is not a non-negative integer.
 */
export function checkReduceArguments(op: ReduceOp, ddof: number): void {
  if (!REDUCE_OPS.includes(op)) {
    throw new TypeError(`Cannot reduce: unknown op "${op}", expected one of ${REDUCE_OPS.join(", ")}`);
  }
  if (!Number.isInteger(ddof) || ddof < 0) {
    throw new RangeError(`Cannot reduce with "${op}": ddof is ${ddof}, must be a non-negative integer`);
  }
}

/**
 * The result of a reduction that does not depend on the data, or undefined when it does.
 *
 * @param op The reduction.
 * @param n Length of the reduced line.
 * @param ddof Delta degrees of freedom.
 * @returns 0 or NaN for an empty line (and NaN for a variance with n <= ddof), else undefined.
 */
export function constantReduceResult(op: ReduceOp, n: number, ddof: number): number | undefined {
  if (op === "variance" && n <= ddof) return NaN;
  if (n > 0) return undefined;
  return op === "sum" || op === "norm" || op === "sumOfSquares" ? 0 : NaN;
}

/** The float32 constants both backends bin with. */
export interface HistogramBinning {
  /** low rounded to float32. */
  low: number;
  /** high rounded to float32. */
  high: number;
  /** bins / (high - low), rounded to float32: bin = floor(f32(f32(x - low) * scale)). */
  scale: number;
}

/**
 * The float32 constants of a histogram (the kernel receives exactly these).
 *
 * @param options low, high and bins (already checked by `checkHistogram`).
 * @returns low, high and the bin scale, each a float32 value.
 * @throws {RangeError} When low and high round to float32 values too close to give finite bins.
 */
export function histogramBinning(options: HistogramOptions): HistogramBinning {
  const low = Math.fround(options.low), high = Math.fround(options.high);
  const scale = Math.fround(options.bins / (high - low));
  if (!(high > low) || !Number.isFinite(scale)) {
    throw new RangeError(
      `Cannot run "histogram": low ${options.low} and high ${options.high} round to float32 ${low} and ${high}, ` +
        `too close for ${options.bins} bins`,
    );
  }
  return { low, high, scale };
}
