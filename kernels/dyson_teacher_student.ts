/**
 * Wrapper of the fused teacher-student ensemble kernel (kernels/dyson_teacher_student.wgsl).
 *
 * @module
 */
import source from "./dyson_teacher_student.wgsl" with { type: "text" };
import { PHILOX_WGSL } from "./random.ts";
import { type CommandRecorder, grid1d } from "../lib/gpu/recorder.ts";
import { getPipeline, type KernelSource } from "../lib/gpu/pipelines.ts";
import { UniformWriter } from "../lib/gpu/params.ts";

/** The kernel: the Philox library, then kernels/dyson_teacher_student.wgsl. */
export const TEACHER_STUDENT_KERNEL: KernelSource = {
  label: "dyson_teacher_student",
  parts: [PHILOX_WGSL, { file: "kernels/dyson_teacher_student.wgsl", code: source }],
};

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
  const pipeline = await getPipeline(rec.gpu, TEACHER_STUDENT_KERNEL, constants);
  const params = new UniformWriter()
    .u32(a.seedsPerSetting).u32(a.seeds).u32(a.steps).u32(a.stepOffset)
    .u32(a.batches).u32(a.stepsPerSnapshot).u32(a.slots).u32(a.chunk).u32(a.stream)
    .bytes();
  rec.dispatch({
    pipeline,
    label: TEACHER_STUDENT_KERNEL.label,
    constants,
    bindings: [a.settings, a.teacher, a.cov, a.weights, a.snapshots, a.completed, rec.uniform(params)],
    workgroups: grid1d(a.seeds, WORKGROUP_SIZE, rec.gpu.device.limits.maxComputeWorkgroupsPerDimension),
  });
}
