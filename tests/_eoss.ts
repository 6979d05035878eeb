/**
 * Fixtures of the EoSS tests: symmetric matrices with known spectra (random orthogonal eigenvectors).
 *
 * @module
 */
import { randomReference } from "../lib/rng/philox.ts";

/** A random n x n orthogonal matrix (columns), row-major, by Gram-Schmidt of a seeded Gaussian matrix. */
export function randomOrthogonal(n: number, seed: number): Float64Array {
  const g = randomReference(n, n, { seed });
  const q = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    const col = Float64Array.from({ length: n }, (_, i) => g[i * n + j]);
    for (let pass = 0; pass < 2; pass++) {
      for (let p = 0; p < j; p++) {
        let d = 0;
        for (let i = 0; i < n; i++) d += q[i * n + p] * col[i];
        for (let i = 0; i < n; i++) col[i] -= d * q[i * n + p];
      }
    }
    const norm = Math.hypot(...col);
    for (let i = 0; i < n; i++) q[i * n + j] = col[i] / norm;
  }
  return q;
}

/** U diag(values) U^T for a seeded random orthogonal U: a symmetric matrix with exactly these eigenvalues. */
export function matrixWithSpectrum(values: readonly number[], seed: number): Float64Array {
  const n = values.length, u = randomOrthogonal(n, seed), a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += u[i * n + k] * values[k] * u[j * n + k];
      a[i * n + j] = s;
    }
  }
  return a;
}
