/**
 * Student's t distribution: CDF and quantile (for intervals from a handful of replicates), via the
 * regularised incomplete beta function, and the standard normal CDF.
 *
 * @module
 */
import { erf } from "./special.ts";

/** ln Gamma(x) for x > 0 (Lanczos, g = 7, 9 terms; about 15 significant digits). */
export function lnGamma(x: number): number {
  const c = [
    0.99999999999980993,
    676.5203681218851,
    -1259.1392167224028,
    771.32342877765313,
    -176.61502916214059,
    12.507343278686905,
    -0.13857109526572012,
    9.9843695780195716e-6,
    1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - lnGamma(1 - x);
  const z = x - 1;
  let sum = c[0];
  for (let i = 1; i < 9; i++) sum += c[i] / (z + i);
  const t = z + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(sum);
}

/** Continued fraction of the incomplete beta function (modified Lentz). */
function betaContinuedFraction(x: number, a: number, b: number): number {
  const tiny = 1e-300;
  let c = 1, d = 1 - (a + b) * x / (a + 1);
  d = 1 / (Math.abs(d) < tiny ? tiny : d);
  let h = d;
  for (let m = 1; m <= 300; m++) {
    for (
      const num of [
        m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m)),
        -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1)),
      ]
    ) {
      d = 1 + num * d;
      d = 1 / (Math.abs(d) < tiny ? tiny : d);
      c = 1 + num / c;
      if (Math.abs(c) < tiny) c = tiny;
      h *= d * c;
    }
    if (Math.abs(d * c - 1) < 1e-15) break;
  }
  return h;
}

/**
 * The regularised incomplete beta function I_x(a, b).
 *
 * @param x In [0, 1].
 * @param a > 0.
 * @param b > 0.
 * @returns I_x(a, b).
 * @throws {RangeError} When x is outside [0, 1] or a, b are not positive.
 */
export function regularizedIncompleteBeta(x: number, a: number, b: number): number {
  if (!(x >= 0 && x <= 1) || !(a > 0) || !(b > 0)) {
    throw new RangeError(
      `Cannot evaluate I_x(a, b): x = ${x}, a = ${a}, b = ${b} (need 0 <= x <= 1, a, b > 0)`,
    );
  }
  if (x === 0 || x === 1) return x;
  const front = Math.exp(lnGamma(a + b) - lnGamma(a) - lnGamma(b) + a * Math.log(x) + b * Math.log(1 - x));
  return x < (a + 1) / (a + b + 2)
    ? front * betaContinuedFraction(x, a, b) / a
    : 1 - front * betaContinuedFraction(1 - x, b, a) / b;
}

/** The standard normal CDF Phi(z). */
export function normalCdf(z: number): number {
  return 0.5 * (1 + erf(z / Math.SQRT2));
}

/**
 * CDF of Student's t with `dof` degrees of freedom.
 *
 * @param t The point.
 * @param dof Degrees of freedom (> 0; Infinity gives the normal CDF).
 * @returns P(T <= t).
 * @throws {RangeError} When dof is not positive.
 */
export function studentTCdf(t: number, dof: number): number {
  if (!(dof > 0)) throw new RangeError(`Cannot evaluate the t CDF: dof is ${dof}, must be > 0`);
  if (dof === Infinity) return normalCdf(t);
  const tail = 0.5 * regularizedIncompleteBeta(dof / (dof + t * t), dof / 2, 0.5);
  return t >= 0 ? 1 - tail : tail;
}

/**
 * Quantile of Student's t (bisection on the CDF to 1e-12 relative).
 *
 * @param p Probability in (0, 1).
 * @param dof Degrees of freedom (> 0; Infinity gives the normal quantile).
 * @returns t with P(T <= t) = p.
 * @throws {RangeError} When p is outside (0, 1) or dof is not positive.
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { studentTQuantile } from "./student_t.ts";
 * assert.ok(Math.abs(studentTQuantile(0.975, 1) - 12.7062047) < 1e-6);
 * ```
 */
export function studentTQuantile(p: number, dof: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`Cannot take the t quantile: p is ${p}, must be in (0, 1)`);
  if (!(dof > 0)) throw new RangeError(`Cannot take the t quantile: dof is ${dof}, must be > 0`);
  if (p < 0.5) return -studentTQuantile(1 - p, dof);
  let lo = 0, hi = 1;
  while (studentTCdf(hi, dof) < p) hi *= 2;
  for (let i = 0; i < 200 && hi - lo > 1e-12 * hi; i++) {
    const mid = (lo + hi) / 2;
    if (studentTCdf(mid, dof) < p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}
