/**
 * The float64 reference of 2-D batch normalisation (NCHW, statistics per channel over N H W), written
 * to be read: the oracle of kernels/batch_norm/batch_norm.ts. With H = W = 1 it is 1-D batch norm of [N, C].
 *
 * With M = N H W, per channel c:
 * - train mode: mu = (1/M) sum x, var = (1/M) sum (x - mu)^2 (biased, used to normalise),
 *   xhat = (x - mu) / sqrt(var + eps), y = gamma xhat + beta; the running statistics become
 *   running_mean = (1 - m) running_mean + m mu and running_var = (1 - m) running_var + m var M / (M - 1)
 *   (unbiased; var itself when M = 1), as torch.nn.BatchNorm2d does with momentum m.
 * - eval mode: mu and var are the running statistics, which stay unchanged.
 *
 * Backward, given g = dL/dy: dbeta = sum g, dgamma = sum g xhat, and
 * - train: dx = gamma / sqrt(var + eps) (g - dbeta / M - xhat dgamma / M) (mu and var depend on x);
 * - eval: dx = gamma / sqrt(var + eps) g.
 *
 * @module
 */
import {
  batchNormInputSize,
  type BatchNormOptions,
  type BatchNormShape,
} from "../../kernels/batch_norm/batch_norm_shape.ts";
export {
  batchNormInputSize,
  type BatchNormOptions,
  type BatchNormShape,
} from "../../kernels/batch_norm/batch_norm_shape.ts";

function checkLength(action: string, what: string, values: { length: number }, want: number): void {
  if (values.length !== want) {
    throw new RangeError(`Cannot ${action}: ${what} has ${values.length} elements, expected ${want}`);
  }
}

/** Calls f(c, index) for every element index of channel c. */
function forEachInChannel(shape: BatchNormShape, c: number, f: (index: number) => void): void {
  const area = shape.height * shape.width;
  for (let n = 0; n < shape.batch; n++) {
    for (let q = 0; q < area; q++) f((n * shape.channels + c) * area + q);
  }
}

/** The mean and variance a call normalises with: the batch's (train) or the running ones (eval). */
function statistics(shape: BatchNormShape, x: ArrayLike<number>, options: BatchNormOptions) {
  if (options.mode === "eval") {
    return { mean: Float64Array.from(options.runningMean), variance: Float64Array.from(options.runningVar) };
  }
  const M = shape.batch * shape.height * shape.width;
  const mean = new Float64Array(shape.channels), variance = new Float64Array(shape.channels);
  for (let c = 0; c < shape.channels; c++) {
    forEachInChannel(shape, c, (i) => mean[c] += x[i]);
    mean[c] /= M;
    forEachInChannel(shape, c, (i) => variance[c] += (x[i] - mean[c]) ** 2);
    variance[c] /= M;
  }
  return { mean, variance };
}

/** Result of {@linkcode batchNormForwardReference}. */
export interface BatchNormForward {
  y: Float64Array;
  mean: Float64Array;
  variance: Float64Array;
  runningMean: Float64Array;
  runningVar: Float64Array;
}

/** Result of {@linkcode batchNormBackwardReference}. */
export interface BatchNormBackward {
  dx: Float64Array;
  dgamma: Float64Array;
  dbeta: Float64Array;
}

/**
 * Batch-norm forward.
 *
 * @param shape The input shape.
 * @param x Input [N, C, H, W].
 * @param gamma Scale [C].
 * @param beta Shift [C].
 * @param options Mode and statistics.
 * @returns y, the mean and (biased) variance used, and the updated running statistics (new arrays;
 *   unchanged copies in eval mode).
 * @throws {RangeError} On a bad shape, option or length.
 */
export function batchNormForwardReference(
  shape: BatchNormShape,
  x: ArrayLike<number>,
  gamma: ArrayLike<number>,
  beta: ArrayLike<number>,
  options: BatchNormOptions,
): BatchNormForward {
  const action = `run "batch_norm_forward"`;
  checkLength(action, "x", x, batchNormInputSize(shape, options, action));
  checkLength(action, "gamma", gamma, shape.channels);
  checkLength(action, "beta", beta, shape.channels);
  const eps = options.eps ?? 1e-5, m = options.momentum ?? 0.1;
  const { mean, variance } = statistics(shape, x, options);
  const y = new Float64Array(x.length);
  const runningMean = Float64Array.from(options.runningMean),
    runningVar = Float64Array.from(options.runningVar);
  const M = shape.batch * shape.height * shape.width;
  for (let c = 0; c < shape.channels; c++) {
    const invStd = 1 / Math.sqrt(variance[c] + eps);
    forEachInChannel(shape, c, (i) => y[i] = gamma[c] * (x[i] - mean[c]) * invStd + beta[c]);
    if (options.mode === "train") {
      runningMean[c] = (1 - m) * runningMean[c] + m * mean[c];
      runningVar[c] = (1 - m) * runningVar[c] + m * (M > 1 ? variance[c] * M / (M - 1) : variance[c]);
    }
  }
  return { y, mean, variance, runningMean, runningVar };
}

/**
 * Batch-norm backward.
 *
 * @param shape The input shape.
 * @param x Input [N, C, H, W] of the forward pass.
 * @param gamma Scale [C].
 * @param gradOutput g = dL/dy [N, C, H, W].
 * @param options Mode and statistics (the running statistics before the forward pass's update).
 * @returns dL/dx, dL/dgamma and dL/dbeta.
 * @throws {RangeError} On a bad shape, option or length.
 */
export function batchNormBackwardReference(
  shape: BatchNormShape,
  x: ArrayLike<number>,
  gamma: ArrayLike<number>,
  gradOutput: ArrayLike<number>,
  options: BatchNormOptions,
): BatchNormBackward {
  const action = `run "batch_norm_backward"`;
  const size = batchNormInputSize(shape, options, action);
  checkLength(action, "x", x, size);
  checkLength(action, "gamma", gamma, shape.channels);
  checkLength(action, "gradOutput", gradOutput, size);
  const eps = options.eps ?? 1e-5, M = shape.batch * shape.height * shape.width;
  const { mean, variance } = statistics(shape, x, options);
  const dx = new Float64Array(size), dgamma = new Float64Array(shape.channels);
  const dbeta = new Float64Array(shape.channels);
  for (let c = 0; c < shape.channels; c++) {
    const invStd = 1 / Math.sqrt(variance[c] + eps);
    const xhat = (i: number) => (x[i] - mean[c]) * invStd;
    forEachInChannel(shape, c, (i) => {
      dbeta[c] += gradOutput[i];
      dgamma[c] += gradOutput[i] * xhat(i);
    });
    forEachInChannel(shape, c, (i) => {
      dx[i] = options.mode === "eval"
        ? gamma[c] * invStd * gradOutput[i]
        : gamma[c] * invStd * (gradOutput[i] - dbeta[c] / M - xhat(i) * dgamma[c] / M);
    });
  }
  return { dx, dgamma, dbeta };
}
