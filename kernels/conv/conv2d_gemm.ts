/**
 * Conv2d as matrix products: the fast path of kernels/conv/conv2d.ts. Each pass unfolds its input into a
 * patch matrix in a scratch buffer and hands the product to the register-blocked matmul
 * (kernels/matmul/matmul.ts); the layout kernels are in kernels/conv/conv2d_layout.ts (im2col, swap axes)
 * and kernels/conv/conv2d_weight_layout.ts (pack and scatter weight):
 *
 * | pass | product (per chunk of R samples) | layout kernels |
 * |---|---|---|
 * | forward | y[n] = Wb [C_out, Kp] patches(x)[n] [Kp, P], batched over n; the bias is a row of ones | im2col (columns), pack weight |
 * | input gradient | dx[n] = Wf [C_in, Kp] patches(g, padding K-1-p)[n], Wf the flipped kernel (a full convolution) | im2col (columns), pack weight (flipped) |
 * | weight gradient | dW [C_out, Kp] = g^T [C_out, R P] patches(x)^T [R P, Kp]; column C_in K K is db | im2col (rows), swap axes, scatter weight |
 *
 * Kp = C_in K K (+1 for the bias row; C_out K K for the input gradient) rounded up to a multiple of
 * 4, so every product takes matmul's vec4 path when P = H_out W_out is a multiple of 4. encodeMatmul
 * splits the K loop of each product within the loop budget; the layout kernels have no loops.
 *
 * Scratch buffers and chunking are planned in kernels/conv/conv2d_gemm_scratch.ts (re-exported here):
 * samples run in chunks whose patches and staging stay within {@linkcode CONV2D_SCRATCH_BYTES} per
 * recorder. A sample that alone exceeds the cap (or the device's storage binding size) is refused here,
 * and `"auto"` in kernels/conv/conv2d.ts uses the direct kernels.
 *
 * @module
 */
import type { CommandRecorder } from "../../lib/gpu/recorder.ts";
import type { MatmulPlan } from "../matmul/matmul_shape.ts";
import { encodeMatmul } from "../matmul/matmul.ts";
import { encodeViewCopy } from "../model_ops/model_ops.ts";
import { type Conv2dShape, conv2dSizes } from "./conv2d_shape.ts";
import { conv2dGemmChunk, type Conv2dGemmOptions, conv2dScratch, roundUp4 } from "./conv2d_gemm_scratch.ts";
import { encodeIm2col, encodeSwapAxes } from "./conv2d_layout.ts";
import { encodePackWeight, encodeScatterWeight, type PackWeightArgs } from "./conv2d_weight_layout.ts";
import type { Conv2dBackwardInputArgs, Conv2dBackwardWeightArgs, Conv2dForwardArgs } from "./conv2d_shape.ts";

export {
  CONV2D_SCRATCH_BYTES,
  conv2dGemmFloatsPerSample,
  type Conv2dGemmOptions,
  conv2dGemmSamplesPerChunk,
  type Conv2dPass,
  releaseConv2dScratch,
} from "./conv2d_gemm_scratch.ts";

/** Packs the (flipped) weight and bias into the "weight" scratch buffer as a [rows, kPadded] matrix. */
async function packWeight(
  rec: CommandRecorder,
  args: Omit<PackWeightArgs, "out">,
): Promise<GPUBuffer> {
  const rows = args.flipped ? args.shape.inChannels : args.shape.outChannels;
  const out = conv2dScratch(rec, "weight", rows * args.kPadded);
  await encodePackWeight(rec, { ...args, out });
  return out;
}

/** Records c = a b, neither transposed, with the register-blocked matmul's automatic variant. */
function encodeProduct(
  rec: CommandRecorder,
  a: GPUBuffer,
  b: GPUBuffer,
  c: GPUBuffer,
  plan: MatmulPlan,
  kChunk: number | undefined,
): Promise<void> {
  return encodeMatmul(rec, { a, b, c, plan, transposeA: false, transposeB: false, variant: "auto", kChunk });
}

