/**
 * Batch-norm layer kernels (NCHW, statistics per channel over N H W; H = W = 1 gives 1-D batch norm),
 * train and eval modes, forward and backward, barrier-free:
 *
 * | kernel | one invocation per | computes |
 * |---|---|---|
 * | batch_norm_reduce.wgsl | channel | mean, then variance (two passes); dbeta and dgamma |
 * | batch_norm_running.wgsl | channel | the running-statistics update of a training batch |
 * | batch_norm_apply.wgsl | element | y, or dx (train or eval) |
 *
 * The kernels' dispatches are in kernels/batch_norm/batch_norm_passes.ts; the per-channel loops are split
 * over accumulating dispatches within the loop budget. Statistics buffers hold mean [C] then var [C]; gamma,
 * beta and their gradients are addressed by element offsets so they can be views of flat parameter and
 * gradient buffers. Every function records dispatches and submits nothing. The float64 reference is
 * lib/reference/batch_norm.ts.
 *
 * @module
 */
import type { CommandRecorder } from "../../lib/gpu/recorder.ts";
import type { BatchNormShape } from "./batch_norm_shape.ts";
import { encodeApplyPass, encodeReducePass, encodeRunningUpdate } from "./batch_norm_passes.ts";
export { batchNormElementsPerDispatch } from "./batch_norm_passes.ts";

export type { BatchNormShape } from "./batch_norm_shape.ts";

function validate(action: string, shape: BatchNormShape, eps: number, checks: [string, GPUBuffer, number][]) {
  for (const key of ["batch", "channels", "height", "width"] as const) {
    const v = shape[key];
    if (!Number.isInteger(v) || v < 1) throw new RangeError(`Cannot ${action}: ${key} is ${v}, must be >= 1`);
  }
  if (!(eps > 0)) throw new RangeError(`Cannot ${action}: eps is ${eps}, must be > 0`);
  for (const [what, buffer, floats] of checks) {
    if (!Number.isInteger(floats) || floats < 0) {
      throw new RangeError(
        `Cannot ${action}: ${what} offset gives ${floats} floats, must be a non-negative integer`,
      );
    }
    if (floats * 4 > buffer.size) {
      throw new RangeError(
        `Cannot ${action}: ${what} needs ${floats} floats, buffer "${buffer.label}" holds ${buffer.size / 4}`,
      );
    }
  }
}

/** Arguments of {@linkcode encodeBatchNormForward}. */
export interface BatchNormForwardArgs {
  shape: BatchNormShape;
  mode: "train" | "eval";
  /** Added to the variance (default 1e-5). */
  eps?: number;
  /** Weight of the batch statistics in the running ones, train mode (default 0.1). */
  momentum?: number;
  /** Input [N, C, H, W]. */
  x: GPUBuffer;
  /** gamma [C] at gammaOffset and beta [C] at betaOffset. */
  affine: GPUBuffer;
  gammaOffset?: number;
  betaOffset?: number;
  /** Running mean [C] then var [C] from runningOffset: read in eval mode, updated in train mode. */
  running: GPUBuffer;
  runningOffset?: number;
  /** Train mode: receives the batch mean [C] then biased var [C] (the backward pass needs them). */
  batchStats?: GPUBuffer;
  /** Output [N, C, H, W] (differs from every input). */
  y: GPUBuffer;
}

/**
 * Records batch-norm forward: in train mode the batch statistics (two passes), the running update and
 * y; in eval mode y from the running statistics.
 *
 * @param rec The recorder.
 * @param a Shape, mode and buffers.
 * @throws {RangeError} On a bad shape, eps, momentum, a missing batchStats in train mode, or a buffer
 *   too small for its view.
 */
