/**
 * A CNN's outputs, loss, exact gradient and exact Hessian-vector product on the GPU, composed from the
 * conv2d and max-pool kernels (kernels/conv2d.ts, kernels/pool.ts, kernels/pool_gather.ts), the
 * activation kernels, and for the dense head the same matmul and model_* kernels as the MLP
 * (lib/models/mlp_gpu.ts), all recorded into the caller's recorder (one command buffer, one submit at
 * the next flush). The algorithm, step by step, is lib/reference/cnn.ts; the Hessian-vector product is
 * Pearlmutter's R-operator, like the MLP's.
 *
 * The conv kernels read their weights and biases (and the direction's), and write their gradients, at
 * element offsets of the flat vectors, so conv layers need no copies; the dense weights are copied
 * into whole buffers (matmul binds whole buffers) and their gradients copied (or added) back, as in
 * the MLP. Adding into the outputs is how chunks of a full batch accumulate. The conv forward kernel
 * cannot add into its output, so R(z_b) = conv2d(a_{b-1}, Wv_b) + bv_b + conv2d(R(a_{b-1}), W_b) adds
 * its second term with model_view_copy; the input- and weight-gradient kernels add in place.
 *
 * Cost, in conv passes per block (a forward F, an input gradient I and a weight gradient G have the same
 * multiply-adds): the gradient runs F + I + G (no I for block 1); H v adds the R-forward 2F (F for
 * block 1), R(dW) 2G (G for block 1) and R(dX) 2I, and needs the gradient's chain (F + I) but not its
 * stores (G). On llvmpipe the preset's I and G kernels are ~2x slower than F (conv2 at batch 8: F 369 ms,
 * I 737 ms, G 884 ms), so H v alone costs ~2.5 gradients and gradient + H v ~2.9 (measured).
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
import { encodeMaxPool2dGather } from "../../kernels/pool_gather.ts";
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

interface DenseLayer {
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

/** R(.) of the activations (the R-forward pass), laid out like their RowBuffers counterparts. */
interface RBuffers {
  convPre: GPUBuffer[];
  convPost: GPUBuffer[];
  blockOut: GPUBuffer[];
  densePre: GPUBuffer[];
  densePost: GPUBuffer[];
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
  /** Backward scratch buffers of the widest activation: 3 for the gradient, a 4th for H v. */
  scratch: GPUBuffer[];
  /** A dense layer's input, transposed, for its weight gradient. */
  inputT: GPUBuffer;
  losses: GPUBuffer;
  /** The R-forward activations and R(input)^T, made on the first H v. */
  r?: RBuffers & { inputT: GPUBuffer };
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
        vw: this.#buffer(nIn * nOut, `fc${l}.weight direction`),
        vb: this.#buffer(nOut, `fc${l}.bias direction`),
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

