/**
 * Statistics for figures: Freedman-Diaconis density histograms, (blocked) jackknife errors,
 * weighted slopes through the origin, nonlinear least-squares curve fits, erf, Student's t, and a
 * random-effects combination of independent estimates (the error of a slope over K datasets).
 *
 * @module
 */
export {
  type DensityHistogram,
  densityHistogram,
  type DensityHistogramOptions,
  freedmanDiaconisWidth,
  histogramMean,
  quantileSorted,
} from "./histogram.ts";
export {
  jackknife,
  type JackknifeOptions,
  type JackknifeResult,
  jackknifeVector,
  type JackknifeVectorResult,
} from "./jackknife.ts";
export { fitSlopeThroughOrigin, type SlopeFit } from "./least_squares.ts";
export { type CurveFit, type CurveFitOptions, fitCurve, type Model, numericJacobian } from "./curve_fit.ts";
export { erf } from "./special.ts";
export { lnGamma, normalCdf, regularizedIncompleteBeta, studentTCdf, studentTQuantile } from "./student_t.ts";
export { combineRandomEffects, type RandomEffectsCombination, TWO_SIGMA_COVERAGE } from "./random_effects.ts";
