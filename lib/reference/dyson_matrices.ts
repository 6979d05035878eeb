/**
 * Test matrices of known spectrum for the Dyson line's eigensolvers: Haar-like random
 * orthogonal matrices (Gram-Schmidt on Philox normals) and Q diag(values) Q^T.
 *
 * @module
 */
import { PhiloxStream } from "../rng/philox.ts";

/** Philox stream id of these test matrices. */
export const TEST_MATRIX_STREAM = 0x7e57;

/**
 * A random n x n orthogonal matrix, row-major: Gram-Schmidt on the columns of a matrix of
 * standard normals from Philox (key (seed, TEST_MATRIX_STREAM), row `index`).
 *
 * @param n Order.
 * @param seed Seed.
 * @param index Counter index, to draw several matrices from one seed.
 * @returns Q with Q^T Q = I (to ~1e-15).
 */
export function randomOrthogonal(n: number, seed: number, index = 0): Float64Array {
  const rng = new PhiloxStream(seed, TEST_MATRIX_STREAM);
  const q = Float64Array.from({ length: n * n }, (_, e) => rng.normal(index, 0, e));
  for (let j = 0; j < n; j++) {
    for (let pass = 0; pass < 2; pass++) { // twice is enough (Giraud et al.)
      for (let k = 0; k < j; k++) {
        let dot = 0;
        for (let i = 0; i < n; i++) dot += q[i * n + j] * q[i * n + k];
        for (let i = 0; i < n; i++) q[i * n + j] -= dot * q[i * n + k];
      }
    }
    let norm = 0;
    for (let i = 0; i < n; i++) norm += q[i * n + j] ** 2;
    for (let i = 0; i < n; i++) q[i * n + j] /= Math.sqrt(norm);
  }
  return q;
}

/**
 * The symmetric matrix Q diag(values) Q^T for a random orthogonal Q, row-major.
 *
 * @param values The spectrum wanted.
 * @param seed Seed of Q.
 * @param index Counter index of Q.
 * @returns An n x n symmetric matrix with exactly that spectrum (up to rounding).
 */
export function symmetricWithSpectrum(values: readonly number[], seed: number, index = 0): Float64Array {
  const n = values.length, q = randomOrthogonal(n, seed, index), a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      let sum = 0;
      for (let k = 0; k < n; k++) sum += q[i * n + k] * values[k] * q[j * n + k];
      a[i * n + j] = sum;
      a[j * n + i] = sum;
    }
  }
  return a;
}
