/**
 * The direct conv2d kernels (the `"direct"` variant of kernels/conv/conv2d.ts, which checks the arguments and
 * picks the variant): one invocation per output element, barrier-free, with their loop split over dispatches
 * that accumulate so that no invocation passes the adapter's loop budget (lib/gpu/loop_budget.ts):
 *
 * | kernel | one invocation per | loops over (split across dispatches) |
 * |---|---|---|
 * | conv2d_forward.wgsl | output element | input channels |
 * | conv2d_backward_input.wgsl | input element | output channels |
 * | conv2d_backward_weight.wgsl | weight and bias element | (sample, output row) pairs |
 *
 * Every function records dispatches and submits nothing. The float64 reference is lib/reference/conv2d.ts.
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
import type {
  Conv2dBackwardInputArgs,
  Conv2dBackwardWeightArgs,
  Conv2dForwardArgs,
  Conv2dShape,
  Conv2dSizes,
} from "./conv2d_shape.ts";

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

/** Records the direct forward pass (kernels/conv/conv2d_forward.wgsl), arguments checked by the caller. */
export async function encodeConv2dDirectForward(
  rec: CommandRecorder,
  a: Conv2dForwardArgs,
  s: Conv2dSizes,
): Promise<void> {
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

/** Records the direct input gradient (kernels/conv/conv2d_backward_input.wgsl), arguments checked by the caller. */
export async function encodeConv2dDirectBackwardInput(
  rec: CommandRecorder,
  a: Conv2dBackwardInputArgs,
  s: Conv2dSizes,
): Promise<void> {
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
 * Records the direct weight and bias gradient (kernels/conv/conv2d_backward_weight.wgsl), arguments checked by
 * the caller.
 *
 * @throws {RangeError} When an output row is too wide for the loop budget.
 */
export async function encodeConv2dDirectBackwardWeight(
  rec: CommandRecorder,
  a: Conv2dBackwardWeightArgs,
  s: Conv2dSizes,
): Promise<void> {
  const hasBias = a.biasOffset !== undefined;
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
