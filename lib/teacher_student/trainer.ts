/**
 * Multi-walker SGD of a single-index student on teacher-student data: `evolution(...)` yields chunks.
 *
 * Walkers run in batches (lib/teacher_student/batch_run.ts), each from its first step to its last before the
 * next starts, so host and device memory are one batch plus the kept observables (and the final weights unless
 * `finalWeights` is false): a batch's size fits the device's buffer limits and 2 GiB of host memory
 * (lib/teacher_student/host_memory.ts), or `walkersPerBatch`. On webgpu one dispatch advances every walker of a
 * batch by many steps (kernels/teacher_student/teacher_student_sgd.wgsl) and observables are read back once per
 * chunk; on the reference backend the float64 loop (lib/teacher_student/sgd_reference.ts) runs the same
 * algorithm on the same Philox bits. Results do not depend on chunk lengths, steps per dispatch, or on how
 * walkers are split into batches (walker k always reads counter walker `walkerOffset + k`). With one batch the
 * chunks stream as they finish; with several they come after the last batch.
 *
 * @module
 */
import type { Backend } from "../backend/backend.ts";
import { type Batch, planBatches, planStepsPerDispatch } from "../gpu/fused_run.ts";
import { bytesPerWalker } from "./gpu_run.ts";
import { teacherStudentKernel } from "./kernel_choice.ts";
import { type BatchRunPlan, type ChunkObservables, planChunks, runWalkerBatch } from "./batch_run.ts";
import {
  allocateFloat64,
  batchBytesPerWalker,
  checkHostMemory,
  defaultWalkersPerBatch,
  formatBytes,
  MEMORY_FIX,
} from "./host_memory.ts";
import { prepare, type TeacherStudentConfig } from "./trainer_config.ts";
export { fromBlocks, toBlocks } from "./gpu_run.ts";
export type { TeacherStudentConfig } from "./trainer_config.ts";

/** One chunk of a run: the observables at the save times in (previous chunk end, stepsDone]. */
export interface TeacherStudentChunk {
  /** Save times of this chunk. */
  times: number[];
  /** Overlap m = w.u / |w| [times, walkers]. */
  overlap: Float64Array;
  /** |grad(w)| of the step that ended at the save time [times, walkers]. */
  gradientNorm: Float64Array;
  /** Repeated samples used since the previous save [times, walkers]. */
  repeats: Float64Array;
  /** Preactivation w.x of the latest repeated sample, before its step [times, walkers]. */
  repeatedPreactivation: Float64Array;
  /** Steps completed by every walker at the end of the chunk. */
  stepsDone: number;
  /**
   * Weights [walkers, d] at the end of the chunk (the last chunk unless `finalWeights` is false; every chunk
   * with `snapshots`).
   */
  weights?: Float64Array;
  /** Dispatches used for this chunk (0 on the reference backend). */
  dispatches: number;
}

/**
 * Runs multi-walker SGD and yields the observables chunk by chunk.
 *
 * @param backend webgpu (fused kernel) or reference (float64 loop).
 * @param config Model, student, loss, optimizer, sizes, sampling and save times.
 * @yields One {@linkcode TeacherStudentChunk} per `chunkSteps` steps.
 * @throws {RangeError | TypeError} On bad settings, or a run whose kept results do not fit in host memory.
 * @throws {IncompleteDispatchError} If the adapter stopped a dispatch early.
 */
export async function* evolution(
  backend: Backend,
  config: TeacherStudentConfig,
): AsyncGenerator<TeacherStudentChunk> {
  const p = prepare(config);
  const { d, saveTimes } = p, walkers = config.walkers, target = backend.gpuTarget;
  const action = `run teacher-student SGD with ${walkers} walkers at d = ${d}`;
  const chunks = planChunks({
    steps: config.steps,
    chunkSteps: p.chunkSteps,
    saveTimes,
    snapshots: config.snapshots === true,
    finalWeights: config.finalWeights !== false,
  });
  const plan: BatchRunPlan = { config, prepared: p, chunks };
  // One kernel for every batch: "auto" decides from all walkers, so batches give the same results.
  if (target) {
    const kernel = teacherStudentKernel(target.gpu, config.kernel, walkers, d);
    const it = kernel.iterations(d);
    const stepsPerDispatch = planStepsPerDispatch(target.gpu, {
      what: "teacher-student SGD",
      iterationsPerStep: it.perStep,
      fixedIterations: it.fixed,
      totalSteps: Infinity,
      requested: config.stepsPerDispatch,
    });
    plan.gpu = { target, kernel, stepsPerDispatch };
  }
  const batches = walkerBatches(backend, config, saveTimes.length);
  const weightSets = chunks.filter((c) => c.wantWeights).length;
  checkHostMemory(action, [
    { what: "observables [4, save times, walkers] float64", bytes: 4 * 8 * saveTimes.length * walkers },
    { what: `weights [walkers, d] float64 x ${weightSets}`, bytes: weightSets * 8 * walkers * d },
    { what: `one batch of ${batches[0].count} walkers`, bytes: batches[0].count * batchBytesPerWalker(d) },
  ]);
  try {
    if (batches.length === 1) {
      let i = 0;
      for await (const part of runWalkerBatch(plan, batches[0])) {
        yield { ...part, stepsDone: chunks[i++].end };
      }
      return;
    }
    // Several batches: each runs to the end and fills its walkers' columns of every chunk.
    const out = chunks.map((c) => allocateChunk(c, saveTimes, walkers, d));
    for (const batch of batches) {
      let i = 0;
      for await (const part of runWalkerBatch(plan, batch)) placeBatch(out[i++], part, batch, walkers, d);
    }
    yield* out;
  } catch (error) {
    // V8 says only "Array buffer allocation failed": say what ran, how big a batch was, and the fix.
    if (
      error instanceof RangeError && /allocation failed|invalid (typed )?array length/i.test(error.message)
    ) {
      throw new RangeError(
        `Cannot ${action}: a host allocation failed (${error.message}) with batches of ${batches[0].count} ` +
          `walkers (about ${formatBytes(batches[0].count * batchBytesPerWalker(d))} each); ${MEMORY_FIX}`,
        { cause: error },
      );
    }
    throw error;
  }
}

