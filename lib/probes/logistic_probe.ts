/**
 * A multinomial logistic-regression probe trained to convergence on a backend.
 *
 * Objective, identical in minimiser to scikit-learn's `LogisticRegression(C=1)` (lbfgs, multinomial,
 * unpenalised intercept): `F(W, b) = (1/n) sum_i CE(softmax(x_i W + b), y_i) + (lambda/2) ||W||_F^2`,
 * lambda = 1/(C n). The data-dependent work of every evaluation (logits X W + b, the softmax
 * cross-entropy and its gradient G, X^T G and the column sums of G) runs on the backend; the
 * (dims+1) x classes parameters travel back and forth and the L-BFGS direction (memory 10, two-loop
 * recursion) and the Armijo backtracking line search run on the host in float64.
 *
 * Convergence criterion: max |dF/dtheta| <= `tolerance` (default 1e-5, on the mean objective above;
 * scikit-learn's default tol = 1e-4 applies to C n F, i.e. 1e-4/n here, which float32 cannot always
 * resolve). The fit also stops, `converged: false`, after `maxIterations` or when the line search can
 * no longer decrease F; near the minimum, where F's changes fall below float32 resolution (1e-6 F), a
 * step is also accepted when it shrinks the largest gradient entry. `gradientMax` says how close it got.
 * The float64 oracle is lib/reference/lpl_logistic_probe.ts (Newton's method).
 *
 * @module
 */
import type { Backend } from "../backend/backend.ts";
import type { Tensor } from "../backend/tensor.ts";
import { lossReference } from "../models/losses.ts";
import { encodeModelLoss } from "../../kernels/model_ops/model_ops.ts";
import { buffer, recorder, values } from "../models/_layer_ops.ts";

/** Options of {@linkcode fitLogisticProbe}. */
export interface LogisticProbeOptions {
  /** Inverse regularisation strength (scikit-learn's C), 1 by default. */
  c?: number;
  /** Stop when the largest |gradient| entry is at most this (1e-5). */
  tolerance?: number;
  /** At most this many L-BFGS iterations (1000, scikit-learn's seed setting). */
  maxIterations?: number;
  /** L-BFGS memory (10). */
  memory?: number;
}

/** A fitted probe. */
export interface LogisticProbeFit {
  dims: number;
  classes: number;
  /** W, [dims, classes] row-major. */
  weights: Float64Array;
  /** b, [classes]. */
  bias: Float64Array;
  /** F at the end. */
  loss: number;
  /** Largest |gradient| entry at the end. */
  gradientMax: number;
  iterations: number;
  /** Objective evaluations on the backend. */
  evaluations: number;
  /** Whether the gradient criterion was met. */
  converged: boolean;
}

async function crossEntropy(
  backend: Backend,
  logits: Tensor,
  targets: Tensor,
  rows: number,
  cols: number,
): Promise<{ g: Tensor; losses: Tensor }> {
  if (backend.name === "reference") {
    const r = lossReference("crossEntropy", values(logits), values(targets), rows, cols, 1 / rows);
    return { g: backend.tensor(r.gradient, [rows, cols]), losses: backend.tensor(r.perSample, [rows]) };
  }
  const g = backend.zeros([rows, cols]), losses = backend.zeros([rows]);
  await encodeModelLoss(recorder(backend), {
    loss: "crossEntropy",
    f: buffer(logits),
    y: buffer(targets),
    g: buffer(g),
    losses: buffer(losses),
    rows,
    cols,
    scale: 1 / rows,
  });
  return { g, losses };
}

/** Logits X W + b on the backend for a [rows, dims] feature tensor. */
export async function probeLogits(backend: Backend, x: Tensor, fit: LogisticProbeFit): Promise<Tensor> {
  const w = backend.tensor(fit.weights, [fit.dims, fit.classes]);
  const b = backend.tensor(fit.bias, [fit.classes]);
  const logits = await backend.matmul(x, w, { bias: b });
  backend.dispose(w, b);
  return logits;
}

/** The predicted class (argmax of the logits) of every row of a [rows, dims] feature tensor. */
export async function probePredict(backend: Backend, x: Tensor, fit: LogisticProbeFit): Promise<Uint32Array> {
  const logits = await probeLogits(backend, x, fit);
  const z = await backend.read(logits);
  backend.dispose(logits);
  const rows = z.length / fit.classes, out = new Uint32Array(rows);
  for (let i = 0; i < rows; i++) {
    let best = 0;
    for (let c = 1; c < fit.classes; c++) if (z[i * fit.classes + c] > z[i * fit.classes + best]) best = c;
    out[i] = best;
  }
  return out;
}

/** Share of rows whose predicted class equals the label. */
export async function probeAccuracy(
  backend: Backend,
  x: Tensor,
  labels: ArrayLike<number>,
  fit: LogisticProbeFit,
): Promise<number> {
  const predicted = await probePredict(backend, x, fit);
  let right = 0;
  for (let i = 0; i < predicted.length; i++) if (predicted[i] === labels[i]) right++;
  return right / Math.max(1, predicted.length);
}

/**
 * Fits the probe (see the module doc) to a [rows, dims] feature tensor held on `backend`.
 *
 * @param backend The backend holding `x`.
 * @param x Features [rows, dims].
 * @param labels Integer labels in [0, classes), one per row.
 * @param classes Number of classes.
 * @param options C, tolerance, iteration cap, memory.
 * @returns The fitted weights and how the fit ended.
 * @throws {RangeError} On a label outside [0, classes), a shape mismatch or C <= 0.
 */
