/**
 * The float64 reference of a CNN's forward pass, loss, exact gradient and exact Hessian-vector product
 * on a batch, written to be read: the oracle of the GPU path (lib/models/cnn_gpu.ts). Built from the
 * conv and pool references (lib/reference/conv2d.ts, lib/reference/pool.ts) and dense layers like
 * lib/models/mlp_reference.ts; the Hessian-vector product is the R-operator of lib/models/cnn_reference_rop.ts.
 *
 * Notation (lib/models/cnn.ts): a_0 = x [rows, C, H, W]; conv block b: z_b = conv2d(a_{b-1}, W_b) + b_b,
 * r_b = act(z_b), a_b = maxpool(r_b) or r_b; then the flatten a_B [rows, F] and dense layers
 * u_l = d_{l-1} V_l + c_l (d_0 = a_B), d_l = act(u_l) for hidden ones, f = u_L.
 *
 * Backward from g = dL/df (lossReference): dense layers as in the MLP (dV_l = d_{l-1}^T g_l,
 * dc_l = column sums, h = g_l V_l^T, g_{l-1} = h act'(u_{l-1})), then for b = B..1 with
 * e = dL/da_b: dL/dr_b = maxpool backward of e (the gradient goes to each window's first maximum)
 * or e, dL/dz_b = dL/dr_b act'(z_b), dW_b and db_b by conv2d's weight gradient, and
 * dL/da_{b-1} = conv2d's input gradient (skipped for b = 1).
 *
 * @module
 */
import { activationCoefficients, evaluateActivation } from "../activations.ts";
import { type LossName, lossReference } from "./losses.ts";
import { cnnBlockConvShape, cnnBlockPoolShape, cnnLayout, type CnnSpec } from "./cnn.ts";
import {
  conv2dBackwardInputReference,
  conv2dBackwardWeightReference,
  conv2dForwardReference,
} from "../reference/conv2d.ts";
import { maxPool2dBackwardReference, maxPool2dForwardReference } from "../reference/pool.ts";
import { checkCnnBatch, times } from "./cnn_reference_common.ts";
import { accumulateDenseGradient, dense, denseBackward } from "./mlp_reference.ts";
import { cnnRBackwardReference, cnnRForwardReference } from "./cnn_reference_rop.ts";
import type { CnnBackwardTrace, CnnTrace } from "./cnn_reference_common.ts";
export { type CnnBackwardTrace, type CnnTrace } from "./cnn_reference_common.ts";

// Kept importable from here (their homes are lib/models/cnn.ts and lib/models/cnn_reference_rop.ts).
export { cnnBlockConvShape, cnnBlockPoolShape } from "./cnn.ts";
export { cnnRBackwardReference, cnnRForwardReference, type CnnRTrace } from "./cnn_reference_rop.ts";

/** Loss, gradient and (optionally) Hessian-vector product of a batch. */
export interface CnnReferenceResult {
  /** The batch loss, scale * sum_i l_i. */
  loss: number;
  /** Its gradient in the flat layout (lib/models/cnn.ts cnnLayout). */
  gradient: Float64Array;
  /** Its Hessian times the direction, in the flat layout (when a direction was given). */
  hessianVector?: Float64Array;
  /** The outputs f [rows, outputs]. */
  output: Float64Array;
}

/**
 * The forward pass of a CNN on a batch.
 *
 * @param spec The CNN.
 * @param params Flat parameters (float64).
 * @param x Inputs, row-major [rows, C H W] (NCHW).
 * @param rows Samples.
 * @returns Every layer's activations and the outputs.
 * @throws {RangeError} On wrong lengths.
 */
export function cnnForwardReference(
  spec: CnnSpec,
  params: Float64Array,
  x: ArrayLike<number>,
  rows: number,
): CnnTrace {
  const shapes = checkCnnBatch(spec, params, x, rows);
  const views = cnnLayout(spec).split(params);
  const act = activationCoefficients(spec.activation);
  const trace: CnnTrace = {
    convPre: [],
    convPost: [],
    blockOut: [],
    densePre: [],
    densePost: [],
    output: new Float64Array(0),
  };
  let a: Float64Array = Float64Array.from(x);
  for (let b = 0; b < shapes.blocks.length; b++) {
    const name = `conv${b + 1}`;
    const z = conv2dForwardReference(
      cnnBlockConvShape(shapes, b, rows),
      a,
      views[`${name}.weight`],
      views[`${name}.bias`],
    );
    const r = z.map((t) => evaluateActivation(act, t, 0));
    a = shapes.blocks[b].pool ? maxPool2dForwardReference(cnnBlockPoolShape(shapes, b, rows), r) : r;
    trace.convPre.push(z);
    trace.convPost.push(r);
    trace.blockOut.push(a);
  }
  const widths = shapes.dense, L = widths.length - 1;
  for (let l = 1; l <= L; l++) {
    const u = dense(a, views[`fc${l}.weight`], views[`fc${l}.bias`], rows, widths[l - 1], widths[l]);
    trace.densePre.push(u);
    if (l < L) {
      a = u.map((t) => evaluateActivation(act, t, 0));
      trace.densePost.push(a);
    }
  }
  trace.output = trace.densePre[L - 1];
  return trace;
}

