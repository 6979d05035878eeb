/**
 * The configuration of the teacher-student trainer (lib/teacher_student/trainer.ts) and its validation into
 * the settings both backends run.
 *
 * @module
 */
import type { Activation } from "../activations.ts";
import { activationCoefficients } from "../activations.ts";
import type { SamplingMode } from "./sgd_reference.ts";
import type { TeacherStudentKernel } from "./kernel_choice.ts";
import type { DataModel } from "./samplers.ts";
import { checkLoss, type Loss } from "./losses.ts";
import {
  checkTeacherStudentOptimizer,
  type TeacherStudentOptimizer,
  type TeacherStudentStepSettings,
} from "./steps.ts";
import { initializeWeights, type InitMode } from "./init.ts";
import { logSaveTimes } from "./observables.ts";

/** Configuration of {@linkcode evolution}. */
export interface TeacherStudentConfig {
  /** The data model (carries d, the seed and the teacher direction). */
  model: DataModel;
  /** Student activation. */
  student: Activation;
  /** Loss (default "corr"). */
  loss?: Loss;
  /** Learning rate lr; the step applied is lr / d. */
  learningRate: number;
  /** Optimizer (default "single"). */
  optimizer?: TeacherStudentOptimizer;
  /** Project gradients onto the sphere's tangent space (default true). */
  spherical?: boolean;
  /** Renormalise w onto the unit sphere after each step (default true). */
  normalize?: boolean;
  walkers: number;
  steps: number;
  /** "online" (default), "repeat" (pRepeat, datasetSize) or "twice" (each fresh sample for two steps). */
  sampling?: SamplingMode;
  /** All walkers read walker 0's fresh samples (the original's latest-commit bug, as an explicit option). */
  sharedSample?: boolean;
  pRepeat?: number;
  datasetSize?: number;
  /** Initialisation mode (default "random"), ignored when `initialWeights` is given. */
  init?: InitMode;
  /** Initial weights [walkers, d] (unit rows). */
  initialWeights?: Float64Array;
  /** Save times (sorted, distinct, in [0, steps]; 0 records the initial overlap). Default: 100 log-spaced. */
  saveTimes?: number[];
  /** Steps per yielded chunk (default: all steps in one chunk). */
  chunkSteps?: number;
  /** Steps per dispatch on webgpu (default and cap: the adapter's loop budget). */
  stepsPerDispatch?: number;
  /**
   * Fused kernel on webgpu: thread per walker, workgroup per walker, or "auto" (default: picked per
   * adapter, walkers and d by `chooseTeacherStudentKernel`, lib/teacher_student/kernel_choice.ts). The
   * two agree to float32 rounding; pin one when results must be bit-identical across walker batchings.
   */
  kernel?: "auto" | TeacherStudentKernel;
  /** Global index of the first walker (for splitting walkers into batches). */
  walkerOffset?: number;
  /** Return a weight snapshot with every chunk (the last chunk carries one unless `finalWeights` is false). */
  snapshots?: boolean;
  /**
   * Return the final weights [walkers, d] (default true). With false only the per-walker observables are kept,
   * so host memory is one batch plus the observables (1M walkers at d = 1000: 8 GB of weights not kept).
   */
  finalWeights?: boolean;
  /**
   * At most this many walkers per batch (default: as many as the device's buffer limits and 2 GiB of host
   * memory per batch allow, lib/teacher_student/host_memory.ts). Each batch runs all its steps before the next
   * starts. Results do not depend on it (with a pinned or "auto" kernel, chosen once for all walkers).
   */
  walkersPerBatch?: number;
  /** Stops the run between chunks and host waits. */
  signal?: AbortSignal;
}

function positiveInteger(name: string, v: number): void {
  if (!Number.isInteger(v) || v < 1) {
    throw new RangeError(`Cannot run teacher-student SGD: ${name} is ${v}, must be an integer >= 1`);
  }
}

/** Validated settings shared by both backends. @throws {RangeError | TypeError} On bad settings. */
export function prepare(c: TeacherStudentConfig) {
  const d = c.model.d;
  positiveInteger("walkers", c.walkers);
  positiveInteger("steps", c.steps);
  if (!Number.isFinite(c.learningRate)) {
    throw new RangeError(`Cannot run teacher-student SGD: learningRate is ${c.learningRate}, must be finite`);
  }
  const sampling = c.sampling ?? "online";
  if (!["online", "repeat", "twice"].includes(sampling)) {
    throw new TypeError(
      `Cannot run teacher-student SGD: sampling "${sampling}", expected online, repeat or twice`,
    );
  }
  const pRepeat = c.pRepeat ?? 0, datasetSize = c.datasetSize ?? 1;
  if (!(pRepeat >= 0 && pRepeat <= 1)) {
    throw new RangeError(`Cannot run teacher-student SGD: pRepeat is ${pRepeat}, must be in [0, 1]`);
  }
  positiveInteger("datasetSize", datasetSize);
  const settings: TeacherStudentStepSettings = {
    loss: checkLoss(c.loss ?? "corr"),
    student: activationCoefficients(c.student),
    learningRate: c.learningRate,
    spherical: c.spherical ?? true,
    optimizer: checkTeacherStudentOptimizer(c.optimizer ?? "single"),
  };
  const saveTimes = c.saveTimes ?? logSaveTimes(c.steps, 100);
  saveTimes.forEach((t, i) => {
    if (!Number.isInteger(t) || t < 0 || t > c.steps || (i > 0 && t <= saveTimes[i - 1])) {
      throw new RangeError(
        `Cannot run teacher-student SGD: saveTimes must be distinct sorted integers in [0, ${c.steps}], got ${t} at ${i}`,
      );
    }
  });
  const walkerOffset = c.walkerOffset ?? 0;
  if (c.initialWeights && c.initialWeights.length !== c.walkers * d) {
    throw new RangeError(
      `Cannot run teacher-student SGD: initialWeights has ${c.initialWeights.length} values, expected walkers * d = ${
        c.walkers * d
      }`,
    );
  }
  /** The initial weights of walkers [first, first + count), a fresh array (the reference loop updates it). */
  const initialRows = (first: number, count: number): Float64Array =>
    c.initialWeights
      ? Float64Array.from(c.initialWeights.subarray(first * d, (first + count) * d))
      : initializeWeights(c.model.direction, count, c.model.seed, c.init ?? "random", walkerOffset + first);
  if (c.kernel !== undefined && !["auto", "thread", "workgroup"].includes(c.kernel)) {
    throw new TypeError(
      `Cannot run teacher-student SGD: kernel "${c.kernel}", expected "auto", "thread" or "workgroup"`,
    );
  }
  const chunkSteps = c.chunkSteps ?? c.steps;
  positiveInteger("chunkSteps", chunkSteps);
  return { d, sampling, pRepeat, datasetSize, settings, saveTimes, walkerOffset, initialRows, chunkSteps };
}