export async function fitLogisticProbe(
  backend: Backend,
  x: Tensor,
  labels: ArrayLike<number>,
  classes: number,
  { c = 1, tolerance = 1e-5, maxIterations = 1000, memory = 10 }: LogisticProbeOptions = {},
): Promise<LogisticProbeFit> {
  if (x.shape.length !== 2 || x.shape[0] !== labels.length) {
    throw new RangeError(`Cannot fit probe: features of shape [${x.shape}] for ${labels.length} labels`);
  }
  if (!(c > 0)) throw new RangeError(`Cannot fit probe: C is ${c}, must be > 0`);
  const [rows, dims] = x.shape;
  const onehot = new Float64Array(rows * classes);
  for (let i = 0; i < rows; i++) {
    const y = labels[i];
    if (!Number.isInteger(y) || y < 0 || y >= classes) {
      throw new RangeError(`Cannot fit probe: label ${i} is ${y}, must be an integer in [0, ${classes})`);
    }
    onehot[i * classes + y] = 1;
  }
  const targets = backend.tensor(onehot, [rows, classes]);
  const penalty = 1 / (c * rows), nw = dims * classes, n = nw + classes;
  let evaluations = 0;
  const evaluate = async (theta: Float64Array): Promise<{ f: number; g: Float64Array }> => {
    evaluations++;
    const fit = {
      dims,
      classes,
      weights: theta.subarray(0, nw),
      bias: theta.subarray(nw),
    } as LogisticProbeFit;
    const logits = await probeLogits(backend, x, fit);
    const { g, losses } = await crossEntropy(backend, logits, targets, rows, classes);
    const gw = await backend.matmul(x, g, { transposeA: true });
    const gb = await backend.reduce(g, "sum", { axis: 0 });
    const lossSum = await backend.reduce(losses, "sum");
    const [gwv, gbv, lv] = await Promise.all([backend.read(gw), backend.read(gb), backend.read(lossSum)]);
    backend.dispose(logits, g, losses, gw, gb, lossSum);
    const grad = new Float64Array(n);
    let f = lv[0] / rows;
    for (let q = 0; q < nw; q++) {
      grad[q] = gwv[q] + penalty * theta[q];
      f += 0.5 * penalty * theta[q] * theta[q];
    }
    for (let k = 0; k < classes; k++) grad[nw + k] = gbv[k];
    return { f, g: grad };
  };
  const dot = (a: Float64Array, b: Float64Array) => a.reduce((s, v, i) => s + v * b[i], 0);
  const gmax = (g: Float64Array) => g.reduce((m, v) => Math.max(m, Math.abs(v)), 0);

  let theta = new Float64Array(n);
  let cur = await evaluate(theta);
  const ss: Float64Array[] = [], ys: Float64Array[] = [];
  let iterations = 0, converged = false;
  while (iterations < maxIterations) {
    if (gmax(cur.g) <= tolerance) {
      converged = true;
      break;
    }
    iterations++;
    // Two-loop recursion: d = -H g.
    const q = Float64Array.from(cur.g), alphas: number[] = [];
    for (let m = ss.length - 1; m >= 0; m--) {
      const a = dot(ss[m], q) / dot(ys[m], ss[m]);
      alphas[m] = a;
      for (let i = 0; i < n; i++) q[i] -= a * ys[m][i];
    }
    const last = ss.length - 1;
    const gamma = last >= 0
      ? dot(ss[last], ys[last]) / dot(ys[last], ys[last])
      : 1 / Math.max(1, gmax(cur.g));
    for (let i = 0; i < n; i++) q[i] *= gamma;
    for (let m = 0; m < ss.length; m++) {
      const beta = dot(ys[m], q) / dot(ys[m], ss[m]);
      for (let i = 0; i < n; i++) q[i] += ss[m][i] * (alphas[m] - beta);
    }
    let d = q.map((v) => -v);
    let slope = dot(cur.g, d);
    if (!(slope < 0)) {
      ss.length = ys.length = 0;
      d = cur.g.map((v) => -v / Math.max(1, gmax(cur.g)));
      slope = dot(cur.g, d);
    }
    let t = 1, next: { f: number; g: Float64Array } | null = null, trial = theta;
    for (let tries = 0; tries < 40; tries++, t /= 2) {
      trial = theta.map((v, i) => v + t * d[i]);
      const e = await evaluate(trial);
      // Armijo, or, where F's change is below the loss's float32 resolution, a smaller gradient.
      const flat = Math.abs(e.f - cur.f) <= 1e-6 * Math.max(1, Math.abs(cur.f)) && gmax(e.g) < gmax(cur.g);
      if (e.f <= cur.f + 1e-4 * t * slope || flat) {
        next = e;
        break;
      }
    }
    if (!next) break; // no decrease resolvable: stalled
    const s = trial.map((v, i) => v - theta[i]), y = next.g.map((v, i) => v - cur.g[i]);
    if (dot(s, y) > 1e-16 * Math.sqrt(dot(s, s) * dot(y, y))) {
      ss.push(s);
      ys.push(y);
      if (ss.length > memory) {
        ss.shift();
        ys.shift();
      }
    }
    theta = trial;
    cur = next;
  }
  backend.dispose(targets);
  if (!converged && gmax(cur.g) <= tolerance) converged = true;
  return {
    dims,
    classes,
    weights: theta.slice(0, nw),
    bias: theta.slice(nw),
    loss: cur.f,
    gradientMax: gmax(cur.g),
    iterations,
    evaluations,
    converged,
  };
}
