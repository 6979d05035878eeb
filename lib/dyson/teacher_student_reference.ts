/**
 * float64 reference of the fused teacher-student ensemble kernel
 * (kernels/dyson/dyson_teacher_student.wgsl), one seed at a time; also the benchmark's baseline.
 *
 * @module
 */
import { normalPairFromU32, philox4x32_10 } from "../rng/philox.ts";
import { initialStudent, TS_NOISE_STREAM, type TsPlan } from "./teacher_student.ts";

/** State of every seed: W [seeds total, n^2] and snapshots [seeds total, slots, n^2]. */
export interface TsState {
  weights: Float64Array;
  snapshots: Float64Array;
}

/** The initial state (snapshot slot 0 = initial W). */
export function initialTsState(plan: TsPlan): TsState {
  const nn = plan.n * plan.n, seeds = plan.settings.length * plan.seeds;
  const state = {
    weights: new Float64Array(seeds * nn),
    snapshots: new Float64Array(seeds * plan.slots * nn),
  };
  plan.settings.forEach((s, i) => {
    for (let m = 0; m < plan.seeds; m++) {
      const w = initialStudent(plan, s.seed, m), seed = i * plan.seeds + m;
      state.weights.set(w, seed * nn);
      state.snapshots.set(w, seed * plan.slots * nn);
    }
  });
  return state;
}

/**
 * Runs steps [stepOffset, stepOffset + steps) of one seed in place (step = epoch batches + j).
 *
 * @param plan The plan.
 * @param state The state.
 * @param seed Seed index (setting * seeds + member).
 * @param stepOffset First global step.
 * @param steps Steps to run.
 */
export function tsSeedReference(
  plan: TsPlan,
  state: TsState,
  seed: number,
  stepOffset: number,
  steps: number,
): void {
  const n = plan.n, nn = n * n, s = Math.floor(seed / plan.seeds), member = seed % plan.seeds;
  const { learningRate: lr, batchSize: B, noise, seed: key0 } = plan.settings[s];
  const w = state.weights.subarray(seed * nn, (seed + 1) * nn), cov = plan.covariances[s];
  const raw = new Float64Array(nn), next = new Float64Array(nn);
  const stepsPerSnapshot = plan.saveEvery * plan.batchesPerEpoch;
  for (let step = stepOffset; step < stepOffset + steps; step++) {
    const j = step % plan.batchesPerEpoch;
    raw.fill(0);
    for (let b = 0; b < B; b++) { // sum of the raw normals m of the batch's samples
      const sample = j * B + b;
      for (let block = 0; 4 * block < nn; block++) {
        const words = philox4x32_10(key0, TS_NOISE_STREAM, block, sample, member, 0);
        const z = [...normalPairFromU32(words[0], words[1]), ...normalPairFromU32(words[2], words[3])];
        for (let lane = 0; lane < 4 && 4 * block + lane < nn; lane++) raw[4 * block + lane] += z[lane];
      }
    }
    for (let i = 0; i < n; i++) {
      for (let k = 0; k < n; k++) {
        let g = 0; // ((W_T - W) Sigma_j)_ik
        for (let l = 0; l < n; l++) g += (plan.teacher[i * n + l] - w[i * n + l]) * cov[(j * n + l) * n + k];
        // mean a: eps (tril(m) + tril(m, -1)^T), diagonal times sqrt 2.
        const a = i === k ? Math.SQRT2 * raw[i * n + i] : raw[Math.max(i, k) * n + Math.min(i, k)];
        next[i * n + k] = w[i * n + k] + lr * (g + noise * a / B);
      }
    }
    w.set(next);
    if ((step + 1) % stepsPerSnapshot === 0) {
      const slot = (step + 1) / stepsPerSnapshot;
      if (slot < plan.slots) state.snapshots.set(w, (seed * plan.slots + slot) * nn);
    }
  }
}

/** Runs steps [stepOffset, stepOffset + steps) of every seed in place. */
export function teacherStudentReference(
  plan: TsPlan,
  state: TsState,
  stepOffset: number,
  steps: number,
): void {
  for (let seed = 0; seed < plan.settings.length * plan.seeds; seed++) {
    tsSeedReference(plan, state, seed, stepOffset, steps);
  }
}
