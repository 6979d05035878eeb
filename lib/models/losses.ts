/**
 * Losses over a batch of model outputs, with their gradients and Hessian-vector
 * products with respect to the outputs, in float64 (the reference the GPU loss
 * kernel `kernels/model_ops/model_loss.wgsl` matches).
 *
 * Conventions of specs/seed003 section 2.1: the batch loss is the mean over samples of
 * a per-sample loss, and
 *
 * - `"squared"` (the seed's SquaredLoss): l_i = sum_c (f_ic - y_ic)^2, no 1/2, so its
 *   Hessian in f is 2 I per sample (Hessians are twice those of the 1/2 convention);
 * - `"crossEntropy"`: l_i = -sum_c y_ic log softmax(f_i)_c = (sum_c y_ic) lse(f_i) - y_i . f_i,
 *   with one-hot (or any non-negative) targets y.
 *
 * @module
 */
import type { LossName } from "../../kernels/model_ops/model_ops.ts";
export { type LossName } from "../../kernels/model_ops/model_ops.ts";

/** Every loss, for validation messages and tests. */
export const LOSS_NAMES: readonly LossName[] = ["squared", "crossEntropy"];

/**
 * Checks a loss name.
 *
 * @throws {TypeError} On an unknown name.
 */
export function checkLossName(loss: string): LossName {
  if (!(LOSS_NAMES as readonly string[]).includes(loss)) {
    throw new TypeError(`Cannot use loss "${loss}": expected one of ${LOSS_NAMES.join(", ")}`);
  }
  return loss as LossName;
}

/** What {@linkcode lossReference} computes for one batch. */
export interface LossReferenceResult {
  /** Per-sample losses l_i. */
  perSample: Float64Array;
  /** scale * dl_i/df, row-major [rows, cols]. */
  gradient: Float64Array;
  /** scale * (d^2 l_i/df^2) rf, when `rf` was given. */
  hessianVector?: Float64Array;
}

/**
 * Per-sample losses, `scale` times their gradient in the outputs f, and optionally
 * `scale` times their Hessian in f applied to `rf` (the R-operator of the gradient).
 *
 * @param loss The loss.
 * @param f Outputs, row-major [rows, cols].
 * @param y Targets, same shape.
 * @param rows Samples.
 * @param cols Outputs per sample.
 * @param scale Factor of the gradient (1 / batch size for a mean).
 * @param rf A direction in output space, same shape, for the Hessian-vector product.
 * @returns The losses, gradient and Hessian-vector product.
 */
export function lossReference(
  loss: LossName,
  f: ArrayLike<number>,
  y: ArrayLike<number>,
  rows: number,
  cols: number,
  scale: number,
  rf?: ArrayLike<number>,
): LossReferenceResult {
  const perSample = new Float64Array(rows);
  const gradient = new Float64Array(rows * cols);
  const hessianVector = rf ? new Float64Array(rows * cols) : undefined;
  for (let i = 0; i < rows; i++) {
    const row = i * cols;
    if (loss === "squared") {
      for (let c = 0; c < cols; c++) {
        const r = f[row + c] - y[row + c];
        perSample[i] += r * r;
        gradient[row + c] = scale * 2 * r;
        if (rf) hessianVector![row + c] = scale * 2 * rf[row + c];
      }
      continue;
    }
    // Cross-entropy through a stable log-sum-exp.
    let max = -Infinity;
    for (let c = 0; c < cols; c++) max = Math.max(max, f[row + c]);
    let sumExp = 0, sumY = 0, yDotF = 0;
    for (let c = 0; c < cols; c++) {
      sumExp += Math.exp(f[row + c] - max);
      sumY += y[row + c];
      yDotF += y[row + c] * f[row + c];
    }
    const logSumExp = max + Math.log(sumExp);
    perSample[i] = sumY * logSumExp - yDotF;
    let pDotRf = 0;
    for (let c = 0; c < cols; c++) {
      const p = Math.exp(f[row + c] - logSumExp);
      gradient[row + c] = scale * (sumY * p - y[row + c]);
      if (rf) pDotRf += p * rf[row + c];
    }
    if (rf) {
      // Hessian of lse: diag(p) - p p^T, times sum_c y_c.
      for (let c = 0; c < cols; c++) {
        const p = Math.exp(f[row + c] - logSumExp);
        hessianVector![row + c] = scale * sumY * p * (rf[row + c] - pDotRf);
      }
    }
  }
  return { perSample, gradient, hessianVector };
}
