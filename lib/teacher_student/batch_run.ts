/**
 * One batch of walkers of the teacher-student trainer (lib/teacher_student/trainer.ts), run from its first
 * step to its last before the next batch starts: its initial weights drawn for its walkers only, every chunk
 * on the fused kernel (lib/teacher_student/gpu_run.ts) or the float64 loop (lib/teacher_student/
 * sgd_reference.ts), and the observables of each chunk handed back as [times, walkers of the batch].
 *
 * Walker k of a batch reads Philox counter walker `walkerOffset + first + k` (initial weights, samples), so a
 * batch's results do not depend on which other walkers run, nor on how many batches there are.
 *
 * @module
 */
import type { GpuTarget } from "../gpu/fused_run.ts";
import type { Batch } from "../gpu/fused_run.ts";
import { OBSERVABLES, teacherStudentSgdReference } from "./sgd_reference.ts";
import { TeacherStudentBatch } from "./gpu_run.ts";
import type { TeacherStudentKernelVariant } from "./kernel_choice.ts";
import { dotProduct } from "./init.ts";
import type { prepare, TeacherStudentConfig } from "./trainer_config.ts";

/** The steps and save slots of one chunk of a run. */
export interface ChunkPlan {
  /** Global index of the chunk's first step, and one past its last. */
  start: number;
  end: number;
  /** The chunk's save slots are `saveTimes[saveIndex .. saveEnd)`. */
  saveIndex: number;
  saveEnd: number;
  /** Return the weights at the end of the chunk. */
  wantWeights: boolean;
}

/** The observables of one chunk, [times, walkers] each, and the weights [walkers, d] when asked. */
export interface ChunkObservables {
  times: number[];
  overlap: Float64Array;
  gradientNorm: Float64Array;
  repeats: Float64Array;
  repeatedPreactivation: Float64Array;
  weights?: Float64Array;
  dispatches: number;
}

/** Everything a batch needs that is the same for every batch of a run. */
export interface BatchRunPlan {
  config: TeacherStudentConfig;
  prepared: ReturnType<typeof prepare>;
  chunks: ChunkPlan[];
  /** The fused kernel, its GPU and steps per dispatch; undefined on the reference backend. */
  gpu?: { target: GpuTarget; kernel: TeacherStudentKernelVariant; stepsPerDispatch: number };
}

/**
 * Splits `[0, steps)` into chunks of `chunkSteps` steps with the save slots that fall in each.
 *
 * @param o Steps, chunk length, save times, whether every chunk returns weights and whether the last does.
 * @returns The chunks in order.
 */
export function planChunks(o: {
  steps: number;
  chunkSteps: number;
  saveTimes: readonly number[];
  snapshots: boolean;
  finalWeights: boolean;
}): ChunkPlan[] {
  const chunks: ChunkPlan[] = [];
  let saveIndex = o.saveTimes[0] === 0 ? 1 : 0;
  for (let start = 0; start < o.steps; start += o.chunkSteps) {
    const end = Math.min(o.steps, start + o.chunkSteps);
    let saveEnd = saveIndex;
    while (saveEnd < o.saveTimes.length && o.saveTimes[saveEnd] <= end) saveEnd++;
    chunks.push({
      start,
      end,
      saveIndex,
      saveEnd,
      wantWeights: o.snapshots || (end === o.steps && o.finalWeights),
    });
    saveIndex = saveEnd;
  }
  return chunks;
}

/**
 * Runs one batch of walkers through every chunk of the run.
 *
 * @param plan The run's settings, chunks and kernel.
 * @param batch Global index of the batch's first walker (within the run) and how many.
 * @yields One {@linkcode ChunkObservables} of the batch's walkers per chunk.
 * @throws {IncompleteDispatchError} If the adapter stopped a dispatch early.
 */
