/**
 * Wrapper of the fused multi-walker teacher-student SGD kernel, thread per walker
 * (kernels/teacher_student/teacher_student_sgd.wgsl), and the Params and bindings it shares with the
 * workgroup-per-walker kernel (kernels/teacher_student/teacher_student_sgd_workgroup.ts) through
 * kernels/teacher_student/teacher_student_step.wgsl.
 *
 * @module
 */
import source from "./teacher_student_sgd.wgsl" with { type: "text" };
import stepSource from "./teacher_student_step.wgsl" with { type: "text" };
import rowCacheSource from "./teacher_student_row_cache.wgsl" with { type: "text" };
import { PHILOX_WGSL } from "../random/random.ts";
import { ACTIVATION_FUNCTIONS_WGSL } from "../elementwise/activation_functions.ts";
import { activationUniform } from "../elementwise/elementwise.ts";
import { type CommandRecorder, dispatch1d } from "../../lib/gpu/recorder.ts";
import type { KernelSource } from "../../lib/gpu/pipelines.ts";
import { cpuSimdLanes } from "../../lib/gpu/device.ts";
import { StructLayout } from "../../lib/gpu/params.ts";
import { twoPointThreshold } from "../../lib/rng/philox.ts";
import { readEnv } from "../../lib/env.ts";
import type { DataModelParams, SamplingMode, TeacherStudentStepSettings } from "./teacher_student_args.ts";

/** The uniform struct of kernels/teacher_student/teacher_student_step.wgsl. */
const TEACHER_STUDENT_STEP_PARAMS = new StructLayout(
  "Params",
  "kernels/teacher_student/teacher_student_step.wgsl",
  [
    ["d", "u32"],
    ["blocks", "u32"],
    ["walkers", "u32"],
    ["walker_offset", "u32"],
    ["steps", "u32"],
    ["step_offset", "u32"],
    ["seed", "u32"],
    ["chunk", "u32"],
    ["sampling", "u32"],
    ["shared_sample", "u32"],
    ["dataset_size", "u32"],
    ["repeat_threshold", "u32"],
    ["labels", "u32"],
    ["class_threshold", "u32"],
    ["latent", "u32"],
    ["latent_threshold", "u32"],
    ["latent_low", "f32"],
    ["latent_high", "f32"],
    ["spike_amplitude", "f32"],
    ["uz_coefficient", "f32"],
    ["noise", "f32"],
    ["loss", "u32"],
    ["optimizer", "u32"],
    ["spherical", "f32"],
    ["normalize", "u32"],
    ["eta", "f32"],
    ["rho", "f32"],
    ["uu", "f32"],
    ["save_next", "u32"],
    ["save_end", "u32"],
    ["save_base", "u32"],
    ["pad", "u32"],
  ] as const,
);

/**
 * The library part both teacher-student kernels list first after Philox and the activations: Params,
 * bindings, sample choice and drawing, step scalars (kernels/teacher_student/teacher_student_step.wgsl).
 */
export const TEACHER_STUDENT_STEP_WGSL = {
  file: "kernels/teacher_student/teacher_student_step.wgsl",
  code: stepSource,
};

/** The kernel: Philox, activation, step and row-cache libraries, then ./teacher_student_sgd.wgsl. */
export const TEACHER_STUDENT_SGD_KERNEL: KernelSource = {
  label: "teacher_student_sgd",
  parts: [
    PHILOX_WGSL,
    ACTIVATION_FUNCTIONS_WGSL,
    TEACHER_STUDENT_STEP_WGSL,
    { file: "kernels/teacher_student/teacher_student_row_cache.wgsl", code: rowCacheSource },
    { file: "kernels/teacher_student/teacher_student_sgd.wgsl", code: source },
  ],
};

/**
 * Invocations (walkers) per workgroup: 64 on GPUs; on the CPU adapter one SIMD register's lanes (8 for
 * llvmpipe's 256 bits), so that few walkers still spread over the CPU's threads (one workgroup runs on
 * one thread): 1.6-1.9x at 16 walkers, the same at 256 and 4096 (measured, d = 200 and 1000).
 */
