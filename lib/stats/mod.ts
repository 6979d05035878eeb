/**
 * Statistics for figures: Freedman-Diaconis density histograms, (blocked) jackknife errors,
 * weighted slopes through the origin, nonlinear least-squares curve fits, and erf.
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
