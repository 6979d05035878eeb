/**
 * Summary statistics of exported activations (the seed project's `analysis`): mean, std, min, max of
 * all values, mean and std of the per-sample L2 norms, a collapse flag (std < 0.1), and the per-sample
 * cosine between activations before and after training.
 *
 * @module
 */

/** Result of {@linkcode activationStats}. */
export interface ActivationStats {
  mean: number;
  std: number;
  min: number;
  max: number;
  normMean: number;
  normStd: number;
  /** std below the seed's collapse threshold 0.1. */
  collapsed: boolean;
}

/** The seed's collapse threshold on the activations' std. */
export const COLLAPSE_STD = 0.1;

/** Statistics of row-major [rows, dims] activations (population std, as torch's default is not: n - 1). */
export function activationStats(features: ArrayLike<number>, rows: number, dims: number): ActivationStats {
  const n = rows * dims;
  let sum = 0, min = Infinity, max = -Infinity;
  for (let i = 0; i < n; i++) {
    sum += features[i];
    min = Math.min(min, features[i]);
    max = Math.max(max, features[i]);
  }
  const mean = sum / n;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (features[i] - mean) ** 2;
  const std = Math.sqrt(ss / Math.max(1, n - 1));
  const norms = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let j = 0; j < dims; j++) s += features[r * dims + j] ** 2;
    norms[r] = Math.sqrt(s);
  }
  const normMean = norms.reduce((s, v) => s + v, 0) / rows;
  const normStd = Math.sqrt(norms.reduce((s, v) => s + (v - normMean) ** 2, 0) / Math.max(1, rows - 1));
  return { mean, std, min, max, normMean, normStd, collapsed: std < COLLAPSE_STD };
}

/**
 * Per-sample cosine similarity of two activation sets of equal shape (before vs after training).
 *
 * @returns The cosines (0 where either row is zero) and their mean.
 */
export function beforeAfterCosine(
  before: ArrayLike<number>,
  after: ArrayLike<number>,
  dims: number,
): { cosines: Float64Array; mean: number } {
  if (before.length !== after.length || before.length % dims !== 0) {
    throw new RangeError(
      `Cannot compare activations: ${before.length} and ${after.length} values, ${dims} per row`,
    );
  }
  const rows = before.length / dims, cosines = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    let ab = 0, aa = 0, bb = 0;
    for (let j = 0; j < dims; j++) {
      const a = before[r * dims + j], b = after[r * dims + j];
      ab += a * b;
      aa += a * a;
      bb += b * b;
    }
    cosines[r] = aa > 0 && bb > 0 ? ab / Math.sqrt(aa * bb) : 0;
  }
  return { cosines, mean: cosines.reduce((s, v) => s + v, 0) / Math.max(1, rows) };
}
