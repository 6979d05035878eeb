/**
 * The three batch-norm kernels' dispatches (kernels/batch_norm/batch_norm.ts checks the arguments and runs them
 * in order for the forward and backward passes):
 *
 * | kernel | one invocation per | computes |
 * |---|---|---|
 * | batch_norm_reduce.wgsl | channel | mean, then variance (two passes); dbeta and dgamma |
 * | batch_norm_running.wgsl | channel | the running-statistics update of a training batch |
 * | batch_norm_apply.wgsl | element | y, or dx (train or eval) |
 *
 * Each writes its uniform struct by name here. Every function records dispatches and submits nothing.
 *
 * @module
 */
import reduceSource from "./batch_norm_reduce.wgsl" with { type: "text" };
import applySource from "./batch_norm_apply.wgsl" with { type: "text" };
import runningSource from "./batch_norm_running.wgsl" with { type: "text" };
import { type CommandRecorder, dispatch1d } from "../../lib/gpu/recorder.ts";
import type { KernelSource } from "../../lib/gpu/pipelines.ts";
import { StructLayout } from "../../lib/gpu/params.ts";
import { loopBudget } from "../../lib/gpu/loop_budget.ts";
import type { GpuContext } from "../../lib/gpu/device.ts";
import type { BatchNormShape } from "./batch_norm_shape.ts";

/** The uniform struct of kernels/batch_norm/batch_norm_apply.wgsl. */
const BATCH_NORM_APPLY_PARAMS = new StructLayout(
  "Params",
  "kernels/batch_norm/batch_norm_apply.wgsl",
  [
    ["size", "u32"],
    ["channels", "u32"],
    ["area", "u32"],
    ["count", "u32"],
    ["mode", "u32"],
    ["eps", "f32"],
    ["stats_offset", "u32"],
    ["gamma_offset", "u32"],
    ["beta_offset", "u32"],
    ["dbeta_offset", "u32"],
    ["dgamma_offset", "u32"],
  ] as const,
);

/** The uniform struct of kernels/batch_norm/batch_norm_running.wgsl. */
const BATCH_NORM_RUNNING_PARAMS = new StructLayout(
  "Params",
  "kernels/batch_norm/batch_norm_running.wgsl",
  [
    ["channels", "u32"],
    ["running_offset", "u32"],
    ["momentum", "f32"],
    ["unbias", "f32"],
  ] as const,
);

/** The uniform struct of kernels/batch_norm/batch_norm_reduce.wgsl. */
const BATCH_NORM_REDUCE_PARAMS = new StructLayout(
  "Params",
  "kernels/batch_norm/batch_norm_reduce.wgsl",
  [
    ["channels", "u32"],
    ["area", "u32"],
    ["count", "u32"],
    ["e_begin", "u32"],
    ["e_end", "u32"],
    ["accumulate", "u32"],
    ["mode", "u32"],
    ["eps", "f32"],
    ["stats_offset", "u32"],
    ["slot_a", "u32"],
    ["slot_b", "u32"],
  ] as const,
);

const WORKGROUP_SIZE = 64;
const CONSTANTS = { WORKGROUP_SIZE };

const KERNELS = {
  reduce: {
    label: "batch_norm_reduce",
    parts: [{ file: "kernels/batch_norm/batch_norm_reduce.wgsl", code: reduceSource }],
  },
  apply: {
    label: "batch_norm_apply",
    parts: [{ file: "kernels/batch_norm/batch_norm_apply.wgsl", code: applySource }],
  },
  running: {
    label: "batch_norm_running",
    parts: [{ file: "kernels/batch_norm/batch_norm_running.wgsl", code: runningSource }],
  },
} satisfies Record<string, KernelSource>;

const dispatch = (rec: CommandRecorder, kernel: KernelSource, invocations: number, bindings: GPUBuffer[]) =>
  dispatch1d(rec, { kernel, constants: CONSTANTS, invocations, bindings });

/**
 * Elements of a channel one reduce dispatch sums on this adapter (one loop iteration each plus the
 * loop's final check).
 *
 * @param gpu The GPU context (or its loop limit).
 * @returns At least 1.
 */
export function batchNormElementsPerDispatch(gpu: GpuContext | { facts: { loopLimit: number } }): number {
  return Math.max(1, loopBudget(gpu) - 1);
}

/**
 * Records one per-channel reduction of batch_norm_reduce.wgsl (mode 0: mean, 1: variance, 2: dbeta and dgamma)
 * into `slots`, in accumulating dispatches within the loop budget.
 */
export async function encodeReducePass(
  rec: CommandRecorder,
  shape: BatchNormShape,
  a: { mode: 0 | 1 | 2; src: GPUBuffer; x: GPUBuffer; stats: GPUBuffer; statsOffset: number; out: GPUBuffer },
  slots: [number, number],
  eps: number,
): Promise<void> {
  const area = shape.height * shape.width, count = shape.batch * area;
  const chunk = batchNormElementsPerDispatch(rec.gpu);
  for (let begin = 0; begin < count; begin += chunk) {
    const params = BATCH_NORM_REDUCE_PARAMS.bytes({
      channels: shape.channels,
      area,
      count,
      e_begin: begin,
      e_end: Math.min(count, begin + chunk),
      accumulate: begin > 0 ? 1 : 0,
      mode: a.mode,
      eps,
      stats_offset: a.statsOffset,
      slot_a: slots[0],
      slot_b: slots[1],
    });
    await dispatch(rec, KERNELS.reduce, shape.channels, [
      a.src,
      a.x,
      a.stats,
      a.out,
      rec.uniform(params, "batch_norm_reduce params"),
    ]);
  }
}

/** Records the running-statistics update of a training batch (batch_norm_running.wgsl). */
export async function encodeRunningUpdate(
  rec: CommandRecorder,
  channels: number,
  count: number,
  momentum: number,
  batchStats: GPUBuffer,
  running: GPUBuffer,
  runningOffset: number,
): Promise<void> {
  const params = BATCH_NORM_RUNNING_PARAMS.bytes({
    channels,
    running_offset: runningOffset,
    momentum,
    unbias: count > 1 ? count / (count - 1) : 1,
  });
  await dispatch(rec, KERNELS.running, channels, [
    batchStats,
    running,
    rec.uniform(params, "batch_norm_running params"),
  ]);
}

/** Records the elementwise pass of batch_norm_apply.wgsl (mode 0: y, 1: dx in train mode, 2: dx in eval mode). */
export async function encodeApplyPass(
  rec: CommandRecorder,
  shape: BatchNormShape,
  mode: 0 | 1 | 2,
  eps: number,
  b: {
    src: GPUBuffer;
    x: GPUBuffer;
    stats: GPUBuffer;
    statsOffset: number;
    affine: GPUBuffer;
    gammaOffset: number;
    betaOffset: number;
    sums: GPUBuffer;
    sumOffsets: [number, number];
    out: GPUBuffer;
  },
): Promise<void> {
  const area = shape.height * shape.width, size = shape.batch * shape.channels * area;
  const params = BATCH_NORM_APPLY_PARAMS.bytes({
    size,
    channels: shape.channels,
    area,
    count: shape.batch * area,
    mode,
    eps,
    stats_offset: b.statsOffset,
    gamma_offset: b.gammaOffset,
    beta_offset: b.betaOffset,
    dbeta_offset: b.sumOffsets[0],
    dgamma_offset: b.sumOffsets[1],
  });
  await dispatch(rec, KERNELS.apply, size, [
    b.src,
    b.x,
    b.stats,
    b.affine,
    b.sums,
    b.out,
    rec.uniform(params, "batch_norm_apply params"),
  ]);
}
