/**
 * The one run loop of every fused kernel (DESIGN.md section 3): a kernel that advances every walker (seed,
 * matrix) by many steps per dispatch, counts the steps each invocation completed, and is read back rarely.
 *
 * - {@linkcode planStepsPerDispatch}: steps per dispatch from the adapter's measured loop budget.
 * - {@linkcode runFused}: chunks the steps into dispatches, encodes them, flushes, reads the completed-step
 *   counters back (checked with `checkCompleted`) together with the caller's result ranges in one host wait,
 *   destroys its counters, and stops between host waits when an `AbortSignal` fires.
 * - {@linkcode planBatches}: splits walkers into batches whose buffers fit the device's `maxBufferSize` and
 *   `maxStorageBufferBindingSize`; a kernel whose random draws are addressed by the global walker index
 *   (Philox counter) gives the same results for any split.
 * - {@linkcode destroyBuffers}: the cleanup of a run's buffers.
 *
 * A research line reaches the GPU through a kernel wrapper and this file; it never plans dispatches or checks
 * counters itself.
 *
 * @module
 */
import type { GpuContext } from "./context.ts";
import { createBuffer, readBuffers, type ReadRange } from "./buffers.ts";
import { checkCompleted, maxStepsPerDispatch } from "./loop_budget.ts";
import type { CommandRecorder } from "./recorder.ts";

/** Where fused kernels run: a GPU context and the recorder whose pass they join (`Backend.gpuTarget`). */
export interface GpuTarget {
  gpu: GpuContext;
  recorder: CommandRecorder;
}

/** What {@linkcode planStepsPerDispatch} needs. */
export interface StepPlanOptions {
  /** What runs, for messages (e.g. `"teacher-student SGD"`). */
  what: string;
  /** Loop iterations one step costs one invocation (every loop counted). */
  iterationsPerStep: number;
  /** Loop iterations per dispatch outside the step loop. */
  fixedIterations?: number;
  /** Steps the whole run takes: no dispatch plans more. */
  totalSteps: number;
  /** The caller's cap (e.g. a config's `stepsPerDispatch`); the loop budget still caps it. */
  requested?: number;
  /** The name of the caller's cap, for messages (default `"stepsPerDispatch"`). */
  requestedName?: string;
}

/**
 * Steps per dispatch: the caller's request, capped by the loop budget and the run's length.
 *
 * @param gpu The GPU context (its measured loop limit).
 * @param o Loop trip counts, run length and the caller's cap.
 * @returns Steps per dispatch, an integer >= 1.
 * @throws {RangeError} When the request is not a positive integer or one step exceeds the budget.
 */
export function planStepsPerDispatch(
  gpu: GpuContext | { facts: { loopLimit: number } },
  o: StepPlanOptions,
): number {
  const cap = maxStepsPerDispatch(gpu, o.iterationsPerStep, o.fixedIterations ?? 0);
  const steps = Math.min(o.requested ?? cap, cap, Math.max(1, o.totalSteps));
  if (!Number.isInteger(steps) || steps < 1) {
    throw new RangeError(
      `Cannot run ${o.what}: ${o.requestedName ?? "stepsPerDispatch"} is ${steps}, must be an integer >= 1`,
    );
  }
  return steps;
}

/** One dispatch of a fused run, as {@linkcode FusedRunOptions.encode} receives it. */
export interface FusedDispatch {
  /** Global index of the dispatch's first step. */
  stepOffset: number;
  /** Steps in this dispatch. */
  steps: number;
  /** Row of `completed` the kernel writes its counters to (resets every `checkEvery` dispatches). */
  chunk: number;
  /** Index of this dispatch in the run (0, 1, ...). */
  index: number;
  /** The completed-step counters: `chunk * invocations + invocation`. */
  completed: GPUBuffer;
}

/** Options of {@linkcode runFused}. */
export interface FusedRunOptions extends GpuTarget {
  /** The kernel's label, for the shortfall message. */
  label: string;
  /** Invocations that each write a completed-step counter (walkers, seeds, matrices). */
  invocations: number;
  /** Global index of the first step (default 0). */
  firstStep?: number;
  /** Steps to run. */
  steps: number;
  /** Steps per dispatch (from {@linkcode planStepsPerDispatch}). */
  stepsPerDispatch: number;
  /** Dispatches between host checks of the counters (default: all, one host wait per run). */
  checkEvery?: number;
  /** Records one dispatch. */
  encode: (dispatch: FusedDispatch) => Promise<void> | void;
  /** Ranges read back with the last counters, in the same host wait. */
  readback?: ReadRange[];
  /** Stops the run between host waits (the caller's `finally` destroys its buffers). */
  signal?: AbortSignal;
}

