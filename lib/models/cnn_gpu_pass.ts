/**
 * The buffers of the CNN's GPU passes and the state of one recorded pass, shared by the forward and
 * backward passes (lib/models/cnn_gpu.ts) and the R-operator passes (lib/models/cnn_gpu_rop.ts):
 * the batch, the per-row activation buffers (and their R(.) twins for H v), a small pool of scratch
 * buffers, and the dense-layer matmul and store helpers.
 *
 * @module
 */
import type { GpuContext } from "../gpu/device.ts";
import { createBuffer } from "../gpu/buffers.ts";
import type { CommandRecorder } from "../gpu/recorder.ts";
import { planMatmul } from "../backend/tensor.ts";
import { encodeMatmul } from "../../kernels/matmul.ts";
import { encodeViewCopy } from "../../kernels/model_ops.ts";
import type { Conv2dShape } from "../reference/conv2d.ts";
import type { PoolShape } from "../reference/pool.ts";
import { cnnBlockConvShape, cnnBlockPoolShape, type CnnShapes, type CnnSpec } from "./cnn.ts";
import type { ParameterLayout } from "./parameters.ts";

/** One batch (or one chunk of a full batch) for `CnnGpu.encode` (lib/models/cnn_gpu.ts). */
export interface CnnGpuBatch {
  /** Flat parameters. */
  params: GPUBuffer;
  /** Inputs, row-major [>= firstRow + rows, C H W]. */
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

/** R(.) of the activations (the R-forward pass), laid out like their {@linkcode RowBuffers} counterparts. */
export interface RBuffers {
  convPre: GPUBuffer[];
  convPost: GPUBuffer[];
  blockOut: GPUBuffer[];
  densePre: GPUBuffer[];
  densePost: GPUBuffer[];
  /** A dense layer's R(input), transposed, for R(dV). */
  inputT: GPUBuffer;
}

/** The activation and scratch buffers of up to `capacity` rows. */
export interface RowBuffers {
  capacity: number;
  x: GPUBuffer;
  y: GPUBuffer;
  /** Per conv block: z_b, r_b = act(z_b), and the pooled a_b (the r_b buffer when the block does not pool). */
  convPre: GPUBuffer[];
  convPost: GPUBuffer[];
  blockOut: GPUBuffer[];
  /** Per dense layer: u_l; per hidden dense layer: act(u_l). */
  densePre: GPUBuffer[];
  densePost: GPUBuffer[];
  /** Backward scratch buffers of the widest activation: 3 for the gradient, a 4th for H v. */
  scratch: GPUBuffer[];
  /** A dense layer's input, transposed, for its weight gradient. */
  inputT: GPUBuffer;
  losses: GPUBuffer;
  /** The R-forward activations and R(input)^T, made on the first H v. */
  r?: RBuffers;
}

/** The GPU buffers one CNN's passes own: dense weight copies, and row buffers grown on demand. */
export class CnnGpuBuffers {
  /** Per dense layer: shapes, offsets, weight and direction copies. */
  readonly dense: DenseLayer[] = [];
  /** A dense layer's weight gradient (the largest one's size). */
  readonly weightGradient: GPUBuffer;
  #gpu: GpuContext;
  #shapes: CnnShapes;
  #outputs: number;
  #rows: RowBuffers | undefined;
  #owned: GPUBuffer[] = [];

  /** @param gpu The context; @param spec The CNN; @param layout Its layout; @param shapes Its shapes. */
  constructor(gpu: GpuContext, spec: CnnSpec, layout: ParameterLayout, shapes: CnnShapes) {
    this.#gpu = gpu;
    this.#shapes = shapes;
    this.#outputs = spec.outputs;
    const widths = shapes.dense;
    let largest = 0;
    for (let l = 1; l < widths.length; l++) {
      const nIn = widths[l - 1], nOut = widths[l];
      largest = Math.max(largest, nIn * nOut);
      this.dense.push({
        nIn,
        nOut,
        weightOffset: layout.view(`fc${l}.weight`).offset,
        biasOffset: layout.view(`fc${l}.bias`).offset,
        w: this.#buffer(nIn * nOut, `fc${l}.weight`),
        b: this.#buffer(nOut, `fc${l}.bias`),
        vw: this.#buffer(nIn * nOut, `fc${l}.weight direction`),
        vb: this.#buffer(nOut, `fc${l}.bias direction`),
      });
    }
    this.weightGradient = this.#buffer(largest, "dense weight gradient");
  }

