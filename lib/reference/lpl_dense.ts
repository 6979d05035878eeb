/**
 * Float64 oracle of paper LPL for a dense layer (Halvagal & Zenke 2023; spec 3.1 with Errata 1).
 *
 * Layer: a_v = x_v W^T, z_v = f(a_v), W [M, N], views v = 1 (past, t - dt) and v = 2 (current, t),
 * batch B. Objective (written to be read; lib/lpl/dense_rule.ts computes its gradient on the backend):
 *
 *   L = c_pull L_pred + c_push L_Hebb + c_decorr L_decorr
 *   L_pred   = (1/(M B)) sum_{b,i} (z2_i^b - z1_i^b)^2                 (z1 a constant unless symmetric)
 *   L_Hebb   = 1/2 sum_v -(1/M) sum_i log(var_vi + eps)                var with 1/(B - 1), eps = 1e-4
 *   L_decorr = 1/2 sum_v (1/(M^2 - M)) sum_{i != k} C_vik^2             C_v = Zc_v^T Zc_v / (B - 1)
 *
 * "Stale estimates": L_Hebb = 1/2 sum_v -(1/M) sum_i sum_b (z_vi^b - mu_i)^2 / ((var_i + eps)(B - 1))
 * with mu, var constants (the previous batch's current-view mean and variance).
 *
 * Closed-form gradient (the rule): dL/dz_v^b_i =
 *   pred: +-2 c_pull/(M B) (z2 - z1)   (+ on v = 2; - on v = 1 only when symmetric)
 *   Hebb: -c_push/(M (B - 1)) (z - zbar_i)/(var_i + eps)   (zbar, var stale when asked)
 *   decorr: 2 c_decorr/((B - 1)(M^2 - M)) sum_{k != i} Zc_k^b C_ik
 * then dL/dW = sum_v (dL/dz_v * f'(a_v))^T x_v. Centring needs no extra term: sum_b (z^b - zbar) = 0.
 *
 * @module
 */
import { type Activation, activationCoefficients, evaluateActivation } from "../activations.ts";
import {
  LPL_DEFAULT_COEFFICIENTS,
  LPL_VARIANCE_EPSILON,
  type LplCoefficients,
  type LplDenseShape,
  type LplPredictive,
  lplTermScales,
} from "../../kernels/lpl/dense_types.ts";

/** Options of the objective and its gradient. */
export interface LplDenseOptions {
  activation?: Activation;
  coefficients?: LplCoefficients;
  predictive?: LplPredictive;
  epsilon?: number;
  /** For the objective only: a constant past output z1 [B, M] in L_pred (the past-detached rule's view). */
  detachedPast?: ArrayLike<number>;
  /** Stale batch mean and variance [M] for the Hebbian term, or none (the current batch's). */
  stale?: { mean: ArrayLike<number>; variance: ArrayLike<number> };
}

/** The terms of L (unweighted) and the weighted total. */
export interface LplDenseLoss {
  pred: number;
  hebb: number;
  decorr: number;
  total: number;
}

/** a = x W^T and z = f(a), each [B, M]. */
export function lplDenseForward(
  shape: LplDenseShape,
  w: ArrayLike<number>,
  x: ArrayLike<number>,
  activation: Activation = "relu",
): { a: Float64Array; z: Float64Array } {
  const { batch: b, inputs: n, outputs: m } = shape;
  const coeff = activationCoefficients(activation);
  const a = new Float64Array(b * m), z = new Float64Array(b * m);
  for (let r = 0; r < b; r++) {
    for (let i = 0; i < m; i++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += x[r * n + j] * w[i * n + j];
      a[r * m + i] = s;
      z[r * m + i] = evaluateActivation(coeff, s, 0);
    }
  }
  return { a, z };
}

/** Per-unit batch mean, variance (1/(B - 1)) and centred values of z [B, M]. */
export function lplBatchStats(
  z: ArrayLike<number>,
  batch: number,
  units: number,
): { mean: Float64Array; variance: Float64Array; centred: Float64Array } {
  const mean = new Float64Array(units), variance = new Float64Array(units);
  const centred = new Float64Array(batch * units);
  for (let i = 0; i < units; i++) {
    let s = 0;
    for (let r = 0; r < batch; r++) s += z[r * units + i];
    mean[i] = s / batch;
    let ss = 0;
    for (let r = 0; r < batch; r++) {
      const d = z[r * units + i] - mean[i];
      centred[r * units + i] = d;
      ss += d * d;
    }
    variance[i] = ss / (batch - 1);
  }
  return { mean, variance, centred };
}

/** The covariance C [M, M] = Zc^T Zc / (B - 1). */
export function lplCovariance(centred: ArrayLike<number>, batch: number, units: number): Float64Array {
  const c = new Float64Array(units * units);
  for (let i = 0; i < units; i++) {
    for (let k = 0; k < units; k++) {
      let s = 0;
      for (let r = 0; r < batch; r++) s += centred[r * units + i] * centred[r * units + k];
      c[i * units + k] = s / (batch - 1);
    }
  }
  return c;
}

function checkShape(shape: LplDenseShape): void {
  if (!(shape.batch >= 2) || !(shape.outputs >= 1) || !(shape.inputs >= 1)) {
    throw new RangeError(
      `Cannot run LPL: batch ${shape.batch}, inputs ${shape.inputs}, outputs ${shape.outputs} (need batch >= 2)`,
    );
  }
}

