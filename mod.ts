/**
 * A Deno + WebGPU toolkit for studying how stochastic gradient descent learns.
 *
 * WGSL compute kernels (matmul, activations and their derivatives, reductions,
 * Philox random numbers, fused multi-walker SGD) behind one backend interface
 * with two implementations: `webgpu` and a float64 TypeScript `reference` that is
 * both the test oracle and the fallback without a GPU.
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

// Backends and tensors.
export type {
  Backend,
  Distribution,
  HistogramCounts,
  HistogramOptions,
  MatmulOptions,
  RandomOptions,
  ReduceOp,
  ReduceOptions,
} from "./lib/backend/backend.ts";
export type { BackendName, DType, MatmulPlan, Tensor } from "./lib/backend/tensor.ts";
export { formatShape, planMatmul, shapeSize } from "./lib/backend/tensor.ts";
export { type BackendChoice, getBackend } from "./lib/backend/select.ts";
export { ReferenceBackend, ReferenceTensor } from "./lib/backend/reference.ts";
export { GpuTensor, WebGpuBackend } from "./lib/backend/webgpu.ts";

// Activations.
export {
  type Activation,
  ACTIVATION_SLOTS,
  activationCoefficients,
  type ActivationName,
  BASIS_NAMES,
  type BasisName,
  type DerivativeOrder,
  evaluateActivation,
  hermite,
} from "./lib/activations.ts";

// GPU runtime.
export {
  acquireGpu,
  type AdapterFacts,
  GpuContext,
  GpuDeviceLostError,
  GpuValidationError,
  NoGpuAdapterError,
  tryAcquireGpu,
} from "./lib/gpu/device.ts";
export { createBuffer, readBuffer, readBuffers, uploadBuffer, writeBuffer } from "./lib/gpu/buffers.ts";
export {
  getPipeline,
  KernelCompileError,
  type KernelPart,
  type KernelSource,
  type OverrideConstants,
} from "./lib/gpu/pipelines.ts";
export { CommandRecorder, type DispatchSpec, grid1d } from "./lib/gpu/recorder.ts";
export { UniformWriter } from "./lib/gpu/params.ts";
export {
  checkCompleted,
  IncompleteDispatchError,
  loopBudget,
  maxStepsPerDispatch,
} from "./lib/gpu/loop_budget.ts";
export { PHILOX_WGSL } from "./kernels/random.ts";
export { ACTIVATION_FUNCTIONS_WGSL } from "./kernels/activation_functions.ts";

// Random numbers.
export {
  normalPairFromU32,
  philox4x32_10,
  PhiloxStream,
  rademacherFromU32,
  randomReference,
  uniformFromU32,
} from "./lib/rng/philox.ts";

// Spectra.
export { type SymmetricEigen, symmetricEigen } from "./lib/spectral/jacobi_eigen.ts";
export { marchenkoPasturDensity, marchenkoPasturEdges } from "./lib/spectral/marchenko_pastur.ts";

// Trainers.
export {
  type LinearRegressionSgdConfig,
  type LinearRegressionSgdResult,
  runLinearRegressionSgd,
} from "./lib/trainers/linear_regression_sgd.ts";

// Figures and scripts.
export {
  type FigureResult,
  renderSvg,
  type TopLevelSpec,
  VEGA_LITE_SCHEMA,
  writeFigure,
} from "./lib/plot/figure.ts";
export { type CliSpec, COMMON_OPTIONS, type OptionSpec, parseCli, runCli, UsageError } from "./lib/cli.ts";

// Run directories, arrays, checkpoints, progress, sweeps.
export { isCompleteRun, type RunConfig, RunDir, type RunInfo } from "./lib/io/run_dir.ts";
export { decodeNpy, encodeNpy, type NpyArray, type NpyData, readNpy, writeNpy } from "./lib/io/npy.ts";
export { type MetricsRow, MetricsWriter, readMetrics } from "./lib/io/metrics.ts";
export { writeFileAtomic, writeJsonAtomic } from "./lib/io/atomic.ts";
export { gitCommit, TOOLKIT_VERSION } from "./lib/io/provenance.ts";
export {
  CheckpointError,
  type CheckpointState,
  listenForStop,
  loadCheckpoint,
  saveCheckpoint,
  stopExitCode,
} from "./lib/checkpoint.ts";
export { formatDuration, formatRate, Progress, setProgressQuiet } from "./lib/progress.ts";
export { checkSweepSpec, expandSweep, type SweepSpec, type SweepTaskFunction } from "./lib/sweep/spec.ts";
export { mergeSweep, planSweep, runSweepLocal, runSweepTask } from "./lib/sweep/run.ts";
export { slurmArrayScript } from "./lib/sweep/slurm.ts";
export { figureDisplay, validateVegaLite } from "./lib/plot/figure.ts";
export type { LinearRegressionSgdState } from "./lib/trainers/linear_regression_sgd.ts";

// Teacher-student SGD (research line 1).
export {
  type DataModel,
  type DataModelParams,
  drawSample,
  HE3_UNNORMALISED,
  LegacySpike,
  type ModelOptions,
  Perceptron,
  RademacherCumulant,
  type SampleOptions,
  type Samples,
  SkewedCumulant,
  type SpikedOptions,
  whiteningCoefficient,
} from "./lib/teacher_student/samplers.ts";
export {
  evolution,
  runTeacherStudent,
  type TeacherStudentChunk,
  type TeacherStudentConfig,
} from "./lib/teacher_student/trainer.ts";
export {
  chooseTeacherStudentKernel,
  type TeacherStudentKernel,
  teacherStudentThreadsPerWalker,
} from "./lib/teacher_student/kernel_choice.ts";
export { initializeWeights, type InitMode, teacherDirection } from "./lib/teacher_student/init.ts";
export { gradientCoefficient, type Loss, lossGradient, lossValue } from "./lib/teacher_student/losses.ts";
export { type Optimizer, optimizerStep, type StepSettings } from "./lib/teacher_student/steps.ts";
export {
  escapeTimes,
  linearSaveTimes,
  logSaveTimes,
  meanAbsOverlap,
} from "./lib/teacher_student/observables.ts";
export { datasetPreactivations } from "./lib/teacher_student/dataset_preactivations.ts";
export { scaledLearningRate, scaledRepeatProbability, scaledSteps } from "./lib/teacher_student/scalings.ts";
export { gaussHermite, hermiteCoefficients, informationExponent } from "./lib/teacher_student/hermite.ts";

// Statistics.
export {
  type DensityHistogram,
  densityHistogram,
  freedmanDiaconisWidth,
  histogramMean,
  type HistogramOptions as DensityHistogramOptions,
  quantileSorted,
} from "./lib/stats/histogram.ts";
export {
  jackknife,
  type JackknifeOptions,
  type JackknifeResult,
  jackknifeVector,
  type JackknifeVectorResult,
} from "./lib/stats/jackknife.ts";
export { fitSlopeThroughOrigin, type SlopeFit } from "./lib/stats/least_squares.ts";
export {
  type CurveFit,
  type CurveFitOptions,
  fitCurve,
  type Model,
  numericJacobian,
} from "./lib/stats/curve_fit.ts";
export { erf } from "./lib/stats/special.ts";

// Spectral statistics.
export {
  type DysonIndex,
  goe2SpacingDensity,
  wignerSurmise,
  wignerSurmiseScaled,
} from "./lib/spectral/wigner_surmise.ts";
export { gaussianDensity, goe2Density } from "./lib/spectral/goe2_density.ts";
export {
  MEAN_MIN_RATIO,
  nearestNeighbourSpacings,
  normaliseSpacings,
  pairSpacings,
  spacingRatios,
  spacingRatioSurmise,
  unfoldSpectrum,
} from "./lib/spectral/level_spacing.ts";
export { singularValues, symmetricEigenvalues } from "./lib/spectral/symmetric_eigen_large.ts";

// Weight-matrix dynamics and Dyson Brownian motion (research line 2).
export {
  freeFieldEigenvalues,
  freeFieldKernel,
  inverseKernel,
  rbmFixedPoint,
} from "./lib/dyson/free_field.ts";
export {
  type GaussianRbmConfig,
  hiddenMean,
  type MuMode,
  planGaussianRbm,
  RBM_GIBBS_STREAM,
  RBM_INIT_STREAM,
  type RbmSetting,
  sampleHidden,
  sampleVisible,
  visibleMean,
} from "./lib/dyson/gaussian_rbm.ts";
export { type GaussianRbmResult, runGaussianRbm } from "./lib/dyson/rbm_trainer.ts";
export {
  minibatchCovariances,
  planTeacherStudent as planTeacherStudentEnsemble,
  type TeacherStudentConfig as TeacherStudentEnsembleConfig,
  type TsSetting,
} from "./lib/dyson/teacher_student.ts";
export {
  ensembleSingularValues,
  runTeacherStudent as runTeacherStudentEnsemble,
  type TeacherStudentResult as TeacherStudentEnsembleResult,
} from "./lib/dyson/ts_trainer.ts";
export { fdMean, fitPairDensity, runTsSweeps, TS_SWEEPS } from "./lib/dyson/ts_sweep.ts";

// Stiff ODE integration and the reduced (m, h) teacher-student ODE.
export {
  type OdeFunction,
  type OdeOptions,
  type OdeSolution,
  type OdeStats,
  solveOde,
} from "./lib/ode/rosenbrock.ts";
export { RODAS3, RODAS4, ROSENBROCK_METHODS, type RosenbrockTableau } from "./lib/ode/rosenbrock_tableaus.ts";
export {
  hermiteProduct,
  type OdeTimeScale,
  type ReducedOdeParams,
  reducedOdeRates,
  type ReducedOdeSolveOptions,
  solveReducedOde,
  velocityField,
} from "./lib/teacher_student/reduced_ode.ts";

// Dyson line: batched spectra and RBM ensembles.
export {
  type BatchedEigen,
  type BatchedEigenOptions,
  batchedSymmetricEigen,
  gramMatrices,
} from "./lib/dyson/batched_eigen.ts";
export {
  analyseRbmSetting,
  degenerateModes,
  type DensityFit,
  fitGaussianDensity,
  pooledDensity,
  type RbmAnalysisOptions,
  type RbmModeFit,
  type RbmPairStatistics,
  type RbmSettingAnalysis,
  type RbmSpectra,
  rbmSpectra,
} from "./lib/dyson/rbm_analysis.ts";
export {
  fixedPointWeights,
  RBM_SWEEPS,
  type RbmEnsembleOptions,
  type RbmEnsembles,
  type RbmSettingResult,
  type RbmSweepName,
  type RbmSweepSetting,
  rbmSweepSettings,
  runRbmEnsembles,
} from "./lib/dyson/rbm_sweep.ts";

// Models and real data.
export {
  type ParameterEntry,
  type ParameterInit,
  ParameterLayout,
  type ParameterView,
} from "./lib/models/parameters.ts";
export { initialParameters, initParameters, type InitScheme, weightStd } from "./lib/models/init.ts";
export { checkLoss, LOSS_NAMES, type LossName, lossReference } from "./lib/models/losses.ts";
export {
  checkMlpSpec,
  MLP_PRESETS,
  mlpLayout,
  mlpMultiplyAdds,
  type MlpPreset,
  mlpPreset,
  type MlpPresetName,
  type MlpSpec,
} from "./lib/models/mlp.ts";
export { DEFAULT_CHUNK_ROWS, Mlp } from "./lib/models/mlp_model.ts";
export { type EvaluateOptions, type EvaluateResult } from "./lib/models/evaluate_options.ts";
export { MlpGpu, type MlpGpuBatch } from "./lib/models/mlp_gpu.ts";
export {
  checkCnnSpec,
  CNN_PRESETS,
  cnnBlockConvShape,
  cnnBlockPoolShape,
  type CnnBlockShape,
  type CnnConvBlock,
  cnnLayout,
  cnnMultiplyAdds,
  cnnPreset,
  type CnnPresetName,
  type CnnShapes,
  cnnShapes,
  type CnnSpec,
} from "./lib/models/cnn.ts";
export {
  Cnn,
  CNN_HVP_METHOD,
  CNN_HVP_METHODS,
  type CnnEvaluateOptions,
  type CnnHvpMethod,
  DEFAULT_CNN_CHUNK_ROWS,
} from "./lib/models/cnn_model.ts";
export { CNN_HVP_RELATIVE_STEP } from "./lib/models/cnn_central_difference.ts";
export { CnnGpu } from "./lib/models/cnn_gpu.ts";
export { type CnnGpuBatch } from "./lib/models/cnn_gpu_pass.ts";
export {
  cnnBackwardReference,
  type CnnBackwardTrace,
  cnnForwardReference,
  cnnReference,
  type CnnReferenceResult,
  type CnnTrace,
} from "./lib/reference/cnn.ts";
export {
  type CnnRBackwardInputs,
  cnnRBackwardReference,
  cnnRForwardReference,
  type CnnRTrace,
} from "./lib/reference/cnn_rop.ts";
export { maxPool2dGatherReference } from "./lib/reference/pool_gather.ts";
export { encodeMaxPool2dGather } from "./kernels/pool_gather.ts";
export { batchNorm, batchNormBackward, type BatchNormLayerOptions } from "./lib/models/norm_ops.ts";
export {
  conv2d,
  conv2dBackward,
  type Conv2dGradients,
  globalAvgPool,
  globalAvgPoolBackward,
  maxPool2d,
  maxPool2dBackward,
} from "./lib/models/conv_ops.ts";
export {
  mlpForwardReference,
  mlpReference,
  type MlpReferenceResult,
  type MlpTrace,
} from "./lib/reference/mlp.ts";
export { DatasetFileError, readDatasetFile } from "./lib/data/files.ts";
export { encodeIdx, type IdxArray, parseIdx, readIdxFile } from "./lib/data/idx.ts";
export {
  FASHION_MNIST_CLASSES,
  FASHION_MNIST_DEFAULT_DIR,
  fashionMnistDir,
  loadFashionMnist,
} from "./lib/data/fashion_mnist.ts";
export {
  CIFAR10_CLASSES,
  CIFAR10_RECORD_BYTES,
  cifar10Files,
  type Cifar10Options,
  loadCifar10,
  parseCifar10Batch,
  streamCifar10,
} from "./lib/data/cifar10.ts";
export {
  loadStl10,
  parseStl10,
  STL10_IMAGE_BYTES,
  STL10_SIZE,
  type Stl10Split,
  streamStl10,
} from "./lib/data/stl10.ts";
export {
  type RecordBatch,
  RecordFile,
  type RecordFileOptions,
  streamRecords,
  withRecordFile,
} from "./lib/data/record_file.ts";
export {
  binaryTargets,
  channelStatistics,
  CIFAR10_NORMALIZATION,
  concatDatasets,
  datasetTensors,
  type ImageDataset,
  imageSize,
  labelTargets,
  normalizedImages,
  seededSubset,
  selectSamples,
  type TargetEncoding,
} from "./lib/data/dataset.ts";

// Convolutional layers and synthetic images (kernel-level encoders and float64 references).
export {
  CONV2D_GEMM_MIN_CHANNELS,
  type Conv2dBackwardInputArgs,
  type Conv2dBackwardWeightArgs,
  conv2dChannelsPerDispatch,
  type Conv2dForwardArgs,
  conv2dIterationsPerChannel,
  conv2dRowsPerDispatch,
  type Conv2dVariant,
  encodeConv2dBackwardInput,
  encodeConv2dBackwardWeight,
  encodeConv2dForward,
  resolveConv2dVariant,
  setConv2dAutoVariant,
} from "./kernels/conv2d.ts";
export {
  CONV2D_SCRATCH_BYTES,
  type Conv2dGemmOptions,
  conv2dGemmSamplesPerChunk,
  releaseConv2dScratch,
} from "./kernels/conv2d_gemm.ts";
export {
  encodeIm2col,
  encodePackWeight,
  type Im2colArgs,
  type PackWeightArgs,
} from "./kernels/conv2d_layout.ts";
export {
  type Im2colOptions,
  im2colOutputSize,
  im2colReference,
  type Im2colShape,
  packWeightReference,
} from "./lib/reference/conv2d_im2col.ts";
export {
  CONV2D_KERNEL_SIZES,
  conv2dBackwardInputReference,
  conv2dBackwardWeightReference,
  conv2dForwardReference,
  type Conv2dShape,
  type Conv2dSizes,
  conv2dSizes,
} from "./lib/reference/conv2d.ts";
export {
  avgPoolPixelsPerDispatch,
  encodeGlobalAvgPoolBackward,
  encodeGlobalAvgPoolForward,
  encodeMaxPool2dBackward,
  encodeMaxPool2dForward,
  maxPool2dOutputShape,
  type PoolShape,
} from "./kernels/pool.ts";
export {
  globalAvgPoolBackwardReference,
  globalAvgPoolForwardReference,
  maxPool2dBackwardReference,
  maxPool2dForwardReference,
  poolInputSize,
} from "./lib/reference/pool.ts";
export {
  type BatchNormBackwardArgs,
  batchNormElementsPerDispatch,
  type BatchNormForwardArgs,
  encodeBatchNormBackward,
  encodeBatchNormForward,
} from "./kernels/batch_norm.ts";
export {
  batchNormBackwardReference,
  batchNormForwardReference,
  batchNormInputSize,
  type BatchNormOptions,
  type BatchNormShape,
} from "./lib/reference/batch_norm.ts";
export {
  SHAPE_CLASSES,
  SHAPE_SIZE,
  shapeLabel,
  shapeTemplate,
  type ShapeTransform,
  shapeTransform,
  shapeView,
  syntheticShapes,
  type SyntheticShapesOptions,
  transformImage,
} from "./lib/data/synthetic_shapes.ts";
export { encodeSyntheticShapes, type SyntheticShapesArgs } from "./kernels/synthetic_shapes.ts";

// Latent Predictive Learning: the toy 2-D neuron (research line 5, paper Fig. 2).
export {
  NOTEBOOK_WEIGHT_DECAY,
  notebookLearningRate,
  notebookSteps,
  TOY_RULE_NAMES,
  TOY_RULES,
  type ToyNeuronResult,
  type ToyRule,
  toySetting,
  type ToySettingOptions,
  type TrainToyNeuronOptions,
  trainToyNeurons,
} from "./lib/lpl/toy_neuron.ts";
export {
  type RepetitionSummary,
  summarizeRepetitions,
  TOY_VALIDATION_SAMPLES,
  toyNeuronMetrics,
  toyValidationNormals,
  xAlignment,
  xSelectivity,
} from "./lib/lpl/toy_metrics.ts";
export { runToyGrid, type ToyCell, type ToyGrid } from "./lib/lpl/toy_sweeps.ts";
export {
  lplThreshold,
  lplWeightChange,
  type RateFunction,
  RELU_RATE,
  SATURATING_RATE,
} from "./lib/lpl/rule_shape.ts";
export { encodeToyNeuron, TOY_NEURON_KERNEL, type ToyNeuronDispatch } from "./kernels/lpl/toy_neuron.ts";
export {
  type HebbKind,
  type PastOutput,
  type ToyNeuronSetting,
  type ToyNeuronShape,
} from "./kernels/lpl/toy_neuron_types.ts";
export {
  toyNeuronGradient,
  toyNeuronLoss,
  toyNeuronReference,
  toySequenceReference,
} from "./lib/reference/lpl_toy_neuron.ts";

// Latent Predictive Learning: paper LPL for dense layers, the seed project's layer, evaluation.
export {
  lplDenseGradient,
  type LplDenseGradientResult,
  type LplDenseRuleOptions,
  lplDenseStep,
  type LplDenseStepOptions,
} from "./lib/lpl/dense_rule.ts";
export {
  LPL_ABLATIONS,
  type LplAblation,
  lplAblation,
  LplDenseStack,
  type LplDenseStackOptions,
  lplInitWeights,
} from "./lib/lpl/dense_stack.ts";
export {
  LPL_DEFAULT_COEFFICIENTS,
  LPL_VARIANCE_EPSILON,
  type LplCoefficients,
  type LplDenseShape,
  type LplPredictive,
} from "./kernels/lpl/dense_types.ts";
export { encodeLplDenseDelta, encodeLplDenseStats, LPL_DENSE_KERNELS } from "./kernels/lpl/dense.ts";
export {
  lplDenseForward,
  lplDenseGradient as lplDenseGradientReference,
  lplDenseLoss,
  type LplDenseOptions,
} from "./lib/reference/lpl_dense.ts";
export {
  createSeedLayer,
  SEED_LAYER_RATES,
  type SeedLayer,
  seedLayerForward,
  type SeedLayerRates,
  seedLayerUpdate,
} from "./lib/reference/lpl_seed_layer.ts";
export {
  SEED_CONDITIONS,
  type SeedCondition,
  seedLayerActivations,
  trainSeedLayer,
} from "./lib/lpl/seed_training.ts";
export { seedWeakView } from "./lib/lpl/seed_views.ts";
export {
  fitLogisticProbe,
  type LogisticProbeFit,
  type LogisticProbeOptions,
  probeAccuracy,
  probePredict,
} from "./lib/probes/logistic_probe.ts";
export { fitLogisticProbeReference } from "./lib/reference/lpl_logistic_probe.ts";
export { splitProbe, type SplitProbeResult } from "./lib/probes/split_probe.ts";
export { stratifiedSplit } from "./lib/probes/stratified_split.ts";
export { participationRatio } from "./lib/probes/participation_ratio.ts";
export { pca } from "./lib/probes/pca.ts";
export { classDistances } from "./lib/probes/class_distances.ts";
export { activationStats, beforeAfterCosine } from "./lib/probes/activation_stats.ts";
export { exportActivations, importActivations } from "./lib/probes/activation_export.ts";
