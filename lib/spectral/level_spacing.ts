/**
 * Level spacings: spacings within chosen index pairs of an ensemble of spectra (the Dyson
 * notebooks' S = |lambda_i - lambda_j| of degenerate pairs), normalisation by the mean,
 * nearest-neighbour spacings of one spectrum with polynomial unfolding, and the spacing
 * ratio r_n = s_{n+1}/s_n, which needs no unfolding (Oganesyan & Huse 2007), with its
 * surmise P(r) = (r + r^2)^beta / (Z_beta (1 + r + r^2)^{1 + 3 beta/2}) (Atas et al. 2013).
 *
 * @module
 */
import { Matrix, solve } from "npm:ml-matrix@6";
import type { DysonIndex } from "./wigner_surmise.ts";

/**
 * Spacings |values[m, i] - values[m, j]| for every spectrum m and every pair (i, j).
 *
 * @param values Spectra, row-major [count, n].
 * @param n Levels per spectrum.
 * @param pairs Index pairs (e.g. [[1, 2], [3, 4]] for the SRBM's degenerate pairs).
 * @returns One Float64Array of `count` spacings per pair.
 * @throws {RangeError} On a size mismatch or an index outside [0, n).
 */
export function pairSpacings(
  values: ArrayLike<number>,
  n: number,
  pairs: readonly (readonly [number, number])[],
): Float64Array[] {
  if (!Number.isInteger(n) || n < 1 || values.length % n !== 0) {
    throw new RangeError(`Cannot take pair spacings: ${values.length} values are not spectra of ${n} levels`);
  }
  const count = values.length / n;
  return pairs.map(([i, j]) => {
    if (!(i >= 0 && i < n && j >= 0 && j < n && Number.isInteger(i) && Number.isInteger(j))) {
      throw new RangeError(`Cannot take pair spacings: pair (${i}, ${j}) is outside [0, ${n})`);
    }
    return Float64Array.from({ length: count }, (_, m) => Math.abs(values[m * n + i] - values[m * n + j]));
  });
}

/**
 * s = S / mean(S).
 *
 * @param spacings Spacings.
 * @param mean The mean to divide by (default: the sample mean).
 * @returns Normalised spacings.
 * @throws {RangeError} When the mean is not > 0.
 */
export function normaliseSpacings(spacings: ArrayLike<number>, mean?: number): Float64Array {
  const m = mean ?? Array.from(spacings).reduce((a, b) => a + b, 0) / spacings.length;
  if (!(m > 0)) throw new RangeError(`Cannot normalise spacings: mean spacing is ${m}, must be > 0`);
  return Float64Array.from(spacings, (s) => s / m);
}

/**
 * Differences of consecutive sorted levels.
 *
 * @param levels Levels (sorted here, ascending).
 * @returns n - 1 spacings.
 */
export function nearestNeighbourSpacings(levels: ArrayLike<number>): Float64Array {
  const sorted = Float64Array.from(levels).sort();
  return Float64Array.from({ length: Math.max(0, sorted.length - 1) }, (_, i) => sorted[i + 1] - sorted[i]);
}

/**
 * Unfolds a spectrum: fits the staircase N(E) (0.5, 1.5, ... at the sorted levels) with a
 * polynomial of `degree` by least squares and returns the smoothed counts N(E_i), whose
 * spacings have mean ~1.
 *
 * @param levels Levels.
 * @param degree Polynomial degree (default 5).
 * @returns Unfolded levels, ascending.
 * @throws {RangeError} When there are not more levels than the degree.
 */
