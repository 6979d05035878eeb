/**
 * Trains a teacher-student ensemble (every seed of every setting) in one dispatch per chunk of
 * steps on webgpu, or with the float64 loop on the reference backend, and gives the singular
 * values the analysis uses.
 *
 * @module
 */
import type { Backend } from "../backend/backend.ts";
import { uploadBuffer } from "../gpu/buffers.ts";
import { destroyBuffers, planStepsPerDispatch, runFused } from "../gpu/fused_run.ts";
import {
  planTeacherStudentEnsemble,
  type TeacherStudentEnsembleConfig,
  TS_NOISE_STREAM,
  type TsPlan,
} from "./teacher_student.ts";
import { initialTsState, teacherStudentReference } from "./teacher_student_reference.ts";
import {
  encodeTeacherStudent,
  TEACHER_STUDENT_KERNEL,
  TEACHER_STUDENT_MAX_N,
  teacherStudentIterationsPerStep,
  teacherStudentSettingsWords,
} from "../../kernels/dyson/dyson_teacher_student.ts";
import { singularValues } from "../spectral/symmetric_eigen_large.ts";

/** Result of {@linkcode runTeacherStudentEnsemble}; seed index = setting * seeds + member. */
export interface TeacherStudentEnsembleResult {
  plan: TsPlan;
  /** Final W per seed, [seeds total, n^2]. */
  weights: Float64Array | Float32Array;
  /** Snapshots [seeds total, slots, n^2], slot i after i saveEvery epochs. */
  snapshots: Float64Array | Float32Array;
  /** Epoch of each slot. */
  snapshotEpochs: number[];
  /** Dispatches used (0 on reference). */
  dispatches: number;
  /** Steps per dispatch (0 on reference). */
  stepsPerDispatch: number;
}

const CHECK_EVERY = 64;

/**
 * Runs the sweep.
 *
 * @param backend webgpu (fused kernel, n <= 8) or reference (float64).
 * @param config Settings, seeds, sizes.
 * @returns Final and snapshot weights.
 * @throws {RangeError} On a bad config. @throws {IncompleteDispatchError} On a short dispatch.
 */
export async function runTeacherStudentEnsemble(
  backend: Backend,
  config: TeacherStudentEnsembleConfig,
): Promise<TeacherStudentEnsembleResult> {
  const plan = planTeacherStudentEnsemble(config);
  const steps = plan.epochs * plan.batchesPerEpoch, n = plan.n, nn = n * n;
  const seeds = plan.settings.length * plan.seeds;
  const snapshotEpochs = Array.from({ length: plan.slots }, (_, i) => i * plan.saveEvery);
  const init = initialTsState(plan);
  if (!backend.gpuTarget) {
    teacherStudentReference(plan, init, 0, steps);
    return { plan, ...init, snapshotEpochs, dispatches: 0, stepsPerDispatch: 0 };
  }
  if (n > TEACHER_STUDENT_MAX_N) {
    throw new RangeError(
      `Cannot train the teacher-student ensemble on webgpu: n is ${n}, at most ${TEACHER_STUDENT_MAX_N}`,
    );
  }
  const { gpu, recorder } = backend.gpuTarget;
  const maxBatch = Math.max(...plan.settings.map((s) => s.batchSize));
  const perDispatch = planStepsPerDispatch(gpu, {
    what: "the teacher-student ensemble",
    iterationsPerStep: teacherStudentIterationsPerStep(maxBatch, n),
    fixedIterations: 2 * nn + 2,
    totalSteps: steps,
    requested: config.stepsPerDispatch,
  });
  const cov = new Float32Array(plan.settings.length * plan.batchesPerEpoch * nn);
  plan.covariances.forEach((c, i) => cov.set(c, i * plan.batchesPerEpoch * nn));
  const buffers = {
    settings: uploadBuffer(gpu, teacherStudentSettingsWords(plan.settings), "ts settings"),
    teacher: uploadBuffer(gpu, Float32Array.from(plan.teacher), "ts teacher"),
    cov: uploadBuffer(gpu, cov, "ts minibatch covariances"),
    weights: uploadBuffer(gpu, Float32Array.from(init.weights), "ts weights"),
    snapshots: uploadBuffer(gpu, Float32Array.from(init.snapshots), "ts snapshots"),
  };
  try {
    const run = await runFused({
      gpu,
      recorder,
      label: TEACHER_STUDENT_KERNEL.label,
      invocations: seeds,
      steps,
      stepsPerDispatch: perDispatch,
      checkEvery: CHECK_EVERY,
      encode: (at) =>
        encodeTeacherStudent(recorder, {
          ...buffers,
          completed: at.completed,
          n,
          seedsPerSetting: plan.seeds,
          seeds,
          steps: at.steps,
          stepOffset: at.stepOffset,
          batches: plan.batchesPerEpoch,
          stepsPerSnapshot: plan.saveEvery * plan.batchesPerEpoch,
          slots: plan.slots,
          chunk: at.chunk,
          stream: TS_NOISE_STREAM,
        }),
      readback: [
        { buffer: buffers.weights, byteLength: seeds * nn * 4 },
        { buffer: buffers.snapshots, byteLength: init.snapshots.length * 4 },
      ],
    });
    const [w, snaps] = run.readback;
    return {
      plan,
      weights: new Float32Array(w),
      snapshots: new Float32Array(snaps),
      snapshotEpochs,
      dispatches: run.dispatches,
      stepsPerDispatch: perDispatch,
    };
  } finally {
    destroyBuffers(buffers);
  }
}

/**
 * Singular values (descending) of each seed's n x n matrix.
 *
 * @param weights [count, n^2] row-major matrices.
 * @param n Size.
 * @returns [count, n] singular values.
 */
export function ensembleSingularValues(weights: ArrayLike<number>, n: number): Float64Array {
  const count = weights.length / (n * n), out = new Float64Array(count * n);
  const m = new Float64Array(n * n);
  for (let s = 0; s < count; s++) {
    for (let e = 0; e < n * n; e++) m[e] = weights[s * n * n + e];
    if (n === 2) { // closed form: sv = (sqrt((a+d)^2 + (b-c)^2) +- sqrt((a-d)^2 + (b+c)^2)) / 2
      const p = Math.hypot(m[0] + m[3], m[1] - m[2]), q = Math.hypot(m[0] - m[3], m[1] + m[2]);
      out[2 * s] = (p + q) / 2;
      out[2 * s + 1] = Math.abs(p - q) / 2;
    } else out.set(singularValues(m, n, n), s * n);
  }
  return out;
}
