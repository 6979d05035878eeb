/**
 * A Deno + WebGPU toolkit for studying how stochastic gradient descent learns.
 *
 * WGSL compute kernels (matmul, activations and their derivatives, reductions,
 * Philox random numbers, fused multi-walker SGD) behind one backend interface
 * with two implementations: `webgpu` and a float64 TypeScript `reference` that is
 * both the test oracle and the fallback without a GPU.
 *
 * This module is the one-import convenience: what a researcher uses, in layer order
 * (random numbers, backends, spectra and statistics, trainers, the research lines,
 * models and data, runs and figures). Each area has its own entry point with the rest
 * of its surface: `./backend`, `./gpu`, `./kernels`, `./reference`, `./rng`,
 * `./spectral`, `./stats`, `./ode`, `./trainers`, `./optim`, `./training`,
 * `./teacher-student`, `./dyson`, `./enhanced-sgd`, `./eoss`, `./lpl`, `./probes`, `./models`,
 * `./data`, `./io`, `./sweep`, `./plot` (see deno.json `exports`).
 *
 * @example Multiply two matrices on the best backend available
 * ```ts ignore
 * import { getBackend } from "./mod.ts";
 * const backend = await getBackend();
 * const a = backend.tensor([1, 2, 3, 4, 5, 6], [2, 3]);
 * const b = backend.tensor([7, 8, 9, 10, 11, 12], [3, 2]);
 * console.log(await backend.read(await backend.matmul(a, b))); // [58, 64, 139, 154]
 * ```
 *
 * @module
 */

// Random numbers (Philox4x32-10, bit-identical to the kernels).
export { PhiloxStream, randomReference } from "./lib/rng/philox.ts";

// Backends, tensors and activations.
export type { Backend, Distribution, RandomOptions } from "./lib/backend/backend.ts";
export { type BackendName, type DType, formatShape, shapeSize, type Tensor } from "./lib/backend/tensor.ts";
export { type BackendChoice, getBackend } from "./lib/backend/select.ts";
export { ReferenceBackend } from "./lib/backend/reference.ts";
export { WebGpuBackend } from "./lib/backend/webgpu.ts";
export {
  type Activation,
  activationCoefficients,
  type ActivationName,
  evaluateActivation,
  hermite,
} from "./lib/activations.ts";

// Spectra, statistics and ODEs.
export { type SymmetricEigen, symmetricEigen } from "./lib/spectral/jacobi_eigen.ts";
export { singularValues, symmetricEigenvalues } from "./lib/spectral/symmetric_eigen_large.ts";
export { marchenkoPasturDensity, marchenkoPasturEdges } from "./lib/spectral/marchenko_pastur.ts";
export { wignerSurmise, wignerSurmiseScaled } from "./lib/spectral/wigner_surmise.ts";
export { goe2Density } from "./lib/spectral/goe2_density.ts";
export {
  nearestNeighbourSpacings,
  normaliseSpacings,
  pairSpacings,
  spacingRatios,
  spacingRatioSurmise,
  unfoldSpectrum,
} from "./lib/spectral/level_spacing.ts";
export {
  type DensityHistogram,
  densityHistogram,
  type DensityHistogramOptions,
  histogramMean,
} from "./lib/stats/histogram.ts";
export { jackknife, jackknifeVector } from "./lib/stats/jackknife.ts";
export { fitSlopeThroughOrigin, type SlopeFit } from "./lib/stats/least_squares.ts";
export { type CurveFit, fitCurve } from "./lib/stats/curve_fit.ts";
export { type OdeOptions, type OdeSolution, solveOde } from "./lib/ode/rosenbrock.ts";

// Fused trainers.
export {
  type LinearRegressionSgdConfig,
  type LinearRegressionSgdResult,
  runLinearRegressionSgd,
} from "./lib/trainers/linear_regression_sgd.ts";

// Teacher-student SGD (research line 1; more in ./teacher-student).
export {
  type DataModel,
  drawSample,
  LegacySpike,
  Perceptron,
  RademacherCumulant,
  SkewedCumulant,
} from "./lib/teacher_student/samplers.ts";
export {
  evolution,
  runTeacherStudent,
  type TeacherStudentChunk,
  type TeacherStudentConfig,
} from "./lib/teacher_student/trainer.ts";
export { initializeWeights, teacherDirection } from "./lib/teacher_student/init.ts";
export type { Loss } from "./lib/teacher_student/losses.ts";
export {
  escapeTimes,
  linearSaveTimes,
  logSaveTimes,
  meanAbsOverlap,
} from "./lib/teacher_student/observables.ts";
export { scaledLearningRate, scaledRepeatProbability, scaledSteps } from "./lib/teacher_student/scalings.ts";
export { hermiteCoefficients, informationExponent } from "./lib/teacher_student/hermite.ts";
export { type ReducedOdeParams, solveReducedOde } from "./lib/teacher_student/reduced_ode.ts";

