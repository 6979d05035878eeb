/**
 * Float64 reference implementations ("this is the algorithm"): every kernel's oracle, element by
 * element, from matmul and reductions to the models' forward, backward and R-op passes and the
 * research lines' fused trainers.
 *
 * @module
 */
export { matmulReference, type MatmulReferenceOptions } from "./matmul.ts";
export { histogramReference, reduceReference, rowDotReference } from "./reduce.ts";
export {
  activationBackwardReference,
  rowL2NormalizeBackwardReference,
  rowL2NormalizeReference,
} from "./backend_ops.ts";
export {
  CONV2D_KERNEL_SIZES,
  conv2dBackwardInputReference,
  conv2dBackwardWeightReference,
  conv2dForwardReference,
  type Conv2dShape,
  type Conv2dSizes,
  conv2dSizes,
} from "./conv2d.ts";
export {
  type Im2colOptions,
  im2colOutputSize,
  im2colReference,
  type Im2colShape,
  packWeightReference,
} from "./conv2d_im2col.ts";
export {
  globalAvgPoolBackwardReference,
  globalAvgPoolForwardReference,
  maxPool2dBackwardReference,
  maxPool2dForwardReference,
  poolInputSize,
  type PoolShape,
} from "./pool.ts";
export { maxPool2dGatherReference } from "./pool_gather.ts";
export {
  batchNormBackwardReference,
  batchNormForwardReference,
  batchNormInputSize,
  type BatchNormOptions,
  type BatchNormShape,
} from "./batch_norm.ts";
export { linearRegressionSgdReference } from "./linear_regression_sgd.ts";
export { randomOrthogonal, symmetricWithSpectrum } from "./dyson_matrices.ts";
