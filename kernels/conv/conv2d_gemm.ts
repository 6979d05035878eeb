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
 * Scratch: each recorder keeps its own scratch buffers ("patches", "stage", "weight"), reused across
 * calls and grown as needed (a replaced buffer is destroyed after the recorder's next flush), never
 * shared between recorders, so interleaved recordings cannot overwrite each other. Samples are
 * processed in chunks of R = floor(64 MiB / scratch bytes per sample), so the patches and staging
 * of one pass stay within {@linkcode CONV2D_SCRATCH_BYTES} (a recorder holds the largest of each
 * buffer over the passes it ran, below 2 x 64 MiB plus the packed weights);
 * {@linkcode releaseConv2dScratch} frees them. A sample that alone exceeds the cap (or the device's
 * storage binding size) is refused here, and `"auto"` in kernels/conv/conv2d.ts uses the direct kernels.
 *
 * @module
 */
import type { CommandRecorder } from "../../lib/gpu/recorder.ts";
import { createBuffer } from "../../lib/gpu/buffers.ts";
import type { GpuContext } from "../../lib/gpu/device.ts";
import type { MatmulPlan } from "../matmul/matmul_shape.ts";
import { encodeMatmul } from "../matmul/matmul.ts";
import { encodeViewCopy } from "../model_ops/model_ops.ts";
import { type Conv2dShape, conv2dSizes } from "./conv2d_shape.ts";
import { encodeIm2col, encodeSwapAxes } from "./conv2d_layout.ts";
import { encodePackWeight, encodeScatterWeight, type PackWeightArgs } from "./conv2d_weight_layout.ts";
import type { Conv2dBackwardInputArgs, Conv2dBackwardWeightArgs, Conv2dForwardArgs } from "./conv2d_shape.ts";

/** The most scratch memory one conv pass uses per recorder, in bytes (64 MiB). */
export const CONV2D_SCRATCH_BYTES = 64 * 1024 * 1024;

/** Knobs of the matrix-product path (tests use them to force chunking). */
export interface Conv2dGemmOptions {
  /** Scratch bytes per pass (default {@linkcode CONV2D_SCRATCH_BYTES}); sets the samples per chunk. */
  scratchBytes?: number;
  /** Largest K per matmul dispatch (default: from the loop budget). */
  kChunk?: number;
}

/** The three conv2d passes. */
export type Conv2dPass = "forward" | "backwardInput" | "backwardWeight";

const roundUp4 = (n: number) => Math.ceil(n / 4) * 4;

/**
 * Scratch floats one sample needs in a pass: its patch matrix plus its share of the staged output
 * (forward, input gradient) or of the swapped output gradient (weight gradient).
 *
 * @param shape The layer shape.
 * @param pass The pass.
 * @returns Floats per sample.
 */
export function conv2dGemmFloatsPerSample(shape: Conv2dShape, pass: Conv2dPass): number {
  const s = conv2dSizes(shape, `plan "conv2d"`);
  const kk = shape.kernelSize ** 2, outPixels = s.outHeight * s.outWidth;
  const inPixels = shape.height * shape.width;
  if (pass === "backwardInput") return (roundUp4(shape.outChannels * kk) + shape.inChannels) * inPixels;
  return (roundUp4(shape.inChannels * kk + 1) + shape.outChannels) * outPixels;
}

/**
 * Samples per chunk of a pass on the matrix-product path, 0 when one sample's scratch alone exceeds
 * the scratch cap or the device's storage binding size.
 *
 * @param gpu The GPU context.
 * @param shape The layer shape.
 * @param pass The pass.
 * @param scratchBytes The scratch cap (default {@linkcode CONV2D_SCRATCH_BYTES}).
 * @returns Samples per chunk, in [0, batch].
 */
export function conv2dGemmSamplesPerChunk(
  gpu: GpuContext,
  shape: Conv2dShape,
  pass: Conv2dPass,
  scratchBytes = CONV2D_SCRATCH_BYTES,
): number {
  const cap = Math.min(scratchBytes, gpu.device.limits.maxStorageBufferBindingSize);
  return Math.min(shape.batch, Math.floor(cap / (4 * conv2dGemmFloatsPerSample(shape, pass))));
}

const scratchByRecorder = new WeakMap<CommandRecorder, Map<string, GPUBuffer>>();

/** A scratch buffer of at least `floats` floats owned by `rec` (a grown one replaces the old after the flush). */
function scratch(rec: CommandRecorder, name: string, floats: number): GPUBuffer {
  let pool = scratchByRecorder.get(rec);
  if (!pool) scratchByRecorder.set(rec, pool = new Map());
  const have = pool.get(name);
  if (have && have.size >= floats * 4) return have;
  if (have) rec.releaseAfterFlush(have);
  const buffer = createBuffer(rec.gpu, floats * 4, `conv2d scratch ${name}`);
  pool.set(name, buffer);
  return buffer;
}

/**
 * Destroys the scratch buffers `rec` holds for conv2d, after its next flush.
 *
 * @param rec The recorder.
 */
export function releaseConv2dScratch(rec: CommandRecorder): void {
  for (const buffer of scratchByRecorder.get(rec)?.values() ?? []) rec.releaseAfterFlush(buffer);
  scratchByRecorder.delete(rec);
}

async function packWeight(
  rec: CommandRecorder,
  args: Omit<PackWeightArgs, "out">,
): Promise<GPUBuffer> {
  const rows = args.flipped ? args.shape.inChannels : args.shape.outChannels;
  const out = scratch(rec, "weight", rows * args.kPadded);
  await encodePackWeight(rec, { ...args, out });
  return out;
}

function chunkSize(rec: CommandRecorder, shape: Conv2dShape, pass: Conv2dPass, o: Conv2dGemmOptions): number {
  const rows = conv2dGemmSamplesPerChunk(rec.gpu, shape, pass, o.scratchBytes);
  if (rows < 1) {
    throw new RangeError(
      `Cannot run "conv2d" (${pass}) as matrix products: one sample needs ${
        4 * conv2dGemmFloatsPerSample(shape, pass)
      } scratch bytes, more than the cap ${
        Math.min(o.scratchBytes ?? CONV2D_SCRATCH_BYTES, rec.gpu.device.limits.maxStorageBufferBindingSize)
      }`,
    );
  }
  return rows;
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
  const chunk = chunkSize(rec, shape, "forward", o);
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
    const patches = scratch(rec, "patches", rows * kPadded * pixels);
    await encodeIm2col(rec, {
      shape: { channels: shape.inChannels, height: shape.height, width: shape.width, ...kernel(shape) },
      x: a.x,
      out: patches,
      sampleBegin: begin,
      rows,
      kPadded,
      onesRow: bias !== undefined,
      layout: "columns",
    });
    // The first chunk lands in y directly; later ones are staged and copied to their offset.
    const out = begin === 0 ? a.y : scratch(rec, "stage", rows * outFloats);
    await encodeMatmul(rec, {
      a: packed,
      b: patches,
      c: out,
      plan: batchedPlan(shape.outChannels, pixels, kPadded, rows),
      transposeA: false,
      transposeB: false,
      variant: "auto",
      kChunk: o.kChunk,
    });
    if (begin > 0) rec.copy(out, 0, a.y, begin * outFloats * 4, rows * outFloats * 4);
  }
}

