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
