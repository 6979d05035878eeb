/**
 * Combining K independent estimates of one quantity (e.g. a slope measured on K independent
 * datasets, each with its own jackknife error) when the estimates scatter by more than their own
 * errors: a random-effects combination.
 *
 * The estimator (DerSimonian-Laird with the Hartung-Knapp error, taken no smaller than DL's):
 * - within weights w_k = 1 / e_k^2; the fixed-effect mean m_F = sum w a / sum w, whose error
 *   1 / sqrt(sum w) is what the jackknife errors alone allow (`withinError`);
 * - Cochran's Q = sum w (a - m_F)^2 on K - 1 dof (Q / (K - 1) ~ 1 when the e_k explain the scatter);
 * - between-dataset variance tau^2 = max(0, (Q - (K - 1)) / (sum w - sum w^2 / sum w));
 * - random-effects weights w*_k = 1 / (e_k^2 + tau^2), mean m = sum w* a / sum w*;
 * - error^2 = max(1 / sum w*, sum w* (a - m)^2 / ((K - 1) sum w*)) (the second is Hartung-Knapp;
 *   with equal e_k it is the sample variance of the a_k over K, i.e. sd / sqrt(K) squared), and
 *   never below the within error;
 * - intervals use Student's t with K - 1 dof: `twoSigmaFactor` is the t quantile with the normal
 *   2-sigma two-sided coverage (95.45 %), so "within 2 sigma" means |m - target| <= factor error.
 *
 * `betweenError` = sqrt(max(0, error^2 - withinError^2)) is the part of the error the within errors
 * miss. With K = 1 nothing is known about the spread: the mean is the estimate (bit for bit), the
 * error is its own, tau, Q and betweenError are NaN and the 2-sigma factor is 2.
 *
 * @module
 */
import { normalCdf, studentTQuantile } from "./student_t.ts";

/** Result of {@linkcode combineRandomEffects}. */
export interface RandomEffectsCombination {
  /** K. */
  count: number;
  /** Random-effects mean m. */
  mean: number;
  /** Error of m with the between-dataset spread included. */
  error: number;
  /** Error from the within errors alone: 1 / sqrt(sum 1 / e_k^2). */
  withinError: number;
  /** sqrt(max(0, error^2 - withinError^2)) (NaN for K = 1). */
  betweenError: number;
  /** tau: the spread of one estimate beyond its own error (NaN for K = 1). */
  betweenSd: number;
  /** Cochran's Q / (K - 1): chi^2/dof of the estimates against their within errors (NaN for K = 1). */
  qPerDof: number;
  /** Degrees of freedom of the interval, K - 1 (Infinity for K = 1: the normal). */
  dof: number;
  /** The t quantile with the normal 2-sigma two-sided coverage (2 for K = 1). */
  twoSigmaFactor: number;
}

/** Two-sided coverage of +-2 sigma for a normal variable (0.9545). */
export const TWO_SIGMA_COVERAGE: number = 2 * normalCdf(2) - 1;

/**
 * Combines K independent estimates with their within errors (see the module doc).
 *
 * @param estimates a_k.
 * @param errors e_k (> 0).
 * @returns Mean, errors, spread and the interval factor.
 * @throws {RangeError} On no estimates, mismatched lengths, non-finite estimates or errors <= 0.
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { combineRandomEffects } from "./random_effects.ts";
 * const c = combineRandomEffects([1.78, 1.89, 1.87, 1.93], [0.004, 0.004, 0.004, 0.004]);
 * assert.ok(c.error > 10 * c.withinError && c.qPerDof > 100);
 * ```
 */
export function combineRandomEffects(
  estimates: ArrayLike<number>,
  errors: ArrayLike<number>,
): RandomEffectsCombination {
  const k = estimates.length;
  if (k === 0 || errors.length !== k) {
    throw new RangeError(
      `Cannot combine estimates: ${k} estimates and ${errors.length} errors (need equal, >= 1)`,
    );
  }
  for (let i = 0; i < k; i++) {
    if (!Number.isFinite(estimates[i]) || !(errors[i] > 0) || !Number.isFinite(errors[i])) {
      throw new RangeError(
        `Cannot combine estimates: estimate ${i} is ${estimates[i]} +- ${errors[i]} (need finite, error > 0)`,
      );
    }
  }
  if (k === 1) {
    return {
      count: 1,
      mean: estimates[0],
      error: errors[0],
      withinError: errors[0],
      betweenError: NaN,
      betweenSd: NaN,
      qPerDof: NaN,
      dof: Infinity,
      twoSigmaFactor: 2,
    };
  }
  const a = Array.from(estimates), e2 = Array.from(errors, (e) => e * e);
  const w = e2.map((v) => 1 / v), sw = sum(w);
  const fixed = sum(w.map((wi, i) => wi * a[i])) / sw;
  const q = sum(w.map((wi, i) => wi * (a[i] - fixed) ** 2));
  const tau2 = Math.max(0, (q - (k - 1)) / (sw - sum(w.map((wi) => wi * wi)) / sw));
  const ws = e2.map((v) => 1 / (v + tau2)), sws = sum(ws);
  const mean = sum(ws.map((wi, i) => wi * a[i])) / sws;
  const hartungKnapp = sum(ws.map((wi, i) => wi * (a[i] - mean) ** 2)) / ((k - 1) * sws);
  // Never below the within error (with tau = 0 the DL error equals it up to rounding).
  const withinError = 1 / Math.sqrt(sw),
    error = Math.max(withinError, Math.sqrt(Math.max(1 / sws, hartungKnapp)));
  return {
    count: k,
    mean,
    error,
    withinError,
    // 0, not a rounding residue, when the spread adds nothing (tau = 0).
    betweenError: error > withinError * (1 + 1e-9) ? Math.sqrt(error * error - withinError * withinError) : 0,
    betweenSd: Math.sqrt(tau2),
    qPerDof: q / (k - 1),
    dof: k - 1,
    twoSigmaFactor: studentTQuantile(0.5 + TWO_SIGMA_COVERAGE / 2, k - 1),
  };
}

function sum(values: number[]): number {
  let s = 0;
  for (const v of values) s += v;
  return s;
}
