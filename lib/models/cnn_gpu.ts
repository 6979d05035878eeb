/**
 * A CNN's outputs, loss and exact gradient on the GPU, composed from the conv2d and max-pool kernels
 * (kernels/conv2d.ts, kernels/pool.ts), the activation kernels, and for the dense head the same
 * matmul and model_* kernels as the MLP (lib/models/mlp_gpu.ts), all recorded into the caller's
 * recorder (one command buffer, one submit at the next flush). The algorithm, step by step, is
 * lib/reference/cnn.ts.
 *
 * The conv kernels read their weights and biases, and write their gradients, at element offsets of
 * the flat parameter and gradient vectors, so conv layers need no copies; the dense weights are
 * copied into whole buffers (matmul binds whole buffers) and their gradients copied (or added) back,
 * as in the MLP. Adding into the outputs is how chunks of a full batch accumulate.
 *
 * @module
 */
import { activationCoefficients } from "../activations.ts";
import type { GpuContext } from "../gpu/device.ts";
import { createBuffer } from "../gpu/buffers.ts";
import type { CommandRecorder } from "../gpu/recorder.ts";
import { planMatmul } from "../backend/tensor.ts";
import { encodeMatmul } from "../../kernels/matmul.ts";
import { encodeActivation } from "../../kernels/elementwise.ts";
import {
  encodeConv2dBackwardInput,
  encodeConv2dBackwardWeight,
  encodeConv2dForward,
} from "../../kernels/conv2d.ts";
import { encodeMaxPool2dBackward, encodeMaxPool2dForward } from "../../kernels/pool.ts";
import {
  encodeActivationBackward,
  encodeColumnSum,
  encodeModelLoss,
  encodeTranspose,
  encodeViewCopy,
} from "../../kernels/model_ops.ts";
import { cnnBlockConvShape, cnnBlockPoolShape } from "../reference/cnn.ts";
import type { LossName } from "./losses.ts";
import { cnnLayout, type CnnShapes, cnnShapes, type CnnSpec } from "./cnn.ts";
import type { ParameterLayout } from "./parameters.ts";

/** One batch (or one chunk of a full batch) for {@linkcode CnnGpu.encode}. */
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
  /** Add into `loss` and `gradient` instead of overwriting them. */
  accumulate: boolean;
  /** Where element 0 receives the loss. */
  loss: GPUBuffer;
  /** Where the flat gradient goes (optional: without it only the forward pass and loss run). */
  gradient?: GPUBuffer;
  /** Where the outputs f [rows, outputs] are copied (optional), from element `outputsOffset` (0). */
  outputs?: GPUBuffer;
  /** First element of `outputs` written. */
  outputsOffset?: number;
}

interface DenseLayer {
  nIn: number;
  nOut: number;
  weightOffset: number;
  biasOffset: number;
  w: GPUBuffer;
  b: GPUBuffer;
}

interface RowBuffers {
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
  /** Three backward scratch buffers of the widest activation. */
  scratch: [GPUBuffer, GPUBuffer, GPUBuffer];
  /** A dense layer's input, transposed, for its weight gradient. */
  inputT: GPUBuffer;
  losses: GPUBuffer;
}

/** The GPU passes of one CNN and loss, with their scratch buffers. */
export class CnnGpu {
  /** The GPU context. */
  readonly gpu: GpuContext;
  /** The CNN. */
  readonly spec: CnnSpec;
  /** The loss. */
  readonly loss: LossName;
  /** The flat parameter layout. */
  readonly layout: ParameterLayout;
  /** Per-sample shapes. */
  readonly shapes: CnnShapes;
  #coefficients: Float64Array;
  #dense: DenseLayer[] = [];
  #weightGradient: GPUBuffer;
  #rows: RowBuffers | undefined;
  #owned: GPUBuffer[] = [];