function batchedPlan(m: number, n: number, k: number, batch: number): MatmulPlan {
  return { m, n, k, batch, strideA: 0, strideB: k * n, strideC: m * n, outShape: [batch, m, n] };
}

/**
 * Records y = conv2d(x, weight) + bias as matrix products (arguments validated by the caller,
 * kernels/conv/conv2d.ts).
 *
 * @param rec The recorder.
 * @param a Shape, buffers and offsets.
 * @param o Chunking knobs.
 * @throws {RangeError} When one sample's scratch exceeds the cap.
 */
export async function encodeConv2dGemmForward(
  rec: CommandRecorder,
  a: Conv2dForwardArgs,
  o: Conv2dGemmOptions = {},
): Promise<void> {
  const { shape } = a, s = conv2dSizes(shape), pixels = s.outHeight * s.outWidth;
  const kDim = shape.inChannels * shape.kernelSize ** 2, kPadded = roundUp4(kDim + (a.bias ? 1 : 0));
  const chunk = conv2dGemmChunk(rec, shape, "forward", o);
  const bias = a.bias ? { buffer: a.bias, offset: a.biasOffset ?? 0 } : undefined;
  const weightOffset = a.weightOffset ?? 0;
  const packed = await packWeight(rec, {
    shape,
    weight: a.weight,
    weightOffset,
    bias,
    flipped: false,
    kPadded,
  });
  const outFloats = shape.outChannels * pixels;
  for (let begin = 0; begin < shape.batch; begin += chunk) {
    const rows = Math.min(chunk, shape.batch - begin);
    const patches = await inputPatches(
      rec,
      a,
      { begin, rows, pixels, kPadded },
      bias !== undefined,
      "columns",
    );
    // The first chunk lands in y directly; later ones are staged and copied to their offset.
    const out = begin === 0 ? a.y : conv2dScratch(rec, "stage", rows * outFloats);
    await encodeProduct(
      rec,
      packed,
      patches,
      out,
      batchedPlan(shape.outChannels, pixels, kPadded, rows),
      o.kChunk,
    );
    if (begin > 0) rec.copy(out, 0, a.y, begin * outFloats * 4, rows * outFloats * 4);
  }
}

/**
 * Unfolds the input x of one chunk of samples into the "patches" scratch buffer: [rows, kPadded, pixels]
 * ("columns", the forward pass) or [rows pixels, kPadded] ("rows", the weight gradient), with a row of ones
 * for the bias when asked.
 */
async function inputPatches(
  rec: CommandRecorder,
  a: { shape: Conv2dShape; x: GPUBuffer },
  chunk: { begin: number; rows: number; pixels: number; kPadded: number },
  onesRow: boolean,
  layout: "columns" | "rows",
): Promise<GPUBuffer> {
  const { shape } = a, { rows, kPadded } = chunk;
  const patches = conv2dScratch(rec, "patches", rows * kPadded * chunk.pixels);
  await encodeIm2col(rec, {
    shape: {
      channels: shape.inChannels,
      height: shape.height,
      width: shape.width,
      kernelSize: shape.kernelSize,
      padding: shape.padding,
    },
    x: a.x,
    out: patches,
    sampleBegin: chunk.begin,
    rows,
    kPadded,
    onesRow,
    layout,
  });
  return patches;
}

/**
 * Records dL/dx of conv2d as the full convolution of g with the flipped kernel, as matrix products
 * (arguments validated by the caller, kernels/conv/conv2d.ts).
 *
 * @param rec The recorder.
 * @param a Shape, buffers, offsets and `accumulate`.
 * @param o Chunking knobs.
 * @throws {RangeError} When one sample's scratch exceeds the cap.
 */
