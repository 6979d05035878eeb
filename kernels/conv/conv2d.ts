/**
 * Conv2d layer kernels (NCHW, stride 1, kernel 3x3 or 5x5, zero padding 0 or 1, or 2 with 5x5): forward,
 * input gradient, and weight/bias gradient, in two variants chosen per call by `variant`:
 *
 * - `"gemm"`: patch matrices and the register-blocked matmul (kernels/conv/conv2d_gemm.ts), 5-8x faster
 *   on the CPU adapter; needs scratch memory (at most 64 MiB per pass, in chunks of samples);
 * - `"direct"`: the kernels below, no scratch, the baseline;
 * - `"auto"` (default): gemm, unless the product has fewer than 8 rows (channels) or one sample's
 *   patch matrix alone exceeds the scratch cap ({@linkcode resolveConv2dVariant}).
 *
 * The direct kernels are one invocation per output element, barrier-free, with
 * their loop split over dispatches that accumulate so that no invocation passes the adapter's loop
 * budget (lib/gpu/loop_budget.ts):
 *
 * | kernel | one invocation per | loops over (split across dispatches) |
 * |---|---|---|
 * | conv2d_forward.wgsl | output element | input channels |
 * | conv2d_backward_input.wgsl | input element | output channels |
 * | conv2d_backward_weight.wgsl | weight and bias element | (sample, output row) pairs |
 *
 * Weights, biases and their gradients are addressed by element offsets, so they can be views of a
 * flat parameter (or gradient) buffer. Every function records dispatches and submits nothing.
 * The float64 reference is lib/reference/conv2d.ts.
 *
 * @module
 */
import forwardSource from "./conv2d_forward.wgsl" with { type: "text" };
import backwardInputSource from "./conv2d_backward_input.wgsl" with { type: "text" };
import backwardWeightSource from "./conv2d_backward_weight.wgsl" with { type: "text" };
import { type CommandRecorder, dispatch1d } from "../../lib/gpu/recorder.ts";
import type { KernelSource } from "../../lib/gpu/pipelines.ts";
import { StructLayout } from "../../lib/gpu/params.ts";
import { loopBudget } from "../../lib/gpu/loop_budget.ts";
import type { GpuContext } from "../../lib/gpu/device.ts";
import { type Conv2dShape, conv2dSizes } from "./conv2d_shape.ts";
import {
  encodeConv2dGemmBackwardInput,
  encodeConv2dGemmBackwardWeight,
  encodeConv2dGemmForward,
} from "./conv2d_gemm.ts";
import type { Conv2dBackwardInputArgs, Conv2dBackwardWeightArgs, Conv2dForwardArgs } from "./conv2d_shape.ts";
export {
  type Conv2dBackwardInputArgs,
  type Conv2dBackwardWeightArgs,
  type Conv2dForwardArgs,
} from "./conv2d_shape.ts";
import { resolveConv2dVariant } from "./conv2d_variant.ts";
export { CONV2D_GEMM_MIN_CHANNELS, resolveConv2dVariant, setConv2dAutoVariant } from "./conv2d_variant.ts";

/** The uniform struct of kernels/conv/conv2d_backward_weight.wgsl. */
const CONV2D_BACKWARD_WEIGHT_PARAMS = new StructLayout(
  "Params",
  "kernels/conv/conv2d_backward_weight.wgsl",
  [
    ["in_channels", "u32"],
    ["out_channels", "u32"],
    ["height", "u32"],
    ["width", "u32"],
    ["out_height", "u32"],
    ["out_width", "u32"],
    ["r_begin", "u32"],
    ["r_end", "u32"],
    ["accumulate", "u32"],
    ["has_bias", "u32"],
    ["weight_offset", "u32"],
    ["bias_offset", "u32"],
  ] as const,
);

/** The uniform struct of kernels/conv/conv2d_backward_input.wgsl. */
const CONV2D_BACKWARD_INPUT_PARAMS = new StructLayout(
  "Params",
  "kernels/conv/conv2d_backward_input.wgsl",
  [
    ["batch", "u32"],
    ["in_channels", "u32"],
    ["out_channels", "u32"],
    ["height", "u32"],
    ["width", "u32"],
    ["out_height", "u32"],
    ["out_width", "u32"],
    ["o_begin", "u32"],
    ["o_end", "u32"],
    ["accumulate", "u32"],
    ["weight_offset", "u32"],
  ] as const,
);

/** The uniform struct of kernels/conv/conv2d_forward.wgsl. */
const CONV2D_FORWARD_PARAMS = new StructLayout(
  "Params",
  "kernels/conv/conv2d_forward.wgsl",
  [
    ["batch", "u32"],
    ["in_channels", "u32"],
    ["out_channels", "u32"],
    ["height", "u32"],
    ["width", "u32"],
    ["out_height", "u32"],
    ["out_width", "u32"],
    ["c_begin", "u32"],
    ["c_end", "u32"],
    ["accumulate", "u32"],
    ["has_bias", "u32"],
    ["weight_offset", "u32"],
    ["bias_offset", "u32"],
  ] as const,
);
export { type Conv2dVariant } from "./conv2d_shape.ts";