/**
 * The backward pass of a CNN from g = dL/df: the exact gradient (see the module doc).
 *
 * @param spec The CNN.
 * @param params Flat parameters.
 * @param x Inputs [rows, C H W].
 * @param rows Samples.
 * @param trace The forward pass at params ({@linkcode cnnForwardReference}).
 * @param outputGradient g = dL/df [rows, outputs] (lossReference's `gradient`).
 * @returns The gradient in the flat layout and the intermediate gradients (for the R-operator).
 * @throws {RangeError} On wrong lengths.
 */
export function cnnBackwardReference(
  spec: CnnSpec,
  params: Float64Array,
  x: ArrayLike<number>,
  rows: number,
  trace: CnnTrace,
  outputGradient: Float64Array,
): { gradient: Float64Array; backward: CnnBackwardTrace } {
  const shapes = checkCnnBatch(spec, params, x, rows), widths = shapes.dense, L = widths.length - 1;
  const layout = cnnLayout(spec), w = layout.split(params);
  const gradient = new Float64Array(layout.count), grad = layout.split(gradient);
  const act = activationCoefficients(spec.activation);
  const slope = (z: Float64Array) => z.map((t) => evaluateActivation(act, t, 1));
  const backward: CnnBackwardTrace = { densePre: [], denseInput: [], convPost: [], convPre: [] };

  // Dense layers, l = L..1: g = dL/du_l; afterwards g = dL/d(flatten).
  let g = outputGradient;
  const flatten = trace.blockOut.length - 1;
  for (let l = L; l >= 1; l--) {
    const name = `fc${l}`, nIn = widths[l - 1], nOut = widths[l];
    const input = l > 1 ? trace.densePost[l - 2] : trace.blockOut[flatten];
    accumulateDenseGradient(g, input, grad[`${name}.weight`], grad[`${name}.bias`], rows, nIn, nOut);
    const h = denseBackward(g, w[`${name}.weight`], rows, nIn, nOut);
    backward.densePre[l - 1] = g;
    backward.denseInput[l - 1] = h;
    g = l > 1 ? times(h, slope(trace.densePre[l - 2])) : h;
  }

  // Conv blocks, b = B..1: g = dL/da_b on entry.
  for (let b = shapes.blocks.length - 1; b >= 0; b--) {
    const name = `conv${b + 1}`, convShape = cnnBlockConvShape(shapes, b, rows);
    const poolShape = shapes.blocks[b].pool ? cnnBlockPoolShape(shapes, b, rows) : undefined;
    const dr = poolShape ? maxPool2dBackwardReference(poolShape, trace.convPost[b], g) : g;
    const dz = times(dr, slope(trace.convPre[b]));
    const input = b > 0 ? trace.blockOut[b - 1] : x;
    const { gradWeight, gradBias } = conv2dBackwardWeightReference(convShape, input, dz);
    grad[`${name}.weight`].set(gradWeight);
    grad[`${name}.bias`].set(gradBias);
    backward.convPost[b] = dr;
    backward.convPre[b] = dz;
    if (b > 0) g = conv2dBackwardInputReference(convShape, dz, w[`${name}.weight`]);
  }
  return { gradient, backward };
}

/**
 * Loss and exact gradient, and with a direction v the exact Hessian-vector product (Pearlmutter's
 * R-operator, lib/models/cnn_reference_rop.ts), of a CNN on a batch.
 *
 * @param spec The CNN.
 * @param loss The loss.
 * @param params Flat parameters.
 * @param x Inputs [rows, C H W].
 * @param y Targets [rows, outputs].
 * @param rows Samples.
 * @param options `scale` of the loss (1 / rows by default: the batch mean), `direction` v.
 * @returns Loss, gradient, outputs and H v.
 * @throws {RangeError} On wrong lengths.
 */
export function cnnReference(
  spec: CnnSpec,
  loss: LossName,
  params: Float64Array,
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  rows: number,
  options: { scale?: number; direction?: Float64Array } = {},
): CnnReferenceResult {
  const trace = cnnForwardReference(spec, params, x, rows), L = trace.densePre.length;
  if (y.length !== rows * spec.outputs) {
    throw new RangeError(
      `Cannot run CNN reference: y has ${y.length} values, expected ${rows * spec.outputs}`,
    );
  }
  const direction = options.direction;
  const rTrace = direction ? cnnRForwardReference(spec, params, direction, x, rows, trace) : undefined;
  const scale = options.scale ?? 1 / rows;
  const terms = lossReference(loss, trace.output, y, rows, spec.outputs, scale, rTrace?.densePre[L - 1]);
  const { gradient, backward } = cnnBackwardReference(spec, params, x, rows, trace, terms.gradient);
  const hessianVector = direction && rTrace && terms.hessianVector
    ? cnnRBackwardReference(spec, params, direction, x, rows, {
      trace,
      rTrace,
      backward,
      rOutputGradient: terms.hessianVector,
    })
    : undefined;
  const lossValue = scale * terms.perSample.reduce((sum, t) => sum + t, 0);
  return { loss: lossValue, gradient, output: trace.output, hessianVector };
}
