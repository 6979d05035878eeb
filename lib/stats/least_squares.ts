/**
 * Weighted least squares of y = a x through the origin, with chi^2/dof done right.
 *
 * The notebooks fit <S> against the predicted width this way, weighting by jackknife errors;
 * their chi^2/dof used inv(diag(err)) where 1/err^2 belongs (spec seed001 B.5). Here
 * a = sum(x y / s^2) / sum(x^2 / s^2), var(a) = 1 / sum(x^2 / s^2) (errors taken as absolute),
 * chi^2 = sum((y - a x)^2 / s^2) with n - 1 degrees of freedom.
 *
 * @module
 */

/** Result of {@linkcode fitSlopeThroughOrigin}. */
export interface SlopeFit {
  /** The slope a. */
  slope: number;
  /** Its standard error with the errors taken as absolute: 1 / sqrt(sum x^2 / s^2). */
  error: number;
  /** The error scaled by sqrt(chi^2/dof) (scipy curve_fit's default, absolute_sigma=False). */
  scaledError: number;
  /** sum((y - a x)^2 / s^2). */
  chi2: number;
  /** Degrees of freedom, n - 1. */
  dof: number;
  /** chi2 / dof (NaN when dof is 0). */
  chi2PerDof: number;
}

/**
 * Fits y = a x by weighted least squares.
 *
 * @param x Abscissae.
 * @param y Ordinates.
 * @param sigma Standard errors of y (default: all 1, an unweighted fit).
 * @returns Slope, errors and chi^2.
 * @throws {RangeError} On mismatched lengths, no points, non-positive errors or all-zero x.
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { fitSlopeThroughOrigin } from "./least_squares.ts";
 * assert.ok(fitSlopeThroughOrigin([1, 2], [2, 4]).slope === 2);
 * ```
 */
export function fitSlopeThroughOrigin(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  sigma?: ArrayLike<number>,
): SlopeFit {
  const n = x.length;
  if (n === 0 || y.length !== n || (sigma && sigma.length !== n)) {
    throw new RangeError(
      `Cannot fit a slope: ${n} x, ${y.length} y, ${sigma?.length ?? n} errors (need equal, nonzero lengths)`,
    );
  }
  let sxx = 0, sxy = 0;
  for (let i = 0; i < n; i++) {
    const s = sigma ? sigma[i] : 1;
    if (!(s > 0)) throw new RangeError(`Cannot fit a slope: error ${i} is ${s}, must be > 0`);
    sxx += x[i] * x[i] / (s * s);
    sxy += x[i] * y[i] / (s * s);
  }
  if (!(sxx > 0)) throw new RangeError("Cannot fit a slope: every x is 0");
  const slope = sxy / sxx;
  let chi2 = 0;
  for (let i = 0; i < n; i++) {
    const s = sigma ? sigma[i] : 1;
    chi2 += ((y[i] - slope * x[i]) / s) ** 2;
  }
  const dof = n - 1, chi2PerDof = dof > 0 ? chi2 / dof : NaN;
  const error = 1 / Math.sqrt(sxx);
  return { slope, error, scaledError: dof > 0 ? error * Math.sqrt(chi2PerDof) : NaN, chi2, dof, chi2PerDof };
}
