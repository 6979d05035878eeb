/**
 * Float64 references of the backend's backward-pass helpers: the activation backward g f'(x), and row L2
 * normalisation y = x / max(||x||, eps) with its backward. The oracles of
 * kernels/elementwise/activation_backward.wgsl and kernels/reduce/row_l2_normalize*.wgsl, and the
 * reference backend's implementation.
 *
 * @module
 */
import { evaluateActivation } from "../activations.ts";

/**
 * dL/dx = g f'(x) elementwise.
 *
 * @param coefficients The activation's 12 basis coefficients (lib/activations.ts).
 * @param x The forward input (pre-activation).
 * @param gradOutput g = dL/dy, as many elements as x.
 * @returns dL/dx.
 */
export function activationBackwardReference(
  coefficients: ArrayLike<number>,
  x: ArrayLike<number>,
  gradOutput: ArrayLike<number>,
): Float64Array {
  const out = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = gradOutput[i] * evaluateActivation(coefficients, x[i], 1);
  return out;
}

/**
 * y[r, :] = x[r, :] / max(||x[r, :]||, eps).
 *
 * @param x [rows, cols] row-major.
 * @param rows Rows.
 * @param cols Columns.
 * @param eps The smallest denominator.
 * @returns y.
 */
export function rowL2NormalizeReference(
  x: ArrayLike<number>,
  rows: number,
  cols: number,
  eps: number,
): Float64Array {
  const y = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    let squares = 0;
    for (let c = 0; c < cols; c++) squares += x[r * cols + c] ** 2;
    const denominator = Math.max(Math.sqrt(squares), eps);
    for (let c = 0; c < cols; c++) y[r * cols + c] = x[r * cols + c] / denominator;
  }
  return y;
}

/**
 * dL/dx of {@linkcode rowL2NormalizeReference} given g = dL/dy: (g - y (y . g)) / ||x|| per row, or
 * g / eps where ||x|| <= eps (the denominator is then the constant eps).
 *
 * @param x The forward input [rows, cols].
 * @param gradOutput g [rows, cols].
 * @param rows Rows.
 * @param cols Columns.
 * @param eps The eps of the forward pass.
 * @returns dL/dx.
 */
export function rowL2NormalizeBackwardReference(
  x: ArrayLike<number>,
  gradOutput: ArrayLike<number>,
  rows: number,
  cols: number,
  eps: number,
): Float64Array {
  const dx = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    let squares = 0, xDotG = 0;
    for (let c = 0; c < cols; c++) {
      squares += x[r * cols + c] ** 2;
      xDotG += x[r * cols + c] * gradOutput[r * cols + c];
    }
    const norm = Math.sqrt(squares);
    for (let c = 0; c < cols; c++) {
      const i = r * cols + c;
      dx[i] = norm > eps ? (gradOutput[i] - x[i] * xDotG / (norm * norm)) / norm : gradOutput[i] / eps;
    }
  }
  return dx;
}