/**
 * How {@linkcode evolution} splits the walkers of a run into batches: each batch's buffers fit the device's
 * limits (webgpu), its host memory fits 2 GiB, and it has at most `config.walkersPerBatch` walkers.
 *
 * @param backend The backend the run will use.
 * @param config The run.
 * @param saveTimes Number of save times (default: the run's).
 * @returns Batches in order, covering every walker.
 * @throws {RangeError} When `walkersPerBatch` is not >= 1 or one walker alone passes the device's limits.
 */
export function walkerBatches(
  backend: Backend,
  config: TeacherStudentConfig,
  saveTimes: number = prepare(config).saveTimes.length,
): Batch[] {
  const target = backend.gpuTarget, d = config.model.d;
  return planBatches(
    config.walkers,
    target ? bytesPerWalker(d, saveTimes) : 1,
    target ? target.gpu.device.limits : { maxBufferSize: Infinity, maxStorageBufferBindingSize: Infinity },
    config.walkersPerBatch ?? defaultWalkersPerBatch(d),
  );
}

/**
 * Runs {@linkcode evolution} to the end and concatenates the chunks.
 *
 * @param backend webgpu (fused kernel) or reference (float64 loop).
 * @param config The run.
 * @returns Observables [times, walkers], dispatches, and the final weights [walkers, d] (empty when
 *   `finalWeights` is false).
 */
export async function runTeacherStudent(
  backend: Backend,
  config: TeacherStudentConfig,
): Promise<Omit<TeacherStudentChunk, "stepsDone"> & { weights: Float64Array }> {
  const parts: TeacherStudentChunk[] = [];
  for await (const chunk of evolution(backend, config)) parts.push(chunk);
  const cat = (key: "overlap" | "gradientNorm" | "repeats" | "repeatedPreactivation") => {
    if (parts.length === 1) return parts[0][key];
    const out = allocateFloat64(parts.reduce((n, c) => n + c[key].length, 0), `${key} of every chunk`);
    let at = 0;
    for (const c of parts) {
      out.set(c[key], at);
      at += c[key].length;
    }
    return out;
  };
  return {
    times: parts.flatMap((c) => c.times),
    overlap: cat("overlap"),
    gradientNorm: cat("gradientNorm"),
    repeats: cat("repeats"),
    repeatedPreactivation: cat("repeatedPreactivation"),
    weights: parts[parts.length - 1].weights ?? new Float64Array(0),
    dispatches: parts.reduce((n, c) => n + c.dispatches, 0),
  };
}

/** An empty chunk for all walkers, filled batch by batch. */
function allocateChunk(
  c: ReturnType<typeof planChunks>[number],
  saveTimes: readonly number[],
  walkers: number,
  d: number,
): TeacherStudentChunk {
  const times = [
    ...(c.start === 0 && saveTimes[0] === 0 ? [0] : []),
    ...saveTimes.slice(c.saveIndex, c.saveEnd),
  ];
  const size = times.length * walkers, what = (name: string) => `${name} [${times.length}, ${walkers}]`;
  return {
    times,
    overlap: allocateFloat64(size, what("overlaps")),
    gradientNorm: allocateFloat64(size, what("gradient norms")),
    repeats: allocateFloat64(size, what("repeats")),
    repeatedPreactivation: allocateFloat64(size, what("repeated preactivations")),
    stepsDone: c.end,
    weights: c.wantWeights ? allocateFloat64(walkers * d, `weights [${walkers}, ${d}]`) : undefined,
    dispatches: 0,
  };
}

/** Copies a batch's chunk [times, count] into the columns [first, first + count) of the whole chunk. */
function placeBatch(
  whole: TeacherStudentChunk,
  part: ChunkObservables,
  batch: { first: number; count: number },
  walkers: number,
  d: number,
): void {
  for (const key of ["overlap", "gradientNorm", "repeats", "repeatedPreactivation"] as const) {
    for (let t = 0; t < part.times.length; t++) {
      whole[key].set(part[key].subarray(t * batch.count, (t + 1) * batch.count), t * walkers + batch.first);
    }
  }
  if (part.weights) whole.weights!.set(part.weights, batch.first * d);
  whole.dispatches += part.dispatches;
}