  #buffer(elements: number, label: string): GPUBuffer {
    const b = createBuffer(this.#gpu, elements * 4, `cnn ${label}`);
    this.#owned.push(b);
    return b;
  }

  /** Frees every buffer (after the work using them was submitted). */
  destroy(): void {
    for (const b of this.#owned) b.destroy();
    this.#owned = [];
    this.#rows = undefined;
  }

  /** The row buffers for `rows` rows (made or grown as needed), with the R(.) buffers when `hvp`. */
  rows(rows: number, hvp: boolean): RowBuffers {
    const { blocks, dense, inputs } = this.#shapes;
    const convSizes = blocks.map((b) => b.outChannels * b.convHeight * b.convWidth);
    const widest = Math.max(inputs, ...convSizes, ...dense);
    const pooled = (capacity: number, convPost: GPUBuffer[], label: (i: number) => string) =>
      blocks.map((b, i) =>
        b.pool ? this.#buffer(capacity * b.outChannels * b.outHeight * b.outWidth, label(i)) : convPost[i]
      );
    if (!this.#rows || this.#rows.capacity < rows) {
      const convPost = convSizes.map((n, i) => this.#buffer(rows * n, `r${i + 1}`));
      this.#rows = {
        capacity: rows,
        x: this.#buffer(rows * inputs, "x chunk"),
        y: this.#buffer(rows * this.#outputs, "y chunk"),
        convPre: convSizes.map((n, i) => this.#buffer(rows * n, `z${i + 1}`)),
        convPost,
        blockOut: pooled(rows, convPost, (i) => `a${i + 1}`),
        densePre: dense.slice(1).map((n, l) => this.#buffer(rows * n, `u${l + 1}`)),
        densePost: dense.slice(1, -1).map((n, l) => this.#buffer(rows * n, `d${l + 1}`)),
        scratch: [0, 1, 2].map((i) => this.#buffer(rows * widest, `scratch${i}`)),
        inputT: this.#buffer(rows * Math.max(...dense), "dense input^T"),
        losses: this.#buffer(rows, "losses"),
      };
    }
    const buf = this.#rows;
    if (hvp && !buf.r) {
      const capacity = buf.capacity;
      const convPost = convSizes.map((n, i) => this.#buffer(capacity * n, `R(r${i + 1})`));
      buf.scratch.push(this.#buffer(capacity * widest, "scratch3"));
      buf.r = {
        convPre: convSizes.map((n, i) => this.#buffer(capacity * n, `R(z${i + 1})`)),
        convPost,
        blockOut: pooled(capacity, convPost, (i) => `R(a${i + 1})`),
        densePre: dense.slice(1).map((n, l) => this.#buffer(capacity * n, `R(u${l + 1})`)),
        densePost: dense.slice(1, -1).map((n, l) => this.#buffer(capacity * n, `R(d${l + 1})`)),
        inputT: this.#buffer(capacity * Math.max(...dense), "dense R(input)^T"),
      };
    }
    return buf;
  }
}

/** Conv block b of one pass: its conv and pool shapes, parameter offsets and conv output size. */
export interface ConvBlockPass {
  shape: Conv2dShape;
  weightOffset: number;
  biasOffset: number;
  /** rows C_out H_conv W_conv: the size of z_b and r_b. */
  size: number;
  /** The max-pool input shape when the block pools. */
  pool?: PoolShape;
}

/** One recorded pass over one batch: what its steps read and write, and the scratch buffer pool. */
export class CnnPass {
  /** The recorder. */
  readonly rec: CommandRecorder;
  /** The batch. */
  readonly batch: CnnGpuBatch;
  /** The activation coefficients. */
  readonly act: Float64Array;
  /** The row buffers. */
  readonly buf: RowBuffers;
  /** The dense layers. */
  readonly dense: DenseLayer[];
  /** A dense weight gradient. */
  readonly dW: GPUBuffer;
  /** The inputs from row 0 (the batch's x, or the copy of a chunk's rows). */
  readonly x: GPUBuffer;
  /** The targets from row 0 (the batch's y, or the copy of a chunk's rows). */
  readonly y: GPUBuffer;
  #shapes: CnnShapes;
  #layout: ParameterLayout;
  #free: GPUBuffer[];

  /** Records the copies of the dense weights (and direction) and of a chunk's rows; takes the buffers. */
  constructor(
    rec: CommandRecorder,
    batch: CnnGpuBatch,
    model: { shapes: CnnShapes; layout: ParameterLayout; act: Float64Array; buffers: CnnGpuBuffers },
  ) {
    const { rows, hvp } = batch, { inputs } = model.shapes, outputs = model.shapes.dense.at(-1)!;
    this.rec = rec;
    this.batch = batch;
    this.act = model.act;
    this.buf = model.buffers.rows(rows, hvp !== undefined);
    this.dense = model.buffers.dense;
    this.dW = model.buffers.weightGradient;
    this.#shapes = model.shapes;
    this.#layout = model.layout;
    for (const { nIn, nOut, w, b, vw, vb, weightOffset, biasOffset } of this.dense) {
      rec.copy(batch.params, weightOffset * 4, w, 0, nIn * nOut * 4);
      rec.copy(batch.params, biasOffset * 4, b, 0, nOut * 4);
      if (!hvp) continue;
      rec.copy(hvp.direction, weightOffset * 4, vw, 0, nIn * nOut * 4);
      rec.copy(hvp.direction, biasOffset * 4, vb, 0, nOut * 4);
    }
    let x = batch.x, y = batch.y;
    if (batch.firstRow !== 0) {
      rec.copy(batch.x, batch.firstRow * inputs * 4, this.buf.x, 0, rows * inputs * 4);
      rec.copy(batch.y, batch.firstRow * outputs * 4, this.buf.y, 0, rows * outputs * 4);
      [x, y] = [this.buf.x, this.buf.y];
    }
    this.x = x;
    this.y = y;
    this.#free = [...this.buf.scratch];
  }

  /** The R(.) buffers (made by the constructor when the batch has a direction). */
  get r(): RBuffers {
    if (!this.buf.r) throw new Error("Cannot encode the CNN's R-operator: no direction (a bug in CnnGpu)");
    return this.buf.r;
  }

  /** Takes a scratch buffer for a value; give it back once its last reader is recorded. */
  take(): GPUBuffer {
    const b = this.#free.pop();
    if (!b) throw new Error(`Cannot encode the CNN: out of scratch buffers (a bug in CnnGpu.encode)`);
    return b;
  }

  /** Gives scratch buffers back. */
  give(...b: GPUBuffer[]): void {
    this.#free.push(...b);
  }

  /** Conv block i on this pass's rows. */
  conv(i: number): ConvBlockPass {
    const block = this.#shapes.blocks[i], rows = this.batch.rows;
    return {
      shape: cnnBlockConvShape(this.#shapes, i, rows),
      weightOffset: this.#layout.view(`conv${i + 1}.weight`).offset,
      biasOffset: this.#layout.view(`conv${i + 1}.bias`).offset,
      size: rows * block.outChannels * block.convHeight * block.convWidth,
      pool: block.pool ? cnnBlockPoolShape(this.#shapes, i, rows) : undefined,
    };
  }

  /** a_{i-1}, the input of conv block i (x for the first). */
  blockIn(i: number): GPUBuffer {
    return i === 0 ? this.x : this.buf.blockOut[i - 1];
  }

  /** The input of dense layer l (1-based): the flatten a_B, or d_{l-1}. */
  denseInput(l: number): GPUBuffer {
    return l === 1 ? this.buf.blockOut[this.#shapes.blocks.length - 1] : this.buf.densePost[l - 2];
  }

  /** R(.) of the input of dense layer l. */
  rDenseInput(l: number): GPUBuffer {
    return l === 1 ? this.r.blockOut[this.#shapes.blocks.length - 1] : this.r.densePost[l - 2];
  }

  /** Records C = A op(B) (+ bias) for [m, k] x [k, n] (B given as [n, k] when transposeB). */
  matmul(
    a: GPUBuffer,
    b: GPUBuffer,
    c: GPUBuffer,
    shape: { m: number; k: number; n: number; transposeB?: boolean; bias?: GPUBuffer },
  ): Promise<void> {
    const { m, k, n, transposeB = false } = shape;
    const plan = planMatmul([m, k], transposeB ? [n, k] : [k, n], false, transposeB);
    return encodeMatmul(this.rec, {
      a,
      b,
      c,
      bias: shape.bias,
      plan,
      transposeA: false,
      transposeB,
      variant: "auto",
    });
  }

  /** dst[dstOffset..] (+)= src[0..size): a buffer copy when overwriting, a kernel when adding. */
  async store(
    src: GPUBuffer,
    dst: GPUBuffer,
    dstOffset: number,
    size: number,
    accumulate: boolean,
  ): Promise<void> {
    if (accumulate) await encodeViewCopy(this.rec, { src, dst, size, dstOffset, accumulate });
    else this.rec.copy(src, 0, dst, dstOffset * 4, size * 4);
  }
}
