/**
 * Eigenvalues and eigenvectors of a real symmetric matrix by cyclic Jacobi rotations (float64).
 *
 * Written to be read and to serve as an oracle: each sweep zeroes every
 * off-diagonal pair (p, q) with the rotation of Golub & Van Loan, Matrix
 * Computations, algorithm 8.5.2 (symmetric Schur decomposition), until the
 * off-diagonal Frobenius norm is below `tolerance` times the matrix norm.
 * Cost O(n^3) per sweep, ~6-10 sweeps: meant for n up to a few hundred.
 *
 * @module
 */

/** Result of {@linkcode symmetricEigen}. */
export interface SymmetricEigen {
  /** Eigenvalues, ascending. */
  values: Float64Array;
  /** Eigenvectors as columns of a row-major n x n matrix, in the order of `values`. */
  vectors: Float64Array;
  /** Sweeps used. */
  sweeps: number;
}

/**
 * Diagonalises a symmetric matrix.
 *
 * @param matrix Row-major n x n values (only symmetric input is meaningful; it is symmetrised).
 * @param n The order.
 * @param options `tolerance` (relative off-diagonal norm, default 1e-14) and `maxSweeps` (default 100).
 * @returns Ascending eigenvalues and their eigenvectors.
 * @throws {RangeError} When `matrix.length` is not n*n.
 * @throws {TypeError} On NaN or infinite entries.
 * @example
 * ```ts
 * import { symmetricEigen } from "./jacobi_eigen.ts";
 * symmetricEigen([2, 1, 1, 2], 2).values; // Float64Array [1, 3]
 * ```
 */
export function symmetricEigen(
  matrix: ArrayLike<number>,
  n: number,
  { tolerance = 1e-14, maxSweeps = 100 }: { tolerance?: number; maxSweeps?: number } = {},
): SymmetricEigen {
  if (!Number.isInteger(n) || n < 0 || matrix.length !== n * n) {
    throw new RangeError(
      `Cannot diagonalise: ${matrix.length} values given for an n = ${n} matrix (need n*n)`,
    );
  }
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const v = 0.5 * (matrix[i * n + j] + matrix[j * n + i]);
      if (!Number.isFinite(v)) {
        throw new TypeError(`Cannot diagonalise: entry (${i}, ${j}) is ${matrix[i * n + j]}`);
      }
      a[i * n + j] = v;
    }
  }
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  const total = Math.sqrt(a.reduce((s, x) => s + x * x, 0));
  let sweeps = 0;
  while (sweeps < maxSweeps) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += 2 * a[p * n + q] ** 2;
    if (Math.sqrt(off) <= tolerance * total || total === 0) break;
    sweeps++;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q];
        if (apq === 0) continue;
        // Rotation angle that zeroes a[p][q]: tau = (a_qq - a_pp) / (2 a_pq), t = tan(theta).
        const tau = (a[q * n + q] - a[p * n + p]) / (2 * apq);
        const t = Math.sign(tau || 1) / (Math.abs(tau) + Math.sqrt(1 + tau * tau));
        const c = 1 / Math.sqrt(1 + t * t), s = t * c;
        for (let k = 0; k < n; k++) { // A <- A J (columns p, q)
          const akp = a[k * n + p], akq = a[k * n + q];
          a[k * n + p] = c * akp - s * akq;
          a[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) { // A <- J^T A (rows p, q)
          const apk = a[p * n + k], aqk = a[q * n + k];
          a[p * n + k] = c * apk - s * aqk;
          a[q * n + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) { // V <- V J
          const vkp = v[k * n + p], vkq = v[k * n + q];
          v[k * n + p] = c * vkp - s * vkq;
          v[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => a[i * n + i] - a[j * n + j]);
  const values = Float64Array.from(order, (i) => a[i * n + i]);
  const vectors = new Float64Array(n * n);
  order.forEach((col, k) => {
    for (let r = 0; r < n; r++) vectors[r * n + k] = v[r * n + col];
  });
  return { values, vectors, sweeps };
}
