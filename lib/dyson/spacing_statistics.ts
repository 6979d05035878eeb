/**
 * Statistics that both Dyson ensembles (Gaussian RBM and 2x2 teacher-student) take of their level
 * spacings and pooled levels: <S> as the Freedman-Diaconis histogram mean (the notebooks'
 * estimator), the Kolmogorov-Smirnov distance of normalised spacings to the GOE Wigner surmise,
 * and least-squares fits of the 2x2-GOE one-point density rho(x0, sigma) and of a Gaussian to an
 * FD density histogram.
 *
 * @module
 */
import { densityHistogram, histogramMean } from "../stats/histogram.ts";
import { fitCurve } from "../stats/curve_fit.ts";
import { gaussianDensity, goe2Density } from "../spectral/goe2_density.ts";

/** A density fit's location and width with their errors. */
export interface DensityFit {
  x0: number;
  sigma: number;
  x0Error: number;
  sigmaError: number;
}

/**
 * The FD-histogram mean of spacings (the notebooks' <S>).
 *
 * @param sample Spacings.
 * @returns The mean of the Freedman-Diaconis density histogram of the sample.
 */
export function fdMean(sample: ArrayLike<number>): number {
  return histogramMean(densityHistogram(sample));
}

/**
 * Kolmogorov-Smirnov distance of normalised spacings s = S / <S> to the GOE Wigner surmise CDF
 * 1 - e^{-pi s^2/4}.
 *
 * @param s Normalised spacings.
 * @returns sup |F_n(s) - F(s)|.
 */
export function ksDistanceToSurmise(s: ArrayLike<number>): number {
  const sorted = Float64Array.from(s).sort();
  let d = 0;
  sorted.forEach((v, i) => {
    const cdf = 1 - Math.exp(-Math.PI * v * v / 4);
    d = Math.max(d, Math.abs(cdf - i / sorted.length), Math.abs(cdf - (i + 1) / sorted.length));
  });
  return d;
}

/**
 * Fits the 2x2-GOE one-point density to an FD density histogram of pooled pair values.
 *
 * @param values Both levels of every pair, pooled.
 * @param x0Guess Starting centre.
 * @param sigmaGuess Starting width.
 * @returns `{ x0, sigma, x0Error, sigmaError }` (errors from the fit's covariance).
 */
export function fitPairDensity(values: ArrayLike<number>, x0Guess: number, sigmaGuess: number): DensityFit {
  const h = densityHistogram(values);
  const fit = fitCurve(h.centres, h.density, ([x0, s]) => (x) => goe2Density(x, x0, Math.abs(s)), {
    initial: [x0Guess, sigmaGuess],
  });
  return {
    x0: fit.params[0],
    sigma: Math.abs(fit.params[1]),
    x0Error: fit.errors[0],
    sigmaError: fit.errors[1],
  };
}

/**
 * Fits a Gaussian N(x0, sigma^2) to an FD density histogram (a non-degenerate mode).
 *
 * @param values Samples of the mode.
 * @param x0Guess Starting centre.
 * @param sigmaGuess Starting width.
 * @returns `{ x0, sigma, x0Error, sigmaError }` (errors from the fit's covariance).
 */
export function fitGaussianDensity(
  values: ArrayLike<number>,
  x0Guess: number,
  sigmaGuess: number,
): DensityFit {
  const h = densityHistogram(values);
  const fit = fitCurve(
    h.centres,
    h.density,
    ([x0, s]) => (x) => gaussianDensity(x, x0, Math.abs(s) || 1e-300),
    {
      initial: [x0Guess, sigmaGuess],
    },
  );
  return {
    x0: fit.params[0],
    sigma: Math.abs(fit.params[1]),
    x0Error: fit.errors[0],
    sigmaError: fit.errors[1],
  };
}