export async function encodeBatchNormForward(rec: CommandRecorder, a: BatchNormForwardArgs): Promise<void> {
  const action = `run "batch_norm_forward"`;
  const C = a.shape.channels, eps = a.eps ?? 1e-5, momentum = a.momentum ?? 0.1;
  const size = a.shape.batch * C * a.shape.height * a.shape.width;
  const gammaOffset = a.gammaOffset ?? 0,
    betaOffset = a.betaOffset ?? C,
    runningOffset = a.runningOffset ?? 0;
  validate(action, a.shape, eps, [
    ["x", a.x, size],
    ["y", a.y, size],
    ["gamma", a.affine, gammaOffset + C],
    ["beta", a.affine, betaOffset + C],
    ["running statistics", a.running, runningOffset + 2 * C],
  ]);
  if (!(momentum >= 0 && momentum <= 1)) {
    throw new RangeError(`Cannot ${action}: momentum is ${momentum}, must be in [0, 1]`);
  }
  let stats = a.running, statsOffset = runningOffset;
  if (a.mode === "train") {
    if (!a.batchStats) throw new RangeError(`Cannot ${action}: train mode needs a batchStats buffer`);
    validate(action, a.shape, eps, [["batchStats", a.batchStats, 2 * C]]);
    const m = { src: a.x, x: a.x, stats: a.x, statsOffset: 0, out: a.batchStats };
    await encodeReducePass(rec, a.shape, { ...m, mode: 0 }, [0, 0], eps);
    await encodeReducePass(rec, a.shape, { ...m, mode: 1 }, [C, 0], eps);
    const count = a.shape.batch * a.shape.height * a.shape.width;
    await encodeRunningUpdate(rec, C, count, momentum, a.batchStats, a.running, runningOffset);
    [stats, statsOffset] = [a.batchStats, 0];
  } else if (a.mode !== "eval") {
    throw new RangeError(`Cannot ${action}: mode is "${a.mode}", must be "train" or "eval"`);
  }
  await encodeApplyPass(rec, a.shape, 0, eps, {
    src: a.x,
    x: a.x,
    stats,
    statsOffset,
    affine: a.affine,
    gammaOffset,
    betaOffset,
    sums: a.affine,
    sumOffsets: [0, 0],
    out: a.y,
  });
}

/** Arguments of {@linkcode encodeBatchNormBackward}. */
export interface BatchNormBackwardArgs {
  shape: BatchNormShape;
  mode: "train" | "eval";
  /** The forward pass's eps (default 1e-5). */
  eps?: number;
  /** Input [N, C, H, W] of the forward pass. */
  x: GPUBuffer;
  /** g = dL/dy [N, C, H, W]. */
  gradOutput: GPUBuffer;
  /** gamma [C] at gammaOffset. */
  affine: GPUBuffer;
  gammaOffset?: number;
  /** Mean [C] then var [C] from statsOffset: batchStats of the forward pass (train) or the running ones (eval). */
  stats: GPUBuffer;
  statsOffset?: number;
  /**
   * Receives dgamma [C] at dgammaOffset and dbeta [C] at dbetaOffset (overwritten, not accumulated:
   * the train-mode dx reads them back).
   */
  grad: GPUBuffer;
  dgammaOffset?: number;
  dbetaOffset?: number;
  /** dL/dx [N, C, H, W]. */
  gradInput: GPUBuffer;
}

/**
 * Records batch-norm backward: dbeta and dgamma (one pass), then dx.
 *
 * @param rec The recorder.
 * @param a Shape, mode and buffers.
 * @throws {RangeError} On a bad shape or eps, or a buffer too small for its view.
 */
export async function encodeBatchNormBackward(rec: CommandRecorder, a: BatchNormBackwardArgs): Promise<void> {
  const action = `run "batch_norm_backward"`;
  const C = a.shape.channels, eps = a.eps ?? 1e-5;
  const size = a.shape.batch * C * a.shape.height * a.shape.width;
  const gammaOffset = a.gammaOffset ?? 0, statsOffset = a.statsOffset ?? 0;
  const dgammaOffset = a.dgammaOffset ?? 0, dbetaOffset = a.dbetaOffset ?? C;
  validate(action, a.shape, eps, [
    ["x", a.x, size],
    ["gradOutput", a.gradOutput, size],
    ["gradInput", a.gradInput, size],
    ["gamma", a.affine, gammaOffset + C],
    ["statistics", a.stats, statsOffset + 2 * C],
    ["dgamma", a.grad, dgammaOffset + C],
    ["dbeta", a.grad, dbetaOffset + C],
  ]);
  if (a.mode !== "train" && a.mode !== "eval") {
    throw new RangeError(`Cannot ${action}: mode is "${a.mode}", must be "train" or "eval"`);
  }
  const common = { x: a.x, stats: a.stats, statsOffset };
  await encodeReducePass(rec, a.shape, { ...common, mode: 2, src: a.gradOutput, out: a.grad }, [
    dbetaOffset,
    dgammaOffset,
  ], eps);
  await encodeApplyPass(rec, a.shape, a.mode === "train" ? 1 : 2, eps, {
    ...common,
    src: a.gradOutput,
    affine: a.affine,
    gammaOffset,
    betaOffset: gammaOffset,
    sums: a.grad,
    sumOffsets: [dbetaOffset, dgammaOffset],
    out: a.gradInput,
  });
}
