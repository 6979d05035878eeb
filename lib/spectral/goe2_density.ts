/**
 * The one-point density of a 2x2 GOE pair around a degenerate level x0, and the Gaussian
 * used for non-degenerate modes (spec seed001 B.1).
 *
 * With u = x - x0, marginalising p(x1, x2) ~ |x1 - x2| exp(-[(x1-x0)^2 + (x2-x0)^2]/(2 sigma^2))
 * over one level gives
 * rho(x; x0, sigma) = e^{-u^2/2sigma^2} / (4 sqrt(pi) sigma) [2 e^{-u^2/2sigma^2} + sqrt(2 pi) (u/sigma) erf(u/(sqrt 2 sigma))],
 * which integrates to 1 (each bracket term contributes 1/2).
 *
 * @module
 */
import { erf } from "../stats/special.ts";

function checkSigma(sigma: number): void {
  if (!(sigma > 0)) throw new RangeError(`Cannot evaluate the density: sigma is ${sigma}, must be > 0`);
}

/**
 * The 2x2-GOE one-point density rho(x; x0, sigma) (see the module doc).
 *
 * @param x Level.
 * @param x0 Centre (the degenerate target value).
 * @param sigma Width.
 * @returns rho(x).
 * @throws {RangeError} When sigma <= 0.
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { goe2Density } from "./goe2_density.ts";
 * assert.ok(Math.abs(goe2Density(0, 0, 1) - 1 / (2 * Math.sqrt(Math.PI))) < 1e-15);
 * ```
 */
export function goe2Density(x: number, x0: number, sigma: number): number {
  checkSigma(sigma);
  const t = (x - x0) / sigma, g = Math.exp(-t * t / 2);
  return g / (4 * Math.sqrt(Math.PI) * sigma) * (2 * g + Math.sqrt(2 * Math.PI) * t * erf(t / Math.SQRT2));
}

/**
 * The normal density N(x0, sigma^2) at x.
 *
 * @param x Point.
 * @param x0 Mean.
 * @param sigma Standard deviation.
 * @returns The density.
 * @throws {RangeError} When sigma <= 0.
 */
export function gaussianDensity(x: number, x0: number, sigma: number): number {
  checkSigma(sigma);
  const t = (x - x0) / sigma;
  return Math.exp(-t * t / 2) / (Math.sqrt(2 * Math.PI) * sigma);
}
