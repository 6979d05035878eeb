/**
 * The float64 reference of an MLP's loss, gradient and exact Hessian-vector product
 * on a batch, written to be read: the oracle of the GPU path (lib/models/mlp_gpu.ts).
 *
 * Notation (lib/models/mlp.ts): a_0 = x, z_l = a_{l-1} W_l + b_l (rows are samples, W_l is
 * [in, out]), a_l = act(z_l) for hidden layers, f = z_L. The batch loss is `scale * sum_i l_i`.
 *
 * Backward: g_L = dL/df, then for l = L..1: dW_l = a_{l-1}^T g_l, db_l = sum over rows of g_l,
 * h_{l-1} = g_l W_l^T and g_{l-1} = h_{l-1} * act'(z_{l-1}).
 *
 * Hessian-vector product by Pearlmutter's R-operator, R(.) = d/dt (.)(theta + t v) at t = 0, with
 * v = (V_l, vb_l) in the flat layout:
 *
 * - forward: R(a_0) = 0, R(z_l) = R(a_{l-1}) W_l + a_{l-1} V_l + vb_l, R(a_l) = act'(z_l) R(z_l);
 * - loss: R(g_L) = (d^2 L / df^2) R(f) (lossReference's `hessianVector`);
 * - backward: R(dW_l) = a_{l-1}^T R(g_l) + R(a_{l-1})^T g_l, R(db_l) = column sums of R(g_l),
 *   R(h_{l-1}) = R(g_l) W_l^T + g_l V_l^T,
 *   R(g_{l-1}) = R(h_{l-1}) act'(z_{l-1}) + h_{l-1} act''(z_{l-1}) R(z_{l-1}).
 *
 * Then H v = (R(dW_l), R(db_l)) exactly (no finite differences).
 *
 * @module
 */
import { activationCoefficients, evaluateActivation } from "../activations.ts";
import { type LossName, lossReference } from "./losses.ts";
import { mlpLayout, type MlpSpec } from "./mlp.ts";

/** The activations of a forward pass. */
export interface MlpTrace {
  /** z_l for l = 1..L (index l - 1), row-major [rows, n_l]. */
  pre: Float64Array[];
  /** a_l for l = 0..L-1 (a_0 = x), row-major [rows, n_l]. */
  post: Float64Array[];
  /** f = z_L. */
  output: Float64Array;
}

/** Loss, gradient and (optionally) Hessian-vector product of a batch. */
export interface MlpReferenceResult {
  /** The batch loss, scale * sum_i l_i. */
  loss: number;
  /** Its gradient in the flat layout. */
  gradient: Float64Array;
  /** Its Hessian times the direction, in the flat layout (when a direction was given). */
  hessianVector?: Float64Array;
}

// The dense-layer helpers below are shared with the CNN reference's head (lib/reference/cnn*.ts).

/** out[r, o] = sum_i a[r, i] w[i, o] (+ b[o]): rows of a times W. */
export function dense(
  a: Float64Array,
  w: Float64Array,
  b: Float64Array | undefined,
  rows: number,
  nIn: number,
  nOut: number,
): Float64Array {
  const out = new Float64Array(rows * nOut);
  for (let r = 0; r < rows; r++) {
    for (let o = 0; o < nOut; o++) {
      let s = b ? b[o] : 0;
      for (let i = 0; i < nIn; i++) s += a[r * nIn + i] * w[i * nOut + o];
      out[r * nOut + o] = s;
    }
  }
  return out;
}

/** out[r, i] = sum_o g[r, o] w[i, o]: rows of g times W^T. */
export function denseBackward(
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
export function accumulateDenseGradient(
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
      for (let i = 0; i < nIn; i++) dw[i * nOut + o] += go * a[r * nIn + i];
    }
  }
}

/** Elementwise a + b. */
export function add(a: Float64Array, b: Float64Array): Float64Array {
  return a.map((v, i) => v + b[i]);
}

/**
 * Checks a reference batch: `count` parameters and `rows` rows of `inputs` inputs.
 *
 * @param model The model in messages ("MLP", "CNN").
 * @throws {RangeError} On wrong lengths or a bad row count.
 */
export function checkReferenceBatch(
  model: string,
  count: number,
  inputs: number,
  params: Float64Array,
  x: ArrayLike<number>,
  rows: number,
): void {
  if (params.length !== count) {
    throw new RangeError(
      `Cannot run ${model} reference: ${params.length} parameters given, the layout has ${count}`,
    );
  }
  if (!Number.isInteger(rows) || rows < 1 || x.length !== rows * inputs) {
    throw new RangeError(
      `Cannot run ${model} reference: x has ${x.length} values, expected rows ${rows} x inputs ${inputs}`,
    );
  }
}

/**
 * The forward pass of an MLP on a batch.
 *
 * @param spec The MLP.
 * @param params Flat parameters (float64).
 * @param x Inputs, row-major [rows, inputs].
 * @param rows Samples.
 * @returns Every layer's pre- and post-activations and the outputs.
 */
