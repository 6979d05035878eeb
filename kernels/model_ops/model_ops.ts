/**
 * Small kernels that, with matmul (kernels/matmul/matmul.ts) and the activation kernel
 * (kernels/elementwise/elementwise.ts), make the forward, backward and Hessian-vector passes of
 * the models (lib/models/mlp_gpu.ts):
 *
 * | kernel | computes |
 * |---|---|
 * | model_loss.wgsl | per-sample losses, output gradient, output Hessian times a direction |
 * | model_activation_backward.wgsl | u act'(z) (+ w act''(z) s): chain rule and its R-operator |
 * | model_column_sum.wgsl | column sums into a range of a flat vector (bias gradients, loss) |
 * | model_view_copy.wgsl | dst[range] (+)= alpha src[range]: views of flat parameter vectors |
 * | model_transpose.wgsl | out = x^T, so products take matmul's untransposed path |
 *
 * Every function records one or more dispatches and submits nothing.
 *
 * @module
 */
import lossSource from "./model_loss.wgsl" with { type: "text" };
import activationBackwardSource from "./model_activation_backward.wgsl" with { type: "text" };
import columnSumSource from "./model_column_sum.wgsl" with { type: "text" };
import viewCopySource from "./model_view_copy.wgsl" with { type: "text" };
import transposeSource from "./model_transpose.wgsl" with { type: "text" };
import { ACTIVATION_FUNCTIONS_WGSL } from "../elementwise/activation_functions.ts";
import { activationUniform } from "../elementwise/elementwise.ts";
import { type CommandRecorder, dispatch1d } from "../../lib/gpu/recorder.ts";
import type { KernelSource } from "../../lib/gpu/pipelines.ts";
import { StructLayout } from "../../lib/gpu/params.ts";
import { loopBudget } from "../../lib/gpu/loop_budget.ts";
import { createBuffer } from "../../lib/gpu/buffers.ts";

/** The uniform struct of kernels/model_ops/model_transpose.wgsl. */
const MODEL_TRANSPOSE_PARAMS = new StructLayout(
  "Params",
  "kernels/model_ops/model_transpose.wgsl",
  [
    ["rows", "u32"],
    ["cols", "u32"],
  ] as const,
);

/** The uniform struct of kernels/model_ops/model_view_copy.wgsl. */
const MODEL_VIEW_COPY_PARAMS = new StructLayout(
  "Params",
  "kernels/model_ops/model_view_copy.wgsl",
  [
    ["size", "u32"],
    ["src_offset", "u32"],
    ["dst_offset", "u32"],
    ["accumulate", "u32"],
    ["alpha", "f32"],
  ] as const,
);

/** The uniform struct of kernels/model_ops/model_column_sum.wgsl. */
const MODEL_COLUMN_SUM_PARAMS = new StructLayout(
  "Params",
  "kernels/model_ops/model_column_sum.wgsl",
  [
    ["row_begin", "u32"],
    ["row_end", "u32"],
    ["cols", "u32"],
    ["offset", "u32"],
    ["accumulate", "u32"],
    ["scale", "f32"],
  ] as const,
);

/** The uniform struct of kernels/model_ops/model_activation_backward.wgsl. */
const MODEL_ACTIVATION_BACKWARD_PARAMS = new StructLayout(
  "Params",
  "kernels/model_ops/model_activation_backward.wgsl",
  [
    ["size", "u32"],
    ["second_order", "u32"],
  ] as const,
);

/** The uniform struct of kernels/model_ops/model_loss.wgsl. */
const MODEL_LOSS_PARAMS = new StructLayout(
  "Params",
  "kernels/model_ops/model_loss.wgsl",
  [
    ["rows", "u32"],
    ["cols", "u32"],
    ["loss", "u32"],
    ["with_direction", "u32"],
    ["scale", "f32"],
  ] as const,
);

/** Loss functions of the models. */
export type LossName = "squared" | "crossEntropy";

const WORKGROUP_SIZE = 64;
const CONSTANTS = { WORKGROUP_SIZE };

