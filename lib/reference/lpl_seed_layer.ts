/**
 * The seed project's "LPL" layer (spec 3.6 with Errata 8 and 10), per sample (batch 1), no autograd,
 * in float64. Distinct from paper LPL (lib/reference/lpl_dense.ts): Hebb + stab is Oja's subspace rule,
 * the predictive term uses a learned linear predictor P, and there is no -log variance or decorrelation.
 *
 * Layer y = 5 tanh(W x / 5), W [M, N] ~ N(0, 0.01^2), P [M, M] = I. One update from (x_t, x_t1):
 *   y_t = f(x_t), y_t1 = f(x_t1), yhat = P y_t                        (pre-update W and P)
 *   dW_hebb = eta_h y_t x_t^T
 *   dW_pred = eta_p (yhat - y_t1) x_t1^T
 *   dW_stab = -eta_s s (y_c y_c^T + 1e-6 I) W,  y_c = clamp(y_t, -10, 10), s = 5/|y_c| if |y_c| > 5 else 1
 *   dW = sum of the enabled terms, rescaled to Frobenius norm 1 if larger; W <- clamp(W + dW, -5, 5)
 *   dP = eta_p (y_t1 - P y_t) y_t^T (when the predictive term is on), clipped to norm 1; P <- clamp(P, -5, 5)
 * A non-finite dW or dP skips that update (the seed's NaN checks).
 *
 * @module
 */

/** Learning rates and enabled terms. */
export interface SeedLayerRates {
  hebb: number;
  pred: number;
  stab: number;
  useHebb: boolean;
  usePred: boolean;
  useStab: boolean;
}

/** The seed's defaults: eta_h = eta_p = 1e-3, eta_s = 5e-4, every term on. */
export const SEED_LAYER_RATES: Readonly<SeedLayerRates> = {
  hebb: 1e-3,
  pred: 1e-3,
  stab: 5e-4,
  useHebb: true,
  usePred: true,
  useStab: true,
};

/** A seed layer's state. */
export interface SeedLayer {
  inputs: number;
  outputs: number;
  /** W [outputs, inputs]. */
  w: Float64Array;
  /** P [outputs, outputs]. */
  p: Float64Array;
  /** Updates skipped for non-finite values. */
  skipped: number;
}

/** y = 5 tanh(W x / 5). */
export function seedLayerForward(layer: SeedLayer, x: ArrayLike<number>, out?: Float64Array): Float64Array {
  const { inputs: n, outputs: m, w } = layer;
  const y = out ?? new Float64Array(m);
  for (let i = 0; i < m; i++) {
    let s = 0;
    for (let j = 0; j < n; j++) s += w[i * n + j] * x[j];
    y[i] = 5 * Math.tanh(s / 5);
  }
  return y;
}

/** A layer with W ~ N(0, 0.01^2) drawn by `normal()` (row-major) and P = I. */
export function createSeedLayer(inputs: number, outputs: number, normal: () => number): SeedLayer {
  const w = new Float64Array(outputs * inputs).map(() => 0.01 * normal());
  const p = new Float64Array(outputs * outputs);
  for (let i = 0; i < outputs; i++) p[i * outputs + i] = 1;
  return { inputs, outputs, w, p, skipped: 0 };
}

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));

/** One update of the module doc, in place; returns y_t. */
export function seedLayerUpdate(
  layer: SeedLayer,
  xt: ArrayLike<number>,
  xt1: ArrayLike<number>,
  rates: SeedLayerRates = SEED_LAYER_RATES,
): Float64Array {
  const { inputs: n, outputs: m, w, p } = layer;
  const yt = seedLayerForward(layer, xt), yt1 = seedLayerForward(layer, xt1);
  const yhat = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    let s = 0;
    for (let k = 0; k < m; k++) s += p[i * m + k] * yt[k];
    yhat[i] = s;
  }
  const yc = yt.map((v) => clamp(v, -10, 10));
  const ycNorm = Math.sqrt(yc.reduce((s, v) => s + v * v, 0));
  const stabScale = rates.useStab ? rates.stab * (ycNorm > 5 ? 5 / ycNorm : 1) : 0;
  const u = new Float64Array(n); // y_c^T W
  if (rates.useStab) {
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) u[j] += yc[i] * w[i * n + j];
  }
  const dw = new Float64Array(m * n);
  let norm2 = 0;
  for (let i = 0; i < m; i++) {
    const h = rates.useHebb ? rates.hebb * yt[i] : 0;
    const q = rates.usePred ? rates.pred * (yhat[i] - yt1[i]) : 0;
    for (let j = 0; j < n; j++) {
      const e = i * n + j;
      const d = h * xt[j] + q * xt1[j] - stabScale * (yc[i] * u[j] + 1e-6 * w[e]);
      dw[e] = d;
      norm2 += d * d;
    }
  }
  if (Number.isFinite(norm2)) {
    const s = norm2 > 1 ? 1 / Math.sqrt(norm2) : 1;
    for (let e = 0; e < m * n; e++) w[e] = clamp(w[e] + s * dw[e], -5, 5);
  } else layer.skipped++;
  if (rates.usePred) {
    const dp = new Float64Array(m * m);
    let p2 = 0;
    for (let i = 0; i < m; i++) {
      for (let k = 0; k < m; k++) {
        const d = rates.pred * (yt1[i] - yhat[i]) * yt[k];
        dp[i * m + k] = d;
        p2 += d * d;
      }
    }
    if (Number.isFinite(p2)) {
      const s = p2 > 1 ? 1 / Math.sqrt(p2) : 1;
      for (let e = 0; e < m * m; e++) p[e] = clamp(p[e] + s * dp[e], -5, 5);
    } else layer.skipped++;
  }
  return yt;
}

/** The seed sanity check's Var(y_t): the unbiased variance across the units of one sample (Errata 10). */
export function unitVariance(y: ArrayLike<number>): number {
  let mean = 0;
  for (let i = 0; i < y.length; i++) mean += y[i] / y.length;
  let s = 0;
  for (let i = 0; i < y.length; i++) s += (y[i] - mean) ** 2;
  return s / (y.length - 1);
}

/** |W|_F. */
export function frobeniusNorm(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * a[i];
  return Math.sqrt(s);
}
