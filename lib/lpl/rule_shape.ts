/**
 * The shape of the LPL rule for one synapse (spec 3.1, figure F4.4; the paper's Extended Data Fig. 1,
 * notebook E1): the weight change of a synapse whose single input x = 1 co-varies with the postsynaptic
 * rate z, as a function of z, the running mean zbar, the variance sigma^2 and the temporal change dz/dt:
 *
 *   dw = [ -dz/dt + lambda (z - zbar) / sigma^2 ] f'(f^{-1}(z))
 *
 * (spec 3.1's closed-form rule per sample with M = 1, the predictive term -(z(t) - z(t - dt)) written
 * as -dz/dt, positive constants eta, alpha set to 1). It is zero at z* = zbar + sigma^2 dz/dt / lambda:
 * a BCM-like sliding threshold, moved by the variance (metaplasticity) and by the temporal change.
 *
 * @module
 */

/** Rates of the saturating f-I curve (Rajan, Abbott & Sompolinsky 2010, as in the E1 notebook). */
export const SATURATING_R0 = 2;
/** Maximum rate of the saturating f-I curve. */
export const SATURATING_RMAX = 80;

/** A postsynaptic nonlinearity z = f(a), its inverse on the rates it reaches, and its derivative. */
export interface RateFunction {
  name: string;
  /** f'(a) at the input a with f(a) = z. */
  slopeAtRate(z: number): number;
  /** The largest rate f reaches (exclusive), Infinity when unbounded. */
  maxRate: number;
}

/** ReLU: f'(a) = 1 wherever z > 0. */
export const RELU_RATE: RateFunction = {
  name: "ReLU",
  slopeAtRate: (z) => (z > 0 ? 1 : 0),
  maxRate: Infinity,
};

/**
 * The saturating curve z = r0 tanh(a / r0) (a < 0), (rmax - r0) tanh(a / (rmax - r0)) (a >= 0): for
 * z >= 0, f'(a) = sech^2(a / (rmax - r0)) = 1 - (z / (rmax - r0))^2.
 */
export const SATURATING_RATE: RateFunction = {
  name: "saturating",
  slopeAtRate: (z) => {
    const top = SATURATING_RMAX - SATURATING_R0;
    return z >= 0 ? Math.max(0, 1 - (z / top) ** 2) : Math.max(0, 1 - (z / SATURATING_R0) ** 2);
  },
  maxRate: SATURATING_RMAX - SATURATING_R0,
};

/**
 * The LPL weight change of one synapse with input x = 1 (see the module doc).
 *
 * @param z Postsynaptic rate.
 * @param zBar Its running mean.
 * @param variance Its running variance sigma^2 (> 0).
 * @param dzdt Its temporal change.
 * @param f The rate function.
 * @param lambda Hebbian coefficient (1, the erratum's lambda_1).
 * @returns dw.
 */
export function lplWeightChange(
  z: number,
  zBar: number,
  variance: number,
  dzdt: number,
  f: RateFunction,
  lambda = 1,
): number {
  return (-dzdt + lambda * (z - zBar) / variance) * f.slopeAtRate(z);
}

/** The rate where the weight change crosses zero: zbar + sigma^2 dz/dt / lambda. */
export function lplThreshold(zBar: number, variance: number, dzdt: number, lambda = 1): number {
  return zBar + variance * dzdt / lambda;
}
