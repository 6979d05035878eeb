/**
 * Teacher direction and initial student weights (the original's `initialize_weights`), drawn from
 * the Philox stream (lib/teacher_student/philox_layout.ts) and rounded to float32, so that both
 * backends start from the same numbers.
 *
 * @module
 */
import { sampleNormals, STUDENT_STREAM, TEACHER_STREAM } from "./philox_layout.ts";

/** How the students start: uniform on the sphere, reflected to a positive overlap, or at overlap m0. */
export type InitMode = "random" | "positive" | { fixed: number };

function normalised(v: Float64Array): Float64Array {
  let s = 0;
  for (const x of v) s += x * x;
  const r = 1 / Math.sqrt(s);
  return v.map((x) => x * r);
}

/**
 * The teacher / spike direction u, uniform on the unit sphere S^{d-1}, rounded to float32.
 *
 * @param d Dimension.
 * @param seed Seed.
 * @returns u (|u| = 1 up to float32 rounding).
 * @throws {RangeError} When d is not an integer >= 1.
 */
export function teacherDirection(d: number, seed: number): Float64Array {
  if (!Number.isInteger(d) || d < 1) {
    throw new RangeError(`Cannot draw the teacher direction: d is ${d}, must be an integer >= 1`);
  }
  const u = normalised(sampleNormals(d, seed, TEACHER_STREAM, 0, 0));
  return Float64Array.from(Float32Array.from(u));
}

/**
 * Initial student weights [walkers, d], unit rows, rounded to float32.
 *
 * - `"random"`: uniform on the sphere.
 * - `"positive"`: uniform, then reflected across the plane orthogonal to u where w.u < 0.
 * - `{ fixed: m0 }`: w = m0 u + sqrt(1 - m0^2) v with v uniform on the sphere orthogonal to u,
 *   so w.u = m0 exactly (up to rounding).
 *
 * Walker k's draw uses row k of the student stream, so it does not depend on how many walkers run.
 *
 * @param u The teacher direction (unit).
 * @param walkers Number of walkers.
 * @param seed Seed.
 * @param mode Initialisation mode.
 * @param walkerOffset Global index of the first walker.
 * @returns Weights, row-major [walkers, d].
 * @throws {RangeError} When m0 is outside [-1, 1] or walkers < 1.
 */
export function initializeWeights(
  u: Float64Array,
  walkers: number,
  seed: number,
  mode: InitMode = "random",
  walkerOffset = 0,
): Float64Array {
  const d = u.length;
  if (!Number.isInteger(walkers) || walkers < 1) {
    throw new RangeError(`Cannot initialise weights: walkers is ${walkers}, must be an integer >= 1`);
  }
  if (typeof mode === "object" && !(Math.abs(mode.fixed) <= 1)) {
    throw new RangeError(`Cannot initialise weights: fixed overlap m0 is ${mode.fixed}, must be in [-1, 1]`);
  }
  const out = new Float64Array(walkers * d);
  for (let k = 0; k < walkers; k++) {
    let w = normalised(sampleNormals(d, seed, STUDENT_STREAM, 0, walkerOffset + k));
    const m = dotProduct(w, u);
    if (mode === "positive" && m < 0) w = w.map((x, i) => x - 2 * m * u[i]);
    if (typeof mode === "object") {
      const m0 = mode.fixed;
      const v = normalised(w.map((x, i) => x - m * u[i]));
      const c = Math.sqrt(Math.max(0, 1 - m0 * m0));
      w = v.map((x, i) => m0 * u[i] + c * x);
    }
    out.set(normalised(w), k * d);
  }
  return Float64Array.from(Float32Array.from(out));
}

/** sum_i a_i b_i. */
export function dotProduct(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}
