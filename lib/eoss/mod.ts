/**
 * Research line 4, the Edge of Stochastic Stability: Hessian-vector-product operators, lambda_max by
 * power iteration and Lanczos, batch sharpness (batched over many mini-batches, with a stopping rule on
 * the standard error of the ratios), step sharpness, GNI, Hutchinson trace, momentum thresholds and
 * MiniBS, the second-moment contraction lambda_max(E_B[(I - eta H_B)^2]) (EOSS-17).
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
  secondMomentContraction,
  secondMomentExcessOperator,
  type SecondMomentOptions,
  type SecondMomentResult,
} from "./second_moment.ts";

// --- EoSS training engine (training runs, cadence, forks, replay, plateaus) ---
export {
  cadenceDue,
  cadencePeriod,
  type CadenceSpec,
  cadenceSteps,
  checkCadence,
  DEFAULT_CADENCES,
  GNI_CADENCE,
  HEAVY_MEASUREMENTS,
  MEASUREMENT_NAMES,
  type MeasurementName,
  measurementsDue,
  traceCadence,
} from "./cadence.ts";
export {
  checkEossConfig,
  DEFAULT_EOSS_CONFIG,
  type EossCadences,
  eossConfig,
  type EossDataConfig,
  type EossDatasetName,
  type EossForkConfig,
  type EossMeasurementSettings,
  type EossModelConfig,
  type EossOptimizerConfig,
  type EossReplayConfig,
  type EossSeeds,
  type EossStopRule,
  type EossTrainingConfig,
  type EossTrainingConfigInput,
} from "./training_config.ts";
export {
  type EossRunOptions,
  type EossRunResult,
  type EossStatus,
  type EossSummary,
  type EossUpdateContext,
  runEossTraining,
} from "./training.ts";
export { type EossData, loadEossData, SYNTHETIC_SEED } from "./training_data.ts";
export { emptyRow, EOSS_COLUMNS, type EossRow, rowFromJson, rowToJson } from "./metrics.ts";
export { type PlateauStatistics, plateauStatistics, type PlateauSummary, plateauSummary } from "./plateau.ts";
export {
  captureCheckpoint,
  checkpointFile,
  EOSS_CHECKPOINT_KIND,
  type EpochSegment,
  forkFingerprint,
  forkPlan,
  loadForkCheckpoint,
  locateStep,
  restoreOptimizer,
} from "./fork.ts";
export {
  checkBatchOrder,
  checkInitParams,
  checkSubsetIndices,
  decodeReplayNpy,
  readReplayFiles,
  readReplayNpy,
  type ReplayInput,
} from "./replay.ts";

// --- EoSS noisy-GD baselines and the SGD SDE (EOSS-13) ---
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
export {
  EOSS_FIGURE_OPTIONS,
  type EossFigureConfig,
  figureModel,
  figureTrainingConfig,
  FULL_EOSS_FIGURE,
  loadFigureData,
  parseList,
  plateauNumbers,
  QUICK_EOSS_FIGURE,
  runFigureTraining,
  TEST_EOSS_FIGURE,
} from "./figures.ts";
export { EOSS_COLORS, lossPoints, sharpnessPoints, standardEossPlot } from "./figures_plot.ts";
export { dynamicsLabel, type NoisyDynamics, type NoisyRunResult, runNoisyTraining } from "./figures_noisy.ts";
