/**
 * Float64 references of the noisy-GD baselines (EOSS-13): the row-scaled axpy of kernels/eoss and the
 * per-sample loss weights whose weighted full-batch gradient carries SGD's noise.
 *
 * With per-sample losses l_i and weights w = 1/n + s (I - 11^T/n) xi / sqrt(n b), xi ~ N(0, I_n), the
 * gradient of sum_i w_i l_i is the full gradient plus sum_i c_i grad l_i with c = s (I - 11^T/n) xi /
 * sqrt(n b): a Gaussian of covariance s^2 Sigma / b, Sigma = (1/n) sum_i (grad l_i - g)(grad l_i - g)^T the
 * per-sample gradient covariance (the with-replacement approximation of SGD's noise; s = 1 for noisy GD,
 * sqrt(eta / h) for an Euler-Maruyama step of size h).
 *
 * @module
 */

/**
 * y[r * cols + c] <- alpha s[r] x[r * cols + c] + y[r * cols + c] in float64, in place.
 *
 * @throws {RangeError} When the lengths disagree with `cols`.
 */
export function rowScaledAxpyReference(
  alpha: number,
  scales: ArrayLike<number>,
  x: ArrayLike<number>,
  y: Float64Array,
  cols: number,
): void {
  if (x.length !== y.length || scales.length * cols !== y.length) {
    throw new RangeError(
      `Cannot run "eoss_row_scaled_axpy": ${scales.length} scales x ${cols} cols for x of ${x.length} and y of ${y.length}`,
    );
  }
  for (let i = 0; i < y.length; i++) y[i] += alpha * scales[Math.floor(i / cols)] * x[i];
}

/**
 * The per-sample loss weights w_i = 1/n + noiseScale (xi_i - mean xi) / sqrt(n b).
 *
 * @param xi Standard normal draws, one per sample.
 * @param batchSize b, the SGD batch size whose noise the weights carry.
 * @param noiseScale s (1 for noisy GD).
 */
export function sgdNoiseWeights(xi: ArrayLike<number>, batchSize: number, noiseScale = 1): Float64Array {
  const n = xi.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += xi[i] / n;
  const factor = noiseScale / Math.sqrt(n * batchSize);
  return Float64Array.from({ length: n }, (_, i) => 1 / n + factor * (xi[i] - mean));
}
