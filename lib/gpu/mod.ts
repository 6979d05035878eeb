/**
 * The WebGPU runtime: device acquisition (with the adapter's measured loop limit), buffers and
 * chunked readback, the pipeline cache with kernel-located compile errors, the command recorder,
 * uniform writing, and the loop budget with completed-step checks that fused kernels rely on.
 *
 * @module
 */
export {
  acquireGpu,
  type AdapterFacts,
  GpuContext,
  GpuDeviceLostError,
  GpuValidationError,
  NoGpuAdapterError,
  tryAcquireGpu,
} from "./device.ts";
export {
  createBuffer,
  readBuffer,
  readBuffers,
  type ReadRange,
  uploadBuffer,
  writeBuffer,
} from "./buffers.ts";
export {
  getPipeline,
  KernelCompileError,
  type KernelPart,
  type KernelSource,
  type OverrideConstants,
} from "./pipelines.ts";
export { CommandRecorder, type DispatchSpec, grid1d } from "./recorder.ts";
export { UniformWriter } from "./params.ts";
export { checkCompleted, IncompleteDispatchError, loopBudget, maxStepsPerDispatch } from "./loop_budget.ts";