export function teacherStudentWorkgroupSize(
  gpu: { facts: { isCpuAdapter: boolean; description: string } },
): number {
  return gpu.facts.isCpuAdapter ? cpuSimdLanes(gpu.facts) : 64;
}

/**
 * Loop iterations per step (one pass over ceil(d / 4) blocks, two blocks per trip) and per dispatch
 * (the prologue pass and the cache write-back, one block per trip). llvmpipe counts every
 * loop-condition check, so a loop of n trips costs n + 1, and the step loop's own check costs one more
 * per step (tests/teacher_student_sgd_workgroup_test.ts checks the counts against where llvmpipe stops).
 */
export function teacherStudentSgdIterations(d: number): { perStep: number; fixed: number } {
  const blocks = Math.ceil(d / 4);
  return { perStep: Math.ceil(blocks / 2) + 2, fixed: 2 * (blocks + 2) };
}

/**
 * Largest row (in vec4 blocks) the kernel can keep in invocation memory (`CACHE_BLOCKS` in
 * ./teacher_student_row_cache.wgsl).
 */
export const TEACHER_STUDENT_CACHE_BLOCKS = 256;

/**
 * Whether the kernel keeps each walker's rows in invocation memory for a dispatch (`CACHE_ROWS`). Off by
 * default. Its compile through Vulkan on a cold Mesa shader cache (every fresh machine and CI run) took
 * 627 s wall (73 s of CPU) against 1.6 s uncached (`MESA_SHADER_CACHE_DISABLE=true deno task bench compile
 * --only=teacher_student_sgd`, 2-core machine at load ~15, 2026-12-05): past the watchdog's 600 s on a
 * loaded machine, and more than a whole `deno task figures` run takes. Its steady-state gain on the CPU
 * adapter was within the noise (`deno task bench teacher_student --d=200,1000 --walkers=1024 --steps=1000`,
 * alternated, same load: d = 200 329k/288k vs 322k/315k walker-steps/s cached vs not; d = 1000 60k/60k vs
 * 60k/37k); on GPUs the rows would spill. `TEACHER_STUDENT_CACHE_ROWS=1` turns it on (e.g. long runs on a
 * CPU adapter whose shader cache is warm), for rows of at most {@linkcode TEACHER_STUDENT_CACHE_BLOCKS}
 * vec4 blocks and never through OpenGL (`facts.viaGl`), whose driver (Mesa llvmpipe via naga's GLSL) did
 * not finish compiling the cached variant in 5 minutes.
 *
 * @param gpu The adapter's facts.
 * @param d The row length.
 * @param choice The setting (`TEACHER_STUDENT_CACHE_ROWS` by default): `"1"` asks for the cache.
 */
export function teacherStudentCacheRows(
  gpu: { facts: { isCpuAdapter: boolean; viaGl?: boolean } },
  d: number,
  choice: string | undefined = readEnv("TEACHER_STUDENT_CACHE_ROWS"),
): boolean {
  return choice?.trim() === "1" && !gpu.facts.viaGl && Math.ceil(d / 4) <= TEACHER_STUDENT_CACHE_BLOCKS;
}

/** Buffers of one batch of walkers (layouts in the .wgsl header). */
export interface TeacherStudentBuffers {
  teacher: GPUBuffer;
  weights: GPUBuffer;
  scratch: GPUBuffer;
  saveTimes: GPUBuffer;
  history: GPUBuffer;
  state: GPUBuffer;
  completed: GPUBuffer;
}

/** Arguments of one dispatch of {@linkcode encodeTeacherStudentSgd}. */
export interface TeacherStudentSgdArgs {
  buffers: TeacherStudentBuffers;
  model: DataModelParams;
  settings: TeacherStudentStepSettings;
  d: number;
  walkers: number;
  walkerOffset: number;
  steps: number;
  stepOffset: number;
  seed: number;
  chunk: number;
  sampling: SamplingMode;
  sharedSample: boolean;
  pRepeat: number;
  datasetSize: number;
  normalize: boolean;
  /** |u|^2 of the float32 teacher direction. */
  uu: number;
  /** Global index of the first save time > stepOffset, of one past this chunk's last, of slot 0 of `history`. */
  saveNext: number;
  saveEnd: number;
  saveBase: number;
}

