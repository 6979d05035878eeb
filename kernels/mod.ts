/**
 * Kernel wrappers that models and research lines encode into a command recorder directly
 * (convolution, pooling, batch norm, synthetic images), and the WGSL library parts (Philox, activation
 * functions) that fused kernels prepend. Generic tensor work goes through `Backend` (`./backend`).
 *
 * @module
 */
export { PHILOX_WGSL } from "./random/random.ts";
export { ACTIVATION_FUNCTIONS_WGSL } from "./elementwise/activation_functions.ts";
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
} from "./conv/conv2d.ts";
export {
  CONV2D_SCRATCH_BYTES,
  type Conv2dGemmOptions,
  conv2dGemmSamplesPerChunk,
  releaseConv2dScratch,
} from "./conv/conv2d_gemm.ts";
export {
  encodeIm2col,
  encodePackWeight,
  type Im2colArgs,
  type PackWeightArgs,
} from "./conv/conv2d_layout.ts";
export {
  avgPoolPixelsPerDispatch,
  encodeGlobalAvgPoolBackward,
  encodeGlobalAvgPoolForward,
  encodeMaxPool2dBackward,
  encodeMaxPool2dForward,
  maxPool2dOutputShape,
} from "./pool/pool.ts";
export { encodeMaxPool2dGather } from "./pool/pool_gather.ts";
export {
  type BatchNormBackwardArgs,
  batchNormElementsPerDispatch,
  type BatchNormForwardArgs,
  encodeBatchNormBackward,
  encodeBatchNormForward,
} from "./batch_norm/batch_norm.ts";
export { encodeSyntheticShapes, type SyntheticShapesArgs } from "./synthetic_shapes/synthetic_shapes.ts";
export { encodeToyNeuron, TOY_NEURON_KERNEL, type ToyNeuronDispatch } from "./lpl/toy_neuron.ts";
export { encodeGradientNormSquared, encodeLookaheadSync } from "./optim/companions.ts";
export {
  encodeOptimizerUpdate,
  type GroupSegment,
  type GroupUpdateScalars,
  type OptimizerUpdateArgs,
  type UpdateRule,
  uploadTileTable,
} from "./optim/optim.ts";
export {
  encodeEnhancedSgdUpdate,
  encodeGradientStatistics,
  HISTOGRAM_BINS,
} from "./enhanced_sgd/enhanced_sgd.ts";
export { encodeLplDenseDelta, encodeLplDenseStats, LPL_DENSE_KERNELS } from "./lpl/dense.ts";
export { AUGMENT_KERNELS, type AugmentArgs, encodeAugment } from "./augment/augment.ts";
