/**
 * GPU plumbing shared by the MLP's passes (lib/models/mlp_gpu.ts) and the CNN's (lib/models/cnn_gpu*.ts):
 * the batch a pass records, the buffers a model owns, its dense layers' whole-buffer copies of the flat
 * parameters and direction (matmul binds whole buffers), staging a chunk's rows, the dense matmul, and
 * copies into flat views. Not part of the public API (the batch types are exported by the models).
 *
 * @module
 */
import type { GpuContext } from "../gpu/device.ts";
import { createBuffer } from "../gpu/buffers.ts";
import type { CommandRecorder } from "../gpu/recorder.ts";
import { planMatmul } from "../backend/tensor.ts";
import { encodeMatmul } from "../../kernels/matmul/matmul.ts";
import { encodeViewCopy } from "../../kernels/model_ops/model_ops.ts";
import type { ParameterLayout } from "./parameters.ts";

/** One batch (or one chunk of a full batch) for a model's GPU `encode` (`MlpGpu`, `CnnGpu`). */
export interface ModelGpuBatch {
  /** Flat parameters. */
  params: GPUBuffer;
  /** Inputs, row-major [>= firstRow + rows, inputs]. */
  x: GPUBuffer;
  /** Targets, row-major [>= firstRow + rows, outputs]. */
  y: GPUBuffer;
  /** First row of x and y used. */
  firstRow: number;
  /** Rows used. */
  rows: number;
  /** The loss is scale * sum of per-sample losses (1 / rows for a batch mean, 1 / N for a chunk of N). */
  scale: number;
  /** Add into `loss`, `gradient` and `hvp.out` instead of overwriting them. */
  accumulate: boolean;
  /** Where element 0 receives the loss. */
  loss: GPUBuffer;
  /** Where the flat gradient goes (optional: without it and `hvp` only the forward pass and loss run). */
  gradient?: GPUBuffer;
  /** A flat direction v and where the exact H v goes (optional). */
  hvp?: { direction: GPUBuffer; out: GPUBuffer };
  /** Where the outputs f [rows, outputs] are copied (optional), from element `outputsOffset` (0). */
  outputs?: GPUBuffer;
  /** First element of `outputs` written. */
  outputsOffset?: number;
}

/** A dense layer: its shape, where it lives in the flat vectors, and whole-buffer copies (matmul binds whole buffers). */
export interface DenseLayer {
  nIn: number;
  nOut: number;
  weightOffset: number;
  biasOffset: number;
  w: GPUBuffer;
  b: GPUBuffer;
  /** The direction's slices of this layer, as whole buffers. */
  vw: GPUBuffer;
  vb: GPUBuffer;
}

/** The GPU buffers a model's passes own, labelled `<prefix> <label>`, destroyed together. */
export class OwnedBuffers {
  #gpu: GpuContext;
  #prefix: string;
  #owned: GPUBuffer[] = [];

  /** @param gpu The context; @param prefix The label prefix (e.g. "mlp"). */
  constructor(gpu: GpuContext, prefix: string) {
    this.#gpu = gpu;
    this.#prefix = prefix;
  }

  /** A new f32 buffer of `elements` elements. */
  make(elements: number, label: string): GPUBuffer {
    const b = createBuffer(this.#gpu, elements * 4, `${this.#prefix} ${label}`);
    this.#owned.push(b);
    return b;
  }

  /** Frees every buffer made (after the work using them was submitted). */
  destroy(): void {
    for (const b of this.#owned) b.destroy();
    this.#owned = [];
  }
}

/**
 * The dense layers `fc1..` of widths `[n_0, n_1, ...]` with their weight and direction copies, and the
 * size of the largest weight matrix (for a shared weight-gradient buffer).
 */
export function denseLayers(
  layout: ParameterLayout,
  widths: readonly number[],
  buffers: OwnedBuffers,
): { layers: DenseLayer[]; largest: number } {
  const layers: DenseLayer[] = [];
  let largest = 0;
  for (let l = 1; l < widths.length; l++) {
    const nIn = widths[l - 1], nOut = widths[l];
    largest = Math.max(largest, nIn * nOut);
    layers.push({
      nIn,
      nOut,
      weightOffset: layout.view(`fc${l}.weight`).offset,
      biasOffset: layout.view(`fc${l}.bias`).offset,
      w: buffers.make(nIn * nOut, `fc${l}.weight`),
      b: buffers.make(nOut, `fc${l}.bias`),
      vw: buffers.make(nIn * nOut, `fc${l}.weight direction`),
      vb: buffers.make(nOut, `fc${l}.bias direction`),
    });
  }
  return { layers, largest };
}

/**
 * Records the copies of the dense layers' weights (and the direction's, with `batch.hvp`) into their
 * whole buffers and, when the batch does not start at row 0, of its rows into `rowBuffers`.
 *
 * @returns The inputs and targets from the batch's first row.
 */
export function stageDenseBatch(
  rec: CommandRecorder,
  batch: ModelGpuBatch,
  layers: readonly DenseLayer[],
  rowBuffers: { x: GPUBuffer; y: GPUBuffer },
  sizes: { inputs: number; outputs: number },
): { x: GPUBuffer; y: GPUBuffer } {
  const { rows, hvp } = batch, { inputs, outputs } = sizes;
  for (const { nIn, nOut, w, b, vw, vb, weightOffset, biasOffset } of layers) {
    rec.copy(batch.params, weightOffset * 4, w, 0, nIn * nOut * 4);
    rec.copy(batch.params, biasOffset * 4, b, 0, nOut * 4);
    if (!hvp) continue;
    rec.copy(hvp.direction, weightOffset * 4, vw, 0, nIn * nOut * 4);
    rec.copy(hvp.direction, biasOffset * 4, vb, 0, nOut * 4);
  }
  if (batch.firstRow === 0) return { x: batch.x, y: batch.y };
  rec.copy(batch.x, batch.firstRow * inputs * 4, rowBuffers.x, 0, rows * inputs * 4);
  rec.copy(batch.y, batch.firstRow * outputs * 4, rowBuffers.y, 0, rows * outputs * 4);
  return rowBuffers;
}

/** Records C = op(A) op(B) (+ bias) for [m, k] x [k, n] shapes given as dims of op(A), op(B). */
export function encodeDenseMatmul(
  rec: CommandRecorder,
  a: GPUBuffer,
  b: GPUBuffer,
  c: GPUBuffer,
  shape: { m: number; k: number; n: number; transposeA?: boolean; transposeB?: boolean; bias?: GPUBuffer },
): Promise<void> {
  const { m, k, n, transposeA = false, transposeB = false } = shape;
  const plan = planMatmul(transposeA ? [k, m] : [m, k], transposeB ? [n, k] : [k, n], transposeA, transposeB);
  return encodeMatmul(rec, { a, b, c, bias: shape.bias, plan, transposeA, transposeB, variant: "auto" });
}

/** Records dst[dstOffset..] (+)= src[srcOffset..]: a buffer copy when overwriting, a kernel when adding. */
export async function encodeCopyRange(
  rec: CommandRecorder,
  src: GPUBuffer,
  srcOffset: number,
  dst: GPUBuffer,
  dstOffset: number,
  size: number,
  accumulate: boolean,
): Promise<void> {
  if (accumulate) await encodeViewCopy(rec, { src, dst, size, srcOffset, dstOffset, accumulate });
  else rec.copy(src, srcOffset * 4, dst, dstOffset * 4, size * 4);
}
