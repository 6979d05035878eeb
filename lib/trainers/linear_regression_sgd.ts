/**
 * Many walkers of online SGD on a linear teacher, fused on the GPU.
 *
 * The smallest complete example of the toolkit's trainer pattern (DESIGN.md
 * section 3): data drawn on the GPU from a counter-based RNG, many steps per
 * dispatch, observables written into a history buffer, completed steps counted
 * per dispatch and checked by the host, one readback at the end. Results do not
 * depend on how steps are split into dispatches (`stepsPerDispatch`), and the
 * reference backend runs the same algorithm in float64.
 *
 * A run can be split into segments that continue each other exactly (checkpoint and
 * resume): `stopAtStep` ends a segment early and the result's `state` (weights, step,
 * errors so far) is what `resumeFrom` takes to continue. The only RNG state is the step,
 * since every draw is addressed by (seed, stream, step, walker) in the Philox counter.
 *
 * @module
 */
import type { Backend } from "../backend/backend.ts";
import { createBuffer, uploadBuffer } from "../gpu/buffers.ts";
import { destroyBuffers, planStepsPerDispatch, runFused } from "../gpu/fused_run.ts";
import { randomReference } from "../rng/philox.ts";
import { linearRegressionSgdReference } from "../reference/linear_regression_sgd.ts";
import {
  encodeLinearRegressionSgd,
  LINEAR_REGRESSION_SGD_KERNEL,
  linearRegressionSgdIterationsPerStep,
} from "../../kernels/linear_regression/linear_regression_sgd.ts";

/** Configuration of {@linkcode runLinearRegressionSgd}. */
export interface LinearRegressionSgdConfig {
  /** Input dimension. */
  d: number;
  /** Independent walkers (each its own data stream). */
  walkers: number;
  /** SGD steps per walker. */
  steps: number;
  /** Learning rate (the update is lr (yhat - y) x / sqrt(d); stable for lr < 2). */
  learningRate: number;
  /** Seed of the data and the teacher. */
  seed: number;
  /** Record the error every this many steps (default: steps / 100, at least 1). */
  recordEvery?: number;
  /** Steps per dispatch on webgpu (default and cap: what the adapter's loop budget allows). */
  stepsPerDispatch?: number;
  /** Continue from this state (a checkpoint) instead of from w = 0 at step 0. */
  resumeFrom?: LinearRegressionSgdState;
  /** End this segment after this many steps in total (default `steps`); continue later with `resumeFrom`. */
  stopAtStep?: number;
}

/** The full state of a run after `step` steps: enough to continue it bit-identically. */
export interface LinearRegressionSgdState {
  /** Steps completed. */
  step: number;
  /** Walker weights [walkers, d] (float32 on webgpu, float64 on reference). */
  weights: Float32Array | Float64Array;
  /** The error history so far, [walkers, records] (records past `step` are 0). */
  errors: Float32Array | Float64Array;
}

/** Result of {@linkcode runLinearRegressionSgd}. */
export interface LinearRegressionSgdResult {
  /** Error |w - w*|^2 / d per walker and record, row-major [walkers, records]. */
  errors: Float64Array | Float32Array;
  /** The step count after which each record was taken. */
  recordSteps: number[];
  /** Dispatches used (0 on the reference backend). */
  dispatches: number;
  /** Steps per dispatch used (0 on the reference backend). */
  stepsPerDispatch: number;
  /** The state at the end of this run or segment (pass as `resumeFrom` to continue). */
  state: LinearRegressionSgdState;
}

/** Stream ids: data and teacher draw from separate Philox streams of one seed. */
export const DATA_STREAM = 1;
/** Stream id of the teacher vector. */
export const LINEAR_REGRESSION_TEACHER_STREAM = 2;

function positiveInteger(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 1) {
    throw new RangeError(`Cannot run linear-regression SGD: ${name} is ${value}, must be an integer >= 1`);
  }
}

/** The teacher w* ~ N(0, I_d), rounded to float32 so both backends start from the same values. */
export function linearTeacher(d: number, seed: number): Float64Array {
  const raw = randomReference(1, d, { seed, stream: LINEAR_REGRESSION_TEACHER_STREAM }) as Float64Array;
  return Float64Array.from(Float32Array.from(raw));
}

/**
 * Runs `walkers` walkers from w = 0 for `steps` steps and returns their error curves.
 *
 * @param backend webgpu (fused kernel) or reference (float64 loop).
 * @param config Sizes, learning rate, seed.
 * @returns Errors per walker and record.
 * @throws {RangeError} On non-positive sizes, a non-finite learning rate, or a `resumeFrom` /
 *   `stopAtStep` that does not fit the configuration.
 * @throws {IncompleteDispatchError} If the adapter stopped a dispatch early.
 */
