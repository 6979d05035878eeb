/**
 * Wrapper of the workgroup-per-walker teacher-student SGD kernel
 * (kernels/teacher_student/teacher_student_sgd_workgroup.wgsl): the same buffers, arguments, outputs and
 * Philox draws as
 * `encodeTeacherStudentSgd` (kernels/teacher_student/teacher_student_sgd.ts), one workgroup per walker with
 * parallel dot products, for real GPUs running few walkers. lib/teacher_student/kernel_choice.ts picks
 * between the two.
 *
 * @module
 */
import source from "./teacher_student_sgd_workgroup.wgsl" with { type: "text" };
import { PHILOX_WGSL } from "../random/random.ts";
import { ACTIVATION_FUNCTIONS_WGSL } from "../elementwise/activation_functions.ts";
import {
  TEACHER_STUDENT_STEP_WGSL,
  teacherStudentBindings,
  type TeacherStudentSgdArgs,
} from "./teacher_student_sgd.ts";
import type { CommandRecorder } from "../../lib/gpu/recorder.ts";
import { getPipeline, type KernelSource } from "../../lib/gpu/pipelines.ts";

/** The kernel: Philox and activation libraries, then ./teacher_student_sgd_workgroup.wgsl. */
export const TEACHER_STUDENT_SGD_WORKGROUP_KERNEL: KernelSource = {
  label: "teacher_student_sgd_workgroup",
  parts: [
    PHILOX_WGSL,
    ACTIVATION_FUNCTIONS_WGSL,
    TEACHER_STUDENT_STEP_WGSL,
    { file: "kernels/teacher_student/teacher_student_sgd_workgroup.wgsl", code: source },
  ],
};

/** Default threads per walker (a power of two in [2, 256]). */
export const TEACHER_STUDENT_THREADS_PER_WALKER = 64;

function checkThreads(threads: number): void {
  if (!Number.isInteger(threads) || threads < 2 || threads > 256 || (threads & (threads - 1)) !== 0) {
    throw new RangeError(
      `Cannot run "teacher_student_sgd_workgroup": threadsPerWalker is ${threads}, must be a power of two in [2, 256]`,
    );
  }
}

/**
 * Loop iterations per step and per dispatch of the busiest thread (thread 0, which owns
 * ceil(blocks / threads) blocks): its pass over them (trips + 1 condition check, as llvmpipe counts),
 * the reduction's log2(threads) - 1 levels (+ 1 check) and the step loop's check. The prologue costs the
 * same once per dispatch (its step-loop exit check included).
 *
 * @param d Dimension.
 * @param threadsPerWalker Threads per walker (default {@linkcode TEACHER_STUDENT_THREADS_PER_WALKER}).
 * @returns Iterations per step and fixed iterations per dispatch, for `maxStepsPerDispatch`.
 * @throws {RangeError} When threadsPerWalker is not a power of two in [2, 256].
 */
export function teacherStudentSgdWorkgroupIterations(
  d: number,
  threadsPerWalker = TEACHER_STUDENT_THREADS_PER_WALKER,
): { perStep: number; fixed: number } {
  checkThreads(threadsPerWalker);
  const perStep = Math.ceil(Math.ceil(d / 4) / threadsPerWalker) + Math.log2(threadsPerWalker) + 2;
  return { perStep, fixed: perStep };
}

/** {@linkcode TeacherStudentSgdArgs} plus the number of threads per walker. */
export interface TeacherStudentSgdWorkgroupArgs extends TeacherStudentSgdArgs {
  /** Threads per walker (default {@linkcode TEACHER_STUDENT_THREADS_PER_WALKER}); results depend on it. */
  threadsPerWalker?: number;
}

/**
 * Records one dispatch advancing every walker of the batch by `steps` steps, one workgroup per walker.
 * A drop-in for `encodeTeacherStudentSgd`: same arguments, buffers and outputs.
 *
 * @param rec The command recorder.
 * @param a Buffers, model, settings, sizes and save-time window, as for the thread-per-walker kernel.
 * @throws {RangeError} When threadsPerWalker is not a power of two in [2, 256].
 */
export async function encodeTeacherStudentSgdWorkgroup(
  rec: CommandRecorder,
  a: TeacherStudentSgdWorkgroupArgs,
): Promise<void> {
  const threads = a.threadsPerWalker ?? TEACHER_STUDENT_THREADS_PER_WALKER;
  checkThreads(threads);
  const constants = { WORKGROUP_SIZE: threads };
  const pipeline = await getPipeline(rec.gpu, TEACHER_STUDENT_SGD_WORKGROUP_KERNEL, constants);
  const max = rec.gpu.device.limits.maxComputeWorkgroupsPerDimension;
  const rows = Math.ceil(a.walkers / max);
  rec.dispatch({
    pipeline,
    label: TEACHER_STUDENT_SGD_WORKGROUP_KERNEL.label,
    constants,
    bindings: teacherStudentBindings(rec, a),
    workgroups: [Math.ceil(a.walkers / rows), rows],
  });
}
