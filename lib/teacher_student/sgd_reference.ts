/**
 * float64 reference of the fused teacher-student SGD kernel
 * (kernels/teacher_student/teacher_student_sgd.wgsl): the same Philox draws
 * (lib/teacher_student/philox_layout.ts), the same samplers, one walker and one step at a time, written to be
 * read.
 *
 * Each step of walker k: pick the sample (fresh sample `step`, or floor(step / 2) in "twice" mode, or
 * with probability pRepeat a uniformly chosen sample of the walker's fixed dataset), draw it,
 * take the optimizer step (lib/teacher_student/steps.ts), renormalise onto the sphere, and at a save
 * time record the observables.
 *
 * @module
 */
import { type DataModelParams, drawSample } from "./samplers.ts";
import { teacherStudentStep } from "./steps.ts";
import type {
  SamplingMode,
  TeacherStudentStepSettings,
} from "../../kernels/teacher_student/teacher_student_args.ts";
export type { SamplingMode } from "../../kernels/teacher_student/teacher_student_args.ts";
import { controlDraw, DATASET_STREAM, FRESH_STREAM } from "./philox_layout.ts";
import { dotProduct } from "./init.ts";

/** Observables recorded per save time and walker, in this order (history stride 4). */
export const OBSERVABLES = ["overlap", "gradientNorm", "repeats", "repeatedPreactivation"] as const;

/** Inputs of {@linkcode teacherStudentSgdReference}. */
export interface TeacherStudentSgdReferenceArgs {
  model: DataModelParams;
  /** Teacher / spike direction u [d]. */
  direction: Float64Array;
  seed: number;
  /** Weights [walkers, d], row-major, updated in place. */
  weights: Float64Array;
  walkers: number;
  /** Global index of the first walker (its Philox counter). */
  walkerOffset: number;
  /** Global index of the first step. */
  stepOffset: number;
  steps: number;
  sampling: SamplingMode;
  /** Every walker reads walker 0's fresh samples (the original's latest-commit behaviour). */
  sharedSample: boolean;
  pRepeat: number;
  datasetSize: number;
  settings: TeacherStudentStepSettings;
  normalize: boolean;
  /** Save times in (stepOffset, stepOffset + steps]: record after this many completed steps. */
  saveTimes: number[];
  /** history[(slot * 4 + q) * walkers + k], q over {@linkcode OBSERVABLES}; slot indexes saveTimes. */
  history: Float64Array;
  /** Per-walker carry [walkers, 2]: repeats since the last save, last repeated preactivation. */
  state: Float64Array;
}

/** The sample step `step` of global walker `walker` uses: stream, index, counter walker, repeated? */
export function chooseSample(
  a: Pick<TeacherStudentSgdReferenceArgs, "seed" | "sampling" | "sharedSample" | "pRepeat" | "datasetSize">,
  step: number,
  walker: number,
): { stream: number; index: number; walker: number; repeated: boolean } {
  if (a.sampling === "repeat") {
    const c = controlDraw(a.seed, step, walker, a.pRepeat, a.datasetSize);
    if (c.repeat) return { stream: DATASET_STREAM, index: c.position, walker, repeated: true };
  }
  return {
    stream: FRESH_STREAM,
    index: a.sampling === "twice" ? Math.floor(step / 2) : step,
    walker: a.sharedSample ? 0 : walker,
    repeated: false,
  };
}

/** Runs the steps for every walker in place, recording the observables at the save times. */
export function teacherStudentSgdReference(a: TeacherStudentSgdReferenceArgs): void {
  const d = a.direction.length, u = a.direction;
  const x = new Float64Array(d);
  for (let k = 0; k < a.walkers; k++) {
    let w: Float64Array = a.weights.slice(k * d, (k + 1) * d);
    const walker = a.walkerOffset + k;
    let slot = a.saveTimes.findIndex((t) => t > a.stepOffset);
    for (let t = 0; t < a.steps; t++) {
      const step = a.stepOffset + t;
      const pick = chooseSample(a, step, walker);
      const y = drawSample(a.model, u, a.seed, pick.stream, pick.index, pick.walker, x);
      const h = dotProduct(w, x);
      const next = teacherStudentStep(w, x, y, a.settings);
      w = next.w;
      const norm = Math.sqrt(dotProduct(w, w));
      if (a.normalize) w = w.map((v) => v / norm);
      if (pick.repeated) {
        a.state[2 * k] += 1;
        a.state[2 * k + 1] = h;
      }
      if (slot >= 0 && slot < a.saveTimes.length && a.saveTimes[slot] === step + 1) {
        const at = (q: number) => (slot * 4 + q) * a.walkers + k;
        a.history[at(0)] = dotProduct(w, u) / Math.sqrt(dotProduct(w, w));
        a.history[at(1)] = Math.sqrt(dotProduct(next.gradient, next.gradient));
        a.history[at(2)] = a.state[2 * k];
        a.history[at(3)] = a.state[2 * k + 1];
        a.state[2 * k] = 0;
        slot++;
      }
    }
    a.weights.set(w, k * d);
  }
}
