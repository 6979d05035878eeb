/**
 * Jackknife error estimates: leave-one-out and blocked (delete-a-block).
 *
 * With B replicates theta_b (the estimator on the sample without block b), the error is
 * sqrt((B - 1)/B sum_b (theta_b - mean theta)^2); leave-one-out is B = n. For the sample
 * mean it equals the standard error s / sqrt(n) exactly.
 *
 * @module
 */

/** Result of {@linkcode jackknifeVector}. */
export interface JackknifeVectorResult {
  /** The estimator on the full sample. */
  estimate: number[];
  /** Jackknife standard errors. */
  error: number[];
  /** Bias-corrected estimates B theta - (B - 1) mean theta_b. */
  biasCorrected: number[];
  /** Replicates, [blocks][components]. */
  replicates: number[][];
}

/** Result of {@linkcode jackknife}. */
export interface JackknifeResult {
  /** The estimator on the full sample. */
  estimate: number;
  /** Jackknife standard error. */
  error: number;
  /** Bias-corrected estimate. */
  biasCorrected: number;
  /** Replicates, one per deleted block. */
  replicates: number[];
}

/** Options of the jackknife functions. */
export interface JackknifeOptions {
  /** Number of contiguous blocks to delete in turn (default: n, leave-one-out). */
  blocks?: number;
}

/**
 * Jackknife of an estimator returning several numbers (e.g. fit parameters).
 * Block b is [floor(b n / B), floor((b + 1) n / B)).
 *
 * @param values Sample (kept in order: blocks are contiguous).
 * @param estimator Maps a sample to numbers of a fixed length.
 * @param options Number of blocks.
 * @returns Estimate, errors, bias-corrected estimate and replicates.
 * @throws {RangeError} When n < 2 or blocks is not an integer in [2, n].
 */
export function jackknifeVector(
  values: ArrayLike<number>,
  estimator: (sample: Float64Array) => number[],
  options: JackknifeOptions = {},
): JackknifeVectorResult {
  const n = values.length;
  const blocks = options.blocks ?? n;
  if (n < 2 || !Number.isInteger(blocks) || blocks < 2 || blocks > n) {
    throw new RangeError(`Cannot jackknife: ${n} values in ${blocks} blocks (need n >= 2, 2 <= blocks <= n)`);
  }
  const all = Float64Array.from(values);
  const estimate = estimator(all);
  const replicates: number[][] = [];
  for (let b = 0; b < blocks; b++) {
    const start = Math.floor(b * n / blocks), end = Math.floor((b + 1) * n / blocks);
    const rest = new Float64Array(n - (end - start));
    rest.set(all.subarray(0, start), 0);
    rest.set(all.subarray(end), start);
    const r = estimator(rest);
    if (r.length !== estimate.length) {
      throw new RangeError(
        `Cannot jackknife: the estimator gave ${r.length} numbers, then ${estimate.length}`,
      );
    }
    replicates.push(r);
  }
  const error: number[] = [], biasCorrected: number[] = [];
  for (let k = 0; k < estimate.length; k++) {
    const mean = replicates.reduce((s, r) => s + r[k], 0) / blocks;
    const ss = replicates.reduce((s, r) => s + (r[k] - mean) ** 2, 0);
    error.push(Math.sqrt((blocks - 1) / blocks * ss));
    biasCorrected.push(blocks * estimate[k] - (blocks - 1) * mean);
  }
  return { estimate, error, biasCorrected, replicates };
}

/**
 * Jackknife of a scalar estimator (leave-one-out by default, or `blocks` contiguous blocks).
 *
 * @param values Sample.
 * @param estimator Maps a sample to a number.
 * @param options Number of blocks.
 * @returns Estimate, error, bias-corrected estimate and replicates.
 * @throws {RangeError} When n < 2 or blocks is not an integer in [2, n].
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { jackknife } from "./jackknife.ts";
 * const mean = (s: Float64Array) => s.reduce((a, b) => a + b, 0) / s.length;
 * const { error } = jackknife([1, 2, 3, 4], mean); // = sample std / sqrt(4)
 * assert.ok(Math.abs(error - Math.sqrt(5 / 3) / 2) < 1e-12);
 * ```
 */
export function jackknife(
  values: ArrayLike<number>,
  estimator: (sample: Float64Array) => number,
  options: JackknifeOptions = {},
): JackknifeResult {
  const r = jackknifeVector(values, (s) => [estimator(s)], options);
  return {
    estimate: r.estimate[0],
    error: r.error[0],
    biasCorrected: r.biasCorrected[0],
    replicates: r.replicates.map((x) => x[0]),
  };
}
