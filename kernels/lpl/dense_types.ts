/**
 * Shapes and coefficients of the paper-LPL dense-layer kernels
 * (kernels/lpl/dense_stats.wgsl, kernels/lpl/dense_delta.wgsl), shared with the float64 reference
 * (lib/reference/lpl_dense.ts).
 *
 * @module
 */
/** A dense LPL layer z = f(x W^T), W [outputs, inputs], on a batch of `batch` pairs of views. */
export interface LplDenseShape {
  batch: number;
  inputs: number;
  outputs: number;
}

/** Weights of the three terms (c_pull, c_push, c_decorr of the official code). */
export interface LplCoefficients {
  /** Predictive (slowness) term. */
  pull: number;
  /** Hebbian -log variance term. */
  push: number;
  /** Decorrelation term. */
  decorr: number;
}

/** The paper's defaults (spec 3.1 and Errata 1): 1, 1, 10. */
export const LPL_DEFAULT_COEFFICIENTS: Readonly<LplCoefficients> = { pull: 1, push: 1, decorr: 10 };

/** epsilon of the Hebbian term's log(sigma^2 + epsilon). */
export const LPL_VARIANCE_EPSILON = 1e-4;

/**
 * How the predictive term treats the past view: `"past-detached"` (the paper's rule: z(t - dt) is a
 * constant) or `"symmetric"` (the deep-net code's `mse(z1, z2)` with gradients into both views).
 */
export type LplPredictive = "past-detached" | "symmetric";

/**
 * The scale factors of the three terms of dL/dz for one view (see lib/reference/lpl_dense.ts):
 * pred 2 c_pull / (M B) (times +1 on the current view, -1 on the past view when symmetric, else 0),
 * Hebb c_push / (M (B - 1)) (the 2 of the derivative halved by the two-view average), decorr
 * 2 c_decorr / ((B - 1)(M^2 - M)) (4 halved); the decorrelation scale is 0 for a single unit.
 */
export function lplTermScales(
  shape: LplDenseShape,
  c: LplCoefficients,
  predSign: number,
): { pred: number; hebb: number; decorr: number } {
  const { batch: b, outputs: m } = shape;
  return {
    pred: (predSign * 2 * c.pull) / (m * b),
    hebb: c.push / (m * (b - 1)),
    decorr: m > 1 ? (2 * c.decorr) / ((b - 1) * (m * m - m)) : 0,
  };
}
