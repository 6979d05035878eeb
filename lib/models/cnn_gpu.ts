/**
 * A CNN's outputs, loss, exact gradient and exact Hessian-vector product on the GPU, composed from the
 * conv2d and max-pool kernels (kernels/conv/conv2d.ts, kernels/pool/pool.ts, kernels/pool/pool_gather.ts),
 * the activation kernels, and for the dense head the same matmul and model_* kernels as the MLP
 * (lib/models/mlp_gpu.ts), all recorded into the caller's recorder (one command buffer, one submit at the
 * next flush). The algorithm, step by step, is lib/models/cnn_reference.ts; the Hessian-vector product is
 * Pearlmutter's R-operator, like the MLP's: its steps (lib/models/cnn_gpu_rop.ts, oracle
 * lib/models/cnn_reference_rop.ts) are recorded right after the forward and backward steps they
 * differentiate. The buffers and the per-pass state are lib/models/cnn_gpu_pass.ts.
 *
 * The conv kernels read their weights and biases (and the direction's), and write their gradients, at
 * element offsets of the flat vectors, so conv layers need no copies; the dense weights are copied
 * into whole buffers (matmul binds whole buffers) and their gradients copied (or added) back, as in
 * the MLP. Adding into the outputs is how chunks of a full batch accumulate.
 *
 * Cost, in conv passes per block (a forward F, an input gradient I and a weight gradient G have the same
 * multiply-adds): the gradient runs F + I + G (no I for block 1); H v adds the R-forward 2F (F for
 * block 1), R(dW) 2G (G for block 1) and R(dX) 2I, and needs the gradient's chain (F + I) but not its
 * stores (G). With the direct conv kernels on llvmpipe the preset's I and G kernels were ~2x slower than F
 * (conv2 at batch 8: F 369 ms, I 737 ms, G 884 ms), so H v alone cost ~2.5 gradients and gradient + H v
 * ~2.9; with the im2col + matmul kernels H v alone costs 2.3-2.6 gradients at batch 8 and 32
 * (`deno task bench models --model=cnn`).
 *
 * @module
 */
import { activationCoefficients } from "../activations.ts";
import type { GpuContext } from "../gpu/device.ts";
import type { CommandRecorder } from "../gpu/recorder.ts";
import { encodeActivation } from "../../kernels/elementwise/elementwise.ts";
import {
  encodeConv2dBackwardInput,
  encodeConv2dBackwardWeight,
  encodeConv2dForward,
} from "../../kernels/conv/conv2d.ts";
import { encodeMaxPool2dBackward, encodeMaxPool2dForward } from "../../kernels/pool/pool.ts";
import {
  encodeActivationBackward,
  encodeColumnSum,
  encodeModelLoss,
  encodeTranspose,
} from "../../kernels/model_ops/model_ops.ts";
import type { LossName } from "./losses.ts";
import { cnnLayout, type CnnShapes, cnnShapes, type CnnSpec } from "./cnn.ts";
import type { ParameterLayout } from "./parameters.ts";
import { type CnnGpuBatch, CnnGpuBuffers, CnnPass } from "./cnn_gpu_pass.ts";
import {
  encodeConvRBackward,
  encodeConvRDelta,
  encodeConvRForward,
  encodeDenseRBackward,
  encodeDenseRForward,
} from "./cnn_gpu_rop.ts";

