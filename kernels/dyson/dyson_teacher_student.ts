/**
 * Wrapper of the fused teacher-student ensemble kernel (kernels/dyson/dyson_teacher_student.wgsl).
 *
 * @module
 */
import source from "./dyson_teacher_student.wgsl" with { type: "text" };
import { PHILOX_WGSL } from "../random/random.ts";
import { type CommandRecorder, dispatch1d } from "../../lib/gpu/recorder.ts";
import type { KernelSource } from "../../lib/gpu/pipelines.ts";
import { StructLayout } from "../../lib/gpu/params.ts";

/** The kernel: the Philox library, then kernels/dyson/dyson_teacher_student.wgsl. */
export const TEACHER_STUDENT_KERNEL: KernelSource = {
  label: "dyson_teacher_student",
  parts: [PHILOX_WGSL, { file: "kernels/dyson/dyson_teacher_student.wgsl", code: source }],
};

/** The kernel's uniform struct. */
export const DYSON_TEACHER_STUDENT_PARAMS = new StructLayout(
  "Params",
  "kernels/dyson/dyson_teacher_student.wgsl",
  [
    ["seeds_per_setting", "u32"],
    ["seeds", "u32"],
    ["steps", "u32"],
    ["step_offset", "u32"],
    ["batches", "u32"],
    ["steps_per_snapshot", "u32"],
    ["slots", "u32"],
    ["chunk", "u32"],
    ["stream", "u32"],
  ] as const,
);

/** One element of the settings array (binding 0). */
export const DYSON_TEACHER_STUDENT_SETTING = new StructLayout(
  "Setting",
  "kernels/dyson/dyson_teacher_student.wgsl",
  [
    ["lr", "f32"],
    ["noise", "f32"],
    ["batch", "u32"],
    ["key0", "u32"],
  ] as const,
);

/** What one setting of the sweep gives the kernel. */
export interface DysonTeacherStudentSetting {
  learningRate: number;
  noise: number;
  batchSize: number;
  seed: number;
}

/** The bytes of the settings buffer (binding 0), one {@linkcode DYSON_TEACHER_STUDENT_SETTING} per setting. */
export function teacherStudentSettingsWords(settings: readonly DysonTeacherStudentSetting[]): Uint32Array {
  return new Uint32Array(DYSON_TEACHER_STUDENT_SETTING.arrayBytes(
    settings.map((s) => ({ lr: s.learningRate, noise: s.noise, batch: s.batchSize, key0: s.seed })),
  ));
}

/** Largest matrix size the kernel holds. */
export const TEACHER_STUDENT_MAX_N = 8;

const WORKGROUP_SIZE = 64;

/**
 * Loop iterations one step costs one invocation (every loop counted, lanes included).
 *
 * @param batch Largest minibatch over the settings.
 * @param n Matrix size.
 * @returns Iterations per step.
 */
export function teacherStudentIterationsPerStep(batch: number, n: number): number {
  const nn = n * n, blocks = Math.ceil(nn / 4);
  return nn + batch * (1 + blocks * 5) + n * n * (n + 1) + n + 2 * nn + 2;
}

/** Arguments of one dispatch of {@linkcode encodeTeacherStudent}. */
export interface TeacherStudentArgs {
  settings: GPUBuffer;
  teacher: GPUBuffer;
  cov: GPUBuffer;
  weights: GPUBuffer;
  snapshots: GPUBuffer;
  completed: GPUBuffer;
  n: number;
  seedsPerSetting: number;
  seeds: number;
  steps: number;
  stepOffset: number;
  batches: number;
  stepsPerSnapshot: number;
  slots: number;
  chunk: number;
  stream: number;
}

/** Records one dispatch advancing every seed by `steps` steps. */
export async function encodeTeacherStudent(rec: CommandRecorder, a: TeacherStudentArgs): Promise<void> {
  const constants = { WORKGROUP_SIZE, N: a.n };
  const params = DYSON_TEACHER_STUDENT_PARAMS.bytes({
    seeds_per_setting: a.seedsPerSetting,
    seeds: a.seeds,
    steps: a.steps,
    step_offset: a.stepOffset,
    batches: a.batches,
    steps_per_snapshot: a.stepsPerSnapshot,
    slots: a.slots,
    chunk: a.chunk,
    stream: a.stream,
  });
  await dispatch1d(rec, {
    kernel: TEACHER_STUDENT_KERNEL,
    constants,
    invocations: a.seeds,
    bindings: [a.settings, a.teacher, a.cov, a.weights, a.snapshots, a.completed, rec.uniform(params)],
  });
}
