/**
 * An MLP's loss, gradient and exact Hessian-vector product on the GPU, composed from
 * the matmul kernel (transposes, bias epilogue), the activation kernel and the small
 * kernels of kernels/model_ops/model_ops.ts, all recorded into the caller's recorder (one command
 * buffer, one submit at the next flush). The algorithm, step by step, is lib/models/mlp_reference.ts.
 *
 * Weights are `[in, out]`, so the forward product a W (the largest) takes matmul's
 * untransposed vec4 path; the backward products use its transposes (h = g W^T, dW = a^T g).
 * The flat parameter vector and flat direction are copied into per-layer weight buffers
 * (matmul binds whole buffers; copyBufferToBuffer is ~4x faster than a copy kernel on the
 * CPU adapter), and weight gradients are copied back into the flat outputs, or added by
 * `model_view_copy` when accumulating; bias gradients and the loss are written by
 * `model_column_sum`. Adding into the outputs is how chunks of a full batch accumulate.
 *
 * Cost per call, in units of one batch matmul through layer l: a gradient does the
 * forward (1) and the weight gradient (1) for every layer and the backward product h
 * (1) for l > 1; a Hessian-vector product adds R-forward (2, 1 for l = 1), R(dW) (2, 1
 * for l = 1) and R(h) (2), and skips dW. For the mlp preset, where layer 1 dominates,
 * that is about 1.7 gradients.
 *
 * @module
 */
import { activationCoefficients } from "../activations.ts";
import type { GpuContext } from "../gpu/device.ts";
import type { CommandRecorder } from "../gpu/recorder.ts";
import { encodeActivation } from "../../kernels/elementwise/elementwise.ts";
import {
  encodeActivationBackward,
  encodeColumnSum,
  encodeModelLoss,
  encodeTranspose,
  encodeViewCopy,
} from "../../kernels/model_ops/model_ops.ts";
import type { LossName } from "./losses.ts";
import { mlpLayout, type MlpSpec } from "./mlp.ts";
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

/** One batch (or one chunk of a full batch) for {@linkcode MlpGpu.encode}. */
export type MlpGpuBatch = ModelGpuBatch;

interface RowBuffers {
  capacity: number;
  x: GPUBuffer;
  y: GPUBuffer;
  /** z_l, a_l (l < L), R(z_l), R(a_l) per layer (index l - 1). */
  pre: GPUBuffer[];
  post: GPUBuffer[];
  rPre: GPUBuffer[];
  rPost: GPUBuffer[];
  /** Ping-pong backward buffers: g, R(g), and h, R(h), a temporary. */
  g: [GPUBuffer, GPUBuffer];
  rg: [GPUBuffer, GPUBuffer];
  h: GPUBuffer;
  rh: GPUBuffer;
  tmp: GPUBuffer;
  /** a_{l-1}^T and R(a_{l-1})^T for the weight gradients. */
  postT: GPUBuffer;
  rPostT: GPUBuffer;
  losses: GPUBuffer;
}

/** The GPU passes of one MLP and loss, with their scratch buffers. */
export class MlpGpu {
  /** The GPU context. */
  readonly gpu: GpuContext;
  /** The MLP. */
  readonly spec: MlpSpec;
  /** The loss. */
  readonly loss: LossName;
  /** The flat parameter layout. */
  readonly layout: ParameterLayout;
  #coefficients: Float64Array;
  #layers: DenseLayer[];
  #weightGradient: GPUBuffer;
  #rows: RowBuffers | undefined;
  #buffers: OwnedBuffers;

  /** @param gpu The context; @param spec The MLP; @param loss The loss. */
  constructor(gpu: GpuContext, spec: MlpSpec, loss: LossName) {
    this.gpu = gpu;
    this.spec = spec;
    this.loss = loss;
    this.layout = mlpLayout(spec);
    this.#coefficients = activationCoefficients(spec.activation);
    this.#buffers = new OwnedBuffers(gpu, "mlp");
    const { layers, largest } = denseLayers(this.layout, spec.sizes, this.#buffers);
    this.#layers = layers;
    this.#weightGradient = this.#buffer(largest, "weight gradient");
  }

  #buffer(elements: number, label: string): GPUBuffer {
    return this.#buffers.make(elements, label);
  }