export function unfoldSpectrum(levels: ArrayLike<number>, degree = 5): Float64Array {
  const sorted = Float64Array.from(levels).sort();
  const n = sorted.length;
  if (!Number.isInteger(degree) || degree < 1 || n <= degree) {
    throw new RangeError(`Cannot unfold: ${n} levels for a degree-${degree} polynomial (need more levels)`);
  }
  // Scale E to [-1, 1] for a well-conditioned Vandermonde matrix.
  const lo = sorted[0], hi = sorted[n - 1], mid = (lo + hi) / 2, half = (hi - lo) / 2 || 1;
  const a = new Matrix(n, degree + 1), b = new Matrix(n, 1);
  for (let i = 0; i < n; i++) {
    const t = (sorted[i] - mid) / half;
    for (let k = 0, p = 1; k <= degree; k++, p *= t) a.set(i, k, p);
    b.set(i, 0, i + 0.5);
  }
  const coefficients = solve(a, b, true).getColumn(0);
  return sorted.map((e) => {
    const t = (e - mid) / half;
    let v = 0;
    for (let k = degree; k >= 0; k--) v = v * t + coefficients[k];
    return v;
  });
}

/**
 * Spacing ratios r_n = s_{n+1} / s_n of consecutive spacings of one sorted spectrum, and
 * r~_n = min(r_n, 1/r_n) in [0, 1]. Zero spacing pairs are skipped.
 *
 * @param levels Levels (sorted here).
 * @returns `{ ratios, minRatios }`.
 */
export function spacingRatios(levels: ArrayLike<number>): { ratios: Float64Array; minRatios: Float64Array } {
  const s = nearestNeighbourSpacings(levels);
  const ratios: number[] = [], minRatios: number[] = [];
  for (let i = 0; i + 1 < s.length; i++) {
    if (s[i] === 0 && s[i + 1] === 0) continue;
    const r = s[i + 1] / s[i];
    ratios.push(r);
    minRatios.push(Math.min(s[i], s[i + 1]) / Math.max(s[i], s[i + 1]));
  }
  return { ratios: Float64Array.from(ratios), minRatios: Float64Array.from(minRatios) };
}

const RATIO_NORMALISATION: Record<DysonIndex, number> = {
  1: 8 / 27,
  2: 4 * Math.PI / (81 * Math.sqrt(3)),
  4: 4 * Math.PI / (729 * Math.sqrt(3)),
};

/**
 * The spacing-ratio surmise P(r) for r >= 0 (the 3x3 Gaussian ensembles' exact law,
 * Atas, Bogomolny, Giraud, Roux, PRL 110, 084101 (2013)). The density of r~ = min(r, 1/r)
 * is 2 P(r~) on [0, 1].
 *
 * @param r Ratio >= 0.
 * @param beta Dyson index.
 * @returns P(r).
 * @throws {RangeError} When beta is not 1, 2 or 4.
 */
export function spacingRatioSurmise(r: number, beta: DysonIndex = 1): number {
  const z = RATIO_NORMALISATION[beta];
  if (z === undefined) {
    throw new RangeError(`Cannot evaluate the ratio surmise: beta is ${beta}, must be 1, 2 or 4`);
  }
  if (!(r >= 0)) return 0;
  return (r + r * r) ** beta / (z * (1 + r + r * r) ** (1 + 1.5 * beta));
}

/**
 * <r~> of the ratio surmise (GOE 4 - 2 sqrt 3, GUE 2 sqrt3/pi - 1/2, GSE 32 sqrt3/(15 pi) - 1/2),
 * of Poisson levels (2 ln 2 - 1), and the large-n values of Atas et al. (GOE 0.5307, GUE 0.5996,
 * GSE 0.6744).
 */
export const MEAN_MIN_RATIO: {
  surmise: Record<1 | 2 | 4, number>;
  largeN: Record<1 | 2 | 4, number>;
  poisson: number;
} = {
  surmise: {
    1: 4 - 2 * Math.sqrt(3),
    2: 2 * Math.sqrt(3) / Math.PI - 0.5,
    4: 32 * Math.sqrt(3) / (15 * Math.PI) - 0.5,
  },
  largeN: { 1: 0.5307, 2: 0.5996, 4: 0.6744 },
  poisson: 2 * Math.LN2 - 1,
} as const;