const KERNELS = {
  loss: { label: "model_loss", parts: [{ file: "kernels/model_ops/model_loss.wgsl", code: lossSource }] },
  activationBackward: {
    label: "model_activation_backward",
    parts: [ACTIVATION_FUNCTIONS_WGSL, {
      file: "kernels/model_ops/model_activation_backward.wgsl",
      code: activationBackwardSource,
    }],
  },
  columnSum: {
    label: "model_column_sum",
    parts: [{ file: "kernels/model_ops/model_column_sum.wgsl", code: columnSumSource }],
  },
  transpose: {
    label: "model_transpose",
    parts: [{ file: "kernels/model_ops/model_transpose.wgsl", code: transposeSource }],
  },
  viewCopy: {
    label: "model_view_copy",
    parts: [{ file: "kernels/model_ops/model_view_copy.wgsl", code: viewCopySource }],
  },
} satisfies Record<string, KernelSource>;

const dummies = new WeakMap<GPUDevice, [GPUBuffer, GPUBuffer]>();

/**
 * A 16-byte buffer bound where a kernel's optional binding is unused: one for read-only
 * bindings, another for read-write ones (one buffer cannot be both in a dispatch).
 */
function dummy(rec: CommandRecorder, access: "read" | "write" = "read"): GPUBuffer {
  let pair = dummies.get(rec.gpu.device);
  if (!pair) {
    pair = [
      createBuffer(rec.gpu, 16, "model_ops unused input"),
      createBuffer(rec.gpu, 16, "model_ops unused output"),
    ];
    dummies.set(rec.gpu.device, pair);
  }
  return pair[access === "read" ? 0 : 1];
}

/** One invocation per element (`grid2d`: the kernel reads a 2-D grid's linear index; else x only, checked). */
function dispatch(
  rec: CommandRecorder,
  kernel: KernelSource,
  invocations: number,
  bindings: GPUBuffer[],
  grid2d = true,
): Promise<void> {
  const max = rec.gpu.device.limits.maxComputeWorkgroupsPerDimension;
  if (!grid2d && Math.ceil(invocations / WORKGROUP_SIZE) > max) {
    throw new RangeError(
      `Cannot dispatch "${kernel.label}": ${invocations} invocations need more than ${max} workgroups`,
    );
  }
  return dispatch1d(rec, { kernel, constants: CONSTANTS, invocations, bindings });
}

/** Arguments of {@linkcode encodeModelLoss}. */
export interface ModelLossArgs {
  loss: LossName;
  /** Outputs [rows, cols]. */
  f: GPUBuffer;
  /** Targets [rows, cols]. */
  y: GPUBuffer;
  /** scale * dl/df [rows, cols]. */
  g: GPUBuffer;
  /** Per-sample losses [rows]. */
  losses: GPUBuffer;
  rows: number;
  cols: number;
  /** Gradient factor (1 / batch size for the batch mean). */
  scale: number;
  /** A direction R(f) [rows, cols] and where to write scale * (d^2 l / df^2) R(f). */
  direction?: { rf: GPUBuffer; rg: GPUBuffer };
}

/**
 * Records the loss kernel (see kernels/model_ops/model_loss.wgsl).
 *
 * @throws {RangeError} When 3 cols exceeds the adapter's loop budget.
 */
export async function encodeModelLoss(rec: CommandRecorder, a: ModelLossArgs): Promise<void> {
  if (3 * a.cols + 3 > loopBudget(rec.gpu)) {
    throw new RangeError(`Cannot run "model_loss": ${a.cols} outputs per sample exceed the loop budget`);
  }
  if (a.rows === 0) return;
  const params = MODEL_LOSS_PARAMS.bytes({
    rows: a.rows,
    cols: a.cols,
    loss: a.loss === "squared" ? 0 : 1,
    with_direction: a.direction ? 1 : 0,
    scale: a.scale,
  });
  await dispatch(rec, KERNELS.loss, a.rows, [
    a.f,
    a.y,
    a.direction?.rf ?? dummy(rec),
    a.g,
    a.direction?.rg ?? dummy(rec, "write"),
    a.losses,
    rec.uniform(params, "model_loss params"),
  ], false);
}

