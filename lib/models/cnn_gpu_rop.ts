/**
 * The R-operator steps of the CNN's GPU passes: recorded by lib/models/cnn_gpu.ts right after the
 * forward or backward step they differentiate, so that together they give the exact Hessian-vector
 * product H v. The equations, and the float64 oracle, are lib/models/cnn_reference_rop.ts; R(.) buffers are
 * the pass's `r` (lib/models/cnn_gpu_pass.ts).
 *
 * The conv forward kernel cannot add into its output, so R(z_b) = conv2d(a_{b-1}, Wv_b) + bv_b +
 * conv2d(R(a_{b-1}), W_b) adds its second term with model_view_copy; the conv input- and
 * weight-gradient kernels add in place.
 *
 * @module
 */
import {
  encodeConv2dBackwardInput,
  encodeConv2dBackwardWeight,
  encodeConv2dForward,
} from "../../kernels/conv/conv2d.ts";
import { encodeMaxPool2dGather } from "../../kernels/pool/pool_gather.ts";
import {
  encodeActivationBackward,
  encodeColumnSum,
  encodeTranspose,
  encodeViewCopy,
} from "../../kernels/model_ops/model_ops.ts";
import type { CnnPass } from "./cnn_gpu_pass.ts";

function direction(p: CnnPass): { direction: GPUBuffer; out: GPUBuffer } {
  if (!p.batch.hvp) throw new Error("Cannot encode the CNN's R-operator: no direction (a bug in CnnGpu)");
  return p.batch.hvp;
}

/**
 * R-forward of conv block i, after its forward step: R(z_b) = conv2d(a_{b-1}, Wv_b) + bv_b +
 * conv2d(R(a_{b-1}), W_b), R(r_b) = act'(z_b) R(z_b), R(a_b) = R(r_b) at r_b's window maxima.
 */
export async function encodeConvRForward(p: CnnPass, i: number): Promise<void> {
  const { rec, buf, r } = p, hvp = direction(p), c = p.conv(i), z = buf.convPre[i], size = c.size;
  const common = { shape: c.shape, x: p.blockIn(i), weightOffset: c.weightOffset, biasOffset: c.biasOffset };
  await encodeConv2dForward(rec, { ...common, weight: hvp.direction, bias: hvp.direction, y: r.convPre[i] });
  if (i > 0) {
    const tmp = p.take();
    await encodeConv2dForward(rec, {
      ...common,
      x: r.blockOut[i - 1],
      weight: p.batch.params,
      bias: undefined,
      y: tmp,
    });
    await encodeViewCopy(rec, { src: tmp, dst: r.convPre[i], size, accumulate: true });
    p.give(tmp);
  }
  await encodeActivationBackward(rec, { z, u: r.convPre[i], out: r.convPost[i], size, coefficients: p.act });
  if (c.pool) {
    await encodeMaxPool2dGather(rec, {
      shape: c.pool,
      x: buf.convPost[i],
      v: r.convPost[i],
      y: r.blockOut[i],
    });
  }
}

/** R-forward of dense layer l, after its forward step: R(u_l) = d_{l-1} Vv_l + cv_l + R(d_{l-1}) V_l, R(d_l) = act'(u_l) R(u_l). */
export async function encodeDenseRForward(p: CnnPass, l: number): Promise<void> {
  const { rec, buf, r } = p, { nIn, nOut, w, vw, vb } = p.dense[l - 1];
  const u = buf.densePre[l - 1], size = p.batch.rows * nOut, shape = { m: p.batch.rows, k: nIn, n: nOut };
  const tmp = p.take();
  await p.matmul(p.denseInput(l), vw, r.densePre[l - 1], { ...shape, bias: vb });
  await p.matmul(p.rDenseInput(l), w, tmp, shape);
  await encodeViewCopy(rec, { src: tmp, dst: r.densePre[l - 1], size, accumulate: true });
  p.give(tmp);
  if (l < p.dense.length) {
    await encodeActivationBackward(rec, {
      z: u,
      u: r.densePre[l - 1],
      out: r.densePost[l - 1],
      size,
      coefficients: p.act,
    });
  }
}

/**
 * R-backward of dense layer l, after the backward step recorded dL/dV's input^T into `buf.inputT` and
 * h = g V^T: R(dV) = input^T R(g) + R(input)^T g into H v, R(dc) = column sums of R(g),
 * R(h) = R(g) V^T + g Vv^T, and for l > 1 R(g_{l-1}) = R(h) act'(u_{l-1}) + h act''(u_{l-1}) R(u_{l-1}).
 * Gives g and rg back to the pool (g as soon as its last reader is recorded: R(h) then fits in the
 * four scratch buffers).
 *
 * @returns R(g_{l-1}), or R(dL/da_B) for l = 1, in a scratch buffer.
 */