/** The objective L of the module doc at W, for past view x1 and current view x2 (each [B, N]). */
export function lplDenseLoss(
  shape: LplDenseShape,
  w: ArrayLike<number>,
  x1: ArrayLike<number>,
  x2: ArrayLike<number>,
  options: LplDenseOptions = {},
): LplDenseLoss {
  checkShape(shape);
  const { batch: b, outputs: m } = shape;
  const c = options.coefficients ?? LPL_DEFAULT_COEFFICIENTS, eps = options.epsilon ?? LPL_VARIANCE_EPSILON;
  const z1 = lplDenseForward(shape, w, x1, options.activation).z;
  const z2 = lplDenseForward(shape, w, x2, options.activation).z;
  let pred = 0;
  const past = options.detachedPast ?? z1;
  for (let e = 0; e < b * m; e++) pred += (z2[e] - past[e]) ** 2 / (m * b);
  let hebb = 0, decorr = 0;
  for (const z of [z1, z2]) {
    const s = lplBatchStats(z, b, m);
    for (let i = 0; i < m; i++) {
      if (options.stale) {
        let q = 0;
        for (let r = 0; r < b; r++) q += (z[r * m + i] - options.stale.mean[i]) ** 2;
        hebb -= (0.5 * q) / ((options.stale.variance[i] + eps) * (b - 1) * m);
      } else hebb -= (0.5 * Math.log(s.variance[i] + eps)) / m;
    }
    const cov = lplCovariance(s.centred, b, m);
    for (let i = 0; i < m; i++) {
      for (let k = 0; k < m; k++) if (i !== k && m > 1) decorr += (0.5 * cov[i * m + k] ** 2) / (m * m - m);
    }
  }
  return { pred, hebb, decorr, total: c.pull * pred + c.push * hebb + c.decorr * decorr };
}

/** dL/dz of one view, [B, M] (the module doc's three terms). */
export function lplDenseOutputGradient(
  shape: LplDenseShape,
  z: ArrayLike<number>,
  zOther: ArrayLike<number>,
  predSign: number,
  options: LplDenseOptions = {},
): Float64Array {
  const { batch: b, outputs: m } = shape;
  const k = lplTermScales(shape, options.coefficients ?? LPL_DEFAULT_COEFFICIENTS, predSign);
  const eps = options.epsilon ?? LPL_VARIANCE_EPSILON;
  const s = lplBatchStats(z, b, m);
  const cov = lplCovariance(s.centred, b, m);
  const hebbMean = options.stale?.mean ?? s.mean, hebbVar = options.stale?.variance ?? s.variance;
  const g = new Float64Array(b * m);
  for (let r = 0; r < b; r++) {
    for (let i = 0; i < m; i++) {
      let cross = 0;
      for (let q = 0; q < m; q++) if (q !== i) cross += s.centred[r * m + q] * cov[i * m + q];
      const e = r * m + i;
      g[e] = k.pred * (z[e] - zOther[e]) - (k.hebb * (z[e] - hebbMean[i])) / (hebbVar[i] + eps) +
        k.decorr * cross;
    }
  }
  return g;
}

/** dL/dW [M, N] by the closed-form rule of the module doc. */
export function lplDenseGradientReference(
  shape: LplDenseShape,
  w: ArrayLike<number>,
  x1: ArrayLike<number>,
  x2: ArrayLike<number>,
  options: LplDenseOptions = {},
): Float64Array {
  checkShape(shape);
  const { batch: b, inputs: n, outputs: m } = shape;
  const coeff = activationCoefficients(options.activation ?? "relu");
  const f1 = lplDenseForward(shape, w, x1, options.activation),
    f2 = lplDenseForward(shape, w, x2, options.activation);
  const symmetric = options.predictive === "symmetric";
  const views = [
    { x: x2, f: f2, g: lplDenseOutputGradient(shape, f2.z, f1.z, 1, options) },
    { x: x1, f: f1, g: lplDenseOutputGradient(shape, f1.z, f2.z, symmetric ? 1 : 0, options) },
  ];
  const grad = new Float64Array(m * n);
  for (const v of views) {
    for (let r = 0; r < b; r++) {
      for (let i = 0; i < m; i++) {
        const delta = v.g[r * m + i] * evaluateActivation(coeff, v.f.a[r * m + i], 1);
        if (delta === 0) continue;
        for (let j = 0; j < n; j++) grad[i * n + j] += delta * v.x[r * n + j];
      }
    }
  }
  return grad;
}

/**
 * The delta kernel's step (kernels/lpl/dense_delta.wgsl) in float64: dL/dz * f'(a) of one view from
 * its parts, p = Zc (Zc^T Zc), stats and hebbStats = [mean(M), variance(M)].
 */
export function lplDenseDeltaReference(
  shape: LplDenseShape,
  coefficients: LplCoefficients,
  predSign: number,
  epsilon: number,
  t: {
    z: ArrayLike<number>;
    zOther: ArrayLike<number>;
    centred: ArrayLike<number>;
    p: ArrayLike<number>;
    stats: ArrayLike<number>;
    hebbStats: ArrayLike<number>;
    fprime: ArrayLike<number>;
  },
): Float64Array {
  const { batch: b, outputs: m } = shape;
  const k = lplTermScales(shape, coefficients, predSign);
  const out = new Float64Array(b * m);
  for (let e = 0; e < b * m; e++) {
    const i = e % m;
    const pred = k.pred * (t.z[e] - t.zOther[e]);
    const hebb = (k.hebb * (t.z[e] - t.hebbStats[i])) / (t.hebbStats[m + i] + epsilon);
    const decorr = k.decorr * (t.p[e] / (b - 1) - t.centred[e] * t.stats[m + i]);
    out[e] = (pred - hebb + decorr) * t.fprime[e];
  }
  return out;
}
