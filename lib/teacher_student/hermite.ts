/**
 * Hermite coefficients and the information exponent of an activation, by Gauss-Hermite quadrature.
 *
 * With the normalised probabilists' Hermite polynomials h_k = He_k / sqrt(k!) (orthonormal under
 * N(0, 1)), an activation is f = sum_k c_k h_k with c_k = E[f(z) h_k(z)]. The information exponent is
 * the smallest k >= 1 with c_k != 0 (Ben Arous, Gheissari and Jagannath 2021): online SGD needs about
 * d^{k-1} samples (k >= 3) to leave the equator.
 *
 * @module
 */
import { type Activation, activationCoefficients, evaluateActivation } from "../activations.ts";

/**
 * Nodes and weights of n-point Gauss-Hermite quadrature for E[f(Z)], Z ~ N(0, 1):
 * E[f(Z)] ~ sum_i weights_i f(nodes_i). Newton iteration on orthonormal physicists' Hermite
 * functions (stable for n up to several hundred), then x -> sqrt(2) x, w -> w / sqrt(pi).
 *
 * @param n Number of nodes (exact for polynomials of degree <= 2n - 1).
 * @returns Nodes (descending) and weights (summing to 1).
 * @throws {RangeError} When n is not an integer in [1, 150].
 */
export function gaussHermite(n: number): { nodes: Float64Array; weights: Float64Array } {
  if (!Number.isInteger(n) || n < 1 || n > 150) {
    throw new RangeError(`Cannot build Gauss-Hermite rule: n is ${n}, must be an integer in [1, 150]`);
  }
  const x = new Float64Array(n), w = new Float64Array(n);
  const PIM4 = Math.PI ** -0.25;
  let z = 0;
  for (let i = 0; i < (n + 1) >> 1; i++) {
    if (i === 0) z = Math.sqrt(2 * n + 1) - 1.85575 * (2 * n + 1) ** -0.16667;
    else if (i === 1) z -= 1.14 * n ** 0.426 / z;
    else if (i === 2) z = 1.86 * z - 0.86 * x[0];
    else if (i === 3) z = 1.91 * z - 0.91 * x[1];
    else z = 2 * z - x[i - 2];
    let pp = 0;
    for (let iteration = 0; iteration < 100; iteration++) {
      let p1 = PIM4, p2 = 0;
      for (let j = 0; j < n; j++) {
        const p3 = p2;
        p2 = p1;
        p1 = z * Math.sqrt(2 / (j + 1)) * p2 - Math.sqrt(j / (j + 1)) * p3;
      }
      pp = Math.sqrt(2 * n) * p2;
      const dz = p1 / pp;
      z -= dz;
      if (Math.abs(dz) <= 1e-15 * Math.max(1, Math.abs(z))) break;
    }
    x[i] = z;
    x[n - 1 - i] = -z;
    w[i] = w[n - 1 - i] = 2 / (pp * pp);
  }
  return {
    nodes: x.map((v) => v * Math.SQRT2),
    weights: w.map((v) => v / Math.sqrt(Math.PI)),
  };
}

/**
 * Hermite coefficients c_0..c_maxOrder of an activation in the orthonormal basis He_k / sqrt(k!).
 *
 * @param activation Any activation of lib/activations.ts, or a function of one variable.
 * @param maxOrder Highest order (default 8).
 * @param nodes Quadrature nodes (default 150; kinks such as relu's converge slowly, errors ~1e-4).
 * @returns c_k for k = 0..maxOrder.
 */
export function hermiteCoefficients(
  activation: Activation | ((x: number) => number),
  maxOrder = 8,
  nodes = 150,
): Float64Array {
  const f = typeof activation === "function"
    ? activation
    : ((c) => (x: number) => evaluateActivation(c, x))(activationCoefficients(activation));
  const rule = gaussHermite(nodes);
  const c = new Float64Array(maxOrder + 1);
  for (let i = 0; i < nodes; i++) {
    const z = rule.nodes[i], fw = f(z) * rule.weights[i];
    let hPrev = 0, h = 1; // h_0 = 1; h_{k+1} = (z h_k - sqrt(k) h_{k-1}) / sqrt(k + 1)
    for (let k = 0; k <= maxOrder; k++) {
      c[k] += fw * h;
      const next = (z * h - Math.sqrt(k) * hPrev) / Math.sqrt(k + 1);
      hPrev = h;
      h = next;
    }
  }
  return c;
}

/**
 * The information exponent: the smallest k >= 1 with |c_k| > tolerance.
 *
 * @param activation The activation (or a function).
 * @param tolerance Coefficients at or below it count as zero (default 1e-6).
 * @param maxOrder Highest order searched (default 8).
 * @returns k, or Infinity when every coefficient up to maxOrder vanishes.
 */
export function informationExponent(
  activation: Activation | ((x: number) => number),
  tolerance = 1e-6,
  maxOrder = 8,
): number {
  const c = hermiteCoefficients(activation, maxOrder);
  for (let k = 1; k <= maxOrder; k++) if (Math.abs(c[k]) > tolerance) return k;
  return Infinity;
}
