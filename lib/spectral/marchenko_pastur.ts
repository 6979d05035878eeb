/**
 * The Marchenko-Pastur law: the limiting eigenvalue density of a sample covariance.
 *
 * For X with n rows of d i.i.d. entries of variance sigma^2 and ratio q = d/n <= 1,
 * the eigenvalues of X^T X / n have density
 * rho(x) = sqrt((x_+ - x)(x - x_-)) / (2 pi sigma^2 q x) on [x_-, x_+],
 * x_+- = sigma^2 (1 +- sqrt(q))^2 (Marchenko & Pastur 1967).
 *
 * @module
 */

/** Support edges [x_-, x_+] of the Marchenko-Pastur law. */
export function marchenkoPasturEdges(q: number, variance = 1): [number, number] {
  if (!(q > 0 && q <= 1)) {
    throw new RangeError(`Cannot use Marchenko-Pastur: ratio q = ${q}, must be in (0, 1]`);
  }
  return [variance * (1 - Math.sqrt(q)) ** 2, variance * (1 + Math.sqrt(q)) ** 2];
}

/**
 * The Marchenko-Pastur density at `x`.
 *
 * @param x Eigenvalue.
 * @param q Ratio d/n in (0, 1].
 * @param variance Entry variance sigma^2.
 * @returns rho(x), zero outside the support.
 * @throws {RangeError} When q is outside (0, 1].
 */
export function marchenkoPasturDensity(x: number, q: number, variance = 1): number {
  const [lo, hi] = marchenkoPasturEdges(q, variance);
  if (x <= lo || x >= hi) return 0;
  return Math.sqrt((hi - x) * (x - lo)) / (2 * Math.PI * variance * q * x);
}
