/**
 * Float64 oracle of the conv LPL objective (lib/lpl/conv_rule.ts), written to be read: the block's forward
 * pass with the float64 layer references (conv, f, 2x2 max-pool, global average pool) and the per-layer
 * objective of spec 3.1 (Errata 1) on the pooled outputs z of the two views. Tests take float64 central
 * differences of it.
 *
 * @module
 */
import { type Activation, activationCoefficients, evaluateActivation } from "../activations.ts";
import { conv2dForwardReference } from "../reference/conv2d.ts";
import { globalAvgPoolForwardReference, maxPool2dForwardReference } from "../reference/pool.ts";
import { lplBatchStats, lplCovariance, type LplDenseLoss } from "../reference/lpl_dense.ts";
import {
  LPL_DEFAULT_COEFFICIENTS,
  LPL_VARIANCE_EPSILON,
  type LplCoefficients,
} from "../../kernels/lpl/dense_types.ts";
import { lplConvOutputSize, type LplConvShape } from "./conv_rule.ts";

/** Options of the float64 objective. */
export interface LplObjectiveOptions {
  activation?: Activation;
  coefficients?: LplCoefficients;
  epsilon?: number;
  /** A constant past output z1 in L_pred (the past-detached rule's view of the objective). */
  detachedPast?: ArrayLike<number>;
  /** Stale batch mean and variance [M] for the Hebbian term. */
  stale?: { mean: ArrayLike<number>; variance: ArrayLike<number> };
}

/**
 * L = c_pull L_pred + c_push L_Hebb + c_decorr L_decorr of two views' outputs z1, z2 [B, M] (the terms
 * of lib/reference/lpl_dense.ts, each of Hebb and decorr averaged over the two views).
 */
export function lplObjectiveOfOutputs(
  z1: ArrayLike<number>,
  z2: ArrayLike<number>,
  batch: number,
  units: number,
  options: LplObjectiveOptions = {},
): LplDenseLoss {
  const c = options.coefficients ?? LPL_DEFAULT_COEFFICIENTS, eps = options.epsilon ?? LPL_VARIANCE_EPSILON;
  const past = options.detachedPast ?? z1;
  let pred = 0, hebb = 0, decorr = 0;
  for (let e = 0; e < batch * units; e++) pred += (z2[e] - past[e]) ** 2 / (units * batch);
  for (const z of [z1, z2]) {
    const s = lplBatchStats(z, batch, units);
    for (let i = 0; i < units; i++) {
      if (options.stale) {
        let q = 0;
        for (let r = 0; r < batch; r++) q += (z[r * units + i] - options.stale.mean[i]) ** 2;
        hebb -= (0.5 * q) / ((options.stale.variance[i] + eps) * (batch - 1) * units);
      } else hebb -= (0.5 * Math.log(s.variance[i] + eps)) / units;
    }
    if (units > 1) {
      const cov = lplCovariance(s.centred, batch, units);
      for (let i = 0; i < units; i++) {
        for (let k = 0; k < units; k++) {
          if (i !== k) decorr += (0.5 * cov[i * units + k] ** 2) / (units * units - units);
        }
      }
    }
  }
  return { pred, hebb, decorr, total: c.pull * pred + c.push * hebb + c.decorr * decorr };
}

/** The block's GAP output z [B, C] and its output map (pooled f(a)) in float64. */
export function lplConvForwardReference(
  shape: LplConvShape,
  weight: ArrayLike<number>,
  bias: ArrayLike<number>,
  x: ArrayLike<number>,
  activation: Activation = "relu",
): { out: Float64Array; z: Float64Array } {
  const size = lplConvOutputSize(shape), coeff = activationCoefficients(activation);
  const h = conv2dForwardReference(shape, x, weight, bias).map((a) => evaluateActivation(coeff, a, 0));
  const planes = { batch: shape.batch, channels: shape.outChannels };
  const out = shape.pool
    ? maxPool2dForwardReference({ ...planes, height: size.convHeight, width: size.convWidth }, h)
    : h;
  return {
    out,
    z: globalAvgPoolForwardReference({ ...planes, height: size.height, width: size.width }, out),
  };
}

/** The objective of one conv block at (weight, bias) for past views x1 and current views x2. */
export function lplConvLossReference(
  shape: LplConvShape,
  weight: ArrayLike<number>,
  bias: ArrayLike<number>,
  x1: ArrayLike<number>,
  x2: ArrayLike<number>,
  options: LplObjectiveOptions = {},
): LplDenseLoss {
  const z1 = lplConvForwardReference(shape, weight, bias, x1, options.activation).z;
  const z2 = lplConvForwardReference(shape, weight, bias, x2, options.activation).z;
  return lplObjectiveOfOutputs(z1, z2, shape.batch, shape.outChannels, options);
}