/**
 * Records out = u act'(z) (+ w act''(z) s when `second` is given).
 *
 * @param rec The recorder.
 * @param a Buffers of `size` elements and the activation's 12 coefficients.
 */
export async function encodeActivationBackward(
  rec: CommandRecorder,
  a: {
    z: GPUBuffer;
    u: GPUBuffer;
    out: GPUBuffer;
    size: number;
    coefficients: ArrayLike<number>;
    second?: { w: GPUBuffer; s: GPUBuffer };
  },
): Promise<void> {
  if (a.size === 0) return;
  const params = MODEL_ACTIVATION_BACKWARD_PARAMS.bytes({ size: a.size, second_order: a.second ? 1 : 0 });
  await dispatch(rec, KERNELS.activationBackward, a.size, [
    a.z,
    a.u,
    a.second?.w ?? dummy(rec),
    a.second?.s ?? dummy(rec),
    a.out,
    rec.uniform(params, "model_activation_backward params"),
    activationUniform(rec, a.coefficients),
  ]);
}

/**
 * Records out[offset + j] (+)= scale * sum_r x[r, j] for a row-major [rows, cols] x,
 * splitting the rows into dispatches within the loop budget.
 *
 * @param rec The recorder.
 * @param a Input, output, sizes, offset into out, scale and whether to add to out.
 */
export async function encodeColumnSum(
  rec: CommandRecorder,
  a: {
    x: GPUBuffer;
    out: GPUBuffer;
    rows: number;
    cols: number;
    offset: number;
    scale: number;
    accumulate: boolean;
  },
): Promise<void> {
  if (a.cols === 0) return;
  const rowsPerDispatch = Math.max(1, loopBudget(rec.gpu) - 1);
  for (let begin = 0; begin === 0 || begin < a.rows; begin += rowsPerDispatch) {
    const end = Math.min(a.rows, begin + rowsPerDispatch);
    const params = MODEL_COLUMN_SUM_PARAMS.bytes({
      row_begin: begin,
      row_end: end,
      cols: a.cols,
      offset: a.offset,
      accumulate: a.accumulate || begin > 0 ? 1 : 0,
      scale: a.scale,
    });
    await dispatch(rec, KERNELS.columnSum, a.cols, [
      a.x,
      a.out,
      rec.uniform(params, "model_column_sum params"),
    ], false);
  }
}

/**
 * Records dst[dstOffset + i] (+)= alpha src[srcOffset + i] for i < size (src and dst must differ).
 *
 * @param rec The recorder.
 * @param a Buffers, element offsets and count, factor and whether to add to dst.
 */
export async function encodeViewCopy(
  rec: CommandRecorder,
  a: {
    src: GPUBuffer;
    dst: GPUBuffer;
    size: number;
    srcOffset?: number;
    dstOffset?: number;
    alpha?: number;
    accumulate?: boolean;
  },
): Promise<void> {
  if (a.size === 0) return;
  if (a.src === a.dst) throw new RangeError(`Cannot run "model_view_copy": src and dst are the same buffer`);
  const params = MODEL_VIEW_COPY_PARAMS.bytes({
    size: a.size,
    src_offset: a.srcOffset ?? 0,
    dst_offset: a.dstOffset ?? 0,
    accumulate: a.accumulate ? 1 : 0,
    alpha: a.alpha ?? 1,
  });
  await dispatch(rec, KERNELS.viewCopy, a.size, [
    a.src,
    a.dst,
    rec.uniform(params, "model_view_copy params"),
  ]);
}

/**
 * Records out = x^T for a row-major [rows, cols] x (out is [cols, rows]; x and out must differ).
 *
 * @param rec The recorder.
 * @param a Input, output and the shape of x.
 */
export async function encodeTranspose(
  rec: CommandRecorder,
  a: { x: GPUBuffer; out: GPUBuffer; rows: number; cols: number },
): Promise<void> {
  const size = a.rows * a.cols;
  if (size === 0) return;
  const params = MODEL_TRANSPOSE_PARAMS.bytes({ rows: a.rows, cols: a.cols });
  await dispatch(rec, KERNELS.transpose, size, [
    a.x,
    a.out,
    rec.uniform(params, "model_transpose params"),
  ]);
}
