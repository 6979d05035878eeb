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
 * The last three are in kernels/model_ops/model_vector_ops.ts (re-exported here). Every function records one or
 * more dispatches and submits nothing.
 *
 * @module
 */
import lossSource from "./model_loss.wgsl" with { type: "text" };
import activationBackwardSource from "./model_activation_backward.wgsl" with { type: "text" };
import { ACTIVATION_FUNCTIONS_WGSL } from "../elementwise/activation_functions.ts";
import { activationUniform } from "../elementwise/elementwise.ts";
import type { CommandRecorder } from "../../lib/gpu/recorder.ts";
import { dispatchModelOp, unusedBinding } from "./model_ops_dispatch.ts";
export { encodeColumnSum, encodeTranspose, encodeViewCopy } from "./model_vector_ops.ts";
import type { KernelSource } from "../../lib/gpu/pipelines.ts";
import { StructLayout } from "../../lib/gpu/params.ts";
import { loopBudget } from "../../lib/gpu/loop_budget.ts";

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

const KERNELS = {
  loss: { label: "model_loss", parts: [{ file: "kernels/model_ops/model_loss.wgsl", code: lossSource }] },
  activationBackward: {
    label: "model_activation_backward",
    parts: [ACTIVATION_FUNCTIONS_WGSL, {
      file: "kernels/model_ops/model_activation_backward.wgsl",
      code: activationBackwardSource,
    }],
  },
} satisfies Record<string, KernelSource>;

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
  await dispatchModelOp(rec, KERNELS.loss, a.rows, [
    a.f,
    a.y,
    a.direction?.rf ?? unusedBinding(rec),
    a.g,
    a.direction?.rg ?? unusedBinding(rec, "write"),
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
  await dispatchModelOp(rec, KERNELS.activationBackward, a.size, [
    a.z,
    a.u,
    a.second?.w ?? unusedBinding(rec),
    a.second?.s ?? unusedBinding(rec),
    a.out,
    rec.uniform(params, "model_activation_backward params"),
    activationUniform(rec, a.coefficients),
  ]);
}