  /** Frees every scratch buffer (after the work using them was submitted). */
  destroy(): void {
    this.#buffers.destroy();
    this.#rows = undefined;
  }

  #rowBuffers(rows: number): RowBuffers {
    if (this.#rows && this.#rows.capacity >= rows) return this.#rows;
    const sizes = this.spec.sizes, L = sizes.length - 1;
    const widest = Math.max(...sizes);
    const perLayer = (what: string, count: number) =>
      Array.from({ length: count }, (_, i) => this.#buffer(rows * sizes[i + 1], `${what}${i + 1}`));
    this.#rows = {
      capacity: rows,
      x: this.#buffer(rows * sizes[0], "x chunk"),
      y: this.#buffer(rows * sizes[L], "y chunk"),
      pre: perLayer("z", L),
      post: perLayer("a", L - 1),
      rPre: perLayer("R(z)", L),
      rPost: perLayer("R(a)", L - 1),
      g: [this.#buffer(rows * widest, "g0"), this.#buffer(rows * widest, "g1")],
      rg: [this.#buffer(rows * widest, "R(g)0"), this.#buffer(rows * widest, "R(g)1")],
      h: this.#buffer(rows * widest, "h"),
      rh: this.#buffer(rows * widest, "R(h)"),
      tmp: this.#buffer(rows * widest, "tmp"),
      postT: this.#buffer(rows * widest, "a^T"),
      rPostT: this.#buffer(rows * widest, "R(a)^T"),
      losses: this.#buffer(rows, "losses"),
    };
    return this.#rows;
  }

  /**
   * Records the loss, and as asked the gradient, Hessian-vector product and outputs, of one batch.
   *
   * @param rec The recorder (nothing is submitted).
   * @param batch Buffers, rows and flags.
   */
  async encode(rec: CommandRecorder, batch: MlpGpuBatch): Promise<void> {
    const rows = batch.rows, layers = this.#layers, L = layers.length;
    const buf = this.#rowBuffers(rows);
    const { hvp, accumulate } = batch;
    const sizes = this.spec.sizes, act = this.#coefficients;
    // Views of the flat vectors as whole buffers (matmul binds whole buffers), and the chunk's rows.
    const { x, y } = stageDenseBatch(rec, batch, layers, buf, { inputs: sizes[0], outputs: sizes[L] });
    const post = (l: number) => l === 0 ? x : buf.post[l - 1]; // a_l

    // Forward: z_l = a_{l-1} W_l + b_l, a_l = act(z_l); R-forward: R(z_l) = a_{l-1} V_l + vb_l + R(a_{l-1}) W_l.
    for (let l = 1; l <= L; l++) {
      const { nIn, nOut, w, b, vw, vb } = layers[l - 1];
      const size = rows * nOut, z = buf.pre[l - 1];
      await encodeDenseMatmul(rec, post(l - 1), w, z, { m: rows, k: nIn, n: nOut, bias: b });
      if (l < L) {
        await encodeActivation(rec, { x: z, out: buf.post[l - 1], size, coefficients: act, order: 0 });
      }
      if (!hvp) continue;
      const rz = buf.rPre[l - 1];
      await encodeDenseMatmul(rec, post(l - 1), vw, rz, { m: rows, k: nIn, n: nOut, bias: vb });
      if (l > 1) {
        await encodeDenseMatmul(rec, buf.rPost[l - 2], w, buf.tmp, { m: rows, k: nIn, n: nOut });
        await encodeViewCopy(rec, { src: buf.tmp, dst: rz, size, accumulate: true });
      }
      if (l < L) {
        await encodeActivationBackward(rec, { z, u: rz, out: buf.rPost[l - 1], size, coefficients: act });
      }
    }
    const f = buf.pre[L - 1];
    if (batch.outputs) {
      await encodeCopyRange(rec, f, 0, batch.outputs, batch.outputsOffset ?? 0, rows * sizes[L], false);
    }

    // Loss and its derivatives in the outputs.
    let g = 0; // index of the current g in the ping-pong pairs
    await encodeModelLoss(rec, {
      loss: this.loss,
      f,
      y,
      g: buf.g[g],
      losses: buf.losses,
      rows,
      cols: sizes[L],
      scale: batch.scale,
      direction: hvp ? { rf: buf.rPre[L - 1], rg: buf.rg[g] } : undefined,
    });
    const lossSum = {
      x: buf.losses,
      out: batch.loss,
      rows,
      cols: 1,
      offset: 0,
      scale: batch.scale,
      accumulate,
    };
    await encodeColumnSum(rec, lossSum);

    // Backward: dW_l = a_{l-1}^T g_l, db_l = column sums of g_l, h = g_l W_l^T, g_{l-1} = h act'(z_{l-1});
    // R-backward: R(dW_l) = a_{l-1}^T R(g_l) + R(a_{l-1})^T g_l, R(h) = R(g_l) W_l^T + g_l V_l^T,
    // R(g_{l-1}) = R(h) act'(z_{l-1}) + h act''(z_{l-1}) R(z_{l-1}).
    const dW = this.#weightGradient;
    for (let l = L; l >= 1; l--) {
      const { nIn, nOut, w, vw, weightOffset, biasOffset } = layers[l - 1];
      const gl = buf.g[g], rgl = buf.rg[g];
      // dW = a^T g as (a^T) g: an explicit transpose puts the product on matmul's vec4 path.
      const weightShape = { m: nIn, k: rows, n: nOut };
      const biasSum = { rows, cols: nOut, offset: biasOffset, scale: 1, accumulate };
      await encodeTranspose(rec, { x: post(l - 1), out: buf.postT, rows, cols: nIn });
      if (batch.gradient) {
        await encodeDenseMatmul(rec, buf.postT, gl, dW, weightShape);
        await encodeCopyRange(rec, dW, 0, batch.gradient, weightOffset, nIn * nOut, accumulate);
        await encodeColumnSum(rec, { x: gl, out: batch.gradient, ...biasSum });
      }
      if (hvp) {
        await encodeDenseMatmul(rec, buf.postT, rgl, dW, weightShape);
        await encodeCopyRange(rec, dW, 0, hvp.out, weightOffset, nIn * nOut, accumulate);
        if (l > 1) {
          await encodeTranspose(rec, { x: buf.rPost[l - 2], out: buf.rPostT, rows, cols: nIn });
          await encodeDenseMatmul(rec, buf.rPostT, gl, dW, weightShape);
          await encodeCopyRange(rec, dW, 0, hvp.out, weightOffset, nIn * nOut, true);
        }
        await encodeColumnSum(rec, { x: rgl, out: hvp.out, ...biasSum });
      }
      if (l === 1) break;
      const size = rows * nIn, z = buf.pre[l - 2];
      const backShape = { m: rows, k: nOut, n: nIn, transposeB: true };
      await encodeDenseMatmul(rec, gl, w, buf.h, backShape);
      if (hvp) {
        await encodeDenseMatmul(rec, rgl, w, buf.rh, backShape);
        await encodeDenseMatmul(rec, gl, vw, buf.tmp, backShape);
        await encodeViewCopy(rec, { src: buf.tmp, dst: buf.rh, size, accumulate: true });
        const second = { w: buf.h, s: buf.rPre[l - 2] };
        await encodeActivationBackward(rec, {
          z,
          u: buf.rh,
          out: buf.rg[1 - g],
          size,
          coefficients: act,
          second,
        });
      }
      await encodeActivationBackward(rec, { z, u: buf.h, out: buf.g[1 - g], size, coefficients: act });
      g = 1 - g;
    }
  }
}
