/**
 * The optimizer steps of the teacher-student line, in float64, with the original's lr / d convention.
 *
 * - SingleStep: w' = w - (lr / d) grad(w).
 * - TwiceStep (same sample): w_a = w - (lr / d) grad(w), w' = w_a - (lr / d) grad(w_a); no
 *   renormalisation between the two sub-steps (as in the original).
 * - ExtraGradient(rho) (same sample): w_a = w - (rho / d) grad(w), w' = w - (lr / d) grad(w_a).
 *
 * grad is {@linkcode lossGradient} (spherical projection optional). The trainer renormalises w onto
 * the unit sphere after each step when asked. The fused kernel does the same algebra with scalars:
 * every update has the form w' = A w + B x (kernels/teacher_student/teacher_student_sgd.wgsl).
 *
 * @module
 */
import { lossGradient } from "./losses.ts";
import type {
  TeacherStudentOptimizer,
  TeacherStudentStepSettings,
} from "../../kernels/teacher_student/teacher_student_args.ts";
export type {
  TeacherStudentOptimizer,
  TeacherStudentStepSettings,
} from "../../kernels/teacher_student/teacher_student_args.ts";

/** Checks an optimizer. @throws {TypeError | RangeError} On an unknown kind or a non-finite rho. */
export function checkTeacherStudentOptimizer(o: TeacherStudentOptimizer): TeacherStudentOptimizer {
  if (o === "single" || o === "twice") return o;
  if (typeof o === "object" && o !== null && "extragradient" in o) {
    if (!Number.isFinite(o.extragradient)) {
      throw new RangeError(`Cannot use ExtraGradient: rho is ${o.extragradient}, must be finite`);
    }
    return o;
  }
  throw new TypeError(
    `Cannot use optimizer ${JSON.stringify(o)}: expected "single", "twice" or { extragradient: rho }`,
  );
}

/**
 * One optimizer step on one sample.
 *
 * @param w Weights (not modified).
 * @param x Input.
 * @param y Label.
 * @param s Loss, student, learning rate, projection, optimizer.
 * @returns The new weights (not renormalised) and the gradient of the first evaluation, grad(w).
 */
export function teacherStudentStep(
  w: Float64Array,
  x: Float64Array,
  y: number,
  s: TeacherStudentStepSettings,
): { w: Float64Array; gradient: Float64Array } {
  const d = w.length, eta = s.learningRate / d;
  const grad = (v: Float64Array) => lossGradient(s.loss, s.student, v, x, y, s.spherical);
  const g0 = grad(w);
  const move = (from: Float64Array, g: Float64Array, rate: number) => from.map((v, i) => v - rate * g[i]);
  if (s.optimizer === "single") return { w: move(w, g0, eta), gradient: g0 };
  if (s.optimizer === "twice") {
    const wa = move(w, g0, eta);
    return { w: move(wa, grad(wa), eta), gradient: g0 };
  }
  const wa = move(w, g0, s.optimizer.extragradient / d);
  return { w: move(w, grad(wa), eta), gradient: g0 };
}
