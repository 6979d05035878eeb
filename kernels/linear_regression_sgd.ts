/**
 * Wrapper of the fused multi-walker linear-regression SGD kernel.
 *
 * @module
 */
import source from "./linear_regression_sgd.wgsl" with { type: "text" };
import { PHILOX_WGSL } from "./random.ts";
import { type CommandRecorder, dispatch1d } from "../lib/gpu/recorder.ts";
import type { KernelSource } from "../lib/gpu/pipelines.ts";
import { UniformWriter } from "../lib/gpu/params.ts";

/** The kernel: the Philox library, then kernels/linear_regression_sgd.wgsl. */
export const LINEAR_REGRESSION_SGD_KERNEL: KernelSource = {
  label: "linear_regression_sgd",
  parts: [PHILOX_WGSL, { file: "kernels/linear_regression_sgd.wgsl", code: source }],
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
  const params = new UniformWriter()
    .u32(a.d).u32(a.walkers).u32(a.steps).u32(a.stepOffset)
    .u32(a.seed).u32(a.stream).u32(a.recordEvery).u32(a.historyLength)
    .u32(a.chunk).f32(a.learningRate).f32(1 / Math.sqrt(a.d))
    .bytes();
  await dispatch1d(rec, {
    kernel: LINEAR_REGRESSION_SGD_KERNEL,
    constants,
    invocations: a.walkers,
    bindings: [a.teacher, a.weights, a.history, a.completed, rec.uniform(params)],
  });
}
