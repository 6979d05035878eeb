/**
 * The webgpu side of the teacher-student trainer (lib/teacher_student/trainer.ts): one batch of walkers on the
 * fused kernel, its buffers kept on the GPU between chunks, each chunk run through the one fused-run helper
 * (lib/gpu/fused_run.ts), and the kernel's block-major row layout.
 *
 * Walkers are split into batches whose buffers fit the device's limits; walker k of a batch reads Philox counter
 * walker `walkerOffset + first + k`, so results do not depend on the split (with one kernel for all batches).
 *
 * @module
 */
import type { GpuTarget } from "../gpu/fused_run.ts";
import { createBuffer, uploadBuffer } from "../gpu/buffers.ts";
import { destroyBuffers, runFused } from "../gpu/fused_run.ts";
import type {
  TeacherStudentBuffers,
  TeacherStudentSgdArgs,
} from "../../kernels/teacher_student/teacher_student_sgd.ts";
import type { TeacherStudentKernelVariant } from "./kernel_choice.ts";

/** The per-dispatch arguments every batch shares (walkers and walkerOffset are the batch's own). */
export type BatchCommon = Omit<
  TeacherStudentSgdArgs,
  "buffers" | "d" | "steps" | "stepOffset" | "chunk" | "uu" | "saveNext" | "saveEnd" | "saveBase"
>;

/** One chunk of one batch: the history rows [slots, 4, walkers] and, when asked, the weights [walkers, d]. */
export interface BatchChunk {
  history: Float32Array;
  weights?: Float64Array;
  dispatches: number;
}

/** Bytes one walker adds to the largest per-walker buffer of a run (for `planBatches`). */
export function bytesPerWalker(d: number, saveTimes: number): number {
  return Math.max(Math.ceil(d / 4) * 16, Math.max(1, saveTimes) * 16);
}

/** A batch of walkers living on the GPU for the whole run. */
export class TeacherStudentBatch {
  readonly #target: GpuTarget;
  readonly #kernel: TeacherStudentKernelVariant;
  readonly #buffers: Omit<TeacherStudentBuffers, "completed">;
  readonly #d: number;
  readonly #walkers: number;

  /**
   * Uploads the batch's teacher, weights and walker state.
   *
   * @param target The GPU and recorder.
   * @param kernel The fused kernel (the same for every batch).
   * @param u The teacher direction [d].
   * @param weights The batch's initial weights [walkers, d].
   * @param walkers Walkers in the batch.
   * @param saveTimes All save times of the run.
   */
  constructor(
    target: GpuTarget,
    kernel: TeacherStudentKernelVariant,
    u: ArrayLike<number>,
    weights: ArrayLike<number>,
    walkers: number,
    saveTimes: readonly number[],
  ) {
    const d = u.length, gpu = target.gpu;
    this.#target = target;
    this.#kernel = kernel;
    this.#d = d;
    this.#walkers = walkers;
    this.#buffers = {
      teacher: uploadBuffer(gpu, toBlocks(u, 1, d), "teacher direction"),
      weights: uploadBuffer(gpu, toBlocks(weights, walkers, d), "walker weights"),
      scratch: createBuffer(gpu, Math.ceil(d / 4) * walkers * 16, "sample scratch"),
      saveTimes: uploadBuffer(gpu, Uint32Array.from(saveTimes.length ? saveTimes : [0]), "save times"),
      history: createBuffer(gpu, Math.max(1, saveTimes.length) * 4 * walkers * 4, "observable history"),
      // Per walker: repeats since the last save, last repeated preactivation, scale r, unused.
      state: uploadBuffer(
        gpu,
        Float32Array.from({ length: 4 * walkers }, (_, i) => [0, NaN, 1, 0][i % 4]),
        "walker state",
      ),
    };
  }

  /**
   * Runs steps [start, end) and reads back the chunk's history (and weights when asked) in one host wait.
   *
   * @param o Steps, save-time indices, per-dispatch arguments, the uu of the float32 teacher.
   * @returns History rows of the chunk's save slots, weights, dispatches.
   * @throws {IncompleteDispatchError} If the adapter stopped a dispatch early.
   */
  async runChunk(o: {
    start: number;
    end: number;
    stepsPerDispatch: number;
    saveTimes: readonly number[];
    saveIndex: number;
    saveEnd: number;
    common: BatchCommon;
    uu: number;
    wantWeights: boolean;
    signal?: AbortSignal;
  }): Promise<BatchChunk> {
    const { gpu, recorder } = this.#target, walkers = this.#walkers, d = this.#d, b = this.#buffers;
    const slots = o.saveEnd - o.saveIndex;
    const readback = [{ buffer: b.history, byteLength: Math.max(1, slots * 4 * walkers) * 4 }];
    if (o.wantWeights) {
      readback.push({ buffer: b.weights, byteLength: Math.ceil(d / 4) * walkers * 16 });
      readback.push({ buffer: b.state, byteLength: walkers * 16 });
    }
    const run = await runFused({
      gpu,
      recorder,
      label: this.#kernel.label,
      invocations: walkers,
      firstStep: o.start,
      steps: o.end - o.start,
      stepsPerDispatch: o.stepsPerDispatch,
      signal: o.signal,
      encode: (at) => {
        let next = o.saveIndex;
        while (next < o.saveEnd && o.saveTimes[next] <= at.stepOffset) next++;
        return this.#kernel.encode(recorder, {
          ...o.common,
          buffers: { ...b, completed: at.completed },
          d,
          steps: at.steps,
          stepOffset: at.stepOffset,
          chunk: at.chunk,
          uu: o.uu,
          saveNext: next,
          saveEnd: o.saveEnd,
          saveBase: o.saveIndex,
        });
      },
      readback,
    });
    const [h, w, carried] = run.readback;
    let weights: Float64Array | undefined;
    if (w) {
      // The kernel stores unnormalised rows and carries their scale r (state[k].z).
      weights = fromBlocks(new Float32Array(w), walkers, d);
      const scale = new Float32Array(carried);
      for (let k = 0; k < walkers; k++) {
        for (let i = 0; i < d; i++) weights[k * d + i] *= scale[4 * k + 2];
      }
    }
    return {
      history: new Float32Array(h).subarray(0, slots * 4 * walkers),
      weights,
      dispatches: run.dispatches,
    };
  }

  /** Destroys the batch's buffers. */
  destroy(): void {
    destroyBuffers(this.#buffers);
  }
}

/** Row-major [rows, d] to the kernel's block-major vec4 layout [ceil(d / 4), rows, 4]. */
export function toBlocks(values: ArrayLike<number>, rows: number, d: number): Float32Array {
  const blocks = Math.ceil(d / 4), out = new Float32Array(blocks * rows * 4);
  for (let r = 0; r < rows; r++) {
    for (let i = 0; i < d; i++) out[((i >> 2) * rows + r) * 4 + (i & 3)] = values[r * d + i];
  }
  return out;
}

/** The inverse of {@linkcode toBlocks}. */
export function fromBlocks(values: Float32Array, rows: number, d: number): Float64Array {
  const out = new Float64Array(rows * d);
  for (let r = 0; r < rows; r++) {
    for (let i = 0; i < d; i++) out[r * d + i] = values[((i >> 2) * rows + r) * 4 + (i & 3)];
  }
  return out;
}
