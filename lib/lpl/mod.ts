/**
 * Research line 5, Latent Predictive Learning (Halvagal & Zenke 2023): the toy 2-D neuron of the
 * paper's Fig. 2 (the LPL rule and its baselines Oja, pred-off, Hebb-off, naive -var, VICReg-var),
 * trained for every sweep setting and repetition in one fused launch; its metrics, sweeps, the
 * rule's shape, and the float64 reference. Paper LPL for dense layers (closed-form layer-local update
 * on the GPU, stacks with stop-gradient between layers, ablations) and the seed project's single layer.
 *
 * @module
 */
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
} from "./toy_neuron.ts";
export {
  type RepetitionSummary,
  summarizeRepetitions,
  TOY_VALIDATION_SAMPLES,
  toyNeuronMetrics,
  toyValidationNormals,
  xAlignment,
  xSelectivity,
} from "./toy_metrics.ts";
export { runToyGrid, type ToyCell, type ToyGrid } from "./toy_sweeps.ts";
export {
  lplThreshold,
  lplWeightChange,
  type RateFunction,
  RELU_RATE,
  SATURATING_RATE,
} from "./rule_shape.ts";
export {
  type HebbKind,
  type PastOutput,
  type ToyNeuronSetting,
  type ToyNeuronShape,
} from "../../kernels/lpl/toy_neuron_types.ts";
export {
  toyNeuronGradient,
  toyNeuronLoss,
  toyNeuronReference,
  toySequenceReference,
} from "../reference/lpl_toy_neuron.ts";
export {
  lplDenseGradient,
  type LplDenseGradientResult,
  type LplDenseRuleOptions,
  lplDenseStep,
  type LplDenseStepOptions,
} from "./dense_rule.ts";
export {
  LPL_ABLATIONS,
  type LplAblation,
  lplAblation,
  LplDenseStack,
  type LplDenseStackOptions,
  lplInitWeights,
} from "./dense_stack.ts";
export {
  LPL_DEFAULT_COEFFICIENTS,
  LPL_VARIANCE_EPSILON,
  type LplCoefficients,
  type LplDenseShape,
  type LplPredictive,
} from "../../kernels/lpl/dense_types.ts";
export {
  lplDenseForward,
  lplDenseGradientReference,
  lplDenseLoss,
  type LplDenseOptions,
} from "../reference/lpl_dense.ts";
export {
  createSeedLayer,
  SEED_LAYER_RATES,
  type SeedLayer,
  seedLayerForward,
  type SeedLayerRates,
  seedLayerUpdate,
} from "../reference/lpl_seed_layer.ts";
export {
  SEED_CONDITIONS,
  type SeedCondition,
  seedLayerActivations,
  trainSeedLayer,
} from "./seed_training.ts";
export { seedWeakView } from "./seed_views.ts";
export {
  initialSeedLayer,
  runSeedKernel,
  type SeedBatchOptions,
  type SeedBatchResult,
  type SeedBatchRun,
  type SeedKernelOptions,
  type SeedKernelResult,
  seedModelSetting,
  trainSeedLayers,
} from "./seed_gpu.ts";
export {
  hierarchicalActivations,
  type HierarchicalLogRow,
  type HierarchicalModel,
  type HierarchicalOptions,
  type HierarchicalRun,
  initialHierarchical,
  type SeedPairs,
  shapePairs,
  trainHierarchical,
  trainHierarchicalReference,
} from "./hierarchical.ts";
export {
  SEED_PICK_STEP,
  SEED_STREAMS,
  type SeedInputMode,
  type SeedLayerShape,
  type SeedModelSetting,
} from "../../kernels/lpl/seed_layer_types.ts";
export {
  augmentBatch,
  type AugmentBatchOptions,
  type AugmentOptions,
  augmentParameters,
  type AugmentSampleParameters,
  type AugmentShape,
  type BlurOptions,
  type BrightnessContrastOptions,
  type FlipOptions,
  type PadCropOptions,
  type ResizedCropOptions,
  SEED_BYOL_AUGMENT,
  SIMCLR_AUGMENT,
} from "./augment_views.ts";
export { augmentReference, augmentSampleParameters, reflectIndex } from "../reference/augment.ts";
export {
  disposeLplConvForward,
  lplConvBackward,
  type LplConvForward,
  lplConvForward,
  lplConvGradient,
  type LplConvGradientResult,
  lplConvOutputSize,
  type LplConvRuleOptions,
  type LplConvShape,
  lplOutputGradients,
} from "./conv_rule.ts";
export {
  lplConvForwardReference,
  lplConvLossReference,
  lplObjectiveOfOutputs,
  type LplObjectiveOptions,
} from "./conv_reference.ts";
export {
  fanInScaledLearningRates,
  LplConvNet,
  type LplConvNetOptions,
  lplConvNetShapes,
  type LplConvNetSpec,
  SMALL_CONV_SPEC,
  VGG11_SPEC,
} from "./deep_net.ts";
export {
  binomialStandardError,
  evaluateLplConvNet,
  type LplConvTrainingOptions,
  type LplLayerEvaluation,
  type LplProbeSet,
  probeLplConvNet,
  standardized,
  trainLplConvNet,
} from "./deep_training.ts";
