/**
 * The shapes the conv2d kernels consume (kernels/conv/conv2d.ts, kernels/conv/conv2d_gemm.ts,
 * kernels/conv/conv2d_layout.ts) and their checks; the float64 oracles (lib/reference/conv2d.ts,
 * conv2d_im2col.ts) use the same ones.
 *
 * @module
 */

/** Kernel sizes the conv kernels support. */
export const CONV2D_KERNEL_SIZES = [3, 5] as const;

/** The shape of one conv2d layer applied to a batch. */
export interface Conv2dShape {
  /** N, samples in the batch. */
  batch: number;
  /** C_in. */
  inChannels: number;
  /** C_out. */
  outChannels: number;
  /** H of the input. */
  height: number;
  /** W of the input. */
  width: number;
  /** k, the side of the square kernel: 3 or 5. */
  kernelSize: 3 | 5;
  /** p, zero padding on each side: 0, 1 or 2 (2 with the 5x5 kernel only: p < k, "same" output for 5x5). */
  padding: 0 | 1 | 2;
}

/** Sizes derived from a {@linkcode Conv2dShape}. */
export interface Conv2dSizes {
  /** H_out = H + 2p - k + 1. */
  outHeight: number;
  /** W_out = W + 2p - k + 1. */
  outWidth: number;
  /** Elements of x, N C_in H W. */
  inputSize: number;
  /** Elements of y, N C_out H_out W_out. */
  outputSize: number;
  /** Elements of the weight, C_out C_in k k. */
  weightSize: number;
}

/**
 * Validates a conv2d shape and derives its sizes.
 *
 * @param shape The layer shape.
 * @param action What is being done, for the message (e.g. `run "conv2d_forward"`).
 * @returns Output sizes and element counts.
 * @throws {RangeError} On a non-integer or zero size, an unsupported kernel size or padding, or an
 *   input smaller than the kernel.
 */
export function conv2dSizes(shape: Conv2dShape, action = `run "conv2d"`): Conv2dSizes {
  for (const key of ["batch", "inChannels", "outChannels", "height", "width"] as const) {
    const v = shape[key];
    if (!Number.isInteger(v) || v < 1) throw new RangeError(`Cannot ${action}: ${key} is ${v}, must be >= 1`);
  }
  const { kernelSize: k, padding: p } = shape;
  if (!(CONV2D_KERNEL_SIZES as readonly number[]).includes(k)) {
    throw new RangeError(`Cannot ${action}: kernelSize is ${k}, must be 3 or 5`);
  }
  if (!(p === 0 || p === 1 || (p === 2 && k === 5))) {
    throw new RangeError(`Cannot ${action}: padding is ${p}, must be 0 or 1 (or 2 with the 5x5 kernel)`);
  }
  const outHeight = shape.height + 2 * p - k + 1, outWidth = shape.width + 2 * p - k + 1;
  if (outHeight < 1 || outWidth < 1) {
    throw new RangeError(
      `Cannot ${action}: input ${shape.height}x${shape.width} with padding ${p} is smaller than the ${k}x${k} kernel`,
    );
  }
  return {
    outHeight,
    outWidth,
    inputSize: shape.batch * shape.inChannels * shape.height * shape.width,
    outputSize: shape.batch * shape.outChannels * outHeight * outWidth,
    weightSize: shape.outChannels * shape.inChannels * k * k,
  };
}

/** The image and kernel geometry of an unfold. */
export interface Im2colShape {
  /** Channels C of the input. */
  channels: number;
  /** H of the input. */
  height: number;
  /** W of the input. */
  width: number;
  /** K, the side of the square kernel. */
  kernelSize: number;
  /** Zero padding on each side, 0 <= padding < K. */
  padding: number;
}

/**
 * Output height and width of a stride-1 unfold.
 *
 * @param s The geometry.
 * @returns [H + 2p - K + 1, W + 2p - K + 1].
 */
export function im2colOutputSize(s: Im2colShape): [number, number] {
  return [s.height + 2 * s.padding - s.kernelSize + 1, s.width + 2 * s.padding - s.kernelSize + 1];
}

/** Arguments of {@linkcode encodeConv2dForward}. */
export interface Conv2dForwardArgs {
  shape: Conv2dShape;
  /** The kernel variant (default `"auto"`). */
  variant?: Conv2dVariant;
  /** Input [N, C_in, H, W]. */
  x: GPUBuffer;
  /** Weight [C_out, C_in, k, k] starting at element `weightOffset`. */
  weight: GPUBuffer;
  weightOffset?: number;
  /** Bias [C_out] starting at element `biasOffset` (may be the weight's buffer); none when omitted. */
  bias?: GPUBuffer;
  biasOffset?: number;
  /** Output [N, C_out, H_out, W_out]; must differ from the inputs. */
  y: GPUBuffer;
}

/** Arguments of {@linkcode encodeConv2dBackwardInput}. */
export interface Conv2dBackwardInputArgs {
  shape: Conv2dShape;
  /** The kernel variant (default `"auto"`). */
  variant?: Conv2dVariant;
  /** g = dL/dy [N, C_out, H_out, W_out]. */
  gradOutput: GPUBuffer;
  /** Weight [C_out, C_in, k, k] starting at element `weightOffset`. */
  weight: GPUBuffer;
  weightOffset?: number;
  /** dL/dx [N, C_in, H, W]; must differ from the inputs. */
  gradInput: GPUBuffer;
  /** Add to gradInput instead of overwriting it (default false). */
  accumulate?: boolean;
}

/** Arguments of {@linkcode encodeConv2dBackwardWeight}. */
export interface Conv2dBackwardWeightArgs {
  shape: Conv2dShape;
  /** The kernel variant (default `"auto"`). */
  variant?: Conv2dVariant;
  /** Input [N, C_in, H, W]. */
  x: GPUBuffer;
  /** g = dL/dy [N, C_out, H_out, W_out]. */
  gradOutput: GPUBuffer;
  /** Gradient vector: dL/dw [C_out, C_in, k, k] at `weightOffset`, dL/db [C_out] at `biasOffset`. */
  grad: GPUBuffer;
  weightOffset?: number;
  /** Where dL/db goes in `grad`; no bias gradient when omitted. */
  biasOffset?: number;
  /** Add to grad instead of overwriting it (default false). */
  accumulate?: boolean;
}

/** How a conv2d pass runs: `"gemm"` (patch matrices + matmul), `"direct"` (one loop per output), or `"auto"`. */
export type Conv2dVariant = "auto" | "gemm" | "direct";
