/**
 * The shape the pooling kernels consume (kernels/pool/pool.ts, kernels/pool/pool_gather.ts) and its check;
 * the float64 oracle is lib/reference/pool.ts.
 *
 * @module
 */

/** The shape of an NCHW batch entering a pooling layer. */
export interface PoolShape {
  /** N. */
  batch: number;
  /** C. */
  channels: number;
  /** H. */
  height: number;
  /** W. */
  width: number;
}

/**
 * Validates a pooling shape.
 *
 * @param shape The input shape.
 * @param action What is being done, for the message.
 * @param minSide The smallest H and W allowed (2 for a 2x2 max-pool).
 * @returns Input elements N C H W.
 * @throws {RangeError} On a non-integer size or one below its minimum.
 */
export function poolInputSize(shape: PoolShape, action: string, minSide = 1): number {
  for (const key of ["batch", "channels", "height", "width"] as const) {
    const v = shape[key], min = key === "height" || key === "width" ? minSide : 1;
    if (!Number.isInteger(v) || v < min) {
      throw new RangeError(`Cannot ${action}: ${key} is ${v}, must be >= ${min}`);
    }
  }
  return shape.batch * shape.channels * shape.height * shape.width;
}
