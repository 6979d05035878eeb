/**
 * Paper LPL for a dense layer on a backend, without autograd (LPL-01, 03, 07): the closed-form
 * gradient of the per-layer objective of lib/reference/lpl_dense.ts (predictive + Hebbian -log
 * variance + decorrelation, coefficients 1, 1, 10 as in the erratum) and the SGD step it drives.
 *
 * Per view: a = x W^T and z = f(a), f'(a) (backend matmul and activation); the batch mean/variance
 * and centred Zc (kernel lpl_dense_stats); Zc^T Zc and Zc (Zc^T Zc) (two matmuls; C = Zc^T Zc/(B-1));
 * delta = dL/dz * f'(a) with the three terms (kernel lpl_dense_delta); dL/dW += delta^T x (matmul).
 *
 * @module
 */
import type { Activation } from "../activations.ts";
import type { Backend } from "../backend/backend.ts";
import type { Tensor } from "../backend/tensor.ts";
import {
  LPL_DEFAULT_COEFFICIENTS,
  LPL_VARIANCE_EPSILON,
  type LplCoefficients,
  type LplDenseShape,
  type LplPredictive,
} from "../../kernels/lpl/dense_types.ts";
import { lplDelta, lplStats } from "./dense_ops.ts";

/** Options of the rule. */
export interface LplDenseRuleOptions {
  /** f, ReLU by default. */
  activation?: Activation;
  coefficients?: LplCoefficients;
  predictive?: LplPredictive;
  epsilon?: number;
}

/** What {@linkcode lplDenseGradient} returns (the caller disposes the tensors). */
export interface LplDenseGradientResult {
  /** dL/dW [M, N]. */
  gradient: Tensor;
  /** Outputs of the past and current views, [B, M] (the next layer's inputs: no gradient flows back). */
  z1: Tensor;
  z2: Tensor;
  /** [mean(M), variance(M)] of the current view (the next step's stale estimates). */
  currentStats: Tensor;
}

/**
 * dL/dW of one dense LPL layer for a batch of (past, current) view pairs.
 *
 * @param backend The backend holding the tensors.
 * @param shape Batch, inputs, outputs.
 * @param w Weights [M, N].
 * @param x1 Past views [B, N].
 * @param x2 Current views [B, N].
 * @param options Activation, coefficients, predictive mode, epsilon.
 * @param staleStats [mean(M), variance(M)] for the stale-estimates Hebbian term, or undefined.
 */
export async function lplDenseGradient(
  backend: Backend,
  shape: LplDenseShape,
  w: Tensor,
  x1: Tensor,
  x2: Tensor,
  options: LplDenseRuleOptions = {},
  staleStats?: Tensor,
): Promise<LplDenseGradientResult> {
  const act = options.activation ?? "relu";
  const coefficients = options.coefficients ?? LPL_DEFAULT_COEFFICIENTS;
  const epsilon = options.epsilon ?? LPL_VARIANCE_EPSILON;
  const { batch, outputs } = shape;
  const views = [];
  for (const x of [x1, x2]) {
    const a = await backend.matmul(x, w, { transposeB: true });
    const z = await backend.activation(a, act, 0);
    const fprime = await backend.activation(a, act, 1);
    const { stats, centred } = await lplStats(backend, z, batch, outputs);
    const gram = await backend.matmul(centred, centred, { transposeA: true });
    const p = await backend.matmul(centred, gram);
    backend.dispose(a, gram);
    views.push({ x, z, fprime, stats, centred, p });
  }
  const [past, current] = views;
  const signs = [options.predictive === "symmetric" ? 1 : 0, 1];
  let gradient: Tensor | null = null;
  for (let v = 1; v >= 0; v--) {
    const self = views[v], other = views[1 - v];
    const delta = await lplDelta(backend, shape, coefficients, signs[v], epsilon, {
      z: self.z,
      zOther: other.z,
      centred: self.centred,
      p: self.p,
      stats: self.stats,
      hebbStats: staleStats ?? self.stats,
      fprime: self.fprime,
    });
    const g = await backend.matmul(delta, self.x, { transposeA: true });
    backend.dispose(delta);
    if (gradient === null) gradient = g;
    else {
      await backend.axpy(1, g, gradient);
      backend.dispose(g);
    }
  }
  for (const v of views) backend.dispose(v.fprime, v.centred, v.p);
  backend.dispose(past.stats);
  return { gradient: gradient!, z1: past.z, z2: current.z, currentStats: current.stats };
}

/** SGD settings of {@linkcode lplDenseStep}. */
export interface LplDenseStepOptions extends LplDenseRuleOptions {
  learningRate: number;
  /** L2 weight decay (SGD-style: dW -= lr wd W), 0 by default. */
  weightDecay?: number;
}

/**
 * One local update W <- (1 - lr wd) W - lr dL/dW, in place.
 *
 * @returns The outputs z1, z2 (pre-update weights) and the current view's stats; the caller disposes them.
 */
export async function lplDenseStep(
  backend: Backend,
  shape: LplDenseShape,
  w: Tensor,
  x1: Tensor,
  x2: Tensor,
  options: LplDenseStepOptions,
  staleStats?: Tensor,
): Promise<Omit<LplDenseGradientResult, "gradient">> {
  const r = await lplDenseGradient(backend, shape, w, x1, x2, options, staleStats);
  const wd = options.weightDecay ?? 0;
  if (wd !== 0) await backend.scale(w, 1 - options.learningRate * wd);
  await backend.axpy(-options.learningRate, r.gradient, w);
  backend.dispose(r.gradient);
  return { z1: r.z1, z2: r.z2, currentStats: r.currentStats };
}
