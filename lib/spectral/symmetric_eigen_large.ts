/**
 * float64 eigenvalues of larger symmetric matrices and singular values, through
 * `npm:ml-matrix`'s EVD (Householder tridiagonalisation + QL, the JAMA algorithms) and SVD.
 * The cyclic Jacobi of jacobi_eigen.ts is the readable oracle; this is the fast path past
 * n ~ 50 (mathjs `eigs` is far too slow past n ~ 100).
 *
 * @module
 */
import { EigenvalueDecomposition, Matrix, SingularValueDecomposition } from "npm:ml-matrix@6";

function toMatrix(values: ArrayLike<number>, rows: number, cols: number, what: string): Matrix {
  if (
    !Number.isInteger(rows) || !Number.isInteger(cols) || rows < 1 || cols < 1 ||
    values.length !== rows * cols
  ) {
    throw new RangeError(`Cannot ${what}: ${values.length} values for a ${rows} x ${cols} matrix`);
  }
  const m = new Matrix(rows, cols);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      const v = values[i * cols + j];
      if (!Number.isFinite(v)) throw new TypeError(`Cannot ${what}: entry (${i}, ${j}) is ${v}`);
      m.set(i, j, v);
    }
  }
  return m;
}

/**
 * Eigenvalues (ascending) and optionally eigenvectors of a symmetric matrix (symmetrised first).
 *
 * @param matrix Row-major n x n values.
 * @param n The order.
 * @param options `vectors: true` also returns eigenvectors as columns of a row-major n x n array.
 * @returns `{ values, vectors? }`.
 * @throws {RangeError} When matrix.length is not n*n. @throws {TypeError} On non-finite entries.
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { symmetricEigenvalues } from "./symmetric_eigen_large.ts";
 * const { values } = symmetricEigenvalues([2, 1, 1, 2], 2); // [1, 3]
 * assert.ok(Math.abs(values[1] - 3) < 1e-12);
 * ```
 */
export function symmetricEigenvalues(
  matrix: ArrayLike<number>,
  n: number,
  options: { vectors?: boolean } = {},
): { values: Float64Array; vectors?: Float64Array } {
  const m = toMatrix(matrix, n, n, "diagonalise");
  const sym = m.add(m.transpose()).mul(0.5);
  const evd = new EigenvalueDecomposition(sym, { assumeSymmetric: true });
  const raw = evd.realEigenvalues;
  const order = raw.map((_, i) => i).sort((a, b) => raw[a] - raw[b]);
  const values = Float64Array.from(order, (i) => raw[i]);
  if (!options.vectors) return { values };
  const v = evd.eigenvectorMatrix, vectors = new Float64Array(n * n);
  order.forEach((col, k) => {
    for (let r = 0; r < n; r++) vectors[r * n + k] = v.get(r, col);
  });
  return { values, vectors };
}

/**
 * Singular values (descending) of a rows x cols matrix.
 *
 * @param matrix Row-major values.
 * @param rows Rows.
 * @param cols Columns.
 * @returns min(rows, cols) singular values, descending.
 * @throws {RangeError} On a size mismatch. @throws {TypeError} On non-finite entries.
 */
export function singularValues(matrix: ArrayLike<number>, rows: number, cols: number): Float64Array {
  const m = toMatrix(matrix, rows, cols, "take singular values");
  const svd = new SingularValueDecomposition(m, {
    computeLeftSingularVectors: false,
    computeRightSingularVectors: false,
    autoTranspose: true,
  });
  return Float64Array.from(svd.diagonal).sort().reverse().map((v) => Math.max(v, 0));
}