export async function encodeConv2dGemmBackwardInput(
  rec: CommandRecorder,
  a: Conv2dBackwardInputArgs,
  o: Conv2dGemmOptions = {},
): Promise<void> {
  const { shape } = a, s = conv2dSizes(shape), pixels = shape.height * shape.width;
  const k = shape.kernelSize, kPadded = roundUp4(shape.outChannels * k * k);
  const chunk = conv2dGemmChunk(rec, shape, "backwardInput", o);
  const weightOffset = a.weightOffset ?? 0;
  const packed = await packWeight(rec, { shape, weight: a.weight, weightOffset, flipped: true, kPadded });
  const outFloats = shape.inChannels * pixels;
  for (let begin = 0; begin < shape.batch; begin += chunk) {
    const rows = Math.min(chunk, shape.batch - begin);
    const patches = conv2dScratch(rec, "patches", rows * kPadded * pixels);
    await encodeIm2col(rec, {
      shape: {
        channels: shape.outChannels,
        height: s.outHeight,
        width: s.outWidth,
        kernelSize: k,
        padding: k - 1 - shape.padding,
      },
      x: a.gradOutput,
      out: patches,
      sampleBegin: begin,
      rows,
      kPadded,
      onesRow: false,
      layout: "columns",
    });
    const direct = begin === 0 && !a.accumulate;
    const out = direct ? a.gradInput : conv2dScratch(rec, "stage", rows * outFloats);
    await encodeProduct(
      rec,
      packed,
      patches,
      out,
      batchedPlan(shape.inChannels, pixels, kPadded, rows),
      o.kChunk,
    );
    if (direct) continue;
    const size = rows * outFloats, dstOffset = begin * outFloats;
    if (a.accumulate) {
      await encodeViewCopy(rec, { src: out, dst: a.gradInput, size, dstOffset, accumulate: true });
    } else rec.copy(out, 0, a.gradInput, dstOffset * 4, size * 4);
  }
}

/**
 * Records dL/dw and dL/db of conv2d, summed over the batch, as matrix products (arguments validated
 * by the caller, kernels/conv/conv2d.ts).
 *
 * @param rec The recorder.
 * @param a Shape, buffers, offsets and `accumulate`.
 * @param o Chunking knobs.
 * @throws {RangeError} When one sample's scratch exceeds the cap.
 */
export async function encodeConv2dGemmBackwardWeight(
  rec: CommandRecorder,
  a: Conv2dBackwardWeightArgs,
  o: Conv2dGemmOptions = {},
): Promise<void> {
  const { shape } = a, s = conv2dSizes(shape), pixels = s.outHeight * s.outWidth;
  const hasBias = a.biasOffset !== undefined;
  const kDim = shape.inChannels * shape.kernelSize ** 2, kPadded = roundUp4(kDim + (hasBias ? 1 : 0));
  const chunk = conv2dGemmChunk(rec, shape, "backwardWeight", o);
  const product = conv2dScratch(rec, "weight", shape.outChannels * kPadded);
  for (let begin = 0; begin < shape.batch; begin += chunk) {
    const rows = Math.min(chunk, shape.batch - begin);
    const patches = await inputPatches(rec, a, { begin, rows, pixels, kPadded }, hasBias, "rows");
    const swapped = conv2dScratch(rec, "stage", shape.outChannels * rows * pixels);
    await encodeSwapAxes(rec, {
      g: a.gradOutput,
      out: swapped,
      channels: shape.outChannels,
      pixels,
      sampleBegin: begin,
      rows,
    });
    await encodeProduct(rec, swapped, patches, product, {
      ...batchedPlan(shape.outChannels, kPadded, rows * pixels, 1),
      strideB: 0,
    }, o.kChunk);
    await encodeScatterWeight(rec, {
      product,
      grad: a.grad,
      outChannels: shape.outChannels,
      kDim,
      kPadded,
      weightOffset: a.weightOffset ?? 0,
      biasOffset: a.biasOffset,
      accumulate: a.accumulate || begin > 0,
    });
  }
}
