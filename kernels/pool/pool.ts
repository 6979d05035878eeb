/**
 * Pooling layer kernels (NCHW), forward and backward, barrier-free, one invocation per element:
 *
 * | kernel | computes |
 * |---|---|
 * | pool_max_forward.wgsl | 2x2 max-pool, stride 2 (no loops) |
 * | pool_max_backward.wgsl | its input gradient, recomputing each window's first maximum (no index buffer) |
 * | pool_avg_forward.wgsl | global average pool, pixels split over accumulating dispatches within the loop budget |
 * | pool_avg_backward.wgsl | its input gradient (no loops) |
 *
 * Every function records dispatches and submits nothing. The float64 reference is lib/reference/pool.ts.
 *
 * @module
 */
import maxForwardSource from "./pool_max_forward.wgsl" with { type: "text" };
import maxBackwardSource from "./pool_max_backward.wgsl" with { type: "text" };
import maxWindowSource from "./pool_max_window.wgsl" with { type: "text" };
import avgForwardSource from "./pool_avg_forward.wgsl" with { type: "text" };
import avgBackwardSource from "./pool_avg_backward.wgsl" with { type: "text" };
import { type CommandRecorder, dispatch1d } from "../../lib/gpu/recorder.ts";
import type { KernelSource } from "../../lib/gpu/pipelines.ts";
import { StructLayout } from "../../lib/gpu/params.ts";
import { loopBudget } from "../../lib/gpu/loop_budget.ts";
import type { GpuContext } from "../../lib/gpu/device.ts";
import { poolInputSize, type PoolShape } from "./pool_shape.ts";

/** The uniform struct of kernels/pool/pool_avg_backward.wgsl. */
const POOL_AVG_BACKWARD_PARAMS = new StructLayout(
  "Params",
  "kernels/pool/pool_avg_backward.wgsl",
  [
    ["planes", "u32"],
    ["area", "u32"],
    ["scale", "f32"],
  ] as const,
);

/** The uniform struct of kernels/pool/pool_avg_forward.wgsl. */
const POOL_AVG_FORWARD_PARAMS = new StructLayout(
  "Params",
  "kernels/pool/pool_avg_forward.wgsl",
  [
    ["planes", "u32"],
    ["area", "u32"],
    ["q_begin", "u32"],
    ["q_end", "u32"],
    ["accumulate", "u32"],
    ["scale", "f32"],
  ] as const,
);

export type { PoolShape } from "./pool_shape.ts";

const WORKGROUP_SIZE = 64;
const CONSTANTS = { WORKGROUP_SIZE };

/** The max-pool's first-maximum rule, shared by the backward pass and the gather (./pool_gather.ts). */
export const POOL_MAX_WINDOW_WGSL = { file: "kernels/pool/pool_max_window.wgsl", code: maxWindowSource };

const KERNELS = {
  maxForward: {
    label: "pool_max_forward",
    parts: [{ file: "kernels/pool/pool_max_forward.wgsl", code: maxForwardSource }],
  },
  maxBackward: {
    label: "pool_max_backward",
    parts: [POOL_MAX_WINDOW_WGSL, { file: "kernels/pool/pool_max_backward.wgsl", code: maxBackwardSource }],
  },
  avgForward: {
    label: "pool_avg_forward",
    parts: [{ file: "kernels/pool/pool_avg_forward.wgsl", code: avgForwardSource }],
  },
  avgBackward: {
    label: "pool_avg_backward",
    parts: [{ file: "kernels/pool/pool_avg_backward.wgsl", code: avgBackwardSource }],
  },
} satisfies Record<string, KernelSource>;

const dispatch = (rec: CommandRecorder, kernel: KernelSource, invocations: number, bindings: GPUBuffer[]) =>
  dispatch1d(rec, { kernel, constants: CONSTANTS, invocations, bindings });

function checkBuffer(action: string, what: string, buffer: GPUBuffer, elements: number): void {
  if (elements * 4 > buffer.size) {
    throw new RangeError(
      `Cannot ${action}: ${what} needs ${elements} floats, buffer "${buffer.label}" holds ${buffer.size / 4}`,
    );
  }
}

/**
 * Pixels per dispatch of the global average pool on this adapter (one loop iteration per pixel
 * plus the loop's final check).
 *
 * @param gpu The GPU context (or its loop limit).
 * @returns At least 1.
 */
export function avgPoolPixelsPerDispatch(gpu: GpuContext | { facts: { loopLimit: number } }): number {
  return Math.max(1, loopBudget(gpu) - 1);
}

/** The output sizes of the 2x2 max-pool: floor(H / 2) x floor(W / 2). */
export function maxPool2dOutputShape(shape: PoolShape): { outHeight: number; outWidth: number } {
  return { outHeight: Math.floor(shape.height / 2), outWidth: Math.floor(shape.width / 2) };
}

const maxPoolFields = [
  ["planes", "u32"],
  ["height", "u32"],
  ["width", "u32"],
  ["out_height", "u32"],
  ["out_width", "u32"],
] as const;
/** The uniform structs of kernels/pool/pool_max_forward.wgsl and pool_max_backward.wgsl (the same fields). */
const MAX_POOL_PARAMS = {
  forward: new StructLayout("Params", "kernels/pool/pool_max_forward.wgsl", maxPoolFields),
  backward: new StructLayout("Params", "kernels/pool/pool_max_backward.wgsl", maxPoolFields),
};

