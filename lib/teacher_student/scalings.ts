/**
 * The scalings the original scripts use with an information exponent k (spec A.9).
 *
 * @module
 */

function checkD(d: number): void {
  if (!(d >= 1)) throw new RangeError(`Cannot scale: d is ${d}, must be >= 1`);
}

/** lr = eta0 d^(1 - k/2) (the trainer then steps by lr / d). */
export function scaledLearningRate(eta0: number, d: number, k: number): number {
  checkD(d);
  return eta0 * d ** (1 - k / 2);
}

/** Steps = round(alpha d^(k - 1)). */
export function scaledSteps(alpha: number, d: number, k: number): number {
  checkD(d);
  return Math.max(1, Math.round(alpha * d ** (k - 1)));
}

/** p_repeat = min(1, p0 d^(-(k0 - 1) / 2)), the interpolation of multi_walk.py. */
export function scaledRepeatProbability(p0: number, d: number, k0: number): number {
  checkD(d);
  return Math.min(1, p0 * d ** (-(k0 - 1) / 2));
}
