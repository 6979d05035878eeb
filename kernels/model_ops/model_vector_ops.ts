/**
 * The model ops that move values within and between flat vectors (with kernels/model_ops/model_ops.ts, which
 * re-exports them, they make the passes of the models, lib/models/mlp_gpu.ts):
 *
 * | kernel | computes |
 * |---|---|
 * | model_column_sum.wgsl | column sums into a range of a flat vector (bias gradients, loss) |
 * | model_view_copy.wgsl | dst[range] (+)= alpha src[range]: views of flat parameter vectors |
 * | model_transpose.wgsl | out = x^T, so products take matmul's untransposed path |
 *
 * Every function records one or more dispatches and submits nothing.
 *
 * @module
 */
import columnSumSource from "./model_column_sum.wgsl" with { type: "text" };
import viewCopySource from "./model_view_copy.wgsl" with { type: "text" };
import transposeSource from "./model_transpose.wgsl" with { type: "text" };
import type { CommandRecorder } from "../../lib/gpu/recorder.ts";
import type { KernelSource } from "../../lib/gpu/pipelines.ts";
import { StructLayout } from "../../lib/gpu/params.ts";
import { loopBudget } from "../../lib/gpu/loop_budget.ts";
import { dispatchModelOp } from "./model_ops_dispatch.ts";

/** The uniform struct of kernels/model_ops/model_transpose.wgsl. */
const MODEL_TRANSPOSE_PARAMS = new StructLayout(
  "Params",
  "kernels/model_ops/model_transpose.wgsl",
  [
    ["rows", "u32"],
    ["cols", "u32"],
  ] as const,
);

/** The uniform struct of kernels/model_ops/model_view_copy.wgsl. */
const MODEL_VIEW_COPY_PARAMS = new StructLayout(
  "Params",
  "kernels/model_ops/model_view_copy.wgsl",
  [
    ["size", "u32"],
    ["src_offset", "u32"],
    ["dst_offset", "u32"],
    ["accumulate", "u32"],
    ["alpha", "f32"],
  ] as const,
);

/** The uniform struct of kernels/model_ops/model_column_sum.wgsl. */
const MODEL_COLUMN_SUM_PARAMS = new StructLayout(
  "Params",
  "kernels/model_ops/model_column_sum.wgsl",
  [
    ["row_begin", "u32"],
    ["row_end", "u32"],
    ["cols", "u32"],
    ["offset", "u32"],
    ["accumulate", "u32"],
    ["scale", "f32"],
  ] as const,
);

const KERNELS = {
  columnSum: {
    label: "model_column_sum",
    parts: [{ file: "kernels/model_ops/model_column_sum.wgsl", code: columnSumSource }],
  },
  transpose: {
    label: "model_transpose",
    parts: [{ file: "kernels/model_ops/model_transpose.wgsl", code: transposeSource }],
  },
  viewCopy: {
    label: "model_view_copy",
    parts: [{ file: "kernels/model_ops/model_view_copy.wgsl", code: viewCopySource }],
  },
} satisfies Record<string, KernelSource>;

/**
 * Records out[offset + j] (+)= scale * sum_r x[r, j] for a row-major [rows, cols] x,
 * splitting the rows into dispatches within the loop budget.
 *
 * @param rec The recorder.
 * @param a Input, output, sizes, offset into out, scale and whether to add to out.
 */
export async function encodeColumnSum(
  rec: CommandRecorder,
  a: {
    x: GPUBuffer;
    out: GPUBuffer;
    rows: number;
    cols: number;
    offset: number;
    scale: number;
    accumulate: boolean;
  },
): Promise<void> {
  if (a.cols === 0) return;
  const rowsPerDispatch = Math.max(1, loopBudget(rec.gpu) - 1);
  for (let begin = 0; begin === 0 || begin < a.rows; begin += rowsPerDispatch) {
    const end = Math.min(a.rows, begin + rowsPerDispatch);
    const params = MODEL_COLUMN_SUM_PARAMS.bytes({
      row_begin: begin,
      row_end: end,
      cols: a.cols,
      offset: a.offset,
      accumulate: a.accumulate || begin > 0 ? 1 : 0,
      scale: a.scale,
    });
    await dispatchModelOp(rec, KERNELS.columnSum, a.cols, [
      a.x,
      a.out,
      rec.uniform(params, "model_column_sum params"),
    ], false);
  }
}

/**
 * Records dst[dstOffset + i] (+)= alpha src[srcOffset + i] for i < size (src and dst must differ).
 *
 * @param rec The recorder.
 * @param a Buffers, element offsets and count, factor and whether to add to dst.
 */
export async function encodeViewCopy(
  rec: CommandRecorder,
  a: {
    src: GPUBuffer;
    dst: GPUBuffer;
    size: number;
    srcOffset?: number;
    dstOffset?: number;
    alpha?: number;
    accumulate?: boolean;
  },
): Promise<void> {
  if (a.size === 0) return;
  if (a.src === a.dst) throw new RangeError(`Cannot run "model_view_copy": src and dst are the same buffer`);
  const params = MODEL_VIEW_COPY_PARAMS.bytes({
    size: a.size,
    src_offset: a.srcOffset ?? 0,
    dst_offset: a.dstOffset ?? 0,
    accumulate: a.accumulate ? 1 : 0,
    alpha: a.alpha ?? 1,
  });
  await dispatchModelOp(rec, KERNELS.viewCopy, a.size, [
    a.src,
    a.dst,
    rec.uniform(params, "model_view_copy params"),
  ]);
}

/**
 * Records out = x^T for a row-major [rows, cols] x (out is [cols, rows]; x and out must differ).
 *
 * @param rec The recorder.
 * @param a Input, output and the shape of x.
 */
export async function encodeTranspose(
  rec: CommandRecorder,
  a: { x: GPUBuffer; out: GPUBuffer; rows: number; cols: number },
): Promise<void> {
  const size = a.rows * a.cols;
  if (size === 0) return;
  const params = MODEL_TRANSPOSE_PARAMS.bytes({ rows: a.rows, cols: a.cols });
  await dispatchModelOp(rec, KERNELS.transpose, size, [
    a.x,
    a.out,
    rec.uniform(params, "model_transpose params"),
  ]);
}
