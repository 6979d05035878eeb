/**
 * The EoSS family's kernel: a row-scaled axpy, y[r, c] <- alpha s[r] x[r, c] + y[r, c] on flat f32
 * buffers. The noisy-GD baselines (lib/eoss/noisy_gd.ts) use it for per-sample loss weights (cols =
 * outputs), a diagonal-covariance noise and sums of squares (cols = 1). Float64 reference:
 * `rowScaledAxpyReference` in lib/eoss/noisy_gd_reference.ts.
 *
 * @module
 */
import source from "./row_scaled_axpy.wgsl" with { type: "text" };
import type { KernelSource } from "../../lib/gpu/pipelines.ts";
import { type CommandRecorder, dispatch1d } from "../../lib/gpu/recorder.ts";
import { StructLayout } from "../../lib/gpu/params.ts";

const WORKGROUP_SIZE = 64;

const KERNEL = {
  label: "eoss_row_scaled_axpy",
  parts: [{ file: "kernels/eoss/row_scaled_axpy.wgsl", code: source }],
} satisfies KernelSource;

const PARAMS = new StructLayout(
  "Params",
  "kernels/eoss/row_scaled_axpy.wgsl",
  [
    ["size", "u32"],
    ["cols", "u32"],
    ["alpha", "f32"],
  ] as const,
);

/** Arguments of {@linkcode encodeRowScaledAxpy}: buffers of f32. */
export interface RowScaledAxpyArgs {
  /** Row scales, `rows` floats. */
  scales: GPUBuffer;
  /** x, `rows * cols` floats (may be the same buffer as `scales` when cols is 1). */
  x: GPUBuffer;
  /** y, `rows * cols` floats, updated in place (not `scales` or `x`). */
  y: GPUBuffer;
  /** Number of rows. */
  rows: number;
  /** Elements per row. */
  cols: number;
  /** The factor alpha. */
  alpha: number;
}

/**
 * Records y[r, c] <- alpha s[r] x[r, c] + y[r, c].
 *
 * @throws {RangeError} When rows or cols is not a positive integer, alpha is not finite or y aliases an input.
 */
export async function encodeRowScaledAxpy(rec: CommandRecorder, args: RowScaledAxpyArgs): Promise<void> {
  const { rows, cols, alpha } = args;
  if (!(Number.isInteger(rows) && rows >= 1 && Number.isInteger(cols) && cols >= 1)) {
    throw new RangeError(
      `Cannot dispatch "eoss_row_scaled_axpy": rows ${rows} and cols ${cols} must be integers >= 1`,
    );
  }
  if (!Number.isFinite(alpha)) {
    throw new RangeError(`Cannot dispatch "eoss_row_scaled_axpy": alpha is ${alpha}, must be finite`);
  }
  if (args.y === args.x || args.y === args.scales) {
    throw new RangeError(`Cannot dispatch "eoss_row_scaled_axpy": y must not be an input buffer`);
  }
  await dispatch1d(rec, {
    kernel: KERNEL,
    constants: { WORKGROUP_SIZE },
    invocations: rows * cols,
    bindings: [
      args.scales,
      args.x,
      args.y,
      rec.uniform(PARAMS.bytes({ size: rows * cols, cols, alpha })),
    ],
  });
}
