/**
 * Conv2d layer kernels (NCHW, stride 1, kernel 3x3 or 5x5, zero padding 0 or 1, or 2 with 5x5): forward,
 * input gradient, and weight/bias gradient, in two variants chosen per call by `variant`:
 *
 * - `"gemm"`: patch matrices and the register-blocked matmul (kernels/conv/conv2d_gemm.ts), 5-8x faster
 *   on the CPU adapter; needs scratch memory (at most 64 MiB per pass, in chunks of samples);
 * - `"direct"`: one invocation per output element (kernels/conv/conv2d_direct.ts), no scratch, the baseline;
 * - `"auto"` (default): gemm, unless the product has fewer than 8 rows (channels) or one sample's
 *   patch matrix alone exceeds the scratch cap ({@linkcode resolveConv2dVariant}).
 *
 * Weights, biases and their gradients are addressed by element offsets, so they can be views of a
 * flat parameter (or gradient) buffer. Every function records dispatches and submits nothing.
 * The float64 reference is lib/reference/conv2d.ts.
 *
 * @module
 */
import type { CommandRecorder } from "../../lib/gpu/recorder.ts";
import { conv2dSizes } from "./conv2d_shape.ts";
import {
  encodeConv2dDirectBackwardInput,
  encodeConv2dDirectBackwardWeight,
  encodeConv2dDirectForward,
} from "./conv2d_direct.ts";
export {
  conv2dChannelsPerDispatch,
  conv2dIterationsPerChannel,
  conv2dRowsPerDispatch,
} from "./conv2d_direct.ts";
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

export { type Conv2dVariant } from "./conv2d_shape.ts";

export type { Conv2dShape } from "./conv2d_shape.ts";

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
  return encodeConv2dDirectForward(rec, a, s);
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
  return encodeConv2dDirectBackwardInput(rec, a, s);
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
  return encodeConv2dDirectBackwardWeight(rec, a, s);
}