function maxParams(shape: PoolShape, pass: "forward" | "backward"): ArrayBuffer {
  const { outHeight, outWidth } = maxPool2dOutputShape(shape);
  return MAX_POOL_PARAMS[pass].bytes({
    planes: shape.batch * shape.channels,
    height: shape.height,
    width: shape.width,
    out_height: outHeight,
    out_width: outWidth,
  });
}

/**
 * Records y = maxpool2x2(x) (kernels/pool/pool_max_forward.wgsl).
 *
 * @param rec The recorder.
 * @param a Shape, x [N, C, H, W] and y [N, C, H / 2, W / 2] (different buffers).
 * @throws {RangeError} On a bad shape (H or W below 2) or a buffer too small.
 */
export async function encodeMaxPool2dForward(
  rec: CommandRecorder,
  a: { shape: PoolShape; x: GPUBuffer; y: GPUBuffer },
): Promise<void> {
  const action = `run "max_pool2d_forward"`;
  const size = poolInputSize(a.shape, action, 2);
  const { outHeight, outWidth } = maxPool2dOutputShape(a.shape);
  const outSize = a.shape.batch * a.shape.channels * outHeight * outWidth;
  checkBuffer(action, "x", a.x, size);
  checkBuffer(action, "y", a.y, outSize);
  await dispatch(rec, KERNELS.maxForward, outSize, [
    a.x,
    a.y,
    rec.uniform(maxParams(a.shape, "forward"), "pool_max_forward params"),
  ]);
}

/**
 * Records dL/dx of the 2x2 max-pool given x and g = dL/dy (kernels/pool/pool_max_backward.wgsl).
 *
 * @param rec The recorder.
 * @param a Shape, x, g and dx (dx differs from x and g).
 * @throws {RangeError} On a bad shape or a buffer too small.
 */
export async function encodeMaxPool2dBackward(
  rec: CommandRecorder,
  a: { shape: PoolShape; x: GPUBuffer; gradOutput: GPUBuffer; gradInput: GPUBuffer },
): Promise<void> {
  const action = `run "max_pool2d_backward"`;
  const size = poolInputSize(a.shape, action, 2);
  const { outHeight, outWidth } = maxPool2dOutputShape(a.shape);
  checkBuffer(action, "x", a.x, size);
  checkBuffer(action, "gradOutput", a.gradOutput, a.shape.batch * a.shape.channels * outHeight * outWidth);
  checkBuffer(action, "gradInput", a.gradInput, size);
  await dispatch(rec, KERNELS.maxBackward, size, [
    a.x,
    a.gradOutput,
    a.gradInput,
    rec.uniform(maxParams(a.shape, "backward"), "pool_max_backward params"),
  ]);
}

/**
 * Records y[n, c] = mean over pixels of x[n, c] (kernels/pool/pool_avg_forward.wgsl).
 *
 * @param rec The recorder.
 * @param a Shape, x [N, C, H, W] and y [N, C] (different buffers).
 * @throws {RangeError} On a bad shape or a buffer too small.
 */
export async function encodeGlobalAvgPoolForward(
  rec: CommandRecorder,
  a: { shape: PoolShape; x: GPUBuffer; y: GPUBuffer },
): Promise<void> {
  const action = `run "global_avg_pool_forward"`;
  const size = poolInputSize(a.shape, action);
  const planes = a.shape.batch * a.shape.channels, area = a.shape.height * a.shape.width;
  checkBuffer(action, "x", a.x, size);
  checkBuffer(action, "y", a.y, planes);
  const chunk = avgPoolPixelsPerDispatch(rec.gpu);
  for (let begin = 0; begin < area; begin += chunk) {
    const params = POOL_AVG_FORWARD_PARAMS.bytes({
      planes,
      area,
      q_begin: begin,
      q_end: Math.min(area, begin + chunk),
      accumulate: begin > 0 ? 1 : 0,
      scale: 1 / area,
    });
    await dispatch(rec, KERNELS.avgForward, planes, [
      a.x,
      a.y,
      rec.uniform(params, "pool_avg_forward params"),
    ]);
  }
}

/**
 * Records dL/dx = g[n, c] / (H W) broadcast over pixels (kernels/pool/pool_avg_backward.wgsl).
 *
 * @param rec The recorder.
 * @param a Shape, g [N, C] and dx [N, C, H, W] (different buffers).
 * @throws {RangeError} On a bad shape or a buffer too small.
 */
export async function encodeGlobalAvgPoolBackward(
  rec: CommandRecorder,
  a: { shape: PoolShape; gradOutput: GPUBuffer; gradInput: GPUBuffer },
): Promise<void> {
  const action = `run "global_avg_pool_backward"`;
  const size = poolInputSize(a.shape, action);
  const planes = a.shape.batch * a.shape.channels, area = a.shape.height * a.shape.width;
  checkBuffer(action, "gradOutput", a.gradOutput, planes);
  checkBuffer(action, "gradInput", a.gradInput, size);
  const params = POOL_AVG_BACKWARD_PARAMS.bytes({ planes, area, scale: 1 / area });
  await dispatch(rec, KERNELS.avgBackward, size, [
    a.gradOutput,
    a.gradInput,
    rec.uniform(params, "pool_avg_backward params"),
  ]);
}