export async function encodeDenseRBackward(
  p: CnnPass,
  l: number,
  g: GPUBuffer,
  rg: GPUBuffer,
  h: GPUBuffer,
): Promise<GPUBuffer> {
  const { rec, buf, r, batch, dW } = p, hvp = direction(p), rows = batch.rows;
  const { nIn, nOut, w, vw, weightOffset, biasOffset } = p.dense[l - 1];
  const weightShape = { m: nIn, k: rows, n: nOut }, weights = nIn * nOut;
  const backShape = { m: rows, k: nOut, n: nIn, transposeB: true };
  await p.matmul(buf.inputT, rg, dW, weightShape);
  await p.store(dW, hvp.out, weightOffset, weights, batch.accumulate);
  await encodeTranspose(rec, { x: p.rDenseInput(l), out: r.inputT, rows, cols: nIn });
  await p.matmul(r.inputT, g, dW, weightShape);
  await p.store(dW, hvp.out, weightOffset, weights, true);
  const biasSum = { rows, cols: nOut, offset: biasOffset, scale: 1, accumulate: batch.accumulate };
  await encodeColumnSum(rec, { x: rg, out: hvp.out, ...biasSum });
  const tmp = p.take();
  await p.matmul(g, vw, tmp, backShape);
  p.give(g);
  const rh = p.take();
  await p.matmul(rg, w, rh, backShape);
  p.give(rg);
  await encodeViewCopy(rec, { src: tmp, dst: rh, size: rows * nIn, accumulate: true });
  p.give(tmp);
  if (l === 1) return rh;
  const rgPrevious = p.take(), second = { w: h, s: r.densePre[l - 2] };
  await encodeActivationBackward(rec, {
    z: buf.densePre[l - 2],
    u: rh,
    out: rgPrevious,
    size: rows * nIn,
    coefficients: p.act,
    second,
  });
  p.give(rh);
  return rgPrevious;
}

/**
 * R(dL/dz_b) = R(dL/dr_b) act'(z_b) + dL/dr_b act''(z_b) R(z_b) for conv block i, from dr = dL/dr_b and
 * rdr = R(dr) (the max-pool backward of R(dL/da_b)); gives rdr back.
 *
 * @returns R(dL/dz_b) in a scratch buffer.
 */
export async function encodeConvRDelta(
  p: CnnPass,
  i: number,
  dr: GPUBuffer,
  rdr: GPUBuffer,
): Promise<GPUBuffer> {
  const rdz = p.take(), second = { w: dr, s: p.r.convPre[i] };
  await encodeActivationBackward(p.rec, {
    z: p.buf.convPre[i],
    u: rdr,
    out: rdz,
    size: p.conv(i).size,
    coefficients: p.act,
    second,
  });
  p.give(rdr);
  return rdz;
}

/**
 * R-backward of conv block i from dz = dL/dz_b and rdz = R(dz): R(dW_b) = dW(a_{b-1}, R(dz)) +
 * dW(R(a_{b-1}), dz) and R(db_b) into H v, and for i > 0 R(dL/da_{b-1}) = dX(R(dz), W_b) + dX(dz, Wv_b).
 * Gives rdz back.
 *
 * @returns R(dL/da_{b-1}) in a scratch buffer (undefined for the first block).
 */
export async function encodeConvRBackward(
  p: CnnPass,
  i: number,
  dz: GPUBuffer,
  rdz: GPUBuffer,
): Promise<GPUBuffer | undefined> {
  const { rec, batch } = p, hvp = direction(p), c = p.conv(i);
  const weights = { shape: c.shape, x: p.blockIn(i), weightOffset: c.weightOffset };
  const into = { grad: hvp.out, biasOffset: c.biasOffset, accumulate: batch.accumulate };
  await encodeConv2dBackwardWeight(rec, { ...weights, gradOutput: rdz, ...into });
  if (i === 0) {
    p.give(rdz);
    return undefined;
  }
  await encodeConv2dBackwardWeight(rec, {
    ...weights,
    x: p.r.blockOut[i - 1],
    gradOutput: dz,
    grad: hvp.out,
    accumulate: true,
  });
  const inputs = { shape: c.shape, weightOffset: c.weightOffset }, rg = p.take();
  await encodeConv2dBackwardInput(rec, { ...inputs, gradOutput: rdz, weight: batch.params, gradInput: rg });
  await encodeConv2dBackwardInput(rec, {
    ...inputs,
    gradOutput: dz,
    weight: hvp.direction,
    gradInput: rg,
    accumulate: true,
  });
  p.give(rdz);
  return rg;
}