export type { Conv2dShape } from "./conv2d_shape.ts";

const WORKGROUP_SIZE = 64;

const KERNELS = {
  forward: {
    label: "conv2d_forward",
    parts: [{ file: "kernels/conv/conv2d_forward.wgsl", code: forwardSource }],
  },
  backwardInput: {
    label: "conv2d_backward_input",
    parts: [{ file: "kernels/conv/conv2d_backward_input.wgsl", code: backwardInputSource }],
  },
  backwardWeight: {
    label: "conv2d_backward_weight",
    parts: [{ file: "kernels/conv/conv2d_backward_weight.wgsl", code: backwardWeightSource }],
  },
} satisfies Record<string, KernelSource>;

/**
 * Loop iterations one forward or input-gradient invocation costs per channel it sums over: the
 * channel loop's check plus the (k + 1) checks of the row loop and k (k + 1) of the column loops.
 *
 * @param kernelSize k.
 * @returns 1 + (k + 1)^2.
 */
export function conv2dIterationsPerChannel(kernelSize: number): number {
  return 1 + (kernelSize + 1) ** 2;
}

/**
 * Channels per dispatch of the forward or input-gradient kernel on this adapter.
 *
 * @param gpu The GPU context (or its loop limit).
 * @param kernelSize k.
 * @returns At least 1 (one channel costs at most 37 iterations, far below any budget).
 */
export function conv2dChannelsPerDispatch(
  gpu: GpuContext | { facts: { loopLimit: number } },
  kernelSize: number,
): number {
  return Math.max(1, Math.floor((loopBudget(gpu) - 1) / conv2dIterationsPerChannel(kernelSize)));
}

/**
 * (Sample, output row) pairs per dispatch of the weight-gradient kernel on this adapter.
 *
 * @param gpu The GPU context (or its loop limit).
 * @param outWidth W_out.
 * @returns Rows per dispatch, at least 1.
 * @throws {RangeError} When one output row alone exceeds the loop budget.
 */
export function conv2dRowsPerDispatch(
  gpu: GpuContext | { facts: { loopLimit: number } },
  outWidth: number,
): number {
  const rows = Math.floor((loopBudget(gpu) - 1) / (outWidth + 2));
  if (rows < 1) {
    throw new RangeError(
      `Cannot run "conv2d_backward_weight": an output row of ${outWidth} exceeds the loop budget ${
        loopBudget(gpu)
      }`,
    );
  }
  return rows;
}

function constants(shape: Conv2dShape) {
  return { WORKGROUP_SIZE, KERNEL_SIZE: shape.kernelSize, PADDING: shape.padding };
}

async function dispatch(
  rec: CommandRecorder,
  kernel: KernelSource,
  shape: Conv2dShape,
  invocations: number,
  bindings: GPUBuffer[],
): Promise<void> {
  await dispatch1d(rec, { kernel, constants: constants(shape), invocations, bindings });
}

function checkBuffer(action: string, what: string, buffer: GPUBuffer, elements: number, offset = 0): void {
  if (!Number.isInteger(offset) || offset < 0) {
    throw new RangeError(`Cannot ${action}: ${what} offset is ${offset}, must be a non-negative integer`);
  }
  if ((offset + elements) * 4 > buffer.size) {
    throw new RangeError(
      `Cannot ${action}: ${what} needs ${offset + elements} floats, buffer "${buffer.label}" holds ${
        buffer.size / 4
      }`,
    );
  }
}

/**
 * Records y = conv2d(x, weight) + bias (kernels/conv/conv2d_forward.wgsl).
 *
 * @param rec The recorder.
 * @param a Shape, buffers and offsets.
 * @throws {RangeError} On a bad shape, or a buffer too small for its view.
 */
export async function encodeConv2dForward(rec: CommandRecorder, a: Conv2dForwardArgs): Promise<void> {
  const action = `run "conv2d_forward"`;
  const s = conv2dSizes(a.shape, action);
  checkBuffer(action, "x", a.x, s.inputSize);
  checkBuffer(action, "weight", a.weight, s.weightSize, a.weightOffset);
  if (a.bias) checkBuffer(action, "bias", a.bias, a.shape.outChannels, a.biasOffset);
  checkBuffer(action, "y", a.y, s.outputSize);
  if (resolveConv2dVariant(rec.gpu, a.shape, "forward", a.variant) === "gemm") {
    return encodeConv2dGemmForward(rec, a);
  }
  const chunk = conv2dChannelsPerDispatch(rec.gpu, a.shape.kernelSize);
  for (let begin = 0; begin < a.shape.inChannels; begin += chunk) {
    const end = Math.min(a.shape.inChannels, begin + chunk);
    const params = CONV2D_FORWARD_PARAMS.bytes({
      batch: a.shape.batch,
      in_channels: a.shape.inChannels,
      out_channels: a.shape.outChannels,
      height: a.shape.height,
      width: a.shape.width,
      out_height: s.outHeight,
      out_width: s.outWidth,
      c_begin: begin,
      c_end: end,
      accumulate: begin > 0 ? 1 : 0,
      has_bias: a.bias ? 1 : 0,
      weight_offset: a.weightOffset ?? 0,
      bias_offset: a.biasOffset ?? 0,
    });
    await dispatch(rec, KERNELS.forward, a.shape, s.outputSize, [
      a.x,
      a.weight,
      a.bias ?? a.weight,
      a.y,
      rec.uniform(params, "conv2d_forward params"),
    ]);
  }
}

