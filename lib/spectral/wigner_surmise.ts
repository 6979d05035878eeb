/**
 * Wigner surmises: the nearest-neighbour spacing density of 2x2 Gaussian ensembles,
 * P_beta(s) = a_beta s^beta exp(-b_beta s^2), normalised with mean spacing 1
 * (Mehta, Random Matrices, ch. 1), and the 2x2 spacing law at a given width.
 *
 * @module
 */

/** Dyson index: 1 GOE, 2 GUE, 4 GSE. */
export type DysonIndex = 1 | 2 | 4;

function checkBeta(beta: number): asserts beta is DysonIndex {
  if (beta !== 1 && beta !== 2 && beta !== 4) {
    throw new RangeError(`Cannot evaluate a Wigner surmise: beta is ${beta}, must be 1, 2 or 4`);
  }
}

/**
 * The Wigner surmise at normalised spacing s >= 0 (0 for s < 0).
 * GOE: (pi/2) s e^{-pi s^2/4}; GUE: (32/pi^2) s^2 e^{-4 s^2/pi};
 * GSE: 2^18/(3^6 pi^3) s^4 e^{-64 s^2/(9 pi)}. Each integrates to 1 with mean 1.
 *
 * @param s Spacing in units of the mean spacing.
 * @param beta Dyson index (1 by default).
 * @returns P_beta(s).
 * @throws {RangeError} When beta is not 1, 2 or 4.
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { wignerSurmise } from "./wigner_surmise.ts";
 * assert.ok(Math.abs(wignerSurmise(1) - (Math.PI / 2) * Math.exp(-Math.PI / 4)) < 1e-15);
 * ```
 */
export function wignerSurmise(s: number, beta: DysonIndex = 1): number {
  checkBeta(beta);
  if (!(s >= 0)) return 0;
  const pi = Math.PI;
  switch (beta) {
    case 1:
      return (pi / 2) * s * Math.exp(-pi * s * s / 4);
    case 2:
      return (32 / (pi * pi)) * s * s * Math.exp(-4 * s * s / pi);
    case 4:
      return (2 ** 18 / (3 ** 6 * pi ** 3)) * s ** 4 * Math.exp(-64 * s * s / (9 * pi));
  }
}

/**
 * The surmise for unnormalised spacings S with mean `meanSpacing`: P(S / <S>) / <S>
 * (the notebooks' (pi/2)(S/<S>^2) e^{-pi S^2/(4 <S>^2)} for beta = 1).
 *
 * @param spacing S >= 0.
 * @param meanSpacing <S> > 0.
 * @param beta Dyson index.
 * @returns The density in S.
 * @throws {RangeError} When meanSpacing <= 0 or beta is invalid.
 */
export function wignerSurmiseScaled(spacing: number, meanSpacing: number, beta: DysonIndex = 1): number {
  if (!(meanSpacing > 0)) {
    throw new RangeError(`Cannot scale a Wigner surmise: mean spacing is ${meanSpacing}, must be > 0`);
  }
  return wignerSurmise(spacing / meanSpacing, beta) / meanSpacing;
}

/**
 * The spacing density of a 2x2 GOE pair with joint density
 * p(x1, x2) ~ |x1 - x2| exp(-[(x1 - x0)^2 + (x2 - x0)^2] / (2 sigma^2)):
 * P(S) = S / (2 sigma^2) exp(-S^2 / (4 sigma^2)), with mean sqrt(pi) sigma.
 *
 * @param spacing S >= 0.
 * @param sigma Width sigma > 0.
 * @returns P(S).
 * @throws {RangeError} When sigma <= 0.
 */
export function goe2SpacingDensity(spacing: number, sigma: number): number {
  if (!(sigma > 0)) throw new RangeError(`Cannot evaluate a 2x2 GOE spacing: sigma is ${sigma}, must be > 0`);
  if (!(spacing >= 0)) return 0;
  return spacing / (2 * sigma * sigma) * Math.exp(-spacing * spacing / (4 * sigma * sigma));
}
