/**
 * Multi-walker SGD of a single-index student on teacher-student data: `evolution(...)` yields chunks.
 *
 * On webgpu one dispatch advances every walker by many steps
 * (kernels/teacher_student/teacher_student_sgd.wgsl), observables go into a GPU history buffer at the save
 * times and are read back once per chunk, together with the completed-step counters (checked) and, when
 * asked, a weight snapshot. On the reference backend the float64 loop (lib/teacher_student/sgd_reference.ts)
 * runs the same algorithm on the same Philox bits. Results do not depend on chunk lengths, steps per
 * dispatch, or on which walkers run together (walker k always reads counter walker `walkerOffset + k`).
 *
 * @module
 */
import type { Backend } from "../backend/backend.ts";
import { planBatches, planStepsPerDispatch } from "../gpu/fused_run.ts";
import { OBSERVABLES, teacherStudentSgdReference } from "./sgd_reference.ts";
import { bytesPerWalker, TeacherStudentBatch } from "./gpu_run.ts";
import { teacherStudentKernel } from "./kernel_choice.ts";
import { dotProduct } from "./init.ts";
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
  /** Weights [walkers, d] at the end of the chunk (last chunk, or every chunk with `snapshots`). */
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
 * @throws {RangeError | TypeError} On bad settings.
 * @throws {IncompleteDispatchError} If the adapter stopped a dispatch early.
 */
export async function* evolution(
  backend: Backend,
  config: TeacherStudentConfig,
): AsyncGenerator<TeacherStudentChunk> {
  const p = prepare(config);
  const { d, saveTimes, weights } = p, walkers = config.walkers, u = config.model.direction;
  const target = backend.gpuTarget;
  const initial = saveTimes[0] === 0 ? 1 : 0;
  let perDispatch = 0;
  // One kernel for every batch: "auto" decides from all walkers, so batches give the same results.
  const kernel = target ? teacherStudentKernel(target.gpu, config.kernel, walkers, d) : null;
  const batches: { first: number; count: number; run: TeacherStudentBatch }[] = [];
  const f32u = Float64Array.from(Float32Array.from(u));
  const uu = dotProduct(f32u, f32u);
  const state = Float64Array.from({ length: 2 * walkers }, (_, i) => (i % 2 ? NaN : 0));
  const w0 = Float64Array.from(weights); // the reference loop updates `weights` in place
  let saveIndex = initial;
  try {
    if (target && kernel) {
      const it = kernel.iterations(d);
      perDispatch = planStepsPerDispatch(target.gpu, {
        what: "teacher-student SGD",
        iterationsPerStep: it.perStep,
        fixedIterations: it.fixed,
        totalSteps: Infinity,
        requested: config.stepsPerDispatch,
      });
      const split = planBatches(
        walkers,
        bytesPerWalker(d, saveTimes.length),
        target.gpu.device.limits,
        config.walkersPerBatch,
      );
      for (const { first, count } of split) {
        const rows = weights.subarray(first * d, (first + count) * d);
        batches.push({
          first,
          count,
          run: new TeacherStudentBatch(target, kernel, u, rows, count, saveTimes),
        });
      }
    }
    for (let start = 0; start < config.steps; start += p.chunkSteps) {
      config.signal?.throwIfAborted();
      const end = Math.min(config.steps, start + p.chunkSteps);
      let saveEnd = saveIndex;
      while (saveEnd < saveTimes.length && saveTimes[saveEnd] <= end) saveEnd++;
      const times = saveTimes.slice(saveIndex, saveEnd);
      const slots = times.length;
      const history = new Float64Array(slots * 4 * walkers);
      let dispatches = 0;
      let finalWeights: Float64Array | undefined;
      const wantWeights = config.snapshots === true || end === config.steps;
      const common = {
        model: config.model.params,
        seed: config.model.seed,
        walkers,
        walkerOffset: p.walkerOffset,
        sampling: p.sampling,
        sharedSample: config.sharedSample ?? false,
        pRepeat: p.pRepeat,
        datasetSize: p.datasetSize,
        settings: p.settings,
        normalize: config.normalize ?? true,
      };
      if (batches.length === 0) {
        teacherStudentSgdReference({
          ...common,
          direction: u,
          weights,
          stepOffset: start,
          steps: end - start,
          saveTimes: times,
          history,
          state,
        });
        if (wantWeights) finalWeights = Float64Array.from(weights);
      } else {
        if (wantWeights) finalWeights = new Float64Array(walkers * d);
        for (const batch of batches) {
          const part = await batch.run.runChunk({
            start,
            end,
            stepsPerDispatch: perDispatch,
            saveTimes,
            saveIndex,
            saveEnd,
            common: { ...common, walkers: batch.count, walkerOffset: p.walkerOffset + batch.first },
            uu,
            wantWeights,
            signal: config.signal,
          });
          dispatches += part.dispatches;
          // history rows are [slot, observable, walker]: place the batch's walkers in their columns.
          for (let row = 0; row < slots * 4; row++) {
            history.set(
              part.history.subarray(row * batch.count, (row + 1) * batch.count),
              row * walkers + batch.first,
            );
          }
          if (part.weights) finalWeights!.set(part.weights, batch.first * d);
        }
      }
      const chunk = splitHistory(history, times, walkers);
      if (start === 0 && initial) prependInitial(chunk, w0, u, walkers);
      yield { ...chunk, stepsDone: end, weights: finalWeights, dispatches };
      saveIndex = saveEnd;
    }
  } finally {
    for (const batch of batches) batch.run.destroy();
  }
}

/** Runs {@linkcode evolution} to the end and concatenates the chunks. */
export async function runTeacherStudent(
  backend: Backend,
  config: TeacherStudentConfig,
): Promise<Omit<TeacherStudentChunk, "stepsDone"> & { weights: Float64Array }> {
  const parts: TeacherStudentChunk[] = [];
  for await (const chunk of evolution(backend, config)) parts.push(chunk);
  const cat = (key: "overlap" | "gradientNorm" | "repeats" | "repeatedPreactivation") => {
    const out = new Float64Array(parts.reduce((n, c) => n + c[key].length, 0));
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
    weights: parts[parts.length - 1].weights!,
    dispatches: parts.reduce((n, c) => n + c.dispatches, 0),
  };
}

function splitHistory(history: Float64Array, times: number[], walkers: number) {
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

function prependInitial(
  chunk: ReturnType<typeof splitHistory>,
  w0: Float64Array,
  u: Float64Array,
  walkers: number,
): void {
  const d = u.length;
  const m0 = Float64Array.from({ length: walkers }, (_, k) => {
    const w = w0.subarray(k * d, (k + 1) * d);
    return dotProduct(w, u) / Math.sqrt(dotProduct(w, w));
  });
  const pre = (a: Float64Array, first: Float64Array) => {
    const out = new Float64Array(a.length + walkers);
    out.set(first);
    out.set(a, walkers);
    return out;
  };
  chunk.times = [0, ...chunk.times];
  chunk.overlap = pre(chunk.overlap, m0);
  chunk.gradientNorm = pre(chunk.gradientNorm, new Float64Array(walkers).fill(NaN));
  chunk.repeats = pre(chunk.repeats, new Float64Array(walkers));
  chunk.repeatedPreactivation = pre(chunk.repeatedPreactivation, new Float64Array(walkers).fill(NaN));
}