// Weight-matrix dynamics and Dyson Brownian motion (research line 2; more in ./dyson).
export { freeFieldEigenvalues, freeFieldKernel } from "./lib/dyson/free_field.ts";
export type { GaussianRbmConfig } from "./lib/dyson/gaussian_rbm.ts";
export { type GaussianRbmResult, runGaussianRbm } from "./lib/dyson/rbm_trainer.ts";
export type { TeacherStudentEnsembleConfig } from "./lib/dyson/teacher_student.ts";
export {
  ensembleSingularValues,
  runTeacherStudentEnsemble,
  type TeacherStudentEnsembleResult,
} from "./lib/dyson/ts_trainer.ts";
export { batchedSymmetricEigen } from "./lib/dyson/batched_eigen.ts";
export { analyseRbmSetting, rbmSpectra } from "./lib/dyson/rbm_analysis.ts";
export { rbmSweepSettings, runRbmEnsembles } from "./lib/dyson/rbm_sweep.ts";
export { runTeacherStudentSweeps, teacherStudentSweepSettings } from "./lib/dyson/teacher_student_sweep.ts";
export { fdMean, fitPairDensity, ksDistanceToSurmise } from "./lib/dyson/spacing_statistics.ts";

// EnhancedSGD (research line 3; more in ./enhanced-sgd).
export { EnhancedSGD } from "./lib/enhanced_sgd/optimizer.ts";
export { createEnhancedSgd } from "./lib/enhanced_sgd/create.ts";
export { type EnhancedSgdOptions } from "./lib/enhanced_sgd/options.ts";

// Edge of Stochastic Stability (research line 4; more in ./eoss).
export { type HvpOperator, matrixHvpOperator, modelHvpOperator } from "./lib/eoss/hvp_operator.ts";
export { powerIteration } from "./lib/eoss/power_iteration.ts";
export { lanczos } from "./lib/eoss/lanczos.ts";
export { lambdaMax } from "./lib/eoss/lambda_max.ts";
export { batchSharpness, stepSharpness } from "./lib/eoss/batch_sharpness.ts";
export { gradientNoiseInteraction, hutchinsonTrace } from "./lib/eoss/full_batch.ts";

// Optimizers and the training loop (more in ./optim, ./training).
export { Optimizer } from "./lib/optim/optimizer.ts";
export { Lookahead } from "./lib/optim/lookahead.ts";
export { type OptimizerOptions, type ParameterGroup } from "./lib/optim/hyperparameters.ts";
export { cosineSchedule, namedSchedule, type Schedule } from "./lib/optim/schedules.ts";
export { EpochStream } from "./lib/training/data_stream.ts";
export { runTrainingLoop, TrainingDivergedError } from "./lib/training/loop.ts";

// Latent Predictive Learning (research line 5; more in ./lpl) and probes (more in ./probes).
export { TOY_RULES, type ToyRule, toySetting, trainToyNeurons } from "./lib/lpl/toy_neuron.ts";
export { toyNeuronMetrics, xSelectivity } from "./lib/lpl/toy_metrics.ts";
export { LPL_ABLATIONS, LplDenseStack } from "./lib/lpl/dense_stack.ts";
export { fitLogisticProbe, probeAccuracy } from "./lib/probes/logistic_probe.ts";
export { participationRatio } from "./lib/probes/participation_ratio.ts";
export { pca } from "./lib/probes/pca.ts";

// Models and data (more in ./models, ./data).
export { ParameterLayout } from "./lib/models/parameters.ts";
export { initParameters } from "./lib/models/init.ts";
export { LOSS_NAMES, type LossName } from "./lib/models/losses.ts";
export { MLP_PRESETS, mlpPreset, type MlpSpec } from "./lib/models/mlp.ts";
export { Mlp } from "./lib/models/mlp_model.ts";
export { MlpGpu } from "./lib/models/mlp_gpu.ts";
export { CNN_PRESETS, cnnPreset, type CnnSpec } from "./lib/models/cnn.ts";
export { Cnn } from "./lib/models/cnn_model.ts";
export { CnnGpu } from "./lib/models/cnn_gpu.ts";
export type { EvaluateOptions, EvaluateResult } from "./lib/models/evaluate_options.ts";
export { loadFashionMnist } from "./lib/data/fashion_mnist.ts";
export { loadCifar10, streamCifar10 } from "./lib/data/cifar10.ts";
export { loadStl10, streamStl10 } from "./lib/data/stl10.ts";
export { syntheticShapes } from "./lib/data/synthetic_shapes.ts";
export {
  datasetTensors,
  type ImageDataset,
  labelTargets,
  normalizedImages,
  seededSubset,
} from "./lib/data/dataset.ts";

// Runs, sweeps and figures (more in ./io, ./sweep, ./plot).
export { RunDir } from "./lib/io/run_dir.ts";
export { readNpy, writeNpy } from "./lib/io/npy.ts";
export { MetricsWriter, readMetrics } from "./lib/io/metrics.ts";
export { listenForStop, loadCheckpoint, saveCheckpoint } from "./lib/checkpoint.ts";
export { expandSweep, type SweepSpec } from "./lib/sweep/spec.ts";
export { runSweepLocal } from "./lib/sweep/run.ts";
export { slurmArrayScript } from "./lib/sweep/slurm.ts";
export { type FigureResult, renderSvg, VEGA_LITE_SCHEMA, writeFigure } from "./lib/plot/figure.ts";
export { figureMain, type FigureScript } from "./lib/plot/figure_script.ts";
export { type CliSpec, runCli } from "./lib/cli.ts";
export { Progress } from "./lib/progress.ts";
