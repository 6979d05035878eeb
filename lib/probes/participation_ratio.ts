/**
 * Participation ratio (effective dimensionality) of a set of activations: PR = (sum l)^2 / sum l^2 over
 * the eigenvalues l of the features' covariance (the non-zero eigenvalues of the centred Gram matrix
 * X_c X_c^T are the same, which is how the LPL code computes it). PR = 1 for collapsed features on
 * one axis, = dims for isotropic ones.
 *
 * @module
 */
import { symmetricEigen } from "../spectral/jacobi_eigen.ts";

/** The covariance [dims, dims] (divided by rows - 1) of row-major [rows, dims] features, float64. */
export function featureCovariance(features: ArrayLike<number>, rows: number, dims: number): Float64Array {
  if (features.length !== rows * dims || rows < 2) {
    throw new RangeError(
      `Cannot compute a covariance: ${features.length} values for ${rows} x ${dims}, rows >= 2`,
    );
  }
  const mean = new Float64Array(dims);
  for (let i = 0; i < rows; i++) for (let j = 0; j < dims; j++) mean[j] += features[i * dims + j] / rows;
  const cov = new Float64Array(dims * dims), c = new Float64Array(dims);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < dims; j++) c[j] = features[i * dims + j] - mean[j];
    for (let j = 0; j < dims; j++) {
      const cj = c[j] / (rows - 1);
      if (cj === 0) continue;
      for (let k = j; k < dims; k++) cov[j * dims + k] += cj * c[k];
    }
  }
  for (let j = 0; j < dims; j++) for (let k = 0; k < j; k++) cov[j * dims + k] = cov[k * dims + j];
  return cov;
}

/**
 * PR of the eigenvalues of the features' covariance (0 when every feature is constant).
 *
 * @param features Row-major [rows, dims].
 * @param rows Samples (>= 2).
 * @param dims Features per sample.
 */
export function participationRatio(features: ArrayLike<number>, rows: number, dims: number): number {
  const { values } = symmetricEigen(featureCovariance(features, rows, dims), dims);
  let sum = 0, sumSq = 0;
  for (const l of values) {
    const v = Math.max(0, l);
    sum += v;
    sumSq += v * v;
  }
  return sumSq === 0 ? 0 : (sum * sum) / sumSq;
}
