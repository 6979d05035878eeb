/**
 * Batch-norm layers on backend tensors (statistics per channel over N H W, like torch.nn.BatchNorm2d):
 * the WGSL kernels on the `webgpu` backend (kernels/batch_norm/batch_norm.ts; recorded, submitted at the next
 * read or flush) and the float64 reference on `reference` (lib/reference/batch_norm.ts), in the style of the
 * conv and pool ops of lib/models/conv_ops.ts. Tensors are NCHW of any shape of the right size; results are
 * new tensors.
 *
 * @example Batch norm in train mode on the reference backend: each channel comes out with mean 0
 * ```ts
 * import assert from "node:assert";
 * import { ReferenceBackend } from "../backend/reference.ts";
 * import { batchNorm } from "./norm_ops.ts";
 * const backend = new ReferenceBackend();
 * const x = backend.tensor([1, 2, 3, 4, 10, 20, 30, 40], [2, 1, 2, 2]);
 * const gamma = backend.tensor([1], [1]), beta = backend.tensor([0], [1]);
 * const running = backend.tensor([0, 1], [2, 1]);
 * const { y } = await batchNorm(backend, x, gamma, beta, running, { batch: 2, channels: 1, height: 2, width: 2 }, {
 *   mode: "train",
 * });
 * const sum = Array.from(await backend.read(y)).reduce((s, t) => s + t, 0);
 * assert.ok(Math.abs(sum) < 1e-9);
 * ```
 *
 * @module
 */
import type { Backend } from "../backend/backend.ts";
import type { Tensor } from "../backend/tensor.ts";
import { encodeBatchNormBackward, encodeBatchNormForward } from "../../kernels/batch_norm/batch_norm.ts";
import {
  batchNormBackwardReference,
  batchNormForwardReference,
  batchNormInputSize,
  type BatchNormShape,
} from "../reference/batch_norm.ts";
import { buffer, check, recorder, scratch, values } from "./_layer_ops.ts";

export type { BatchNormShape } from "../reference/batch_norm.ts";

/** Mode, eps and momentum of {@linkcode batchNorm} and {@linkcode batchNormBackward}. */
export interface BatchNormLayerOptions {
  /** "train" normalises with the batch statistics (and updates the running ones); "eval" with the running ones. */
  mode: "train" | "eval";
  /** Added to the variance (default 1e-5). */
  eps?: number;
  /** Weight of the batch statistics in the running ones, train mode (default 0.1). */
  momentum?: number;
}

/**
 * Batch-norm forward (statistics per channel over N H W, like torch.nn.BatchNorm2d). In train mode the
 * running statistics are updated in place.
 *
 * @param backend The backend holding the tensors.
 * @param x Input, N C H W elements.
 * @param gamma Scale [C].
 * @param beta Shift [C].
 * @param running Running statistics: mean [C] then var [C] (2 C elements, e.g. shape [2, C]).
 * @param shape The input shape.
 * @param options Mode, eps, momentum.
 * @returns y [N, C, H, W]; in train mode also the batch mean then biased variance `batchStats` [2, C]
 *   (what {@linkcode batchNormBackward} needs).
 * @throws {RangeError} On a bad shape, option, or a tensor of the wrong size.
 */
