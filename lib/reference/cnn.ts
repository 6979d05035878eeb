/**
 * The float64 reference of a CNN's forward pass, loss, exact gradient and exact Hessian-vector product
 * on a batch, written to be read: the oracle of the GPU path (lib/models/cnn_gpu.ts). Built from the
 * conv and pool references (lib/reference/conv2d.ts, lib/reference/pool.ts, lib/reference/pool_gather.ts)
 * and dense layers like lib/reference/mlp.ts.
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
 * Hessian-vector product by Pearlmutter's R-operator, R(.) = d/dt (.)(theta + t v) at t = 0, with the
 * direction v = (Wv_b, bv_b, Vv_l, cv_l) in the flat layout. conv2d is linear in its input and in its
 * weights, and the max-pool is (almost everywhere) a fixed gather of each window's first maximum:
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
import { type LossName, lossReference } from "../models/losses.ts";
import { cnnLayout, type CnnShapes, cnnShapes, type CnnSpec } from "../models/cnn.ts";
import {
  conv2dBackwardInputReference,
  conv2dBackwardWeightReference,
  conv2dForwardReference,
  type Conv2dShape,
} from "./conv2d.ts";
import { maxPool2dBackwardReference, maxPool2dForwardReference, type PoolShape } from "./pool.ts";
import { maxPool2dGatherReference } from "./pool_gather.ts";

/** The activations of a forward pass (row-major, samples first). */
export interface CnnTrace {
  /** z_b, the conv outputs before the activation, per block. */
  convPre: Float64Array[];
  /** r_b = act(z_b), per block. */
  convPost: Float64Array[];
  /** a_b, the block outputs (pooled where the block pools); the last one is the flatten. */
  blockOut: Float64Array[];
  /** u_l, the dense pre-activations, per dense layer. */
  densePre: Float64Array[];
  /** d_l = act(u_l), per hidden dense layer. */
  densePost: Float64Array[];
  /** f = u_L [rows, outputs]. */
  output: Float64Array;
}

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

/** The conv2d shape of block b on `rows` samples. */
export function cnnBlockConvShape(shapes: CnnShapes, b: number, rows: number): Conv2dShape {
  const s = shapes.blocks[b];
  return {
    batch: rows,
    inChannels: s.inChannels,
    outChannels: s.outChannels,
    height: s.height,
    width: s.width,
    kernelSize: s.kernelSize,
    padding: s.padding,
  };
}

/** The max-pool input shape of block b on `rows` samples. */
export function cnnBlockPoolShape(shapes: CnnShapes, b: number, rows: number): PoolShape {
  const s = shapes.blocks[b];
  return { batch: rows, channels: s.outChannels, height: s.convHeight, width: s.convWidth };
}

/** out[r, o] = sum_i a[r, i] w[i, o] (+ bias[o]). */
function dense(
  a: Float64Array,
  w: Float64Array,
  bias: Float64Array | undefined,
  rows: number,
  nIn: number,
  nOut: number,
): Float64Array {
  const out = new Float64Array(rows * nOut);
  for (let r = 0; r < rows; r++) {
    for (let o = 0; o < nOut; o++) {
      let s = bias ? bias[o] : 0;
      for (let i = 0; i < nIn; i++) s += a[r * nIn + i] * w[i * nOut + o];
      out[r * nOut + o] = s;
    }
  }
  return out;
}

/** out[r, i] = sum_o g[r, o] w[i, o]: rows of g times W^T. */
function denseBackward(
  g: Float64Array,
  w: Float64Array,
  rows: number,
  nIn: number,
  nOut: number,
): Float64Array {
  const out = new Float64Array(rows * nIn);
  for (let r = 0; r < rows; r++) {
    for (let o = 0; o < nOut; o++) {
      const go = g[r * nOut + o];
      for (let i = 0; i < nIn; i++) out[r * nIn + i] += go * w[i * nOut + o];
    }
  }
  return out;
}

/** dw[i, o] += sum_r a[r, i] g[r, o] and, when given, db[o] += sum_r g[r, o]. */
function accumulateDenseGradient(
  g: Float64Array,
  a: Float64Array,
  dw: Float64Array,
  db: Float64Array | undefined,
  rows: number,
  nIn: number,
  nOut: number,
): void {
  for (let r = 0; r < rows; r++) {
    for (let o = 0; o < nOut; o++) {
      const go = g[r * nOut + o];
      if (db) db[o] += go;
      for (let i = 0; i < nIn; i++) dw[i * nOut + o] += a[r * nIn + i] * go;
    }
  }
}

const add = (a: Float64Array, b: Float64Array) => a.map((t, i) => t + b[i]);
const times = (a: Float64Array, b: Float64Array) => a.map((t, i) => t * b[i]);