export async function* runWalkerBatch(plan: BatchRunPlan, batch: Batch): AsyncGenerator<ChunkObservables> {
  const { config, prepared: p, gpu } = plan, count = batch.count, u = config.model.direction;
  let rows: Float64Array | undefined = p.initialRows(batch.first, count);
  const initialOverlap = p.saveTimes[0] === 0 ? overlaps(rows, u, count) : undefined;
  const common = {
    model: config.model.params,
    seed: config.model.seed,
    walkers: count,
    walkerOffset: p.walkerOffset + batch.first,
    sampling: p.sampling,
    sharedSample: config.sharedSample ?? false,
    pRepeat: p.pRepeat,
    datasetSize: p.datasetSize,
    settings: p.settings,
    normalize: config.normalize ?? true,
  };
  let onGpu: TeacherStudentBatch | undefined;
  // Reference backend: per walker, repeats since the last save and the last repeated preactivation.
  const state = Float64Array.from({ length: gpu ? 0 : 2 * count }, (_, i) => (i % 2 ? NaN : 0));
  try {
    let uu = 0;
    if (gpu) {
      onGpu = new TeacherStudentBatch(gpu.target, gpu.kernel, u, rows, count, p.saveTimes);
      rows = undefined; // uploaded: the host copy is not needed any more
      const f32u = Float64Array.from(Float32Array.from(u));
      uu = dotProduct(f32u, f32u);
    }
    for (const chunk of plan.chunks) {
      config.signal?.throwIfAborted();
      const times = p.saveTimes.slice(chunk.saveIndex, chunk.saveEnd);
      let history: Float32Array | Float64Array, weights: Float64Array | undefined, dispatches = 0;
      if (onGpu) {
        const part = await onGpu.runChunk({
          start: chunk.start,
          end: chunk.end,
          stepsPerDispatch: gpu!.stepsPerDispatch,
          saveTimes: p.saveTimes,
          saveIndex: chunk.saveIndex,
          saveEnd: chunk.saveEnd,
          common,
          uu,
          wantWeights: chunk.wantWeights,
          signal: config.signal,
        });
        ({ history, weights, dispatches } = part);
      } else {
        history = new Float64Array(times.length * 4 * count);
        teacherStudentSgdReference({
          ...common,
          direction: u,
          weights: rows!,
          stepOffset: chunk.start,
          steps: chunk.end - chunk.start,
          saveTimes: times,
          history,
          state,
        });
        if (chunk.wantWeights) weights = Float64Array.from(rows!);
      }
      const observables = splitHistory(history, times, count);
      if (chunk.start === 0 && initialOverlap) prependInitial(observables, initialOverlap, count);
      yield { ...observables, weights, dispatches };
    }
  } finally {
    onGpu?.destroy();
  }
}

/** m = w.u / |w| of each row of `weights` [walkers, d]. */
function overlaps(weights: Float64Array, u: Float64Array, walkers: number): Float64Array {
  const d = u.length;
  return Float64Array.from({ length: walkers }, (_, k) => {
    const w = weights.subarray(k * d, (k + 1) * d);
    return dotProduct(w, u) / Math.sqrt(dotProduct(w, w));
  });
}

/** History rows [slot, observable, walker] to one [times, walkers] array per observable. */
function splitHistory(history: Float32Array | Float64Array, times: number[], walkers: number) {
  const part = (q: number) => {
    const out = new Float64Array(times.length * walkers);
    for (let t = 0; t < times.length; t++) {
      out.set(history.subarray((t * 4 + q) * walkers, (t * 4 + q + 1) * walkers), t * walkers);
    }
    return out;
  };
  const [overlap, gradientNorm, repeats, repeatedPreactivation] = OBSERVABLES.map((_, q) => part(q));
  return { times, overlap, gradientNorm, repeats, repeatedPreactivation };
}

/** Puts save time 0 first: the initial overlap, no gradient, no repeats. */
function prependInitial(
  chunk: ReturnType<typeof splitHistory>,
  initialOverlap: Float64Array,
  walkers: number,
): void {
  const pre = (a: Float64Array, first: Float64Array) => {
    const out = new Float64Array(a.length + walkers);
    out.set(first);
    out.set(a, walkers);
    return out;
  };
  chunk.times = [0, ...chunk.times];
  chunk.overlap = pre(chunk.overlap, initialOverlap);
  chunk.gradientNorm = pre(chunk.gradientNorm, new Float64Array(walkers).fill(NaN));
  chunk.repeats = pre(chunk.repeats, new Float64Array(walkers));
  chunk.repeatedPreactivation = pre(chunk.repeatedPreactivation, new Float64Array(walkers).fill(NaN));
}
