/**
 * The 1-D periodic lattice free scalar field, the Gaussian RBM's target (spec seed001 B.2):
 * p(phi) ~ exp(-phi^T K phi / 2) with K_ii = 2 + m^2, K_{i,i+-1 mod N} = -1.
 *
 * @module
 */
import { inverse, Matrix } from "npm:ml-matrix@6";

function checkField(sites: number, mass: number): void {
  if (!Number.isInteger(sites) || sites < 1) {
    throw new RangeError(`Cannot build the free field: sites is ${sites}, must be an integer >= 1`);
  }
  if (!(mass > 0) || !Number.isFinite(mass)) {
    throw new RangeError(`Cannot build the free field: mass is ${mass}, must be finite and > 0`);
  }
}

/**
 * The kernel K of the periodic free field, row-major N x N. For N = 1 it is m^2 (the two
 * neighbours are the site itself); for N = 2 both neighbours are the other site (K_01 = -2).
 *
 * @param sites N.
 * @param mass m > 0.
 * @returns K.
 * @throws {RangeError} On a bad size or mass.
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { freeFieldKernel } from "./free_field.ts";
 * const k = freeFieldKernel(3, 2); // [[6, -1, -1], [-1, 6, -1], [-1, -1, 6]]
 * assert.ok(k[0] === 6 && k[1] === -1);
 * ```
 */
export function freeFieldKernel(sites: number, mass: number): Float64Array {
  checkField(sites, mass);
  const k = new Float64Array(sites * sites);
  for (let i = 0; i < sites; i++) {
    k[i * sites + i] += 2 + mass * mass;
    k[i * sites + (i + 1) % sites] -= 1;
    k[i * sites + (i + sites - 1) % sites] -= 1;
  }
  return k;
}

/**
 * The eigenvalues kappa_n = m^2 + 2 - 2 cos(2 pi n / N), ascending (pairs n, N - n are degenerate).
 *
 * @param sites N.
 * @param mass m.
 * @returns Ascending eigenvalues.
 * @throws {RangeError} On a bad size or mass.
 */
export function freeFieldEigenvalues(sites: number, mass: number): Float64Array {
  checkField(sites, mass);
  return Float64Array.from(
    { length: sites },
    (_, n) => mass * mass + 2 - 2 * Math.cos(2 * Math.PI * n / sites),
  )
    .sort();
}

/**
 * The inverse K^-1 (the target covariance <phi phi^T>), row-major.
 *
 * @param kernel Row-major symmetric positive-definite n x n matrix.
 * @param n Order.
 * @returns K^-1, symmetrised.
 * @throws {RangeError} On a size mismatch.
 */
export function inverseKernel(kernel: ArrayLike<number>, n: number): Float64Array {
  if (kernel.length !== n * n) throw new RangeError(`Cannot invert: ${kernel.length} values for n = ${n}`);
  const m = new Matrix(n, n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) m.set(i, j, kernel[i * n + j]);
  const inv = inverse(m);
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) out[i * n + j] = 0.5 * (inv.get(i, j) + inv.get(j, i));
  }
  return out;
}

/**
 * The RBM's fixed point: the eigenvalues x* = (mu^2 - kappa) / sigma^2 of W^T W for which
 * K_RBM = mu^2 I - sigma^2 W^T W equals K (uniform mu), descending in x (ascending in kappa).
 *
 * @param kappa Target eigenvalues.
 * @param mu Uniform mass parameter.
 * @param sigma Hidden width (1 in the paper).
 * @returns x* per kappa.
 * @throws {RangeError} When mu^2 <= max kappa (no fixed point).
 */
export function rbmFixedPoint(kappa: ArrayLike<number>, mu: number, sigma = 1): Float64Array {
  const max = Math.max(...Array.from(kappa));
  if (!(mu * mu > max)) {
    throw new RangeError(`Cannot place the fixed point: mu^2 = ${mu * mu} must exceed max kappa = ${max}`);
  }
  return Float64Array.from(kappa, (k) => (mu * mu - k) / (sigma * sigma));
}