const SAMPLING = { online: 0, repeat: 1, twice: 2 } as const;

/** The Params uniform of kernels/teacher_student/teacher_student_step.wgsl for one dispatch. */
export function teacherStudentParams(a: TeacherStudentSgdArgs): ArrayBuffer {
  const m = a.model, s = a.settings, o = s.optimizer;
  return TEACHER_STUDENT_STEP_PARAMS.bytes({
    d: a.d,
    blocks: Math.ceil(a.d / 4),
    walkers: a.walkers,
    walker_offset: a.walkerOffset,
    steps: a.steps,
    step_offset: a.stepOffset,
    seed: a.seed,
    chunk: a.chunk,
    sampling: SAMPLING[a.sampling],
    shared_sample: a.sharedSample ? 1 : 0,
    dataset_size: Math.max(a.datasetSize, 1),
    repeat_threshold: twoPointThreshold(a.sampling === "repeat" ? a.pRepeat : 0),
    labels: m.labels === "teacher" ? 0 : 1,
    class_threshold: twoPointThreshold(m.pSpike),
    latent: m.latent === "rademacher" ? 0 : 1,
    latent_threshold: twoPointThreshold(m.latentProbabilityHigh),
    latent_low: m.latentLow,
    latent_high: m.latentHigh,
    spike_amplitude: m.spikeAmplitude,
    uz_coefficient: m.uzCoefficient,
    noise: m.noise,
    loss: s.loss === "mse" ? 1 : 0,
    optimizer: o === "single" ? 0 : o === "twice" ? 1 : 2,
    spherical: s.spherical ? 1 : 0,
    normalize: a.normalize ? 1 : 0,
    eta: s.learningRate / a.d,
    rho: typeof o === "object" ? o.extragradient / a.d : 0,
    uu: a.uu,
    save_next: a.saveNext,
    save_end: a.saveEnd,
    save_base: a.saveBase,
    pad: 0,
  });
}

/** The bindings of kernels/teacher_student/teacher_student_step.wgsl, in order, for one dispatch. */
export function teacherStudentBindings(rec: CommandRecorder, a: TeacherStudentSgdArgs): GPUBuffer[] {
  const b = a.buffers;
  return [
    b.teacher,
    b.weights,
    b.scratch,
    b.saveTimes,
    b.history,
    b.state,
    b.completed,
    rec.uniform(teacherStudentParams(a)),
    activationUniform(rec, a.model.teacher),
    activationUniform(rec, a.settings.student),
  ];
}

/**
 * Records one dispatch advancing every walker of the batch by `steps` steps. `cacheRows` overrides
 * the adapter's choice of {@linkcode teacherStudentCacheRows} (tests run both paths on one adapter).
 */
export async function encodeTeacherStudentSgd(
  rec: CommandRecorder,
  a: TeacherStudentSgdArgs & { cacheRows?: boolean },
): Promise<void> {
  const workgroupSize = teacherStudentWorkgroupSize(rec.gpu);
  if (a.cacheRows && Math.ceil(a.d / 4) > TEACHER_STUDENT_CACHE_BLOCKS) {
    throw new RangeError(`Cannot cache rows of d = ${a.d} (at most ${4 * TEACHER_STUDENT_CACHE_BLOCKS})`);
  }
  if (a.cacheRows && rec.gpu.facts.viaGl) {
    throw new RangeError(
      "Cannot cache rows through OpenGL: Mesa's GL driver does not finish compiling that variant (cacheRows: false)",
    );
  }
  const constants = {
    WORKGROUP_SIZE: workgroupSize,
    CACHE_ROWS: (a.cacheRows ?? teacherStudentCacheRows(rec.gpu, a.d)) ? 1 : 0,
  };
  await dispatch1d(rec, {
    kernel: TEACHER_STUDENT_SGD_KERNEL,
    constants,
    invocations: a.walkers,
    bindings: teacherStudentBindings(rec, a),
  });
}
