/**
 * Backends and tensors: the {@linkcode Backend} interface with its two implementations, `webgpu`
 * (WGSL kernels) and `reference` (float64 TypeScript, the test oracle and the fallback without a GPU),
 * backend selection, and the activation functions the backend's kernels evaluate.
 *
 * @module
 */
export type {
  Backend,
  Distribution,
  HistogramCounts,
  HistogramOptions,
  MatmulOptions,
  RandomOptions,
  ReduceOp,
  ReduceOptions,
} from "./backend.ts";
export { ROW_L2_NORMALIZE_EPS } from "./backend.ts";
export {
  type BackendName,
  type DType,
  formatShape,
  type MatmulPlan,
  planMatmul,
  shapeSize,
  type Tensor,
} from "./tensor.ts";
export { type BackendChoice, getBackend, resolveBackendChoice } from "./select.ts";
export { ReferenceBackend, ReferenceTensor } from "./reference.ts";
export { GpuTensor, WebGpuBackend } from "./webgpu.ts";
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
} from "../activations.ts";