/** Result of {@linkcode runFused}. */
export interface FusedRunResult {
  /** Dispatches recorded. */
  dispatches: number;
  /** The bytes of `readback`, in order. */
  readback: ArrayBuffer[];
}

/**
 * Runs a fused kernel for `steps` steps: dispatches of `stepsPerDispatch` steps, counters checked every
 * `checkEvery` dispatches, the caller's ranges read back with the last check.
 *
 * @param o The kernel's encoder, sizes and readback.
 * @returns Dispatches used and the read-back bytes.
 * @throws {IncompleteDispatchError} When an invocation completed fewer steps than asked.
 * @throws {DOMException} `AbortError` (the signal's reason) when `signal` fires.
 */
export async function runFused(o: FusedRunOptions): Promise<FusedRunResult> {
  const { gpu, recorder: rec, invocations, stepsPerDispatch: per } = o;
  const first = o.firstStep ?? 0;
  const dispatches = o.steps > 0 ? Math.ceil(o.steps / per) : 0;
  const checkEvery = Math.max(1, Math.min(o.checkEvery ?? dispatches, dispatches));
  o.signal?.throwIfAborted();
  const completed = createBuffer(
    gpu,
    Math.max(1, checkEvery * invocations) * 4,
    `${o.label} completed steps`,
  );
  try {
    let readback: ArrayBuffer[] = [];
    const stepsOf = (index: number) => Math.min(per, o.steps - index * per);
    for (let group = 0; group < dispatches || (group === 0 && dispatches === 0); group += checkEvery) {
      const end = Math.min(dispatches, group + checkEvery);
      for (let index = group; index < end; index++) {
        await o.encode({
          stepOffset: first + index * per,
          steps: stepsOf(index),
          chunk: index - group,
          index,
          completed,
        });
      }
      rec.flush();
      const last = end >= dispatches;
      const ranges: ReadRange[] = [{
        buffer: completed,
        byteLength: Math.max(1, end - group) * invocations * 4,
      }];
      if (last) ranges.push(...(o.readback ?? []));
      const [counts, ...rest] = await readBuffers(gpu, ranges);
      const done = new Uint32Array(counts);
      for (let index = group; index < end; index++) {
        const row = index - group;
        checkCompleted(o.label, done.subarray(row * invocations, (row + 1) * invocations), stepsOf(index));
      }
      if (last) {
        readback = rest;
        break;
      }
      o.signal?.throwIfAborted();
    }
    return { dispatches, readback };
  } finally {
    completed.destroy();
  }
}

/** Device limits that bound one buffer. */
export interface BufferLimits {
  maxBufferSize: number;
  maxStorageBufferBindingSize: number;
}

/** One batch of walkers: global index of the first and how many. */
export interface Batch {
  first: number;
  count: number;
}

/**
 * Splits `total` walkers into equal-size batches (the last may be smaller) so that no buffer of a batch
 * exceeds the device's limits.
 *
 * @param total Walkers (seeds, matrices) in all.
 * @param bytesPerWalker The bytes one walker adds to the run's largest per-walker buffer.
 * @param limits The device's limits (`gpu.device.limits`), or lower ones.
 * @param cap At most this many walkers per batch (e.g. a config's `walkersPerBatch`).
 * @returns Batches in order, covering [0, total).
 * @throws {RangeError} When one walker alone exceeds the limits.
 */
export function planBatches(
  total: number,
  bytesPerWalker: number,
  limits: BufferLimits,
  cap = Infinity,
): Batch[] {
  const limit = Math.min(limits.maxBufferSize, limits.maxStorageBufferBindingSize);
  const fit = Math.floor(limit / Math.max(1, bytesPerWalker));
  if (fit < 1) {
    throw new RangeError(
      `Cannot batch walkers: one walker needs ${bytesPerWalker} bytes in one buffer, more than the device's ` +
        `limit of ${limit} bytes (maxBufferSize, maxStorageBufferBindingSize)`,
    );
  }
  if (!(cap >= 1)) throw new RangeError(`Cannot batch walkers: walkersPerBatch is ${cap}, must be >= 1`);
  const size = Math.max(1, Math.min(fit, Math.floor(cap), total));
  const batches: Batch[] = [];
  for (let first = 0; first < total; first += size) {
    batches.push({ first, count: Math.min(size, total - first) });
  }
  return batches;
}

/** Destroys every buffer of a run (its `finally`). */
export function destroyBuffers(buffers: Record<string, GPUBuffer | undefined> | GPUBuffer[]): void {
  for (const b of Object.values(buffers)) b?.destroy();
}