function checkBatch(spec: CnnSpec, params: Float64Array, x: ArrayLike<number>, rows: number): CnnShapes {
  const shapes = cnnShapes(spec), count = cnnLayout(spec).count;
  if (params.length !== count) {
    throw new RangeError(
      `Cannot run CNN reference: ${params.length} parameters given, the layout has ${count}`,
    );
  }
  if (!Number.isInteger(rows) || rows < 1 || x.length !== rows * shapes.inputs) {
    throw new RangeError(
      `Cannot run CNN reference: x has ${x.length} values, expected rows ${rows} x inputs ${shapes.inputs}`,
    );
  }
  return shapes;
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
  const shapes = checkBatch(spec, params, x, rows);
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
 * The R-operator of the forward pass along a direction v (see the module doc).
 *
 * @param spec The CNN.
 * @param params Flat parameters.
 * @param direction Flat direction v.
 * @param x Inputs [rows, C H W].
 * @param rows Samples.
 * @param trace The forward pass at params ({@linkcode cnnForwardReference}).
 * @returns R(.) of every activation.
 */
export function cnnRForwardReference(
  spec: CnnSpec,
  params: Float64Array,
  direction: Float64Array,
  x: ArrayLike<number>,
  rows: number,
  trace: CnnTrace,
): CnnRTrace {
  const shapes = checkBatch(spec, params, x, rows), layout = cnnLayout(spec);
  if (direction.length !== layout.count) {
    throw new RangeError(
      `Cannot run CNN reference: the direction has ${direction.length} values, the layout has ${layout.count}`,
    );
  }
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

/**
 * Loss and exact gradient, and with a direction v the exact Hessian-vector product (Pearlmutter's
 * R-operator, see the module doc), of a CNN on a batch.
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
  const trace = cnnForwardReference(spec, params, x, rows);
  const shapes = cnnShapes(spec), widths = shapes.dense, L = widths.length - 1;
  if (y.length !== rows * spec.outputs) {
    throw new RangeError(
      `Cannot run CNN reference: y has ${y.length} values, expected ${rows * spec.outputs}`,
    );
  }
  const layout = cnnLayout(spec), w = layout.split(params);
  const direction = options.direction;
  const rTrace = direction ? cnnRForwardReference(spec, params, direction, x, rows, trace) : undefined;
  const v = direction ? layout.split(direction) : undefined;
  const gradient = new Float64Array(layout.count), grad = layout.split(gradient);
  const hessianVector = direction ? new Float64Array(layout.count) : undefined;
  const hv = hessianVector ? layout.split(hessianVector) : undefined;
  const scale = options.scale ?? 1 / rows;
  const act = activationCoefficients(spec.activation);
  const slope = (z: Float64Array) => z.map((t) => evaluateActivation(act, t, 1));
  const curvature = (z: Float64Array) => z.map((t) => evaluateActivation(act, t, 2));
  const terms = lossReference(loss, trace.output, y, rows, spec.outputs, scale, rTrace?.densePre[L - 1]);

  // Dense layers, l = L..1: g = dL/du_l and rg = R(g); afterwards g = dL/d(flatten), rg = R(g).
  let g = terms.gradient, rg = terms.hessianVector;
  const flatten = trace.blockOut.length - 1;
  for (let l = L; l >= 1; l--) {
    const name = `fc${l}`, nIn = widths[l - 1], nOut = widths[l];
    const input = l > 1 ? trace.densePost[l - 2] : trace.blockOut[flatten];
    accumulateDenseGradient(g, input, grad[`${name}.weight`], grad[`${name}.bias`], rows, nIn, nOut);
    const h = denseBackward(g, w[`${name}.weight`], rows, nIn, nOut);
    if (hv && v && rg && rTrace) {
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
    g = l > 1 ? times(h, slope(trace.densePre[l - 2])) : h;
  }

  // Conv blocks, b = B..1: g = dL/da_b and rg = R(g) on entry.
  for (let b = shapes.blocks.length - 1; b >= 0; b--) {
    const name = `conv${b + 1}`, convShape = cnnBlockConvShape(shapes, b, rows);
    const poolShape = shapes.blocks[b].pool ? cnnBlockPoolShape(shapes, b, rows) : undefined;
    const unpool = (e: Float64Array) =>
      poolShape ? maxPool2dBackwardReference(poolShape, trace.convPost[b], e) : e;
    const dr = unpool(g), s = slope(trace.convPre[b]);
    const dz = times(dr, s);
    const input = b > 0 ? trace.blockOut[b - 1] : x;
    const { gradWeight, gradBias } = conv2dBackwardWeightReference(convShape, input, dz);
    grad[`${name}.weight`].set(gradWeight);
    grad[`${name}.bias`].set(gradBias);
    if (hv && v && rg && rTrace) {
      const rdr = unpool(rg), c = curvature(trace.convPre[b]), rz = rTrace.convPre[b];
      const rdz = rdr.map((t, i) => t * s[i] + dr[i] * c[i] * rz[i]);
      const fromR = conv2dBackwardWeightReference(convShape, input, rdz);
      let rWeight = fromR.gradWeight;
      if (b > 0) {
        rWeight = add(
          rWeight,
          conv2dBackwardWeightReference(convShape, rTrace.blockOut[b - 1], dz).gradWeight,
        );
        rg = add(
          conv2dBackwardInputReference(convShape, rdz, w[`${name}.weight`]),
          conv2dBackwardInputReference(convShape, dz, v[`${name}.weight`]),
        );
      }
      hv[`${name}.weight`].set(rWeight);
      hv[`${name}.bias`].set(fromR.gradBias);
    }
    if (b > 0) g = conv2dBackwardInputReference(convShape, dz, w[`${name}.weight`]);
  }
  const lossValue = scale * terms.perSample.reduce((sum, t) => sum + t, 0);
  return { loss: lossValue, gradient, output: trace.output, hessianVector };
}