export async function batchNorm(
  backend: Backend,
  x: Tensor,
  gamma: Tensor,
  beta: Tensor,
  running: Tensor,
  shape: BatchNormShape,
  options: BatchNormLayerOptions,
): Promise<{ y: Tensor; batchStats?: Tensor }> {
  const op = "batch_norm", C = shape.channels;
  const zeros = new Float64Array(C);
  const size = batchNormInputSize(
    shape,
    { ...options, runningMean: zeros, runningVar: zeros },
    `run "${op}"`,
  );
  check(backend, op, "x", x, size);
  check(backend, op, "gamma", gamma, C);
  check(backend, op, "beta", beta, C);
  check(backend, op, "running", running, 2 * C);
  const outShape = [shape.batch, C, shape.height, shape.width], train = options.mode === "train";
  if (backend.name === "reference") {
    const stats = values(running);
    const r = batchNormForwardReference(shape, values(x), values(gamma), values(beta), {
      ...options,
      runningMean: stats.subarray(0, C),
      runningVar: stats.subarray(C),
    });
    stats.set(r.runningMean, 0);
    stats.set(r.runningVar, C);
    const batchStats = train ? backend.tensor([...r.mean, ...r.variance], [2, C]) : undefined;
    return { y: backend.tensor(r.y, outShape), batchStats };
  }
  const rec = recorder(backend);
  const affine = scratch(rec, 2 * C, "batch_norm gamma and beta");
  rec.copy(buffer(gamma), 0, affine, 0, C * 4);
  rec.copy(buffer(beta), 0, affine, C * 4, C * 4);
  const y = backend.zeros(outShape), batchStats = train ? backend.zeros([2, C]) : undefined;
  await encodeBatchNormForward(rec, {
    shape,
    mode: options.mode,
    eps: options.eps,
    momentum: options.momentum,
    x: buffer(x),
    affine,
    gammaOffset: 0,
    betaOffset: C,
    running: buffer(running),
    batchStats: batchStats ? buffer(batchStats) : undefined,
    y: buffer(y),
  });
  return { y, batchStats };
}

/**
 * Batch-norm backward given g = dL/dy.
 *
 * @param backend The backend holding the tensors.
 * @param x The forward input (N C H W elements).
 * @param gamma Scale [C].
 * @param gradOutput g, N C H W elements.
 * @param stats Mean [C] then var [C]: the forward pass's `batchStats` (train) or the running statistics
 *   it used (eval).
 * @param shape The input shape.
 * @param options Mode and eps of the forward pass.
 * @returns dL/dx [N, C, H, W], dL/dgamma [C], dL/dbeta [C].
 * @throws {RangeError} On a bad shape, option, or a tensor of the wrong size.
 */
export async function batchNormBackward(
  backend: Backend,
  x: Tensor,
  gamma: Tensor,
  gradOutput: Tensor,
  stats: Tensor,
  shape: BatchNormShape,
  options: BatchNormLayerOptions,
): Promise<{ gradInput: Tensor; gradGamma: Tensor; gradBeta: Tensor }> {
  const op = "batch_norm_backward", C = shape.channels;
  const zeros = new Float64Array(C);
  const size = batchNormInputSize(
    shape,
    { ...options, runningMean: zeros, runningVar: zeros },
    `run "${op}"`,
  );
  check(backend, op, "x", x, size);
  check(backend, op, "gamma", gamma, C);
  check(backend, op, "gradOutput", gradOutput, size);
  check(backend, op, "stats", stats, 2 * C);
  const inShape = [shape.batch, C, shape.height, shape.width];
  if (backend.name === "reference") {
    const s = values(stats);
    // In train mode the reference recomputes the batch statistics from x (the same values as batchStats).
    const r = batchNormBackwardReference(shape, values(x), values(gamma), values(gradOutput), {
      ...options,
      runningMean: s.subarray(0, C),
      runningVar: s.subarray(C),
    });
    return {
      gradInput: backend.tensor(r.dx, inShape),
      gradGamma: backend.tensor(r.dgamma, [C]),
      gradBeta: backend.tensor(r.dbeta, [C]),
    };
  }
  const rec = recorder(backend);
  const grad = scratch(rec, 2 * C, "batch_norm_backward dgamma and dbeta");
  const gradInput = backend.zeros(inShape), gradGamma = backend.zeros([C]), gradBeta = backend.zeros([C]);
  await encodeBatchNormBackward(rec, {
    shape,
    mode: options.mode,
    eps: options.eps,
    x: buffer(x),
    gradOutput: buffer(gradOutput),
    affine: buffer(gamma),
    gammaOffset: 0,
    stats: buffer(stats),
    statsOffset: 0,
    grad,
    dgammaOffset: 0,
    dbetaOffset: C,
    gradInput: buffer(gradInput),
  });
  rec.copy(grad, 0, buffer(gradGamma), 0, C * 4);
  rec.copy(grad, C * 4, buffer(gradBeta), 0, C * 4);
  return { gradInput, gradGamma, gradBeta };
}
