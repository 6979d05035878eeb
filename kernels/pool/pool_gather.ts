/**
 * The 2x2 max-pool gather (kernels/pool/pool_max_gather.wgsl): the values of v at the first maximum of
 * each window of x, the max-pool's R-operator R(maxpool(x)) = gather(x, R(x)) used by the CNN's
 * exact Hessian-vector product (lib/models/cnn_gpu.ts). One invocation per output element, no loops.
 * Records a dispatch and submits nothing. The float64 reference is lib/reference/pool_gather.ts.
 *
 * @module
 */
import gatherSource from "./pool_max_gather.wgsl" with { type: "text" };
import { POOL_MAX_WINDOW_WGSL } from "./pool.ts";
import { type CommandRecorder, dispatch1d } from "../../lib/gpu/recorder.ts";
import type { KernelSource } from "../../lib/gpu/pipelines.ts";
import { StructLayout } from "../../lib/gpu/params.ts";
import { poolInputSize, type PoolShape } from "./pool_shape.ts";

/** The uniform struct of kernels/pool/pool_max_gather.wgsl. */
const POOL_MAX_GATHER_PARAMS = new StructLayout(
  "Params",
  "kernels/pool/pool_max_gather.wgsl",
  [
    ["planes", "u32"],
    ["height", "u32"],
    ["width", "u32"],
    ["out_height", "u32"],
    ["out_width", "u32"],
  ] as const,
);

const WORKGROUP_SIZE = 64;
const CONSTANTS = { WORKGROUP_SIZE };

const KERNEL: KernelSource = {
  label: "pool_max_gather",
  parts: [POOL_MAX_WINDOW_WGSL, { file: "kernels/pool/pool_max_gather.wgsl", code: gatherSource }],
};

function checkBuffer(action: string, what: string, buffer: GPUBuffer, elements: number): void {
  if (elements * 4 > buffer.size) {
    throw new RangeError(
      `Cannot ${action}: ${what} needs ${elements} floats, buffer "${buffer.label}" holds ${buffer.size / 4}`,
    );
  }
}

/**
 * Records y = the values of v at the first maximum of each 2x2 window of x.
 *
 * @param rec The recorder.
 * @param a Shape, x and v [N, C, H, W], and y [N, C, floor(H / 2), floor(W / 2)] (y differs from x and v).
 * @throws {RangeError} On a bad shape (H or W below 2), a buffer too small, or y aliasing an input.
 */
export async function encodeMaxPool2dGather(
  rec: CommandRecorder,
  a: { shape: PoolShape; x: GPUBuffer; v: GPUBuffer; y: GPUBuffer },
): Promise<void> {
  const action = `run "max_pool2d_gather"`;
  const size = poolInputSize(a.shape, action, 2);
  const outHeight = Math.floor(a.shape.height / 2), outWidth = Math.floor(a.shape.width / 2);
  const planes = a.shape.batch * a.shape.channels, outSize = planes * outHeight * outWidth;
  checkBuffer(action, "x", a.x, size);
  checkBuffer(action, "v", a.v, size);
  checkBuffer(action, "y", a.y, outSize);
  if (a.y === a.x || a.y === a.v) {
    throw new RangeError(`Cannot ${action}: y must be a different buffer from x and v`);
  }
  const params = POOL_MAX_GATHER_PARAMS.bytes({
    planes,
    height: a.shape.height,
    width: a.shape.width,
    out_height: outHeight,
    out_width: outWidth,
  });
  await dispatch1d(rec, {
    kernel: KERNEL,
    constants: CONSTANTS,
    invocations: outSize,
    bindings: [a.x, a.v, a.y, rec.uniform(params, "pool_max_gather params")],
  });
}
