/**
 * The weight-side layout kernels of conv2d as matrix products (kernels/conv/conv2d_gemm.ts): the conv weight
 * packed as the left operand of the patch products, and the weight-gradient product scattered back into the
 * flat weight and bias gradient. No loops beyond the K x K taps, no barriers.
 *
 * | kernel | computes |
 * |---|---|
 * | conv2d_pack_weight.wgsl | the weight (+ bias column) as [C_out, Kp], or the flipped kernel as [C_in, Kp] |
 * | conv2d_scatter_weight.wgsl | the product [C_out, Kp] into the flat weight and bias gradient, (+)= |
 *
 * Every function records dispatches and submits nothing. References: packWeightReference in
 * lib/reference/conv2d_im2col.ts; the scatter is an index map checked through the gradients it produces.
 *
 * @module
 */
import packWeightSource from "./conv2d_pack_weight.wgsl" with { type: "text" };
import scatterWeightSource from "./conv2d_scatter_weight.wgsl" with { type: "text" };
import { type CommandRecorder, dispatch1d } from "../../lib/gpu/recorder.ts";
import type { KernelSource, OverrideConstants } from "../../lib/gpu/pipelines.ts";
import { StructLayout } from "../../lib/gpu/params.ts";
import type { Conv2dShape } from "./conv2d_shape.ts";

/** The uniform struct of kernels/conv/conv2d_scatter_weight.wgsl. */
const SCATTER_WEIGHT_PARAMS = new StructLayout(
  "Params",
  "kernels/conv/conv2d_scatter_weight.wgsl",
  [
    ["out_channels", "u32"],
    ["k_dim", "u32"],
    ["k_padded", "u32"],
    ["weight_offset", "u32"],
    ["bias_offset", "u32"],
    ["has_bias", "u32"],
    ["accumulate", "u32"],
  ] as const,
);

/** The uniform struct of kernels/conv/conv2d_pack_weight.wgsl. */
const PACK_WEIGHT_PARAMS = new StructLayout(
  "Params",
  "kernels/conv/conv2d_pack_weight.wgsl",
  [
    ["in_channels", "u32"],
    ["out_channels", "u32"],
    ["k_padded", "u32"],
    ["weight_offset", "u32"],
    ["bias_offset", "u32"],
    ["has_bias", "u32"],
    ["flipped", "u32"],
  ] as const,
);

const WORKGROUP_SIZE = 64;

const KERNELS = {
  packWeight: {
    label: "conv2d_pack_weight",
    parts: [{ file: "kernels/conv/conv2d_pack_weight.wgsl", code: packWeightSource }],
  },
  scatterWeight: {
    label: "conv2d_scatter_weight",
    parts: [{ file: "kernels/conv/conv2d_scatter_weight.wgsl", code: scatterWeightSource }],
  },
} satisfies Record<string, KernelSource>;

async function dispatch(
  rec: CommandRecorder,
  kernel: KernelSource,
  kernelSize: number | undefined,
  invocations: number,
  bindings: GPUBuffer[],
): Promise<void> {
  const constants: OverrideConstants & { WORKGROUP_SIZE: number } = kernelSize === undefined
    ? { WORKGROUP_SIZE }
    : { WORKGROUP_SIZE, KERNEL_SIZE: kernelSize };
  await dispatch1d(rec, { kernel, constants, invocations, bindings });
}

/** Arguments of {@linkcode encodePackWeight}. */
export interface PackWeightArgs {
  shape: Conv2dShape;
  /** Weight [C_out, C_in, K, K] from element `weightOffset`. */
  weight: GPUBuffer;
  weightOffset: number;
  /** Bias [C_out] put in column C_in K K (forward operand only). */
  bias?: { buffer: GPUBuffer; offset: number };
  /** The input-gradient operand [C_in, C_out K K] of the flipped kernel instead of [C_out, C_in K K]. */
  flipped: boolean;
  /** Row length (zero-padded). */
  kPadded: number;
  /** Output, (flipped ? C_in : C_out) kPadded floats. */
  out: GPUBuffer;
}

/**
 * Records a conv weight as the left operand of the patch products (kernels/conv/conv2d_pack_weight.wgsl;
 * reference: packWeightReference in lib/reference/conv2d_im2col.ts).
 *
 * @param rec The recorder.
 * @param a Shape, buffers and layout.
 */
export async function encodePackWeight(rec: CommandRecorder, a: PackWeightArgs): Promise<void> {
  const { shape, kPadded } = a, rows = a.flipped ? shape.inChannels : shape.outChannels;
  const params = PACK_WEIGHT_PARAMS.bytes({
    in_channels: shape.inChannels,
    out_channels: shape.outChannels,
    k_padded: kPadded,
    weight_offset: a.weightOffset,
    bias_offset: a.bias?.offset ?? 0,
    has_bias: a.bias ? 1 : 0,
    flipped: a.flipped ? 1 : 0,
  });
  await dispatch(rec, KERNELS.packWeight, shape.kernelSize, rows * kPadded, [
    a.weight,
    a.bias?.buffer ?? a.weight,
    a.out,
    rec.uniform(params, "conv2d_pack_weight params"),
  ]);
}

/** Arguments of {@linkcode encodeScatterWeight}. */
export interface ScatterWeightArgs {
  /** The product [C_out, kPadded]; column kDim is the bias gradient. */
  product: GPUBuffer;
  /** The flat gradient vector. */
  grad: GPUBuffer;
  outChannels: number;
  /** C_in K K. */
  kDim: number;
  kPadded: number;
  weightOffset: number;
  /** Where the bias gradient goes; none when undefined. */
  biasOffset?: number;
  /** Add instead of overwrite. */
  accumulate: boolean;
}

/**
 * Records grad[weight view] (+)= product[:, :kDim] and grad[bias view] (+)= product[:, kDim]
 * (kernels/conv/conv2d_scatter_weight.wgsl).
 *
 * @param rec The recorder.
 * @param a Buffers, sizes, offsets and `accumulate`.
 */
export async function encodeScatterWeight(rec: CommandRecorder, a: ScatterWeightArgs): Promise<void> {
  const params = SCATTER_WEIGHT_PARAMS.bytes({
    out_channels: a.outChannels,
    k_dim: a.kDim,
    k_padded: a.kPadded,
    weight_offset: a.weightOffset,
    bias_offset: a.biasOffset ?? 0,
    has_bias: a.biasOffset !== undefined ? 1 : 0,
    accumulate: a.accumulate ? 1 : 0,
  });
  await dispatch(rec, KERNELS.scatterWeight, undefined, a.outChannels * (a.kDim + 1), [
    a.product,
    a.grad,
    rec.uniform(params, "conv2d_scatter_weight params"),
  ]);
}
