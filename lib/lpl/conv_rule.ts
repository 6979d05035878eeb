/**
 * Paper LPL for a conv layer through the global-average-pooled objective (LPL-06; spec 3.1, 3.2 and
 * Errata 1-2): the layer is a = conv(x, W) + b, h = f(a), p = maxpool2(h) (when the block pools) and
 * z = GAP(p) [B, C]; the per-layer objective of lib/reference/lpl_dense.ts (predictive + Hebbian -log
 * variance + decorrelation, coefficients 1, 1, 10) is taken on z of two views, and its gradient flows back
 * through the GAP (1/(hw) to every position), the max-pool's argmax, f' and the conv to W and b, with the
 * backend's layer ops (lib/models/conv_ops.ts). No gradient leaves the layer: the next layer's input is
 * p as a plain tensor (stop-gradient), and no input gradient is ever computed.
 *
 * dL/dz of a view is the dense rule's delta with f' = 1 (kernels/lpl/dense_delta.wgsl through
 * lib/lpl/dense_ops.ts): the same closed form, evaluated on the pooled outputs.
 *
 * @module
 */
import type { Activation } from "../activations.ts";
import type { Backend } from "../backend/backend.ts";
import type { Tensor } from "../backend/tensor.ts";
import {
  conv2d,
  conv2dBackward,
  globalAvgPool,
  globalAvgPoolBackward,
  maxPool2d,
  maxPool2dBackward,
} from "../models/conv_ops.ts";
import { activationJvp } from "../models/activation_jvp.ts";
import {
  LPL_DEFAULT_COEFFICIENTS,
  LPL_VARIANCE_EPSILON,
  type LplCoefficients,
  type LplPredictive,
} from "../../kernels/lpl/dense_types.ts";
import { lplDelta, lplStats } from "./dense_ops.ts";

/** One conv block of an LPL net: conv k x k (stride 1) -> f -> optional 2x2 max-pool -> GAP for the loss. */
export interface LplConvShape {
  batch: number;
  inChannels: number;
  outChannels: number;
  height: number;
  width: number;
  kernelSize: 3 | 5;
  padding: 0 | 1;
  /** A 2x2 max-pool after the activation (the GAP then comes after the pool: Errata 2). */
  pool: boolean;
}

/** Options of the conv rule (the dense rule's, spec 3.1). */
export interface LplConvRuleOptions {
  /** f, ReLU by default. */
  activation?: Activation;
  coefficients?: LplCoefficients;
  predictive?: LplPredictive;
  epsilon?: number;
}

/** The spatial size after the conv and after the block's pool. */
export function lplConvOutputSize(shape: LplConvShape): {
  convHeight: number;
  convWidth: number;
  height: number;
  width: number;
} {
  const convHeight = shape.height + 2 * shape.padding - shape.kernelSize + 1;
  const convWidth = shape.width + 2 * shape.padding - shape.kernelSize + 1;
  if (convHeight < (shape.pool ? 2 : 1) || convWidth < (shape.pool ? 2 : 1)) {
    throw new RangeError(
      `Cannot build an LPL conv block: a ${shape.height} x ${shape.width} input gives ${convHeight} x ${convWidth} after the conv${
        shape.pool ? ", too small for the 2x2 pool" : ""
      }`,
    );
  }
  return {
    convHeight,
    convWidth,
    height: shape.pool ? Math.floor(convHeight / 2) : convHeight,
    width: shape.pool ? Math.floor(convWidth / 2) : convWidth,
  };
}

/** The forward pass of a block on one view, with what its backward pass needs. */
export interface LplConvForward {
  /** Pre-activation a [B, C, H', W']. */
  a: Tensor;
  /** f(a). */
  h: Tensor;
  /** The block's output (pooled h, or h itself): the next block's input. */
  out: Tensor;
  /** GAP of out, [B, C]. */
  z: Tensor;
}

/**
 * Runs a block on a batch (no gradient bookkeeping beyond keeping a and h).
 *
 * @param backend The backend of every tensor.
 * @param shape The block.
 * @param weight [C_out, C_in, k, k].
 * @param bias [C_out].
 * @param x Input, N C_in H W values.
 * @param activation f (ReLU by default).
 */
export async function lplConvForward(
  backend: Backend,
  shape: LplConvShape,
  weight: Tensor,
  bias: Tensor,
  x: Tensor,
  activation: Activation = "relu",
): Promise<LplConvForward> {
  const size = lplConvOutputSize(shape);
  const a = await conv2d(backend, x, weight, bias, shape);
  const h = await backend.activation(a, activation, 0);
  const planes = { batch: shape.batch, channels: shape.outChannels };
  const out = shape.pool
    ? await maxPool2d(backend, h, { ...planes, height: size.convHeight, width: size.convWidth })
    : h;
  const z = await globalAvgPool(backend, out, { ...planes, height: size.height, width: size.width });
  return { a, h, out, z };
}

/** Frees a forward pass's tensors except those listed in `keep`. */
export function disposeLplConvForward(backend: Backend, f: LplConvForward, keep: Tensor[] = []): void {
  const all = new Set([f.a, f.h, f.out, f.z]);
  for (const t of keep) all.delete(t);
  backend.dispose(...all);
}

/**
 * dL/dz of both views of z [B, M] (the dense rule's three terms with f' = 1) and the current view's
 * [mean(M), variance(M)] (the next step's stale estimates).
 *
 * @param backend The backend of every tensor.
 * @param batch B (>= 2).
 * @param units M.
 * @param z1 Past view's outputs.
 * @param z2 Current view's outputs.
 * @param options Coefficients, predictive mode, epsilon.
 * @param staleStats [mean(M), variance(M)] for the stale-estimates Hebbian term, or undefined.
 */
