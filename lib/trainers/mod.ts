/**
 * Generic fused trainers: online SGD of many linear-regression walkers, hundreds of steps per
 * dispatch (the pattern every research line follows).
 *
 * @module
 */
export {
  type LinearRegressionSgdConfig,
  type LinearRegressionSgdResult,
  type LinearRegressionSgdState,
  linearTeacher,
  runLinearRegressionSgd,
} from "./linear_regression_sgd.ts";
export {
  type Divergence,
  type LinearRegressionRunConfig,
  resumeLinearRegressionState,
  runLinearRegressionSegments,
  type SegmentOptions,
  type SegmentsOutcome,
  writeLinearRegressionResults,
} from "./linear_regression_run_dir.ts";
