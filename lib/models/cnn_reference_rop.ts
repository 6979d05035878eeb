/**
 * The float64 reference of a CNN's exact Hessian-vector product: Pearlmutter's R-operator,
 * R(.) = d/dt (.)(theta + t v) at t = 0, through the forward and backward passes of
 * lib/models/cnn_reference.ts (notation there), with the direction v = (Wv_b, bv_b, Vv_l, cv_l) in the flat
 * layout. The oracle of the GPU R-operator passes (lib/models/cnn_gpu_rop.ts). conv2d is linear in its
 * input and in its weights, and the max-pool is (almost everywhere) a fixed gather of each window's
 * first maximum:
 *
 * - R-forward: R(a_0) = 0; R(z_b) = conv2d(R(a_{b-1}), W_b) + conv2d(a_{b-1}, Wv_b) + bv_b,
 *   R(r_b) = act'(z_b) R(z_b), R(a_b) = gather(r_b, R(r_b)) (the values of R(r_b) at r_b's window
 *   maxima, lib/reference/pool_gather.ts) or R(r_b); dense: R(u_l) = R(d_{l-1}) V_l + d_{l-1} Vv_l + cv_l,
 *   R(d_l) = act'(u_l) R(u_l);
 * - loss: R(g_L) = (d^2 L / df^2) R(f) (lossReference's `hessianVector`);
 * - dense R-backward (as the MLP, now with R(d_0) = R(a_B) != 0): R(dV_l) = d_{l-1}^T R(g_l) +
 *   R(d_{l-1})^T g_l, R(dc_l) = column sums of R(g_l), R(h) = R(g_l) V_l^T + g_l Vv_l^T,
 *   R(g_{l-1}) = R(h) act'(u_{l-1}) + h act''(u_{l-1}) R(u_{l-1}), and R(e_B) = R(h) after l = 1;
 * - conv R-backward, b = B..1: R(dL/dr_b) = maxpool backward of R(e) (the same scatter as for e),
 *   R(dL/dz_b) = R(dL/dr_b) act'(z_b) + dL/dr_b act''(z_b) R(z_b),
 *   R(dW_b) = convBackwardWeight(a_{b-1}, R(dz_b)) + convBackwardWeight(R(a_{b-1}), dz_b),
 *   R(db_b) = sums of R(dz_b), R(e_{b-1}) = convBackwardInput(R(dz_b), W_b) + convBackwardInput(dz_b, Wv_b).
 *
 * Then H v = (R(dW_b), R(db_b), R(dV_l), R(dc_l)) exactly: the Hessian of the smooth piece of the loss
 * that contains theta (ReLU has act'' = 0; a unit or pool window on a switch is a measure-zero event).
 *
 * @module
 */
import { activationCoefficients, evaluateActivation } from "../activations.ts";
import { cnnBlockConvShape, cnnBlockPoolShape, cnnLayout, type CnnSpec } from "./cnn.ts";
import type { ParameterLayout } from "./parameters.ts";
import {
  conv2dBackwardInputReference,
  conv2dBackwardWeightReference,
  conv2dForwardReference,
} from "../reference/conv2d.ts";
import { maxPool2dBackwardReference } from "../reference/pool.ts";
import { maxPool2dGatherReference } from "../reference/pool_gather.ts";
import { checkCnnBatch, times } from "./cnn_reference_common.ts";
import { accumulateDenseGradient, add, dense, denseBackward } from "./mlp_reference.ts";
import type { CnnBackwardTrace, CnnTrace } from "./cnn_reference_common.ts";

/** The R-operator of a forward pass: R(.) of every {@linkcode CnnTrace} entry along a direction. */
export interface CnnRTrace {
  /** R(z_b) per conv block. */
  convPre: Float64Array[];
  /** R(r_b) per conv block. */
  convPost: Float64Array[];
  /** R(a_b) per conv block. */
  blockOut: Float64Array[];
  /** R(u_l) per dense layer. */
  densePre: Float64Array[];
  /** R(d_l) per hidden dense layer. */
  densePost: Float64Array[];
}