  #rowBuffers(rows: number, hvp: boolean): RowBuffers {
    if (!this.#rows || this.#rows.capacity < rows) {
      const { blocks, dense, inputs } = this.shapes;
      const convPost = this.#convSizes().map((n, i) => this.#buffer(rows * n, `r${i + 1}`));
      this.#rows = {
        capacity: rows,
        x: this.#buffer(rows * inputs, "x chunk"),
        y: this.#buffer(rows * this.spec.outputs, "y chunk"),
        convPre: this.#convSizes().map((n, i) => this.#buffer(rows * n, `z${i + 1}`)),
        convPost,
        blockOut: blocks.map((b, i) =>
          b.pool ? this.#buffer(rows * b.outChannels * b.outHeight * b.outWidth, `a${i + 1}`) : convPost[i]
        ),
        densePre: dense.slice(1).map((n, l) => this.#buffer(rows * n, `u${l + 1}`)),
        densePost: dense.slice(1, -1).map((n, l) => this.#buffer(rows * n, `d${l + 1}`)),
        scratch: [0, 1, 2].map((i) => this.#buffer(rows * this.#widest(), `scratch${i}`)),
        inputT: this.#buffer(rows * Math.max(...dense), "dense input^T"),
        losses: this.#buffer(rows, "losses"),
      };
    }
    const buf = this.#rows;
    if (hvp && !buf.r) {
      const { blocks, dense } = this.shapes;
      const capacity = buf.capacity,
        convPost = this.#convSizes().map((n, i) => this.#buffer(capacity * n, `R(r${i + 1})`));
      buf.scratch.push(this.#buffer(capacity * this.#widest(), "scratch3"));
      buf.r = {
        convPre: this.#convSizes().map((n, i) => this.#buffer(capacity * n, `R(z${i + 1})`)),
        convPost,
        blockOut: blocks.map((b, i) =>
          b.pool
            ? this.#buffer(capacity * b.outChannels * b.outHeight * b.outWidth, `R(a${i + 1})`)
            : convPost[i]
        ),
        densePre: dense.slice(1).map((n, l) => this.#buffer(capacity * n, `R(u${l + 1})`)),
        densePost: dense.slice(1, -1).map((n, l) => this.#buffer(capacity * n, `R(d${l + 1})`)),
        inputT: this.#buffer(capacity * Math.max(...dense), "dense R(input)^T"),
      };
    }
    return buf;
  }

  #convSizes(): number[] {
    return this.shapes.blocks.map((b) => b.outChannels * b.convHeight * b.convWidth);
  }

  #widest(): number {
    return Math.max(this.shapes.inputs, ...this.#convSizes(), ...this.shapes.dense);
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

  /** dst[dstOffset..] (+)= src[0..size): a buffer copy when overwriting, a kernel when adding. */
  async #store(
    rec: CommandRecorder,
    src: GPUBuffer,
    dst: GPUBuffer,
    dstOffset: number,
    size: number,
    accumulate: boolean,
  ): Promise<void> {
    if (accumulate) await encodeViewCopy(rec, { src, dst, size, dstOffset, accumulate });
    else rec.copy(src, 0, dst, dstOffset * 4, size * 4);
  }

  /**
   * Records the loss, and as asked the gradient, the exact Hessian-vector product and the outputs, of
   * one batch.
   *
   * @param rec The recorder (nothing is submitted).
   * @param batch Buffers, rows and flags.
   */
  async encode(rec: CommandRecorder, batch: CnnGpuBatch): Promise<void> {
    const { rows, hvp, gradient, accumulate } = batch;
    const buf = this.#rowBuffers(rows, hvp !== undefined), act = this.#coefficients;
    const { blocks, inputs } = this.shapes, outputs = this.spec.outputs;
    const dense = this.#dense, L = dense.length, B = blocks.length;
    const conv = (i: number) => ({
      shape: cnnBlockConvShape(this.shapes, i, rows),
      weightOffset: this.layout.view(`conv${i + 1}.weight`).offset,
      biasOffset: this.layout.view(`conv${i + 1}.bias`).offset,
      size: rows * blocks[i].outChannels * blocks[i].convHeight * blocks[i].convWidth,
      pool: blocks[i].pool ? cnnBlockPoolShape(this.shapes, i, rows) : undefined,
    });
    for (const { nIn, nOut, w, b, vw, vb, weightOffset, biasOffset } of dense) {
      rec.copy(batch.params, weightOffset * 4, w, 0, nIn * nOut * 4);
      rec.copy(batch.params, biasOffset * 4, b, 0, nOut * 4);
      if (!hvp) continue;
      rec.copy(hvp.direction, weightOffset * 4, vw, 0, nIn * nOut * 4);
      rec.copy(hvp.direction, biasOffset * 4, vb, 0, nOut * 4);
    }
    let x = batch.x, y = batch.y;
    if (batch.firstRow !== 0) {
      rec.copy(batch.x, batch.firstRow * inputs * 4, buf.x, 0, rows * inputs * 4);
      rec.copy(batch.y, batch.firstRow * outputs * 4, buf.y, 0, rows * outputs * 4);
      [x, y] = [buf.x, buf.y];
    }
    // Scratch buffers: taken for a value, given back once its last reader is recorded.
    const free = [...buf.scratch];
    const take = () => {
      const b = free.pop();
      if (!b) throw new Error(`Cannot encode the CNN: out of scratch buffers (a bug in CnnGpu.encode)`);
      return b;
    };
    const give = (...b: GPUBuffer[]) => free.push(...b);
    const r = hvp ? buf.r! : undefined;
    const blockIn = (i: number) => i === 0 ? x : buf.blockOut[i - 1];

    // Forward: conv blocks, then the dense head; R-forward alongside.
    for (let i = 0; i < B; i++) {
      const c = conv(i);
      const common = {
        shape: c.shape,
        x: blockIn(i),
        weightOffset: c.weightOffset,
        biasOffset: c.biasOffset,
      };
      await encodeConv2dForward(rec, {
        ...common,
        weight: batch.params,
        bias: batch.params,
        y: buf.convPre[i],
      });
      const z = buf.convPre[i], size = c.size;
      await encodeActivation(rec, { x: z, out: buf.convPost[i], size, coefficients: act, order: 0 });
      if (c.pool) {
        await encodeMaxPool2dForward(rec, { shape: c.pool, x: buf.convPost[i], y: buf.blockOut[i] });
      }
      if (!hvp || !r) continue;
      // R(z_b) = conv2d(a_{b-1}, Wv_b) + bv_b + conv2d(R(a_{b-1}), W_b), R(r_b) = act'(z_b) R(z_b),
      // R(a_b) = R(r_b) at r_b's window maxima.
      await encodeConv2dForward(rec, {
        ...common,
        weight: hvp.direction,
        bias: hvp.direction,
        y: r.convPre[i],
      });
      if (i > 0) {
        const tmp = take();
        await encodeConv2dForward(rec, {
          ...common,
          x: r.blockOut[i - 1],
          weight: batch.params,
          bias: undefined,
          y: tmp,
        });
        await encodeViewCopy(rec, { src: tmp, dst: r.convPre[i], size, accumulate: true });
        give(tmp);
      }
      await encodeActivationBackward(rec, {
        z,
        u: r.convPre[i],
        out: r.convPost[i],
        size,
        coefficients: act,
      });
      if (c.pool) {
        await encodeMaxPool2dGather(rec, {
          shape: c.pool,
          x: buf.convPost[i],
          v: r.convPost[i],
          y: r.blockOut[i],
        });
      }
    }
    const denseInput = (l: number) => l === 1 ? buf.blockOut[B - 1] : buf.densePost[l - 2];
    const rDenseInput = (l: number) => l === 1 ? r!.blockOut[B - 1] : r!.densePost[l - 2];
    for (let l = 1; l <= L; l++) {
      const { nIn, nOut, w, b, vw, vb } = dense[l - 1], u = buf.densePre[l - 1], size = rows * nOut;
      const shape = { m: rows, k: nIn, n: nOut };
      await this.#matmul(rec, denseInput(l), w, u, { ...shape, bias: b });
      if (l < L) {
        await encodeActivation(rec, { x: u, out: buf.densePost[l - 1], size, coefficients: act, order: 0 });
      }
      if (!r) continue;
      // R(u_l) = d_{l-1} Vv_l + cv_l + R(d_{l-1}) V_l, R(d_l) = act'(u_l) R(u_l).
      const tmp = take();
      await this.#matmul(rec, denseInput(l), vw, r.densePre[l - 1], { ...shape, bias: vb });
      await this.#matmul(rec, rDenseInput(l), w, tmp, shape);
      await encodeViewCopy(rec, { src: tmp, dst: r.densePre[l - 1], size, accumulate: true });
      give(tmp);
      if (l < L) {
        await encodeActivationBackward(rec, {
          z: u,
          u: r.densePre[l - 1],
          out: r.densePost[l - 1],
          size,
          coefficients: act,
        });
      }
    }
    const f = buf.densePre[L - 1];
    if (batch.outputs) {
      rec.copy(f, 0, batch.outputs, (batch.outputsOffset ?? 0) * 4, rows * outputs * 4);
    }

    // Loss, g = dL/df and R(g) = (d^2 L / df^2) R(f).
    let g = take(), rg = r ? take() : undefined;
    await encodeModelLoss(rec, {
      loss: this.loss,
      f,
      y,
      g,
      losses: buf.losses,
      rows,
      cols: outputs,
      scale: batch.scale,
      direction: r && rg ? { rf: r.densePre[L - 1], rg } : undefined,
    });
    const lossSum = { rows, cols: 1, offset: 0, scale: batch.scale, accumulate };
    await encodeColumnSum(rec, { x: buf.losses, out: batch.loss, ...lossSum });
    if (!gradient && !hvp) return;

    // Dense backward: dV = input^T g, dc = column sums of g, h = g V^T, g_{l-1} = h act'(u_{l-1});
    // R-backward: R(dV) = input^T R(g) + R(input)^T g, R(h) = R(g) V^T + g Vv^T,
    // R(g_{l-1}) = R(h) act'(u_{l-1}) + h act''(u_{l-1}) R(u_{l-1}).
    const dW = this.#weightGradient;
    for (let l = L; l >= 1; l--) {
      const { nIn, nOut, w, vw, weightOffset, biasOffset } = dense[l - 1];
      const weightShape = { m: nIn, k: rows, n: nOut }, weights = nIn * nOut;
      const biasSum = { rows, cols: nOut, offset: biasOffset, scale: 1, accumulate };
      await encodeTranspose(rec, { x: denseInput(l), out: buf.inputT, rows, cols: nIn });
      if (gradient) {
        await this.#matmul(rec, buf.inputT, g, dW, weightShape);
        await this.#store(rec, dW, gradient, weightOffset, weights, accumulate);
        await encodeColumnSum(rec, { x: g, out: gradient, ...biasSum });
      }
      const backShape = { m: rows, k: nOut, n: nIn, transposeB: true };
      const h = take();
      await this.#matmul(rec, g, w, h, backShape);
      let rh: GPUBuffer | undefined;
      if (hvp && r && rg) {
        await this.#matmul(rec, buf.inputT, rg, dW, weightShape);
        await this.#store(rec, dW, hvp.out, weightOffset, weights, accumulate);
        await encodeTranspose(rec, { x: rDenseInput(l), out: r.inputT, rows, cols: nIn });
        await this.#matmul(rec, r.inputT, g, dW, weightShape);
        await this.#store(rec, dW, hvp.out, weightOffset, weights, true);
        await encodeColumnSum(rec, { x: rg, out: hvp.out, ...biasSum });
        const tmp = take();
        await this.#matmul(rec, g, vw, tmp, backShape);
        give(g);
        rh = take();
        await this.#matmul(rec, rg, w, rh, backShape);
        give(rg);
        await encodeViewCopy(rec, { src: tmp, dst: rh, size: rows * nIn, accumulate: true });
        give(tmp);
      } else {
        give(g);
      }
      if (l === 1) {
        [g, rg] = [h, rh];
        break;
      }
      const size = rows * nIn, u = buf.densePre[l - 2];
      if (rh && r) {
        rg = take();
        const second = { w: h, s: r.densePre[l - 2] };
        await encodeActivationBackward(rec, { z: u, u: rh, out: rg, size, coefficients: act, second });
        give(rh);
      }
      g = take();
      await encodeActivationBackward(rec, { z: u, u: h, out: g, size, coefficients: act });
      give(h);
    }

    // Conv backward, g = dL/da_b on entry: max-pool backward, times act'(z_b), weight and input gradients;
    // R-backward: the same max-pool scatter of R(g), R(dz) = R(dr) act'(z) + dr act''(z) R(z),
    // R(dW) = dW(a_{b-1}, R(dz)) + dW(R(a_{b-1}), dz), R(g_{b-1}) = dX(R(dz), W) + dX(dz, Wv).
    for (let i = B - 1; i >= 0; i--) {
      const c = conv(i), z = buf.convPre[i], size = c.size;
      const unpool = async (e: GPUBuffer) => {
        if (!c.pool) return e;
        const out = take();
        await encodeMaxPool2dBackward(rec, {
          shape: c.pool,
          x: buf.convPost[i],
          gradOutput: e,
          gradInput: out,
        });
        give(e);
        return out;
      };
      const dr = await unpool(g), rdr = rg ? await unpool(rg) : undefined;
      const dz = take();
      await encodeActivationBackward(rec, { z, u: dr, out: dz, size, coefficients: act });
      let rdz: GPUBuffer | undefined;
      if (rdr && r) {
        rdz = take();
        const second = { w: dr, s: r.convPre[i] };
        await encodeActivationBackward(rec, { z, u: rdr, out: rdz, size, coefficients: act, second });
        give(rdr);
      }
      give(dr);
      const weights = { shape: c.shape, x: blockIn(i), weightOffset: c.weightOffset };
      if (gradient) {
        await encodeConv2dBackwardWeight(rec, {
          ...weights,
          gradOutput: dz,
          grad: gradient,
          biasOffset: c.biasOffset,
          accumulate,
        });
      }
      if (hvp && r && rdz) {
        const into = { grad: hvp.out, biasOffset: c.biasOffset, accumulate };
        await encodeConv2dBackwardWeight(rec, { ...weights, gradOutput: rdz, ...into });
        if (i > 0) {
          await encodeConv2dBackwardWeight(rec, {
            ...weights,
            x: r.blockOut[i - 1],
            gradOutput: dz,
            grad: hvp.out,
            accumulate: true,
          });
        }
      }
      if (i === 0) break;
      const inputs = { shape: c.shape, weightOffset: c.weightOffset };
      g = take();
      await encodeConv2dBackwardInput(rec, { ...inputs, gradOutput: dz, weight: batch.params, gradInput: g });
      if (hvp && rdz) {
        rg = take();
        await encodeConv2dBackwardInput(rec, {
          ...inputs,
          gradOutput: rdz,
          weight: batch.params,
          gradInput: rg,
        });
        await encodeConv2dBackwardInput(rec, {
          ...inputs,
          gradOutput: dz,
          weight: hvp.direction,
          gradInput: rg,
          accumulate: true,
        });
        give(rdz);
      }
      give(dz);
    }
  }
}
