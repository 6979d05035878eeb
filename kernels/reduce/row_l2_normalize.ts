/**
 * Row L2 normalisation on the GPU (kernels/reduce/row_l2_normalize.wgsl and its backward,
 * row_l2_normalize_backward.wgsl): each row of a [rows, cols] tensor divided by max(its norm, eps), and
 * dL/dx given dL/dy. One invocation per row; the row's loops must fit the adapter's loop budget (cols up to
 * about 19,000 on the CPU adapter). Rows or cols of 0 record nothing.
 *
 * @module
 */
import forwardSource from "./row_l2_normalize.wgsl" with { type: "text" };
import backwardSource from "./row_l2_normalize_backward.wgsl" with { type: "text" };
import { type CommandRecorder, dispatch1d } from "../../lib/gpu/recorder.ts";
import type { KernelSource } from "../../lib/gpu/pipelines.ts";
import { StructLayout } from "../../lib/gpu/params.ts";
import { loopBudget } from "../../lib/gpu/loop_budget.ts";

/** The uniform struct of kernels/reduce/row_l2_normalize.wgsl. */
const FORWARD_PARAMS = new StructLayout(
  "Params",
  "kernels/reduce/row_l2_normalize.wgsl",
  [["rows", "u32"], ["cols", "u32"], ["eps", "f32"]] as const,
);

/** The uniform struct of kernels/reduce/row_l2_normalize_backward.wgsl. */
const BACKWARD_PARAMS = new StructLayout(
  "Params",
  "kernels/reduce/row_l2_normalize_backward.wgsl",
  [["rows", "u32"], ["cols", "u32"], ["eps", "f32"]] as const,
);

const KERNELS = {
  forward: {
    label: "row_l2_normalize",
    parts: [{ file: "kernels/reduce/row_l2_normalize.wgsl", code: forwardSource }],
  },
  backward: {
    label: "row_l2_normalize_backward",
    parts: [{ file: "kernels/reduce/row_l2_normalize_backward.wgsl", code: backwardSource }],
  },
} satisfies Record<string, KernelSource>;

const WORKGROUP_SIZE = 64;

/** Loop iterations per invocation of the backward kernel, per column (the forward needs 2). */
export const ROW_L2_NORMALIZE_LOOPS_PER_COLUMN = 3;

/** Shape and eps of a row normalisation. */
export interface RowL2NormalizeShape {
  /** Rows. */
  rows: number;
  /** Columns (the length of each normalised row). */
  cols: number;
  /** The smallest denominator (torch's default 1e-12). */
  eps: number;
}

function checkBudget(rec: CommandRecorder, op: string, shape: RowL2NormalizeShape): void {
  const iterations = ROW_L2_NORMALIZE_LOOPS_PER_COLUMN * shape.cols;
  if (iterations > loopBudget(rec.gpu)) {
    throw new RangeError(
      `Cannot run "${op}": rows of ${shape.cols} columns need ${iterations} loop iterations per invocation, ` +
        `the adapter's budget is ${loopBudget(rec.gpu)}`,
    );
  }
}

/**
 * Records y = x / max(||x||, eps) row by row.
 *
 * @param rec The recorder.
 * @param args x and y ([rows, cols]) and the shape.
 * @throws {RangeError} When a row's loops exceed the adapter's loop budget.
 */
export async function encodeRowL2Normalize(
  rec: CommandRecorder,
  args: { x: GPUBuffer; y: GPUBuffer; shape: RowL2NormalizeShape },
): Promise<void> {
  const { rows, cols, eps } = args.shape;
  if (rows === 0 || cols === 0) return;
  checkBudget(rec, "rowL2Normalize", args.shape);
  const params = rec.uniform(FORWARD_PARAMS.bytes({ rows, cols, eps }));
  await dispatch1d(rec, {
    kernel: KERNELS.forward,
    constants: { WORKGROUP_SIZE },
    invocations: rows,
    bindings: [args.x, args.y, params],
  });
}

/**
 * Records dL/dx of the row normalisation given g = dL/dy.
 *
 * @param rec The recorder.
 * @param args The forward input x, g, the output dL/dx (each [rows, cols]) and the shape.
 * @throws {RangeError} When a row's loops exceed the adapter's loop budget.
 */
export async function encodeRowL2NormalizeBackward(
  rec: CommandRecorder,
  args: { x: GPUBuffer; gradOutput: GPUBuffer; gradInput: GPUBuffer; shape: RowL2NormalizeShape },
): Promise<void> {
  const { rows, cols, eps } = args.shape;
  if (rows === 0 || cols === 0) return;
  checkBudget(rec, "rowL2NormalizeBackward", args.shape);
  const params = rec.uniform(BACKWARD_PARAMS.bytes({ rows, cols, eps }));
  await dispatch1d(rec, {
    kernel: KERNELS.backward,
    constants: { WORKGROUP_SIZE },
    invocations: rows,
    bindings: [args.x, args.gradOutput, args.gradInput, params],
  });
}