/**
 * Records dL/dx of conv2d given g = dL/dy (kernels/conv/conv2d_backward_input.wgsl).
 *
 * @param rec The recorder.
 * @param a Shape, buffers and offsets.
 * @throws {RangeError} On a bad shape, or a buffer too small for its view.
 */
export async function encodeConv2dBackwardInput(
  rec: CommandRecorder,
  a: Conv2dBackwardInputArgs,
): Promise<void> {
  const action = `run "conv2d_backward_input"`;
  const s = conv2dSizes(a.shape, action);
  checkBuffer(action, "gradOutput", a.gradOutput, s.outputSize);
  checkBuffer(action, "weight", a.weight, s.weightSize, a.weightOffset);
  checkBuffer(action, "gradInput", a.gradInput, s.inputSize);
  if (resolveConv2dVariant(rec.gpu, a.shape, "backwardInput", a.variant) === "gemm") {
    return encodeConv2dGemmBackwardInput(rec, a);
  }
  const chunk = conv2dChannelsPerDispatch(rec.gpu, a.shape.kernelSize);
  for (let begin = 0; begin < a.shape.outChannels; begin += chunk) {
    const end = Math.min(a.shape.outChannels, begin + chunk);
    const params = CONV2D_BACKWARD_INPUT_PARAMS.bytes({
      batch: a.shape.batch,
      in_channels: a.shape.inChannels,
      out_channels: a.shape.outChannels,
      height: a.shape.height,
      width: a.shape.width,
      out_height: s.outHeight,
      out_width: s.outWidth,
      o_begin: begin,
      o_end: end,
      accumulate: a.accumulate || begin > 0 ? 1 : 0,
      weight_offset: a.weightOffset ?? 0,
    });
    await dispatch(rec, KERNELS.backwardInput, a.shape, s.inputSize, [
      a.gradOutput,
      a.weight,
      a.gradInput,
      rec.uniform(params, "conv2d_backward_input params"),
    ]);
  }
}

/**
 * Records dL/dw and dL/db of conv2d, summed over the batch (kernels/conv/conv2d_backward_weight.wgsl).
 *
 * @param rec The recorder.
 * @param a Shape, buffers and offsets.
 * @throws {RangeError} On a bad shape, a buffer too small for its view, or an output row too
 *   wide for the loop budget.
 */
export async function encodeConv2dBackwardWeight(
  rec: CommandRecorder,
  a: Conv2dBackwardWeightArgs,
): Promise<void> {
  const action = `run "conv2d_backward_weight"`;
  const s = conv2dSizes(a.shape, action);
  checkBuffer(action, "x", a.x, s.inputSize);
  checkBuffer(action, "gradOutput", a.gradOutput, s.outputSize);
  checkBuffer(action, "weight gradient", a.grad, s.weightSize, a.weightOffset);
  const hasBias = a.biasOffset !== undefined;
  if (hasBias) checkBuffer(action, "bias gradient", a.grad, a.shape.outChannels, a.biasOffset);
  if (resolveConv2dVariant(rec.gpu, a.shape, "backwardWeight", a.variant) === "gemm") {
    return encodeConv2dGemmBackwardWeight(rec, a);
  }
  const rows = a.shape.batch * s.outHeight;
  const chunk = conv2dRowsPerDispatch(rec.gpu, s.outWidth);
  for (let begin = 0; begin < rows; begin += chunk) {
    const end = Math.min(rows, begin + chunk);
    const params = CONV2D_BACKWARD_WEIGHT_PARAMS.bytes({
      in_channels: a.shape.inChannels,
      out_channels: a.shape.outChannels,
      height: a.shape.height,
      width: a.shape.width,
      out_height: s.outHeight,
      out_width: s.outWidth,
      r_begin: begin,
      r_end: end,
      accumulate: a.accumulate || begin > 0 ? 1 : 0,
      has_bias: hasBias ? 1 : 0,
      weight_offset: a.weightOffset ?? 0,
      bias_offset: a.biasOffset ?? 0,
    });
    await dispatch(rec, KERNELS.backwardWeight, a.shape, s.weightSize + (hasBias ? a.shape.outChannels : 0), [
      a.x,
      a.gradOutput,
      a.grad,
      rec.uniform(params, "conv2d_backward_weight params"),
    ]);
  }
}
