/**
 * Special functions the spectral densities need: the error function in float64.
 *
 * @module
 */

const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);

/**
 * The error function erf(x) = 2/sqrt(pi) int_0^x e^{-t^2} dt, to ~1e-13 relative.
 *
 * For |x| < 2.5 the Maclaurin series sum_n (-1)^n x^{2n+1} / (n! (2n+1)) (terms stay below
 * e^{x^2} ~ 520, so at most ~3 digits cancel); beyond, 1 - erfc(x) with erfc from its
 * continued fraction (modified Lentz), which converges fast there.
 *
 * @param x Any number (NaN gives NaN).
 * @returns erf(x) in [-1, 1].
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { erf } from "./special.ts";
 * assert.ok(Math.abs(erf(1) - 0.8427007929497149) < 1e-15);
 * ```
 */
export function erf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const ax = Math.abs(x);
  if (ax < 2.5) {
    const x2 = x * x;
    let term = x, sum = x;
    for (let n = 1; n < 200; n++) {
      term *= -x2 / n;
      const add = term / (2 * n + 1);
      sum += add;
      if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
    }
    return TWO_OVER_SQRT_PI * sum;
  }
  return Math.sign(x) * (1 - erfcLarge(ax));
}

/** erfc(x) for x >= 2.5 by the continued fraction erfc(x) = e^{-x^2}/sqrt(pi) / (x + 1/2/(x + 1/(x + 3/2/(x + ...)))). */
function erfcLarge(x: number): number {
  if (x > 27) return 0;
  // Lentz on f = x + (1/2)/(x + 1/(x + (3/2)/(x + 2/(x + ...)))), a_k = k/2.
  const tiny = 1e-300;
  let f = x, c = x, d = 0;
  for (let k = 1; k < 500; k++) {
    const a = k / 2;
    d = x + a * d;
    d = Math.abs(d) < tiny ? 1 / tiny : 1 / d;
    c = x + a / c;
    if (Math.abs(c) < tiny) c = tiny;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return Math.exp(-x * x) / (Math.sqrt(Math.PI) * f);
}
