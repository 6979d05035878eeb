/**
 * Per-sample losses of a single-index student sigma(w.x) and their gradients (float64).
 *
 * - MSE: L = (y - sigma(w.x))^2 / 2, grad = -(y - sigma(h)) sigma'(h) x with h = w.x.
 * - Correlation: L = 1 - y sigma(w.x), grad = -y sigma'(h) x.
 *
 * Both gradients are c(h, y) x, which is what lets the fused kernel update w with two scalars.
 * The spherical projection replaces grad by grad - (w.grad) w (the tangent part when |w| = 1).
 *
 * @module
 */
import { evaluateActivation } from "../activations.ts";
import type { TeacherStudentLoss } from "../../kernels/teacher_student/teacher_student_args.ts";

/** A loss. */
export type Loss = TeacherStudentLoss;

/** Checks a loss name. @throws {TypeError} On anything but "mse" or "corr". */
export function checkLoss(loss: string): Loss {
  if (loss !== "mse" && loss !== "corr") {
    throw new TypeError(`Cannot use loss "${loss}": expected "mse" or "corr"`);
  }
  return loss;
}

/**
 * The loss of one sample.
 *
 * @param loss Which loss.
 * @param student Student activation coefficients (lib/activations.ts).
 * @param h The preactivation w.x.
 * @param y The label.
 * @returns L.
 */
export function lossValue(loss: Loss, student: ArrayLike<number>, h: number, y: number): number {
  const s = evaluateActivation(student, h, 0);
  return loss === "mse" ? 0.5 * (y - s) ** 2 : 1 - y * s;
}

/**
 * The scalar c with grad_w L = c x.
 *
 * @param loss Which loss.
 * @param student Student activation coefficients.
 * @param h The preactivation w.x.
 * @param y The label.
 * @returns corr: -y sigma'(h); mse: -(y - sigma(h)) sigma'(h).
 */
export function gradientCoefficient(loss: Loss, student: ArrayLike<number>, h: number, y: number): number {
  const ds = evaluateActivation(student, h, 1);
  return loss === "mse" ? -(y - evaluateActivation(student, h, 0)) * ds : -y * ds;
}

/**
 * The per-sample gradient, optionally projected onto the tangent space: grad - (w.grad) w.
 *
 * @param loss Which loss.
 * @param student Student activation coefficients.
 * @param w Weights.
 * @param x Input.
 * @param y Label.
 * @param spherical Project (default true).
 * @returns The gradient (a new array).
 */
export function lossGradient(
  loss: Loss,
  student: ArrayLike<number>,
  w: ArrayLike<number>,
  x: ArrayLike<number>,
  y: number,
  spherical = true,
): Float64Array {
  let h = 0;
  for (let i = 0; i < w.length; i++) h += w[i] * x[i];
  const c = gradientCoefficient(loss, student, h, y);
  const g = Float64Array.from(x, (xi) => c * xi);
  if (spherical) {
    let wg = 0;
    for (let i = 0; i < w.length; i++) wg += w[i] * g[i];
    for (let i = 0; i < w.length; i++) g[i] -= wg * w[i];
  }
  return g;
}
