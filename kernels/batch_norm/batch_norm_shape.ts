/**
 * The shape and options the batch-norm kernels consume (kernels/batch_norm/batch_norm.ts) and their check;
 * the float64 oracle is lib/reference/batch_norm.ts.
 *
 * @module
 */

/** The shape of an NCHW batch entering a batch-norm layer. */
export interface BatchNormShape {
  /** N. */
  batch: number;
  /** C. */
  channels: number;
  /** H (1 for a 1-D batch norm of [N, C]). */
  height: number;
  /** W (1 for a 1-D batch norm of [N, C]). */
  width: number;
}

/** Mode and statistics of a batch-norm call. */
export interface BatchNormOptions {
  /** "train" normalises with the batch statistics; "eval" with the running ones. */
  mode: "train" | "eval";
  /** Added to the variance (default 1e-5). */
  eps?: number;
  /** Weight of the new batch statistics in the running ones (default 0.1). */
  momentum?: number;
  /** Running mean [C]. */
  runningMean: ArrayLike<number>;
  /** Running variance [C]. */
  runningVar: ArrayLike<number>;
}

/**
 * Validates a batch-norm shape and options.
 *
 * @param shape The input shape.
 * @param options Mode, eps, momentum, running statistics.
 * @param action What is being done, for the message.
 * @returns Input elements N C H W.
 * @throws {RangeError} On a bad size, eps, momentum, mode or running-statistics length.
 */
export function batchNormInputSize(shape: BatchNormShape, options: BatchNormOptions, action: string): number {
  for (const key of ["batch", "channels", "height", "width"] as const) {
    const v = shape[key];
    if (!Number.isInteger(v) || v < 1) throw new RangeError(`Cannot ${action}: ${key} is ${v}, must be >= 1`);
  }
  if (options.mode !== "train" && options.mode !== "eval") {
    throw new RangeError(`Cannot ${action}: mode is "${options.mode}", must be "train" or "eval"`);
  }
  const eps = options.eps ?? 1e-5, momentum = options.momentum ?? 0.1;
  if (!(eps > 0)) throw new RangeError(`Cannot ${action}: eps is ${eps}, must be > 0`);
  if (!(momentum >= 0 && momentum <= 1)) {
    throw new RangeError(`Cannot ${action}: momentum is ${momentum}, must be in [0, 1]`);
  }
  for (
    const [what, v] of [["runningMean", options.runningMean], ["runningVar", options.runningVar]] as const
  ) {
    if (v.length !== shape.channels) {
      throw new RangeError(`Cannot ${action}: ${what} has ${v.length} elements, expected ${shape.channels}`);
    }
  }
  return shape.batch * shape.channels * shape.height * shape.width;
}
