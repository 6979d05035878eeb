/**
 * The data-side layout kernels that turn conv2d into matrix products (kernels/conv/conv2d_gemm.ts): each moves
 * values between an NCHW tensor and a matmul operand, with no loops (or only the K x K taps) and no barriers.
 * The weight side (pack, scatter) is kernels/conv/conv2d_weight_layout.ts, re-exported here.
 *
 * | kernel | computes |
 * |---|---|
 * | conv2d_im2col.wgsl | the patch matrix of samples of x, in column ([Kp, P] per sample) or row ([R P, Kp]) layout |
 * | conv2d_swap_axes.wgsl | samples of g [N, C, P] as [C, R P] |
 *
 * Every function records dispatches and submits nothing. References: lib/reference/conv2d_im2col.ts
 * (im2col); the swap is an index map checked through the gradients it produces.
 *
 * @module
 */
import im2colSource from "./conv2d_im2col.wgsl" with { type: "text" };
import swapAxesSource from "./conv2d_swap_axes.wgsl" with { type: "text" };
import type { CommandRecorder } from "../../lib/gpu/recorder.ts";
import { getPipeline, type KernelSource, type OverrideConstants } from "../../lib/gpu/pipelines.ts";
import { StructLayout } from "../../lib/gpu/params.ts";
import type { Im2colShape } from "./conv2d_shape.ts";
export {
  encodePackWeight,
  encodeScatterWeight,
  type PackWeightArgs,
  type ScatterWeightArgs,
} from "./conv2d_weight_layout.ts";

/** The uniform struct of kernels/conv/conv2d_swap_axes.wgsl. */
const SWAP_AXES_PARAMS = new StructLayout(
  "Params",
  "kernels/conv/conv2d_swap_axes.wgsl",
  [
    ["channels", "u32"],
    ["pixels", "u32"],
    ["sample_begin", "u32"],
    ["rows", "u32"],
    ["y_begin", "u32"],
    ["z_begin", "u32"],
  ] as const,
);

/** The uniform struct of kernels/conv/conv2d_im2col.wgsl. */
const IM2COL_PARAMS = new StructLayout(
  "Params",
  "kernels/conv/conv2d_im2col.wgsl",
  [
    ["channels", "u32"],
    ["height", "u32"],
    ["width", "u32"],
    ["out_height", "u32"],
    ["out_width", "u32"],
    ["inv_out_width", "f32"],
    ["padding", "u32"],
    ["sample_begin", "u32"],
    ["rows", "u32"],
    ["k_dim", "u32"],
    ["k_padded", "u32"],
    ["ones_row", "u32"],
    ["row_layout", "u32"],
    ["y_begin", "u32"],
    ["z_begin", "u32"],
  ] as const,
);

const WORKGROUP_SIZE = 64;

const KERNELS = {
  im2col: {
    label: "conv2d_im2col",
    parts: [{ file: "kernels/conv/conv2d_im2col.wgsl", code: im2colSource }],
  },
  swapAxes: {
    label: "conv2d_swap_axes",
    parts: [{ file: "kernels/conv/conv2d_swap_axes.wgsl", code: swapAxesSource }],
  },
} satisfies Record<string, KernelSource>;

/** Arguments of {@linkcode encodeIm2col}. */
export interface Im2colArgs {
  /** The unfolded geometry (padding may be up to K - 1). */
  shape: Im2colShape;
  /** Input [N, C, H, W]. */
  x: GPUBuffer;
  /** Output: rows kPadded P floats. */
  out: GPUBuffer;
  /** First sample and number of samples. */
  sampleBegin: number;
  rows: number;
  /** Patch rows per sample (>= C K K, +1 with onesRow). */
  kPadded: number;
  /** Put a row of ones at q = C K K. */
  onesRow: boolean;
  /** "columns": [rows][kPadded, P]; "rows": [rows P, kPadded]. */
  layout: "columns" | "rows";
}

/**
 * Records one kernel over a 3-D grid (x in workgroups, y and z in invocations), split into several
 * dispatches where y or z passes the device's limit; `params(yBegin, zBegin)` gives each one's uniform.
 */