export async function lplOutputGradients(
  backend: Backend,
  batch: number,
  units: number,
  z1: Tensor,
  z2: Tensor,
  options: LplConvRuleOptions = {},
  staleStats?: Tensor,
): Promise<{ g1: Tensor; g2: Tensor; currentStats: Tensor }> {
  const coefficients = options.coefficients ?? LPL_DEFAULT_COEFFICIENTS;
  const epsilon = options.epsilon ?? LPL_VARIANCE_EPSILON;
  const shape = { batch, inputs: 1, outputs: units };
  const ones = backend.zeros([batch, units]);
  await backend.fill(ones, 1);
  const views = [];
  for (const z of [z1, z2]) {
    const { stats, centred } = await lplStats(backend, z, batch, units);
    const gram = await backend.matmul(centred, centred, { transposeA: true });
    const p = await backend.matmul(centred, gram);
    backend.dispose(gram);
    views.push({ z, stats, centred, p });
  }
  const signs = [options.predictive === "symmetric" ? 1 : 0, 1];
  const g: Tensor[] = [];
  for (let v = 0; v < 2; v++) {
    const self = views[v], other = views[1 - v];
    g.push(
      await lplDelta(backend, shape, coefficients, signs[v], epsilon, {
        z: self.z,
        zOther: other.z,
        centred: self.centred,
        p: self.p,
        stats: self.stats,
        hebbStats: staleStats ?? self.stats,
        fprime: ones,
      }),
    );
  }
  for (const v of views) backend.dispose(v.centred, v.p);
  backend.dispose(ones, views[0].stats);
  return { g1: g[0], g2: g[1], currentStats: views[1].stats };
}

/**
 * dL/dW and dL/db of a block for one view, given dL/dz [B, C] and its forward pass: back through the
 * GAP, the max-pool's argmax, f' and the conv (weights only).
 */
export async function lplConvBackward(
  backend: Backend,
  shape: LplConvShape,
  weight: Tensor,
  x: Tensor,
  forward: LplConvForward,
  gradZ: Tensor,
  activation: Activation = "relu",
): Promise<{ gradWeight: Tensor; gradBias: Tensor }> {
  const size = lplConvOutputSize(shape);
  const planes = { batch: shape.batch, channels: shape.outChannels };
  const gOut = await globalAvgPoolBackward(backend, gradZ, {
    ...planes,
    height: size.height,
    width: size.width,
  });
  let gH = gOut;
  if (shape.pool) {
    gH = await maxPool2dBackward(backend, forward.h, gOut, {
      ...planes,
      height: size.convHeight,
      width: size.convWidth,
    });
    backend.dispose(gOut);
  }
  const gA = await activationJvp(backend, activation, forward.a, gH);
  backend.dispose(gH);
  const { gradWeight, gradBias } = await conv2dBackward(backend, x, weight, gA, shape, { input: false });
  backend.dispose(gA);
  return { gradWeight, gradBias };
}

/** What {@linkcode lplConvGradient} returns (the caller disposes every tensor). */
export interface LplConvGradientResult {
  gradWeight: Tensor;
  gradBias: Tensor;
  /** The block's outputs on the two views (the next block's inputs; no gradient flows back). */
  out1: Tensor;
  out2: Tensor;
  /** [mean(C), variance(C)] of the current view's z (the next step's stale estimates). */
  currentStats: Tensor;
}

/**
 * dL/dW, dL/db of one LPL conv block for a batch of (past, current) view pairs; L is the layer's
 * objective on the GAP outputs (both views contribute: Hebb and decorr are averaged over them).
 *
 * @param backend The backend of every tensor.
 * @param shape The block.
 * @param weight [C_out, C_in, k, k].
 * @param bias [C_out].
 * @param x1 Past views, N C_in H W values.
 * @param x2 Current views.
 * @param options Activation, coefficients, predictive mode, epsilon.
 * @param staleStats [mean(C), variance(C)] for the stale-estimates Hebbian term, or undefined.
 */
export async function lplConvGradient(
  backend: Backend,
  shape: LplConvShape,
  weight: Tensor,
  bias: Tensor,
  x1: Tensor,
  x2: Tensor,
  options: LplConvRuleOptions = {},
  staleStats?: Tensor,
): Promise<LplConvGradientResult> {
  if (shape.batch < 2) {
    throw new RangeError(`Cannot run LPL on a conv block: batch is ${shape.batch}, must be >= 2`);
  }
  const act = options.activation ?? "relu";
  const f1 = await lplConvForward(backend, shape, weight, bias, x1, act);
  const f2 = await lplConvForward(backend, shape, weight, bias, x2, act);
  const { g1, g2, currentStats } = await lplOutputGradients(
    backend,
    shape.batch,
    shape.outChannels,
    f1.z,
    f2.z,
    options,
    staleStats,
  );
  const b1 = await lplConvBackward(backend, shape, weight, x1, f1, g1, act);
  const b2 = await lplConvBackward(backend, shape, weight, x2, f2, g2, act);
  await backend.axpy(1, b1.gradWeight, b2.gradWeight);
  await backend.axpy(1, b1.gradBias, b2.gradBias);
  backend.dispose(g1, g2, b1.gradWeight, b1.gradBias);
  disposeLplConvForward(backend, f1, [f1.out]);
  disposeLplConvForward(backend, f2, [f2.out]);
  return { gradWeight: b2.gradWeight, gradBias: b2.gradBias, out1: f1.out, out2: f2.out, currentStats };
}