function checkDirection(layout: ParameterLayout, direction: Float64Array): void {
  if (direction.length !== layout.count) {
    throw new RangeError(
      `Cannot run CNN reference: the direction has ${direction.length} values, the layout has ${layout.count}`,
    );
  }
}

/**
 * The R-operator of the forward pass along a direction v (see the module doc).
 *
 * @param spec The CNN.
 * @param params Flat parameters.
 * @param direction Flat direction v.
 * @param x Inputs [rows, C H W].
 * @param rows Samples.
 * @param trace The forward pass at params (lib/models/cnn_reference.ts `cnnForwardReference`).
 * @returns R(.) of every activation.
 * @throws {RangeError} On wrong lengths.
 */
export function cnnRForwardReference(
  spec: CnnSpec,
  params: Float64Array,
  direction: Float64Array,
  x: ArrayLike<number>,
  rows: number,
  trace: CnnTrace,
): CnnRTrace {
  const shapes = checkCnnBatch(spec, params, x, rows), layout = cnnLayout(spec);
  checkDirection(layout, direction);
  const w = layout.split(params), v = layout.split(direction);
  const act = activationCoefficients(spec.activation);
  const slope = (z: Float64Array) => z.map((t) => evaluateActivation(act, t, 1));
  const r: CnnRTrace = { convPre: [], convPost: [], blockOut: [], densePre: [], densePost: [] };
  for (let b = 0; b < shapes.blocks.length; b++) {
    const name = `conv${b + 1}`, convShape = cnnBlockConvShape(shapes, b, rows);
    const input = b > 0 ? trace.blockOut[b - 1] : x;
    // R(z_b) = conv2d(a_{b-1}, Wv_b) + bv_b (+ conv2d(R(a_{b-1}), W_b); R(a_0) = 0).
    let rz = conv2dForwardReference(convShape, input, v[`${name}.weight`], v[`${name}.bias`]);
    if (b > 0) rz = add(rz, conv2dForwardReference(convShape, r.blockOut[b - 1], w[`${name}.weight`]));
    const rr = times(slope(trace.convPre[b]), rz);
    const poolShape = shapes.blocks[b].pool ? cnnBlockPoolShape(shapes, b, rows) : undefined;
    r.convPre.push(rz);
    r.convPost.push(rr);
    r.blockOut.push(poolShape ? maxPool2dGatherReference(poolShape, trace.convPost[b], rr) : rr);
  }
  const widths = shapes.dense, L = widths.length - 1;
  let ra = r.blockOut[r.blockOut.length - 1], a = trace.blockOut[trace.blockOut.length - 1];
  for (let l = 1; l <= L; l++) {
    const name = `fc${l}`, nIn = widths[l - 1], nOut = widths[l];
    const ru = add(
      dense(a, v[`${name}.weight`], v[`${name}.bias`], rows, nIn, nOut),
      dense(ra, w[`${name}.weight`], undefined, rows, nIn, nOut),
    );
    r.densePre.push(ru);
    if (l < L) {
      ra = times(slope(trace.densePre[l - 1]), ru);
      a = trace.densePost[l - 1];
      r.densePost.push(ra);
    }
  }
  return r;
}

/** The passes at theta that {@linkcode cnnRBackwardReference} differentiates along v. */
export interface CnnRBackwardInputs {
  /** The forward pass (lib/models/cnn_reference.ts `cnnForwardReference`). */
  trace: CnnTrace;
  /** Its R-operator ({@linkcode cnnRForwardReference}). */
  rTrace: CnnRTrace;
  /** The backward pass's intermediate gradients (lib/models/cnn_reference.ts `cnnBackwardReference`). */
  backward: CnnBackwardTrace;
  /** R(dL/df) = (d^2 L / df^2) R(f) (lossReference's `hessianVector` with rf = R(f)). */
  rOutputGradient: Float64Array;
}