async function dispatch3d(
  rec: CommandRecorder,
  kernel: KernelSource,
  kernelSize: number | undefined,
  [x, y, z]: [number, number, number],
  bindings: GPUBuffer[],
  params: (yBegin: number, zBegin: number) => ArrayBuffer,
): Promise<void> {
  const constants: OverrideConstants = kernelSize === undefined
    ? { WORKGROUP_SIZE }
    : { WORKGROUP_SIZE, KERNEL_SIZE: kernelSize };
  const pipeline = await getPipeline(rec.gpu, kernel, constants);
  const max = rec.gpu.device.limits.maxComputeWorkgroupsPerDimension;
  for (let zBegin = 0; zBegin < z; zBegin += max) {
    for (let yBegin = 0; yBegin < y; yBegin += max) {
      const uniform = rec.uniform(params(yBegin, zBegin), `${kernel.label} params`);
      rec.dispatch({
        pipeline,
        label: kernel.label,
        constants,
        bindings: [...bindings, uniform],
        workgroups: [Math.ceil(x / WORKGROUP_SIZE), Math.min(max, y - yBegin), Math.min(max, z - zBegin)],
      });
    }
  }
}

/** Output pixels past which the im2col kernel's f32 division by W_out could be off (2^21). */
export const IM2COL_MAX_PIXELS = 2 ** 21;

/**
 * Records the patch matrix of samples of x (kernels/conv/conv2d_im2col.wgsl). Shapes are the caller's
 * to check (the reference, lib/reference/conv2d_im2col.ts, validates the same fields).
 *
 * @param rec The recorder.
 * @param a Geometry, buffers, sample range and layout.
 * @throws {RangeError} When the output has {@linkcode IM2COL_MAX_PIXELS} pixels or more.
 */
export async function encodeIm2col(rec: CommandRecorder, a: Im2colArgs): Promise<void> {
  const s = a.shape, outHeight = s.height + 2 * s.padding - s.kernelSize + 1;
  const outWidth = s.width + 2 * s.padding - s.kernelSize + 1, pixels = outHeight * outWidth;
  if (pixels >= IM2COL_MAX_PIXELS) {
    throw new RangeError(
      `Cannot run "conv2d_im2col": ${pixels} output pixels, must be < ${IM2COL_MAX_PIXELS}`,
    );
  }
  const columns = a.layout === "columns";
  const grid: [number, number, number] = columns ? [pixels, a.kPadded, a.rows] : [a.kPadded, pixels, a.rows];
  await dispatch3d(
    rec,
    KERNELS.im2col,
    s.kernelSize,
    grid,
    [a.x, a.out],
    (yBegin, zBegin) =>
      IM2COL_PARAMS.bytes({
        channels: s.channels,
        height: s.height,
        width: s.width,
        out_height: outHeight,
        out_width: outWidth,
        inv_out_width: 1 / outWidth,
        padding: s.padding,
        sample_begin: a.sampleBegin,
        rows: a.rows,
        k_dim: s.channels * s.kernelSize ** 2,
        k_padded: a.kPadded,
        ones_row: a.onesRow ? 1 : 0,
        row_layout: columns ? 0 : 1,
        y_begin: yBegin,
        z_begin: zBegin,
      }),
  );
}

/** Arguments of {@linkcode encodeSwapAxes}. */
export interface SwapAxesArgs {
  /** g [N, channels, pixels]. */
  g: GPUBuffer;
  /** Output [channels, rows, pixels]. */
  out: GPUBuffer;
  channels: number;
  pixels: number;
  sampleBegin: number;
  rows: number;
}

/**
 * Records samples [sampleBegin, sampleBegin + rows) of g [N, C, P] as [C, rows P]
 * (kernels/conv/conv2d_swap_axes.wgsl).
 *
 * @param rec The recorder.
 * @param a Buffers, sizes and sample range.
 */
export async function encodeSwapAxes(rec: CommandRecorder, a: SwapAxesArgs): Promise<void> {
  await dispatch3d(
    rec,
    KERNELS.swapAxes,
    undefined,
    [a.pixels, a.rows, a.channels],
    [a.g, a.out],
    (yBegin, zBegin) =>
      SWAP_AXES_PARAMS.bytes({
        channels: a.channels,
        pixels: a.pixels,
        sample_begin: a.sampleBegin,
        rows: a.rows,
        y_begin: yBegin,
        z_begin: zBegin,
      }),
  );
}