export function mlpForwardReference(
  spec: MlpSpec,
  params: Float64Array,
  x: ArrayLike<number>,
  rows: number,
): MlpTrace {
  checkReferenceBatch("MLP", mlpLayout(spec).count, spec.sizes[0], params, x, rows);
  const sizes = spec.sizes, L = sizes.length - 1;
  const views = mlpLayout(spec).split(params);
  const act = activationCoefficients(spec.activation);
  const post = [Float64Array.from(x)];
  const pre: Float64Array[] = [];
  for (let l = 1; l <= L; l++) {
    const z = dense(post[l - 1], views[`fc${l}.weight`], views[`fc${l}.bias`], rows, sizes[l - 1], sizes[l]);
    pre.push(z);
    if (l < L) post.push(z.map((v) => evaluateActivation(act, v, 0)));
  }
  return { pre, post, output: pre[L - 1] };
}

/**
 * Loss and gradient, and with a direction `v` the exact Hessian-vector product, of an MLP on a batch.
 *
 * @param spec The MLP.
 * @param loss The loss.
 * @param params Flat parameters.
 * @param x Inputs [rows, inputs].
 * @param y Targets [rows, outputs].
 * @param rows Samples.
 * @param options `scale` of the loss (1 / rows by default: the batch mean), `direction` v.
 * @returns Loss, gradient and H v.
 */
export function mlpReference(
  spec: MlpSpec,
  loss: LossName,
  params: Float64Array,
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  rows: number,
  options: { scale?: number; direction?: Float64Array } = {},
): MlpReferenceResult {
  const trace = mlpForwardReference(spec, params, x, rows);
  const sizes = spec.sizes, L = sizes.length - 1;
  const layout = mlpLayout(spec);
  const w = layout.split(params);
  const v = options.direction ? layout.split(options.direction) : undefined;
  const scale = options.scale ?? 1 / rows;
  const act = activationCoefficients(spec.activation);
  const d1 = (z: Float64Array) => z.map((t) => evaluateActivation(act, t, 1));
  const d2 = (z: Float64Array) => z.map((t) => evaluateActivation(act, t, 2));

  // R-forward: R(z_l) and R(a_l); R(a_0) = 0.
  const rPre: Float64Array[] = [], rPost: Float64Array[] = [new Float64Array(rows * sizes[0])];
  if (v) {
    for (let l = 1; l <= L; l++) {
      const name = `fc${l}`;
      const fromWeights = dense(
        trace.post[l - 1],
        v[`${name}.weight`],
        v[`${name}.bias`],
        rows,
        sizes[l - 1],
        sizes[l],
      );
      const fromInputs = dense(rPost[l - 1], w[`${name}.weight`], undefined, rows, sizes[l - 1], sizes[l]);
      rPre.push(add(fromWeights, fromInputs));
      if (l < L) rPost.push(d1(trace.pre[l - 1]).map((s, i) => s * rPre[l - 1][i]));
    }
  }

  const lossTerms = lossReference(loss, trace.output, y, rows, sizes[L], scale, v ? rPre[L - 1] : undefined);
  const gradient = new Float64Array(layout.count);
  const hessianVector = v ? new Float64Array(layout.count) : undefined;
  const grad = layout.split(gradient), hv = hessianVector ? layout.split(hessianVector) : undefined;
  let g = lossTerms.gradient, rg = lossTerms.hessianVector;
  for (let l = L; l >= 1; l--) {
    const name = `fc${l}`, nIn = sizes[l - 1], nOut = sizes[l];
    accumulateDenseGradient(
      g,
      trace.post[l - 1],
      grad[`${name}.weight`],
      grad[`${name}.bias`],
      rows,
      nIn,
      nOut,
    );
    if (hv && rg) {
      accumulateDenseGradient(
        rg,
        trace.post[l - 1],
        hv[`${name}.weight`],
        hv[`${name}.bias`],
        rows,
        nIn,
        nOut,
      );
      accumulateDenseGradient(g, rPost[l - 1], hv[`${name}.weight`], undefined, rows, nIn, nOut);
    }
    if (l === 1) break;
    const h = denseBackward(g, w[`${name}.weight`], rows, nIn, nOut);
    const slope = d1(trace.pre[l - 2]);
    if (v && rg) {
      const rh = add(
        denseBackward(rg, w[`${name}.weight`], rows, nIn, nOut),
        denseBackward(g, v[`${name}.weight`], rows, nIn, nOut),
      );
      const curvature = d2(trace.pre[l - 2]);
      const rz = rPre[l - 2];
      rg = rh.map((value, i) => value * slope[i] + h[i] * curvature[i] * rz[i]);
    }
    g = h.map((value, i) => value * slope[i]);
  }
  const lossValue = scale * lossTerms.perSample.reduce((s, t) => s + t, 0);
  return { loss: lossValue, gradient, hessianVector };
}