/**
 * The R-operator of the backward pass along a direction v: the exact Hessian-vector product H v
 * (see the module doc).
 *
 * @param spec The CNN.
 * @param params Flat parameters.
 * @param direction Flat direction v.
 * @param x Inputs [rows, C H W].
 * @param rows Samples.
 * @param passes The forward, R-forward and backward passes and R(dL/df).
 * @returns H v in the flat layout.
 * @throws {RangeError} On wrong lengths.
 */
export function cnnRBackwardReference(
  spec: CnnSpec,
  params: Float64Array,
  direction: Float64Array,
  x: ArrayLike<number>,
  rows: number,
  passes: CnnRBackwardInputs,
): Float64Array {
  const shapes = checkCnnBatch(spec, params, x, rows), layout = cnnLayout(spec);
  checkDirection(layout, direction);
  const { trace, rTrace, backward } = passes;
  const w = layout.split(params), v = layout.split(direction);
  const hessianVector = new Float64Array(layout.count), hv = layout.split(hessianVector);
  const act = activationCoefficients(spec.activation);
  const slope = (z: Float64Array) => z.map((t) => evaluateActivation(act, t, 1));
  const curvature = (z: Float64Array) => z.map((t) => evaluateActivation(act, t, 2));
  const widths = shapes.dense, L = widths.length - 1;

  // Dense layers, l = L..1: rg = R(g_l); afterwards rg = R(dL/d(flatten)).
  let rg = passes.rOutputGradient;
  const flatten = trace.blockOut.length - 1;
  for (let l = L; l >= 1; l--) {
    const name = `fc${l}`, nIn = widths[l - 1], nOut = widths[l];
    const g = backward.densePre[l - 1], h = backward.denseInput[l - 1];
    const input = l > 1 ? trace.densePost[l - 2] : trace.blockOut[flatten];
    const rInput = l > 1 ? rTrace.densePost[l - 2] : rTrace.blockOut[flatten];
    accumulateDenseGradient(rg, input, hv[`${name}.weight`], hv[`${name}.bias`], rows, nIn, nOut);
    accumulateDenseGradient(g, rInput, hv[`${name}.weight`], undefined, rows, nIn, nOut);
    const rh = add(
      denseBackward(rg, w[`${name}.weight`], rows, nIn, nOut),
      denseBackward(g, v[`${name}.weight`], rows, nIn, nOut),
    );
    if (l > 1) {
      const u = trace.densePre[l - 2], ru = rTrace.densePre[l - 2];
      const s = slope(u), c = curvature(u);
      rg = rh.map((t, i) => t * s[i] + h[i] * c[i] * ru[i]);
    } else {
      rg = rh;
    }
  }

  // Conv blocks, b = B..1: rg = R(dL/da_b) on entry.
  for (let b = shapes.blocks.length - 1; b >= 0; b--) {
    const name = `conv${b + 1}`, convShape = cnnBlockConvShape(shapes, b, rows);
    const poolShape = shapes.blocks[b].pool ? cnnBlockPoolShape(shapes, b, rows) : undefined;
    const dr = backward.convPost[b], dz = backward.convPre[b], input = b > 0 ? trace.blockOut[b - 1] : x;
    const rdr = poolShape ? maxPool2dBackwardReference(poolShape, trace.convPost[b], rg) : rg;
    const s = slope(trace.convPre[b]), c = curvature(trace.convPre[b]), rz = rTrace.convPre[b];
    const rdz = rdr.map((t, i) => t * s[i] + dr[i] * c[i] * rz[i]);
    const fromR = conv2dBackwardWeightReference(convShape, input, rdz);
    let rWeight = fromR.gradWeight;
    if (b > 0) {
      rWeight = add(rWeight, conv2dBackwardWeightReference(convShape, rTrace.blockOut[b - 1], dz).gradWeight);
      rg = add(
        conv2dBackwardInputReference(convShape, rdz, w[`${name}.weight`]),
        conv2dBackwardInputReference(convShape, dz, v[`${name}.weight`]),
      );
    }
    hv[`${name}.weight`].set(rWeight);
    hv[`${name}.bias`].set(fromR.gradBias);
  }
  return hessianVector;
}
