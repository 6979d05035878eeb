/**
 * Principal component analysis of activations through the toolkit's symmetric eigen-solver
 * (lib/spectral/jacobi_eigen.ts) on the feature covariance.
 *
 * @module
 */
import { symmetricEigen } from "../spectral/jacobi_eigen.ts";
import { featureCovariance } from "./participation_ratio.ts";

/** Result of {@linkcode pca}. */
export interface Pca {
  /** Principal axes as rows, [components, dims], largest variance first (sign: largest |entry| positive). */
  axes: Float64Array;
  /** Variance along each axis. */
  variances: Float64Array;
  /** variances / total variance. */
  explainedRatio: Float64Array;
  /** Centred features projected on the axes, [rows, components]. */
  projections: Float64Array;
}

/**
 * The leading `components` principal components of row-major [rows, dims] features.
 *
 * @throws {RangeError} When components is not in [1, dims].
 */
export function pca(features: ArrayLike<number>, rows: number, dims: number, components = 2): Pca {
  if (!Number.isInteger(components) || components < 1 || components > dims) {
    throw new RangeError(`Cannot run PCA: components is ${components}, must be in [1, ${dims}]`);
  }
  const { values, vectors } = symmetricEigen(featureCovariance(features, rows, dims), dims);
  const total = values.reduce((s, v) => s + Math.max(0, v), 0);
  const axes = new Float64Array(components * dims);
  const variances = new Float64Array(components), explainedRatio = new Float64Array(components);
  for (let c = 0; c < components; c++) {
    const col = dims - 1 - c; // ascending eigenvalues
    let big = 0;
    for (let j = 0; j < dims; j++) {
      if (Math.abs(vectors[j * dims + col]) > Math.abs(big)) big = vectors[j * dims + col];
    }
    const sign = big < 0 ? -1 : 1;
    for (let j = 0; j < dims; j++) axes[c * dims + j] = sign * vectors[j * dims + col];
    variances[c] = Math.max(0, values[col]);
    explainedRatio[c] = total > 0 ? variances[c] / total : 0;
  }
  const mean = new Float64Array(dims);
  for (let i = 0; i < rows; i++) for (let j = 0; j < dims; j++) mean[j] += features[i * dims + j] / rows;
  const projections = new Float64Array(rows * components);
  for (let i = 0; i < rows; i++) {
    for (let c = 0; c < components; c++) {
      let s = 0;
      for (let j = 0; j < dims; j++) s += (features[i * dims + j] - mean[j]) * axes[c * dims + j];
      projections[i * components + c] = s;
    }
  }
  return { axes, variances, explainedRatio, projections };
}
