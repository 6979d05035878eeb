/**
 * The buffers of the CNN's GPU passes and the state of one recorded pass, shared by the forward and
 * backward passes (lib/models/cnn_gpu.ts) and the R-operator passes (lib/models/cnn_gpu_rop.ts):
 * the batch, the per-row activation buffers (and their R(.) twins for H v), a small pool of scratch
 * buffers, and the dense-layer matmul and store helpers.
 *
 * @module
 */
import type { GpuContext } from "../gpu/device.ts";
import type { CommandRecorder } from "../gpu/recorder.ts";
import type { Conv2dShape } from "../reference/conv2d.ts";
import type { PoolShape } from "../reference/pool.ts";
import { cnnBlockConvShape, cnnBlockPoolShape, type CnnShapes, type CnnSpec } from "./cnn.ts";
import type { ParameterLayout } from "./parameters.ts";
import {
  type DenseLayer,
  denseLayers,
  encodeCopyRange,
  encodeDenseMatmul,
  type ModelGpuBatch,
  OwnedBuffers,
  stageDenseBatch,
} from "./dense_gpu.ts";

/** One batch (or one chunk of a full batch) for `CnnGpu.encode` (lib/models/cnn_gpu.ts). */
export type CnnGpuBatch = ModelGpuBatch;

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
  readonly dense: DenseLayer[];
  /** A dense layer's weight gradient (the largest one's size). */
  readonly weightGradient: GPUBuffer;
  #shapes: CnnShapes;
  #outputs: number;
  #rows: RowBuffers | undefined;
  #buffers: OwnedBuffers;

  /** @param gpu The context; @param spec The CNN; @param layout Its layout; @param shapes Its shapes. */
  constructor(gpu: GpuContext, spec: CnnSpec, layout: ParameterLayout, shapes: CnnShapes) {
    this.#shapes = shapes;
    this.#outputs = spec.outputs;
    this.#buffers = new OwnedBuffers(gpu, "cnn");
    const { layers, largest } = denseLayers(layout, shapes.dense, this.#buffers);
    this.dense = layers;
    this.weightGradient = this.#buffer(largest, "dense weight gradient");
  }

  #buffer(elements: number, label: string): GPUBuffer {
    return this.#buffers.make(elements, label);
  }

  /** Frees every buffer (after the work using them was submitted). */
  destroy(): void {
    this.#buffers.destroy();
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
    this.rec = rec;
    this.batch = batch;
    this.act = model.act;
    this.buf = model.buffers.rows(batch.rows, batch.hvp !== undefined);
    this.dense = model.buffers.dense;
    this.dW = model.buffers.weightGradient;
    this.#shapes = model.shapes;
    this.#layout = model.layout;
    const sizes = { inputs: model.shapes.inputs, outputs: model.shapes.dense.at(-1)! };
    const staged = stageDenseBatch(rec, batch, this.dense, this.buf, sizes);
    this.x = staged.x;
    this.y = staged.y;
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
    return encodeDenseMatmul(this.rec, a, b, c, shape);
  }

  /** dst[dstOffset..] (+)= src[0..size): a buffer copy when overwriting, a kernel when adding. */
  async store(
    src: GPUBuffer,
    dst: GPUBuffer,
    dstOffset: number,
    size: number,
    accumulate: boolean,
  ): Promise<void> {
    await encodeCopyRange(this.rec, src, 0, dst, dstOffset, size, accumulate);
  }
}
