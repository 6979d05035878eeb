/**
 * Which fused teacher-student kernel runs on an adapter: thread per walker
 * (kernels/teacher_student/teacher_student_sgd.wgsl: no barriers, walkers across SIMD lanes) or workgroup per
 * walker (kernels/teacher_student/teacher_student_sgd_workgroup.wgsl: parallel dot products, a tree reduction
 * per step). Both read the same buffers and Philox counters and write the same outputs, so the trainer
 * switches between them with no other change; their results agree to float32 rounding (the sums run in a
 * different order), and each is bit-identical however its steps are split into dispatches.
 *
 * "auto" picks by adapter, walkers per dispatch and d, so two batchings of the same walkers (say 2
 * walkers alone and inside a batch of 16) may run different kernels and differ by float32 rounding
 * (which chaotic runs amplify). Pin `kernel` when results must be bit-identical across batchings.
 *
 * @module
 */
import { cpuSimdLanes, type GpuContext } from "../gpu/device.ts";
import type { CommandRecorder } from "../gpu/recorder.ts";
import {
  encodeTeacherStudentSgd,
  TEACHER_STUDENT_SGD_KERNEL,
  type TeacherStudentSgdArgs,
  teacherStudentSgdIterations,
} from "../../kernels/teacher_student/teacher_student_sgd.ts";
import {
  encodeTeacherStudentSgdWorkgroup,
  TEACHER_STUDENT_SGD_WORKGROUP_KERNEL,
  teacherStudentSgdWorkgroupIterations,
} from "../../kernels/teacher_student/teacher_student_sgd_workgroup.ts";

/** The two kernels: one invocation per walker, or one workgroup per walker. */
export type TeacherStudentKernel = "thread" | "workgroup";

/**
 * On the CPU adapter the workgroup kernel runs for at most this many walkers. Measured with
 * `deno task bench teacher_student --steps=3000` on a shared 2-core machine (llvmpipe, 256-bit SIMD,
 * 8 threads per walker; noisy, +-20%): 1 walker 1.3-3.4x the thread kernel's walker-steps/s (d 1000:
 * ~80k vs ~24k), 2 walkers 1.2-2x, 4 walkers a tie, and from 16 walkers on the thread kernel is 1.3-2.3x
 * faster. A lone walker fills one SIMD lane of the thread kernel; the workgroup kernel fills all lanes
 * and gives each walker its own workgroup (its own core), at the price of a barrier per reduction level.
 */
export const CPU_WORKGROUP_KERNEL_MAX_WALKERS = 2;

/**
 * On a real GPU the workgroup kernel runs for fewer walkers than this: the thread kernel then has too
 * few invocations to fill the device (a 100-SM GPU keeps ~200k threads in flight; 2048 walkers are 32
 * workgroups of 64). UNMEASURED: no real GPU was available when this was written; calibrate it with
 * `deno task bench teacher_student` on the target GPU.
 */
export const GPU_WORKGROUP_KERNEL_MAX_WALKERS = 2048;

/**
 * Below this dimension the thread kernel runs on every adapter: a row of d / 4 blocks gives a
 * workgroup's threads too little work to pay for the per-step reduction (CPU adapter, d = 64: a tie at
 * 2 walkers; real GPUs: unmeasured).
 */
export const WORKGROUP_KERNEL_MIN_D = 128;

/**
 * Picks the kernel for an adapter, a number of walkers per dispatch and a dimension: "workgroup" when
 * d >= {@linkcode WORKGROUP_KERNEL_MIN_D} and the walkers are few ({@linkcode CPU_WORKGROUP_KERNEL_MAX_WALKERS}
 * or fewer on the CPU adapter, measured; fewer than {@linkcode GPU_WORKGROUP_KERNEL_MAX_WALKERS} on a real
 * GPU, unmeasured), else "thread".
 *
 * @param gpu The GPU context (only `facts.isCpuAdapter` is read).
 * @param walkers Walkers run together in one dispatch.
 * @param d Dimension.
 * @returns "thread" or "workgroup".
 */
export function chooseTeacherStudentKernel(
  gpu: Pick<GpuContext, "facts">,
  walkers: number,
  d: number,
): TeacherStudentKernel {
  if (d < WORKGROUP_KERNEL_MIN_D) return "thread";
  const most = gpu.facts.isCpuAdapter
    ? CPU_WORKGROUP_KERNEL_MAX_WALKERS
    : GPU_WORKGROUP_KERNEL_MAX_WALKERS - 1;
  return walkers <= most ? "workgroup" : "thread";
}

/**
 * Threads per walker of the workgroup kernel on an adapter: on the CPU adapter one SIMD register of
 * f32 lanes (llvmpipe's description ends "256 bits": 8; measured best of 4, 8, 16 and 64 there, 64
 * being 1.5-6x slower), on a real GPU 64 (two warps / one wavefront; unmeasured).
 *
 * @param gpu The GPU context (reads `facts.isCpuAdapter` and `facts.description`).
 * @returns A power of two in [2, 64].
 */
export function teacherStudentThreadsPerWalker(gpu: Pick<GpuContext, "facts">): number {
  if (!gpu.facts.isCpuAdapter) return 64;
  return Math.max(2, cpuSimdLanes(gpu.facts));
}

/** What the trainer needs of a kernel: its label, encoder and loop-budget counts. */
export interface TeacherStudentKernelVariant {
  kernel: TeacherStudentKernel;
  /** Kernel label (for completed-step checks). */
  label: string;
  /** Records one dispatch (same arguments for both kernels). */
  encode: (rec: CommandRecorder, args: TeacherStudentSgdArgs) => Promise<void>;
  /** Loop iterations per step and per dispatch, for `maxStepsPerDispatch`. */
  iterations: (d: number) => { perStep: number; fixed: number };
  /** Invocations that share one walker (1 for the thread kernel). */
  threadsPerWalker: number;
}

/**
 * The kernel the trainer runs for a `kernel` option.
 *
 * @param gpu The GPU context (its facts).
 * @param option "auto" (default: {@linkcode chooseTeacherStudentKernel}), "thread" or "workgroup".
 * @param walkers Walkers per dispatch.
 * @param d Dimension.
 * @returns Label, encoder and iteration counts of the chosen kernel.
 * @throws {TypeError} On an unknown option.
 */
export function teacherStudentKernel(
  gpu: Pick<GpuContext, "facts">,
  option: "auto" | TeacherStudentKernel = "auto",
  walkers: number,
  d: number,
): TeacherStudentKernelVariant {
  const kernel = option === "auto" ? chooseTeacherStudentKernel(gpu, walkers, d) : option;
  if (kernel === "thread") {
    return {
      kernel,
      label: TEACHER_STUDENT_SGD_KERNEL.label,
      encode: encodeTeacherStudentSgd,
      iterations: teacherStudentSgdIterations,
      threadsPerWalker: 1,
    };
  }
  if (kernel === "workgroup") {
    const threadsPerWalker = teacherStudentThreadsPerWalker(gpu);
    return {
      kernel,
      label: TEACHER_STUDENT_SGD_WORKGROUP_KERNEL.label,
      encode: (rec, args) => encodeTeacherStudentSgdWorkgroup(rec, { ...args, threadsPerWalker }),
      iterations: (n) => teacherStudentSgdWorkgroupIterations(n, threadsPerWalker),
      threadsPerWalker,
    };
  }
  throw new TypeError(
    `Cannot run teacher-student SGD: kernel "${option}", expected "auto", "thread" or "workgroup"`,
  );
}
