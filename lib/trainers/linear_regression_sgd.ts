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
 * @module
 */
import type { Backend } from "../backend/backend.ts";
import { WebGpuBackend } from "../backend/webgpu.ts";
import { createBuffer, readBuffers, uploadBuffer } from "../gpu/buffers.ts";
import { checkCompleted, maxStepsPerDispatch } from "../gpu/loop_budget.ts";
import { randomReference } from "../rng/philox.ts";
import { linearRegressionSgdReference } from "../reference/linear_regression_sgd.ts";
import {
  encodeLinearRegressionSgd,
  LINEAR_REGRESSION_SGD_KERNEL,
  linearRegressionSgdIterationsPerStep,
} from "../../kernels/linear_regression_sgd.ts";

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
}

/** Stream ids: data and teacher draw from separate Philox streams of one seed. */
export const DATA_STREAM = 1;
/** Stream id of the teacher vector. */
export const TEACHER_STREAM = 2;

function positiveInteger(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 1) {
    throw new RangeError(`Cannot run linear-regression SGD: ${name} is ${value}, must be an integer >= 1`);
  }
}

/** The teacher w* ~ N(0, I_d), rounded to float32 so both backends start from the same values. */
export function linearTeacher(d: number, seed: number): Float64Array {
  const raw = randomReference(1, d, { seed, stream: TEACHER_STREAM }) as Float64Array;
  return Float64Array.from(Float32Array.from(raw));
}

/**
 * Runs `walkers` walkers from w = 0 for `steps` steps and returns their error curves.
 *
 * @param backend webgpu (fused kernel) or reference (float64 loop).
 * @param config Sizes, learning rate, seed.
 * @returns Errors per walker and record.
 * @throws {RangeError} On non-positive sizes or a non-finite learning rate.
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

  if (!(backend instanceof WebGpuBackend)) {
    const errors = new Float64Array(walkers * records);
    linearRegressionSgdReference({
      teacher,
      weights: new Float64Array(walkers * d),
      d,
      walkers,
      stepOffset: 0,
      steps,
      seed,
      stream: DATA_STREAM,
      learningRate,
      recordEvery,
      history: errors,
      historyLength: records,
    });
    return { errors, recordSteps, dispatches: 0, stepsPerDispatch: 0 };
  }

  const gpu = backend.gpu;
  const cap = maxStepsPerDispatch(gpu, linearRegressionSgdIterationsPerStep(d));
  const perDispatch = Math.min(config.stepsPerDispatch ?? cap, cap, steps);
  positiveInteger("stepsPerDispatch", perDispatch);
  const chunks = Math.ceil(steps / perDispatch);
  const teacherBuffer = uploadBuffer(gpu, Float32Array.from(teacher), "teacher");
  const weights = createBuffer(gpu, walkers * d * 4, "walker weights");
  const history = createBuffer(gpu, walkers * records * 4, "error history");
  const completed = createBuffer(gpu, chunks * walkers * 4, "completed steps");
  const rec = backend.recorder;
  for (let chunk = 0; chunk < chunks; chunk++) {
    const stepOffset = chunk * perDispatch;
    await encodeLinearRegressionSgd(rec, {
      teacher: teacherBuffer,
      weights,
      history,
      completed,
      d,
      walkers,
      steps: Math.min(perDispatch, steps - stepOffset),
      stepOffset,
      seed,
      stream: DATA_STREAM,
      recordEvery,
      historyLength: records,
      chunk,
      learningRate,
    });
  }
  rec.flush();
  const [historyBytes, completedBytes] = await readBuffers(gpu, [
    { buffer: history, byteLength: walkers * records * 4 },
    { buffer: completed, byteLength: chunks * walkers * 4 },
  ]);
  const counts = new Uint32Array(completedBytes);
  for (let chunk = 0; chunk < chunks; chunk++) {
    const expected = Math.min(perDispatch, steps - chunk * perDispatch);
    checkCompleted(
      LINEAR_REGRESSION_SGD_KERNEL.label,
      counts.subarray(chunk * walkers, (chunk + 1) * walkers),
      expected,
    );
  }
  for (const b of [teacherBuffer, weights, history, completed]) b.destroy();
  return {
    errors: new Float32Array(historyBytes),
    recordSteps,
    dispatches: chunks,
    stepsPerDispatch: perDispatch,
  };
}
