/**
 * Dense LU factorisation with partial pivoting, for the small linear systems of implicit ODE steps.
 *
 * @module
 */

/** An LU factorisation P A = L U of an n x n matrix, stored in place (unit lower L below the diagonal). */
export interface LuFactors {
  n: number;
  /** Row-major n x n: U on and above the diagonal, L (unit diagonal, not stored) below it. */
  lu: Float64Array;
  /** Row i of P A is row pivots[i] of A. */
  pivots: Int32Array;
}

/**
 * Factorises a row-major n x n matrix with partial pivoting.
 *
 * @param a Row-major n x n matrix (not modified).
 * @param n Order.
 * @returns The factors.
 * @throws {RangeError} When `a` does not hold n * n values, or the matrix is singular (a zero pivot).
 */
export function luFactor(a: ArrayLike<number>, n: number): LuFactors {
  if (a.length !== n * n) {
    throw new RangeError(`Cannot factorise: matrix has ${a.length} values, expected n * n = ${n * n}`);
  }
  const lu = Float64Array.from(a);
  const pivots = Int32Array.from({ length: n }, (_, i) => i);
  for (let col = 0; col < n; col++) {
    let best = col, bestAbs = Math.abs(lu[col * n + col]);
    for (let r = col + 1; r < n; r++) {
      const v = Math.abs(lu[r * n + col]);
      if (v > bestAbs) {
        best = r;
        bestAbs = v;
      }
    }
    if (!(bestAbs > 0)) {
      throw new RangeError(`Cannot factorise: matrix is singular (pivot ${bestAbs} in column ${col})`);
    }
    if (best !== col) {
      for (let j = 0; j < n; j++) {
        const t = lu[col * n + j];
        lu[col * n + j] = lu[best * n + j];
        lu[best * n + j] = t;
      }
      const p = pivots[col];
      pivots[col] = pivots[best];
      pivots[best] = p;
    }
    const inv = 1 / lu[col * n + col];
    for (let r = col + 1; r < n; r++) {
      const f = (lu[r * n + col] *= inv);
      if (f !== 0) { for (let j = col + 1; j < n; j++) lu[r * n + j] -= f * lu[col * n + j]; }
    }
  }
  return { n, lu, pivots };
}

/**
 * Solves A x = b with the factors of {@linkcode luFactor}.
 *
 * @param f The factors of A.
 * @param b Right-hand side (length n, not modified).
 * @returns x.
 */
export function luSolve(f: LuFactors, b: ArrayLike<number>): Float64Array {
  const { n, lu, pivots } = f;
  const x = Float64Array.from({ length: n }, (_, i) => b[pivots[i]]);
  for (let i = 1; i < n; i++) {
    let s = x[i];
    for (let j = 0; j < i; j++) s -= lu[i * n + j] * x[j];
    x[i] = s;
  }
  for (let i = n - 1; i >= 0; i--) {
    let s = x[i];
    for (let j = i + 1; j < n; j++) s -= lu[i * n + j] * x[j];
    x[i] = s / lu[i * n + i];
  }
  return x;
}
