/**
 * Research line 4, the Edge of Stochastic Stability: Hessian-vector-product operators, lambda_max by
 * power iteration and Lanczos, batch sharpness (batched over many mini-batches, with a stopping rule on
 * the standard error of the ratios), step sharpness, GNI, Hutchinson trace, momentum thresholds and
 * MiniBS.
 *
 * @module
 */
export {
  type EossModel,
  type HvpOperator,
  matrixHvpOperator,
  type ModelHvpOperator,
  modelHvpOperator,
} from "./hvp_operator.ts";
export { readDot, ScalarSlots } from "./scalars.ts";
export { powerIteration, type PowerIterationOptions, type PowerIterationResult } from "./power_iteration.ts";
export { lanczos, type LanczosOptions, type LanczosResult } from "./lanczos.ts";
export { BatchStream, MEASUREMENT_BATCH_STREAM } from "./batch_stream.ts";
export {
  type MeanEstimate,
  meanEstimate,
  ratioOfMeansStandardError,
  sampleInBlocks,
  shouldStop,
  type StoppingRule,
  stoppingRule,
} from "./stopping.ts";
export {
  batchedApplies,
  batchSharpness,
  type BatchSharpnessMethod,
  type BatchSharpnessOptions,
  type BatchSharpnessResult,
  blockCurvatures,
  type SharpnessProblem,
  stepSharpness,
} from "./batch_sharpness.ts";
export {
  edgeOfStabilityThreshold,
  momentumBatchSharpness,
  type MomentumBatchSharpnessOptions,
  momentumThreshold,
} from "./momentum.ts";
export {
  type FullBatchSampleOptions,
  gradientNoiseInteraction,
  hutchinsonTrace,
  oneStepLossChange,
} from "./full_batch.ts";
export { lambdaMax, type LambdaMaxOptions, lambdaMaxRows, LambdaMaxTracker } from "./lambda_max.ts";
export { miniBatchLambdaMax, type MiniBatchLambdaMaxOptions } from "./mini_batch_lambda_max.ts";
export {
  checkNoisyGdModel,
  GD_NOISES,
  type GdNoise,
  NOISY_GD_STREAM,
  NoisyGd,
  type NoisyGdModel,
  type NoisyGdSettings,
  perSampleGradientVariance,
  rowScaledAxpy,
  weightedGradient,
} from "./noisy_gd.ts";
export { rowScaledAxpyReference, sgdNoiseWeights } from "./noisy_gd_reference.ts";
export { SgdSde, type SgdSdeSettings } from "./sde.ts";
