/**
 * The float64 reference of a CNN's forward pass, loss and exact gradient on a batch, written to be
 * read: the oracle of the GPU path (lib/models/cnn_gpu.ts). Built from the conv and pool references
 * (lib/reference/conv2d.ts, lib/reference/pool.ts) and dense layers like lib/reference/mlp.ts.
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
import { type LossName, lossReference } from "../models/losses.ts";
import { cnnLayout, type CnnShapes, cnnShapes, type CnnSpec } from "../models/cnn.ts";
import {
  conv2dBackwardInputReference,
  conv2dBackwardWeightReference,
  conv2dForwardReference,
  type Conv2dShape,
} from "./conv2d.ts";
import { maxPool2dBackwardReference, maxPool2dForwardReference, type PoolShape } from "./pool.ts";

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

/** Loss and gradient of a batch. */
export interface CnnReferenceResult {
  /** The batch loss, scale * sum_i l_i. */
  loss: number;
  /** Its gradient in the flat layout (lib/models/cnn.ts cnnLayout). */
  gradient: Float64Array;
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

/** out[r, o] = sum_i a[r, i] w[i, o] + bias[o]. */
function dense(
  a: Float64Array,
  w: Float64Array,
  bias: Float64Array,
  rows: number,
  nIn: number,
  nOut: number,
) {
  const out = new Float64Array(rows * nOut);
  for (let r = 0; r < rows; r++) {
    for (let o = 0; o < nOut; o++) {
      let s = bias[o];
      for (let i = 0; i < nIn; i++) s += a[r * nIn + i] * w[i * nOut + o];
      out[r * nOut + o] = s;
    }
  }
  return out;
}

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
 * Loss and exact gradient of a CNN on a batch.
 *
 * @param spec The CNN.
 * @param loss The loss.
 * @param params Flat parameters.
 * @param x Inputs [rows, C H W].
 * @param y Targets [rows, outputs].
 * @param rows Samples.
 * @param options `scale` of the loss (1 / rows by default: the batch mean).
 * @returns Loss, gradient and outputs.
 * @throws {RangeError} On wrong lengths.
 */
export function cnnReference(
  spec: CnnSpec,
  loss: LossName,
  params: Float64Array,
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  rows: number,
  options: { scale?: number } = {},
): CnnReferenceResult {
  const trace = cnnForwardReference(spec, params, x, rows);
  const shapes = cnnShapes(spec), widths = shapes.dense, L = widths.length - 1;
  if (y.length !== rows * spec.outputs) {
    throw new RangeError(
      `Cannot run CNN reference: y has ${y.length} values, expected ${rows * spec.outputs}`,
    );
  }
  const layout = cnnLayout(spec), w = layout.split(params);
  const gradient = new Float64Array(layout.count), grad = layout.split(gradient);
  const scale = options.scale ?? 1 / rows;
  const act = activationCoefficients(spec.activation);
  const slope = (z: Float64Array) => z.map((t) => evaluateActivation(act, t, 1));
  const terms = lossReference(loss, trace.output, y, rows, spec.outputs, scale);

  // Dense layers, l = L..1: g = dL/du_l; afterwards g = dL/d(flatten).
  let g = terms.gradient;
  for (let l = L; l >= 1; l--) {
    const nIn = widths[l - 1], nOut = widths[l];
    const input = l > 1 ? trace.densePost[l - 2] : trace.blockOut[trace.blockOut.length - 1];
    const dw = grad[`fc${l}.weight`], db = grad[`fc${l}.bias`], weight = w[`fc${l}.weight`];
    const h = new Float64Array(rows * nIn);
    for (let r = 0; r < rows; r++) {
      for (let o = 0; o < nOut; o++) {
        const go = g[r * nOut + o];
        db[o] += go;
        for (let i = 0; i < nIn; i++) {
          dw[i * nOut + o] += input[r * nIn + i] * go;
          h[r * nIn + i] += go * weight[i * nOut + o];
        }
      }
    }
    g = l > 1 ? h.map((v, i) => v * evaluateActivation(act, trace.densePre[l - 2][i], 1)) : h;
  }

  // Conv blocks, b = B..1: g = dL/da_b on entry.
  for (let b = shapes.blocks.length - 1; b >= 0; b--) {
    const name = `conv${b + 1}`, convShape = cnnBlockConvShape(shapes, b, rows);
    const dr = shapes.blocks[b].pool
      ? maxPool2dBackwardReference(cnnBlockPoolShape(shapes, b, rows), trace.convPost[b], g)
      : g;
    const s = slope(trace.convPre[b]);
    const dz = dr.map((v, i) => v * s[i]);
    const input = b > 0 ? trace.blockOut[b - 1] : x;
    const { gradWeight, gradBias } = conv2dBackwardWeightReference(convShape, input, dz);
    grad[`${name}.weight`].set(gradWeight);
    grad[`${name}.bias`].set(gradBias);
    if (b > 0) g = conv2dBackwardInputReference(convShape, dz, w[`${name}.weight`]);
  }
  const lossValue = scale * terms.perSample.reduce((sum, t) => sum + t, 0);
  return { loss: lossValue, gradient, output: trace.output };
}