function kernel(shape: Conv2dShape): { kernelSize: number; padding: number } {
  return { kernelSize: shape.kernelSize, padding: shape.padding };
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
  const chunk = chunkSize(rec, shape, "backwardInput", o);
  const weightOffset = a.weightOffset ?? 0;
  const packed = await packWeight(rec, { shape, weight: a.weight, weightOffset, flipped: true, kPadded });
  const outFloats = shape.inChannels * pixels;
  for (let begin = 0; begin < shape.batch; begin += chunk) {
    const rows = Math.min(chunk, shape.batch - begin);
    const patches = scratch(rec, "patches", rows * kPadded * pixels);
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
    const out = direct ? a.gradInput : scratch(rec, "stage", rows * outFloats);
    await encodeMatmul(rec, {
      a: packed,
      b: patches,
      c: out,
      plan: batchedPlan(shape.inChannels, pixels, kPadded, rows),
      transposeA: false,
      transposeB: false,
      variant: "auto",
      kChunk: o.kChunk,
    });
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
  const chunk = chunkSize(rec, shape, "backwardWeight", o);
  const product = scratch(rec, "weight", shape.outChannels * kPadded);
  for (let begin = 0; begin < shape.batch; begin += chunk) {
    const rows = Math.min(chunk, shape.batch - begin);
    const patches = scratch(rec, "patches", rows * pixels * kPadded);
    await encodeIm2col(rec, {
      shape: { channels: shape.inChannels, height: shape.height, width: shape.width, ...kernel(shape) },
      x: a.x,
      out: patches,
      sampleBegin: begin,
      rows,
      kPadded,
      onesRow: hasBias,
      layout: "rows",
    });
    const swapped = scratch(rec, "stage", shape.outChannels * rows * pixels);
    await encodeSwapAxes(rec, {
      g: a.gradOutput,
      out: swapped,
      channels: shape.outChannels,
      pixels,
      sampleBegin: begin,
      rows,
    });
    await encodeMatmul(rec, {
      a: swapped,
      b: patches,
      c: product,
      plan: { ...batchedPlan(shape.outChannels, kPadded, rows * pixels, 1), strideB: 0 },
      transposeA: false,
      transposeB: false,
      variant: "auto",
      kChunk: o.kChunk,
    });
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
