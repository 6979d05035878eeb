/**
 * Models on both backends: parameter layouts and initialisation, losses, the MLP and the small CNN
 * (specs, presets, exact gradients and Hessian-vector products, GPU passes), and the backend-level
 * convolution, pooling and batch-norm layers.
 *
 * @module
 */
export {
  type ParameterEntry,
  type ParameterInit,
  ParameterLayout,
  type ParameterView,
} from "./parameters.ts";
export { initialParameters, initParameters, type InitScheme, weightStd } from "./init.ts";
export { checkLossName, LOSS_NAMES, type LossName, lossReference } from "./losses.ts";
export {
  checkMlpSpec,
  MLP_PRESETS,
  mlpLayout,
  mlpMultiplyAdds,
  type MlpPreset,
  mlpPreset,
  type MlpPresetName,
  type MlpSpec,
} from "./mlp.ts";
export { DEFAULT_CHUNK_ROWS, Mlp } from "./mlp_model.ts";
export { MlpGpu, type MlpGpuBatch } from "./mlp_gpu.ts";
export type { EvaluateOptions, EvaluateResult } from "./evaluate_options.ts";
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
} from "./cnn.ts";
export {
  Cnn,
  CNN_HVP_METHOD,
  CNN_HVP_METHODS,
  type CnnEvaluateOptions,
  type CnnHvpMethod,
  DEFAULT_CNN_CHUNK_ROWS,
} from "./cnn_model.ts";
export { CNN_HVP_RELATIVE_STEP } from "./cnn_central_difference.ts";
export { CnnGpu } from "./cnn_gpu.ts";
export type { CnnGpuBatch } from "./cnn_gpu_pass.ts";
export { batchNorm, batchNormBackward, type BatchNormLayerOptions } from "./norm_ops.ts";
export {
  conv2d,
  conv2dBackward,
  type Conv2dGradients,
  globalAvgPool,
  globalAvgPoolBackward,
  maxPool2d,
  maxPool2dBackward,
} from "./conv_ops.ts";
export { copyElements, sliceTensor, tensorView } from "./tensor_views.ts";
export { activationJvp } from "./activation_jvp.ts";
export { type BatchCurvatures, mlpBatchCurvatures } from "./mlp_batch_curvature.ts";
export {
  mlpForwardReference,
  mlpReference,
  type MlpReferenceResult,
  type MlpTrace,
} from "./mlp_reference.ts";
export {
  cnnBackwardReference,
  type CnnBackwardTrace,
  cnnForwardReference,
  cnnReference,
  type CnnReferenceResult,
  type CnnTrace,
} from "./cnn_reference.ts";
export {
  type CnnRBackwardInputs,
  cnnRBackwardReference,
  cnnRForwardReference,
  type CnnRTrace,
} from "./cnn_reference_rop.ts";
export {
  layerBackward,
  type LayerCache,
  layerForward,
  type LayerForwardOptions,
  type LayerGradients,
  type LayerParameters,
  layerShapes,
  type LayerSpec,
  type SampleShape,
} from "./layer_backprop.ts";
export { LayerStack, type StackBackwardOptions, type StackTrace } from "./layer_stack.ts";