export async function runLinearRegressionSgd(
  backend: Backend,
  config: LinearRegressionSgdConfig,
): Promise<LinearRegressionSgdResult> {
  const { d, walkers, steps, learningRate, seed } = config;
  positiveInteger("d", d);
  positiveInteger("walkers", walkers);
  positiveInteger("steps", steps);
  if (!Number.isFinite(learningRate)) {
    throw new RangeError(`Cannot run linear-regression SGD: learningRate is ${learningRate}, must be finite`);
  }
  const recordEvery = config.recordEvery ?? Math.max(1, Math.floor(steps / 100));
  positiveInteger("recordEvery", recordEvery);
  const records = Math.floor(steps / recordEvery);
  const recordSteps = Array.from({ length: records }, (_, i) => (i + 1) * recordEvery);
  const teacher = linearTeacher(d, seed);
  const { start, stop } = segmentOf(config, records);

  if (!backend.gpuTarget) {
    const errors = new Float64Array(walkers * records);
    const weights = new Float64Array(walkers * d);
    if (config.resumeFrom) {
      errors.set(config.resumeFrom.errors);
      weights.set(config.resumeFrom.weights);
    }
    linearRegressionSgdReference({
      teacher,
      weights,
      d,
      walkers,
      stepOffset: start,
      steps: stop - start,
      seed,
      stream: DATA_STREAM,
      learningRate,
      recordEvery,
      history: errors,
      historyLength: records,
    });
    const state = { step: stop, weights, errors };
    return { errors, recordSteps, dispatches: 0, stepsPerDispatch: 0, state };
  }

  const { gpu, recorder } = backend.gpuTarget;
  const perDispatch = planStepsPerDispatch(gpu, {
    what: "linear-regression SGD",
    iterationsPerStep: linearRegressionSgdIterationsPerStep(d),
    totalSteps: stop - start,
    requested: config.stepsPerDispatch,
  });
  const resume = config.resumeFrom;
  const buffers = {
    teacher: uploadBuffer(gpu, Float32Array.from(teacher), "teacher"),
    weights: resume
      ? uploadBuffer(gpu, Float32Array.from(resume.weights), "walker weights")
      : createBuffer(gpu, walkers * d * 4, "walker weights"),
    history: resume
      ? uploadBuffer(gpu, Float32Array.from(resume.errors), "error history")
      : createBuffer(gpu, walkers * records * 4, "error history"),
  };
  try {
    const run = await runFused({
      gpu,
      recorder,
      label: LINEAR_REGRESSION_SGD_KERNEL.label,
      invocations: walkers,
      firstStep: start,
      steps: stop - start,
      stepsPerDispatch: perDispatch,
      encode: (at) =>
        encodeLinearRegressionSgd(recorder, {
          ...buffers,
          completed: at.completed,
          d,
          walkers,
          steps: at.steps,
          stepOffset: at.stepOffset,
          seed,
          stream: DATA_STREAM,
          recordEvery,
          historyLength: records,
          chunk: at.chunk,
          learningRate,
        }),
      readback: [
        { buffer: buffers.history, byteLength: walkers * records * 4 },
        { buffer: buffers.weights, byteLength: walkers * d * 4 },
      ],
    });
    const [historyBytes, weightBytes] = run.readback;
    const errors = new Float32Array(historyBytes);
    return {
      errors,
      recordSteps,
      dispatches: run.dispatches,
      stepsPerDispatch: perDispatch,
      state: { step: stop, weights: new Float32Array(weightBytes), errors },
    };
  } finally {
    destroyBuffers(buffers);
  }
}

/** The steps [start, stop) this call runs, after checking `resumeFrom` and `stopAtStep`. */
function segmentOf(config: LinearRegressionSgdConfig, records: number): { start: number; stop: number } {
  const { d, walkers, steps } = config;
  const from = config.resumeFrom;
  const start = from ? from.step : 0;
  const stop = config.stopAtStep ?? steps;
  const fail = (what: string) => new RangeError(`Cannot run linear-regression SGD: ${what}`);
  if (!Number.isInteger(start) || start < 0 || start > steps) {
    throw fail(`resumeFrom.step is ${start}, must be an integer in [0, steps = ${steps}]`);
  }
  if (!Number.isInteger(stop) || stop < start || stop > steps) {
    throw fail(`stopAtStep is ${stop}, must be an integer in [${start}, steps = ${steps}]`);
  }
  if (from && from.weights.length !== walkers * d) {
    throw fail(`resumeFrom.weights has ${from.weights.length} values, walkers * d is ${walkers * d}`);
  }
  if (from && from.errors.length !== walkers * records) {
    throw fail(
      `resumeFrom.errors has ${from.errors.length} values, walkers * records is ${walkers * records}`,
    );
  }
  return { start, stop };
}
