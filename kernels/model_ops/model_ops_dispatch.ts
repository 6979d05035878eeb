/**
 * The dispatch shared by the model ops (kernels/model_ops/model_ops.ts, model_vector_ops.ts): one invocation per
 * element, and the 16-byte placeholders bound where a kernel's optional binding is unused.
 *
 * @module
 */
import { type CommandRecorder, dispatch1d } from "../../lib/gpu/recorder.ts";
import type { KernelSource } from "../../lib/gpu/pipelines.ts";
import { createBuffer } from "../../lib/gpu/buffers.ts";

const WORKGROUP_SIZE = 64;
const CONSTANTS = { WORKGROUP_SIZE };

const dummies = new WeakMap<GPUDevice, [GPUBuffer, GPUBuffer]>();

/**
 * A 16-byte buffer bound where a kernel's optional binding is unused: one for read-only
 * bindings, another for read-write ones (one buffer cannot be both in a dispatch).
 */
export function unusedBinding(rec: CommandRecorder, access: "read" | "write" = "read"): GPUBuffer {
  let pair = dummies.get(rec.gpu.device);
  if (!pair) {
    pair = [
      createBuffer(rec.gpu, 16, "model_ops unused input"),
      createBuffer(rec.gpu, 16, "model_ops unused output"),
    ];
    dummies.set(rec.gpu.device, pair);
  }
  return pair[access === "read" ? 0 : 1];
}

/**
 * One invocation per element (`grid2d`: the kernel reads a 2-D grid's linear index; else x only, checked).
 *
 * @throws {RangeError} When a 1-D grid would need more workgroups than the device allows.
 */
export function dispatchModelOp(
  rec: CommandRecorder,
  kernel: KernelSource,
  invocations: number,
  bindings: GPUBuffer[],
  grid2d = true,
): Promise<void> {
  const max = rec.gpu.device.limits.maxComputeWorkgroupsPerDimension;
  if (!grid2d && Math.ceil(invocations / WORKGROUP_SIZE) > max) {
    throw new RangeError(
      `Cannot dispatch "${kernel.label}": ${invocations} invocations need more than ${max} workgroups`,
    );
  }
  return dispatch1d(rec, { kernel, constants: CONSTANTS, invocations, bindings });
}