  /** @param gpu The context; @param spec The CNN; @param loss The loss. */
  constructor(gpu: GpuContext, spec: CnnSpec, loss: LossName) {
    this.gpu = gpu;
    this.spec = spec;
    this.loss = loss;
    this.layout = cnnLayout(spec);
    this.shapes = cnnShapes(spec);
    this.#coefficients = activationCoefficients(spec.activation);
    const widths = this.shapes.dense;
    let largest = 0;
    for (let l = 1; l < widths.length; l++) {
      const nIn = widths[l - 1], nOut = widths[l];
      largest = Math.max(largest, nIn * nOut);
      this.#dense.push({
        nIn,
        nOut,
        weightOffset: this.layout.view(`fc${l}.weight`).offset,
        biasOffset: this.layout.view(`fc${l}.bias`).offset,
        w: this.#buffer(nIn * nOut, `fc${l}.weight`),
        b: this.#buffer(nOut, `fc${l}.bias`),
      });
    }
    this.#weightGradient = this.#buffer(largest, "dense weight gradient");
  }

  #buffer(elements: number, label: string): GPUBuffer {
    const b = createBuffer(this.gpu, elements * 4, `cnn ${label}`);
    this.#owned.push(b);
    return b;
  }

  /** Frees every scratch buffer (after the work using them was submitted). */
  destroy(): void {
    for (const b of this.#owned) b.destroy();
    this.#owned = [];
    this.#rows = undefined;
  }

  #rowBuffers(rows: number): RowBuffers {
    if (this.#rows && this.#rows.capacity >= rows) return this.#rows;
    const { blocks, dense, inputs } = this.shapes;
    const convSize = blocks.map((b) => b.outChannels * b.convHeight * b.convWidth);
    const widest = Math.max(inputs, ...convSize, ...dense);
    const convPost = convSize.map((n, i) => this.#buffer(rows * n, `r${i + 1}`));
    this.#rows = {
      capacity: rows,
      x: this.#buffer(rows * inputs, "x chunk"),
      y: this.#buffer(rows * this.spec.outputs, "y chunk"),
      convPre: convSize.map((n, i) => this.#buffer(rows * n, `z${i + 1}`)),
      convPost,
      blockOut: blocks.map((b, i) =>
        b.pool ? this.#buffer(rows * b.outChannels * b.outHeight * b.outWidth, `a${i + 1}`) : convPost[i]
      ),
      densePre: dense.slice(1).map((n, l) => this.#buffer(rows * n, `u${l + 1}`)),
      densePost: dense.slice(1, -1).map((n, l) => this.#buffer(rows * n, `d${l + 1}`)),
      scratch: [0, 1, 2].map((i) => this.#buffer(rows * widest, `scratch${i}`)) as [
        GPUBuffer,
        GPUBuffer,
        GPUBuffer,
      ],
      inputT: this.#buffer(rows * Math.max(...dense), "dense input^T"),
      losses: this.#buffer(rows, "losses"),
    };
    return this.#rows;
  }

  /** Records C = A op(B) (+ bias) for [m, k] x [k, n] (B given as [n, k] when transposeB). */
  #matmul(
    rec: CommandRecorder,
    a: GPUBuffer,
    b: GPUBuffer,
    c: GPUBuffer,
    shape: { m: number; k: number; n: number; transposeB?: boolean; bias?: GPUBuffer },
  ): Promise<void> {
    const { m, k, n, transposeB = false } = shape;
    const plan = planMatmul([m, k], transposeB ? [n, k] : [k, n], false, transposeB);
    return encodeMatmul(rec, {
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

  /**
   * Records the loss, and as asked the gradient and outputs, of one batch.
   *
   * @param rec The recorder (nothing is submitted).
   * @param batch Buffers, rows and flags.
   */
  async encode(rec: CommandRecorder, batch: CnnGpuBatch): Promise<void> {
    const rows = batch.rows, buf = this.#rowBuffers(rows), act = this.#coefficients;
    const { blocks, inputs } = this.shapes, outputs = this.spec.outputs;
    const dense = this.#dense, L = dense.length, B = blocks.length;
    for (const { nIn, nOut, w, b, weightOffset, biasOffset } of dense) {
      rec.copy(batch.params, weightOffset * 4, w, 0, nIn * nOut * 4);
      rec.copy(batch.params, biasOffset * 4, b, 0, nOut * 4);
    }
    let x = batch.x, y = batch.y;
    if (batch.firstRow !== 0) {
      rec.copy(batch.x, batch.firstRow * inputs * 4, buf.x, 0, rows * inputs * 4);
      rec.copy(batch.y, batch.firstRow * outputs * 4, buf.y, 0, rows * outputs * 4);
      [x, y] = [buf.x, buf.y];
    }

    // Forward: conv blocks, then the dense head.
    for (let i = 0; i < B; i++) {
      const conv = cnnBlockConvShape(this.shapes, i, rows), s = blocks[i];
      await encodeConv2dForward(rec, {
        shape: conv,
        x: i === 0 ? x : buf.blockOut[i - 1],
        weight: batch.params,
        weightOffset: this.layout.view(`conv${i + 1}.weight`).offset,
        bias: batch.params,
        biasOffset: this.layout.view(`conv${i + 1}.bias`).offset,
        y: buf.convPre[i],
      });
      const size = rows * s.outChannels * s.convHeight * s.convWidth;
      await encodeActivation(rec, {
        x: buf.convPre[i],
        out: buf.convPost[i],
        size,
        coefficients: act,
        order: 0,
      });
      if (s.pool) {
        const shape = cnnBlockPoolShape(this.shapes, i, rows);
        await encodeMaxPool2dForward(rec, { shape, x: buf.convPost[i], y: buf.blockOut[i] });
      }
    }
    const denseInput = (l: number) => l === 1 ? buf.blockOut[B - 1] : buf.densePost[l - 2];
    for (let l = 1; l <= L; l++) {
      const { nIn, nOut, w, b } = dense[l - 1], u = buf.densePre[l - 1];
      await this.#matmul(rec, denseInput(l), w, u, { m: rows, k: nIn, n: nOut, bias: b });
      if (l < L) {
        await encodeActivation(rec, {
          x: u,
          out: buf.densePost[l - 1],
          size: rows * nOut,
          coefficients: act,
          order: 0,
        });
      }
    }
    const f = buf.densePre[L - 1];
    if (batch.outputs) {
      rec.copy(f, 0, batch.outputs, (batch.outputsOffset ?? 0) * 4, rows * outputs * 4);
    }

    // Loss and g = dL/df. Three scratch buffers rotate: the current gradient g and two free ones.
    let g = buf.scratch[0], free = [buf.scratch[1], buf.scratch[2]];
    await encodeModelLoss(rec, {
      loss: this.loss,
      f,
      y,
      g,
      losses: buf.losses,
      rows,
      cols: outputs,
      scale: batch.scale,
    });
    const accumulate = batch.accumulate;
    const lossSum = { rows, cols: 1, offset: 0, scale: batch.scale, accumulate };
    await encodeColumnSum(rec, { x: buf.losses, out: batch.loss, ...lossSum });
    const gradient = batch.gradient;
    if (!gradient) return;

    // Dense backward: dV = input^T g, dc = column sums of g, h = g V^T, g_{l-1} = h act'(u_{l-1}).
    for (let l = L; l >= 1; l--) {
      const { nIn, nOut, w, weightOffset, biasOffset } = dense[l - 1];
      const dW = this.#weightGradient;
      await encodeTranspose(rec, { x: denseInput(l), out: buf.inputT, rows, cols: nIn });
      await this.#matmul(rec, buf.inputT, g, dW, { m: nIn, k: rows, n: nOut });
      if (accumulate) {
        await encodeViewCopy(rec, {
          src: dW,
          dst: gradient,
          size: nIn * nOut,
          dstOffset: weightOffset,
          accumulate,
        });
      } else {
        rec.copy(dW, 0, gradient, weightOffset * 4, nIn * nOut * 4);
      }
      const biasSum = { rows, cols: nOut, offset: biasOffset, scale: 1, accumulate };
      await encodeColumnSum(rec, { x: g, out: gradient, ...biasSum });
      const h = free[0];
      await this.#matmul(rec, g, w, h, { m: rows, k: nOut, n: nIn, transposeB: true });
      if (l === 1) {
        [g, free] = [h, [g, free[1]]];
        break;
      }
      const out = free[1];
      const size = rows * nIn, z = buf.densePre[l - 2];
      await encodeActivationBackward(rec, { z, u: h, out, size, coefficients: act });
      [g, free] = [out, [g, h]];
    }

    // Conv backward, g = dL/da_b on entry: max-pool backward, times act'(z_b), weight and input gradients.
    for (let i = B - 1; i >= 0; i--) {
      const conv = cnnBlockConvShape(this.shapes, i, rows), s = blocks[i];
      let dr = g;
      if (s.pool) {
        const shape = cnnBlockPoolShape(this.shapes, i, rows);
        dr = free[0];
        await encodeMaxPool2dBackward(rec, { shape, x: buf.convPost[i], gradOutput: g, gradInput: dr });
        free = [g, free[1]];
      }
      const dz = free[0];
      const size = rows * s.outChannels * s.convHeight * s.convWidth;
      await encodeActivationBackward(rec, { z: buf.convPre[i], u: dr, out: dz, size, coefficients: act });
      free = [dr, free[1]];
      const weightOffset = this.layout.view(`conv${i + 1}.weight`).offset;
      await encodeConv2dBackwardWeight(rec, {
        shape: conv,
        x: i === 0 ? x : buf.blockOut[i - 1],
        gradOutput: dz,
        grad: gradient,
        weightOffset,
        biasOffset: this.layout.view(`conv${i + 1}.bias`).offset,
        accumulate,
      });
      if (i === 0) break;
      g = free[0];
      await encodeConv2dBackwardInput(rec, {
        shape: conv,
        gradOutput: dz,
        weight: batch.params,
        weightOffset,
        gradInput: g,
      });
      free = [dz, free[1]];
    }
  }
}
