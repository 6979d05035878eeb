/**
 * Central-difference derivatives of an ODE right-hand side: the Jacobian df/dy and df/dt, for
 * Rosenbrock steps when the caller has no exact ones.
 *
 * Steps are cbrt(eps) max(|v|, 1e-5) (errors O(step^2) of the third derivative, and exact for
 * quadratic right-hand sides such as chemical kinetics).
 *
 * @module
 */

const STEP = Math.cbrt(Number.EPSILON);

/**
 * The Jacobian df/dy at (t, y) by central differences, row-major n x n (entry [i, j] = df_i/dy_j).
 *
 * @param f Right-hand side (must not keep or modify `y`).
 * @param t Time.
 * @param y State.
 * @param _fy f(t, y) (unused by central differences; kept for one-sided variants).
 * @returns J.
 */
export function finiteDifferenceJacobian(
  f: (t: number, y: Float64Array) => Float64Array,
  t: number,
  y: Float64Array,
  _fy?: Float64Array,
): Float64Array {
  const n = y.length, J = new Float64Array(n * n), probe = Float64Array.from(y);
  for (let j = 0; j < n; j++) {
    const delta = STEP * Math.max(Math.abs(y[j]), 1e-5);
    probe[j] = y[j] + delta;
    const plus = f(t, probe);
    probe[j] = y[j] - delta;
    const minus = f(t, probe);
    probe[j] = y[j];
    const width = 2 * delta;
    for (let i = 0; i < n; i++) J[i * n + j] = (plus[i] - minus[i]) / width;
  }
  return J;
}

/**
 * df/dt at (t, y) by central differences.
 *
 * @param f Right-hand side.
 * @param t Time.
 * @param y State.
 * @returns df/dt.
 */
export function finiteDifferenceTimeDerivative(
  f: (t: number, y: Float64Array) => Float64Array,
  t: number,
  y: Float64Array,
): Float64Array {
  const delta = STEP * Math.max(Math.abs(t), 1e-5);
  const plus = f(t + delta, y), minus = f(t - delta, y);
  return plus.map((v, i) => (v - minus[i]) / (2 * delta));
}
