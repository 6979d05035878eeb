/**
 * Wrapper of the fused multi-walker linear-regression SGD kernel.
 *
 * @module
 */
import source from "./linear_regression_sgd.wgsl" with { type: "text" };
import { PHILOX_WGSL } from "../random/random.ts";
import { type CommandRecorder, dispatch1d } from "../../lib/gpu/recorder.ts";
import type { KernelSource } from "../../lib/gpu/pipelines.ts";
import { StructLayout } from "../../lib/gpu/params.ts";

/** The uniform struct of kernels/linear_regression/linear_regression_sgd.wgsl. */
const LINEAR_REGRESSION_SGD_PARAMS = new StructLayout(
  "Params",
  "kernels/linear_regression/linear_regression_sgd.wgsl",
  [
    ["d", "u32"],
    ["walkers", "u32"],
    ["steps", "u32"],
    ["step_offset", "u32"],
    ["seed", "u32"],
    ["stream", "u32"],
    ["record_every", "u32"],
    ["history_len", "u32"],
    ["chunk", "u32"],
    ["lr", "f32"],
    ["inv_sqrt_d", "f32"],
  ] as const,
);

/** The kernel: the Philox library, then kernels/linear_regression/linear_regression_sgd.wgsl. */
export const LINEAR_REGRESSION_SGD_KERNEL: KernelSource = {
  label: "linear_regression_sgd",
  parts: [PHILOX_WGSL, { file: "kernels/linear_regression/linear_regression_sgd.wgsl", code: source }],
};

const WORKGROUP_SIZE = 64;

/**
 * Loop iterations one step costs one invocation, as llvmpipe counts them: it counts every
 * loop-condition check, so a loop of n trips costs n + 1, and the step loop adds one per step.
 * Two passes over ceil(d/4) blocks: 2 (ceil(d/4) + 1) + 1.
 */
export function linearRegressionSgdIterationsPerStep(d: number): number {
  return 2 * (Math.ceil(d / 4) + 1) + 1;
}

/** Arguments of one dispatch of {@linkcode encodeLinearRegressionSgd}. */
export interface LinearRegressionSgdArgs {
  teacher: GPUBuffer;
  weights: GPUBuffer;
  history: GPUBuffer;
  completed: GPUBuffer;
  d: number;
  walkers: number;
  /** Steps in this dispatch. */
  steps: number;
  /** Global index of the first step. */
  stepOffset: number;
  seed: number;
  stream: number;
  recordEvery: number;
  /** Records per walker in `history`. */
  historyLength: number;
  /** Index of this dispatch (row of `completed` it writes). */
  chunk: number;
  learningRate: number;
}

/** Records one dispatch advancing every walker by `steps` steps. */
export async function encodeLinearRegressionSgd(
  rec: CommandRecorder,
  a: LinearRegressionSgdArgs,
): Promise<void> {
  const constants = { WORKGROUP_SIZE };
  const params = LINEAR_REGRESSION_SGD_PARAMS.bytes({
    d: a.d,
    walkers: a.walkers,
    steps: a.steps,
    step_offset: a.stepOffset,
    seed: a.seed,
    stream: a.stream,
    record_every: a.recordEvery,
    history_len: a.historyLength,
    chunk: a.chunk,
    lr: a.learningRate,
    inv_sqrt_d: 1 / Math.sqrt(a.d),
  });
  await dispatch1d(rec, {
    kernel: LINEAR_REGRESSION_SGD_KERNEL,
    constants,
    invocations: a.walkers,
    bindings: [a.teacher, a.weights, a.history, a.completed, rec.uniform(params)],
  });
}