export type { CnnGpuBatch } from "./cnn_gpu_pass.ts";

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
  #buffers: CnnGpuBuffers;

  /** @param gpu The context; @param spec The CNN; @param loss The loss. */
  constructor(gpu: GpuContext, spec: CnnSpec, loss: LossName) {
    this.gpu = gpu;
    this.spec = spec;
    this.loss = loss;
    this.layout = cnnLayout(spec);
    this.shapes = cnnShapes(spec);
    this.#coefficients = activationCoefficients(spec.activation);
    this.#buffers = new CnnGpuBuffers(gpu, spec, this.layout, this.shapes);
  }

  /** Frees every scratch buffer (after the work using them was submitted). */
  destroy(): void {
    this.#buffers.destroy();
  }

  /**
   * Records the loss, and as asked the gradient, the exact Hessian-vector product and the outputs, of
   * one batch.
   *
   * @param rec The recorder (nothing is submitted).
   * @param batch Buffers, rows and flags.
   */
  async encode(rec: CommandRecorder, batch: CnnGpuBatch): Promise<void> {
    const p = new CnnPass(rec, batch, {
      shapes: this.shapes,
      layout: this.layout,
      act: this.#coefficients,
      buffers: this.#buffers,
    });
    const hvp = batch.hvp !== undefined;
    await this.#forward(p, hvp);
    const L = p.dense.length;

    // Loss, g = dL/df and R(g) = (d^2 L / df^2) R(f).
    const g = p.take(), rg = hvp ? p.take() : undefined;
    await encodeModelLoss(rec, {
      loss: this.loss,
      f: p.buf.densePre[L - 1],
      y: p.y,
      g,
      losses: p.buf.losses,
      rows: batch.rows,
      cols: this.spec.outputs,
      scale: batch.scale,
      direction: rg ? { rf: p.r.densePre[L - 1], rg } : undefined,
    });
    const lossSum = {
      rows: batch.rows,
      cols: 1,
      offset: 0,
      scale: batch.scale,
      accumulate: batch.accumulate,
    };
    await encodeColumnSum(rec, { x: p.buf.losses, out: batch.loss, ...lossSum });
    if (!batch.gradient && !hvp) return;
    const e = await this.#denseBackward(p, g, rg);
    await this.#convBackward(p, e.g, e.rg);
  }

  /** Forward: conv blocks, then the dense head, each step followed by its R-forward step for H v. */
  async #forward(p: CnnPass, hvp: boolean): Promise<void> {
    const { rec, buf, act, batch } = p, rows = batch.rows;
    for (let i = 0; i < this.shapes.blocks.length; i++) {
      const c = p.conv(i);
      await encodeConv2dForward(rec, {
        shape: c.shape,
        x: p.blockIn(i),
        weightOffset: c.weightOffset,
        biasOffset: c.biasOffset,
        weight: batch.params,
        bias: batch.params,
        y: buf.convPre[i],
      });
      const size = c.size;
      await encodeActivation(rec, {
        x: buf.convPre[i],
        out: buf.convPost[i],
        size,
        coefficients: act,
        order: 0,
      });
      if (c.pool) {
        await encodeMaxPool2dForward(rec, { shape: c.pool, x: buf.convPost[i], y: buf.blockOut[i] });
      }
      if (hvp) await encodeConvRForward(p, i);
    }
    const L = p.dense.length;
    for (let l = 1; l <= L; l++) {
      const { nIn, nOut, w, b } = p.dense[l - 1], u = buf.densePre[l - 1], size = rows * nOut;
      await p.matmul(p.denseInput(l), w, u, { m: rows, k: nIn, n: nOut, bias: b });
      if (l < L) {
        await encodeActivation(rec, { x: u, out: buf.densePost[l - 1], size, coefficients: act, order: 0 });
      }
      if (hvp) await encodeDenseRForward(p, l);
    }
    if (batch.outputs) {
      const bytes = rows * this.spec.outputs * 4;
      rec.copy(buf.densePre[L - 1], 0, batch.outputs, (batch.outputsOffset ?? 0) * 4, bytes);
    }
  }

  /**
   * Dense backward from g = dL/df (and rg = R(g)): dV = input^T g, dc = column sums of g, h = g V^T,
   * g_{l-1} = h act'(u_{l-1}), each layer followed by its R-backward step.
   *
   * @returns dL/da_B and its R(.), in scratch buffers.
   */
  async #denseBackward(
    p: CnnPass,
    g: GPUBuffer,
    rg: GPUBuffer | undefined,
  ): Promise<{ g: GPUBuffer; rg?: GPUBuffer }> {
    const { rec, buf, batch, dW } = p, rows = batch.rows, gradient = batch.gradient;
    for (let l = p.dense.length; l >= 1; l--) {
      const { nIn, nOut, w, weightOffset, biasOffset } = p.dense[l - 1];
      await encodeTranspose(rec, { x: p.denseInput(l), out: buf.inputT, rows, cols: nIn });
      if (gradient) {
        await p.matmul(buf.inputT, g, dW, { m: nIn, k: rows, n: nOut });
        await p.store(dW, gradient, weightOffset, nIn * nOut, batch.accumulate);
        const biasSum = { rows, cols: nOut, offset: biasOffset, scale: 1, accumulate: batch.accumulate };
        await encodeColumnSum(rec, { x: g, out: gradient, ...biasSum });
      }
      const h = p.take();
      await p.matmul(g, w, h, { m: rows, k: nOut, n: nIn, transposeB: true });
      if (rg) rg = await encodeDenseRBackward(p, l, g, rg, h);
      else p.give(g);
      if (l === 1) return { g: h, rg };
      g = p.take();
      const u = buf.densePre[l - 2];
      await encodeActivationBackward(rec, { z: u, u: h, out: g, size: rows * nIn, coefficients: p.act });
      p.give(h);
    }
    throw new Error("Cannot encode the CNN: no dense layer (a bug in CnnGpu)");
  }

  /**
   * Conv backward, g = dL/da_b on entry: max-pool backward, times act'(z_b), weight and input gradients,
   * each block followed by its R-backward step (R(g) takes the same max-pool scatter as g).
   */
  async #convBackward(p: CnnPass, g: GPUBuffer, rg: GPUBuffer | undefined): Promise<void> {
    const { rec, buf, batch } = p;
    for (let i = this.shapes.blocks.length - 1; i >= 0; i--) {
      const c = p.conv(i), z = buf.convPre[i], size = c.size;
      const unpool = async (e: GPUBuffer) => {
        if (!c.pool) return e;
        const out = p.take();
        await encodeMaxPool2dBackward(rec, {
          shape: c.pool,
          x: buf.convPost[i],
          gradOutput: e,
          gradInput: out,
        });
        p.give(e);
        return out;
      };
      const dr = await unpool(g), rdr = rg ? await unpool(rg) : undefined;
      const dz = p.take();
      await encodeActivationBackward(rec, { z, u: dr, out: dz, size, coefficients: p.act });
      const rdz = rdr ? await encodeConvRDelta(p, i, dr, rdr) : undefined;
      p.give(dr);
      if (batch.gradient) {
        await encodeConv2dBackwardWeight(rec, {
          shape: c.shape,
          x: p.blockIn(i),
          weightOffset: c.weightOffset,
          gradOutput: dz,
          grad: batch.gradient,
          biasOffset: c.biasOffset,
          accumulate: batch.accumulate,
        });
      }
      rg = rdz ? await encodeConvRBackward(p, i, dz, rdz) : undefined;
      if (i === 0) break;
      g = p.take();
      await encodeConv2dBackwardInput(rec, {
        shape: c.shape,
        weightOffset: c.weightOffset,
        gradOutput: dz,
        weight: batch.params,
        gradInput: g,
      });
      p.give(dz);
    }
  }
}
