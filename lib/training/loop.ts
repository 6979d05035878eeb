/**
 * The training loop shared by scripts and research lines: model + loss + data stream + optimizer (+ its
 * schedule) + callbacks at a cadence, with batch losses kept on the backend and read in chunks, checkpoints
 * that resume bit for bit (parameters, optimizer state, step; the data order is a function of the step),
 * metrics rows, a progress bar, and a clear stop on a NaN or infinite loss that keeps the last good checkpoint.
 *
 * Per step the loop records evaluate (loss and gradient into fixed tensors), a copy of the loss into the
 * history and the optimizer's fused update; it waits for the GPU only when the history is full
 * (`historyChunk` steps), when a callback or checkpoint is due, and at the end.
 *
 * @example
 * ```ts ignore
 * const result = await runTrainingLoop({ model, params, optimizer, data, steps: 1000, logEvery: 100 });
 * ```
 *
 * @module
 */
import type { Backend } from "../backend/backend.ts";
import type { Tensor } from "../backend/tensor.ts";
import { type CheckpointState, type FingerprintValue, saveCheckpoint } from "../checkpoint.ts";
import type { MetricsRow, MetricsWriter } from "../io/metrics.ts";
import type { EvaluateOptions, EvaluateResult } from "../models/evaluate_options.ts";
import type { ParameterLayout } from "../models/parameters.ts";
import type { ParameterOptimizer } from "../optim/optimizer.ts";
import type { Progress } from "../progress.ts";
import type { DataStream } from "./data_stream.ts";
import { LossHistory } from "./loss_history.ts";

/** What the loop needs of a model (`Mlp` and `Cnn` provide it). */
export interface TrainableModel {
  readonly backend: Backend;
  readonly layout: ParameterLayout;
  evaluate(params: Tensor, x: Tensor, y: Tensor, options?: EvaluateOptions): Promise<EvaluateResult>;
}

/** What a callback sees. */
export interface TrainingContext {
  /** Steps completed. */
  step: number;
  params: Tensor;
  model: TrainableModel;
  optimizer: ParameterOptimizer;
  /** Every batch loss so far (read back before the callback runs). */
  losses: readonly number[];
}

/** Work run every `every` steps (evaluate, measure, log); numbers it returns become a metrics row. */
export interface TrainingCallback {
  every: number;
  run(context: TrainingContext): Promise<MetricsRow | void> | MetricsRow | void;
}

/** Checkpoint settings of the loop. */
export interface LoopCheckpoint {
  /** The file (conventionally `<run>/checkpoint.ckpt`). */
  path: string;
  /** Steps between checkpoints (one is also written at the end). */
  every: number;
  /** The kind recorded in the file. */
  kind: string;
  /** Settings a resumed run must share (the optimizer's are added). */
  fingerprint: Record<string, FingerprintValue>;
}

/** Settings of {@linkcode runTrainingLoop}. */
export interface TrainingLoopOptions {
  model: TrainableModel;
  /** Flat parameters, trained in place. */
  params: Tensor;
  optimizer: ParameterOptimizer;
  data: DataStream;
  /** Total steps (a resumed run continues up to it). */
  steps: number;
  /** Steps between `batchLoss` metrics rows and `onLog` calls (0: none); the last step is always logged. */
  logEvery?: number;
  /** Losses kept on the backend between readbacks (default 500). */
  historyChunk?: number;
  callbacks?: readonly TrainingCallback[];
  /** Called with each logged row when its chunk is read (after the fact, in step order). */
  onLog?: (row: { step: number; batchLoss: number }) => void;
  metrics?: MetricsWriter;
  progress?: Progress;
  checkpoint?: LoopCheckpoint;
  /** A checkpoint written by this loop (see {@linkcode checkpointFingerprint}) to continue from. */
  resume?: CheckpointState;
  /** Stops early (after a checkpoint) once `signal` is set. */
  stop?: { readonly signal: Deno.Signal | null };
}

/** What a loop did. */
export interface TrainingLoopResult {
  /** Steps completed. */
  step: number;
  /** "complete", or "stopped" on a stop request. */
  status: "complete" | "stopped";
  /** Every batch loss from step 0 (including those before a resume). */
  losses: Float64Array;
  /** Wall seconds of this process's steps (up to the last readback). */
  seconds: number;
  /** Host waits the loop itself spent (loss chunks, checkpoints). */
  hostWaits: number;
}

/** Thrown when a loss or a parameter is NaN or infinite: the run stops, the last good checkpoint is kept. */
export class TrainingDivergedError extends Error {
  /** The step whose loss (or whose parameters) was not finite. */
  readonly step: number;
  /** @param message Full message; @param step The step. */
  constructor(message: string, step: number) {
    super(message);
    this.name = "TrainingDivergedError";
    this.step = step;
  }
}

/** The fingerprint a checkpoint of this loop carries: the caller's settings plus the optimizer's. */
export function checkpointFingerprint(
  options: Pick<TrainingLoopOptions, "checkpoint" | "optimizer" | "model">,
): Record<string, FingerprintValue> {
  return {
    ...options.checkpoint?.fingerprint,
    ...options.optimizer.describe(),
    parameters: options.model.layout.count,
    backend: options.model.backend.name,
  };
}

function checkOptions(o: TrainingLoopOptions): void {
  const integer = (name: string, v: number | undefined, min: number) => {
    if (v !== undefined && !(Number.isInteger(v) && v >= min)) {
      throw new RangeError(`Cannot run training loop: ${name} is ${v}, must be an integer >= ${min}`);
    }
  };
  integer("steps", o.steps, 1);
  integer("logEvery", o.logEvery, 0);
  integer("historyChunk", o.historyChunk, 1);
  integer("checkpoint.every", o.checkpoint?.every, 1);
  o.callbacks?.forEach((c, k) => integer(`callbacks[${k}].every`, c.every, 1));
  o.model.layout.check(o.params);
  if (o.optimizer.layout.count !== o.model.layout.count) {
    throw new RangeError(
      `Cannot run training loop: the optimizer has ${o.optimizer.layout.count} parameters, the model ${o.model.layout.count}`,
    );
  }
}

/**
 * Trains `params` for `steps` steps (or from a checkpoint up to `steps`).
 *
 * @param options Model, parameters, optimizer, data, steps, cadences, checkpoint, resume state.
 * @returns Steps done, status, all batch losses, seconds, host waits.
 * @throws {TrainingDivergedError} On a NaN or infinite loss or parameter (no checkpoint is written after it).
 * @throws {RangeError} On bad settings or a checkpoint that does not fit.
 */
export async function runTrainingLoop(options: TrainingLoopOptions): Promise<TrainingLoopResult> {
  checkOptions(options);
  const { model, params, optimizer, data, steps } = options;
  const backend = model.backend, logEvery = options.logEvery ?? 0;
  let losses: number[] = [], start = 0, hostWaits = 0, lastCheckpoint = "none";
  if (options.resume) {
    const r = options.resume;
    const saved = r.arrays.params?.data;
    if (!saved || saved.length !== model.layout.count) {
      throw new RangeError(`Cannot resume training loop: the checkpoint has no parameters of this layout`);
    }
    const restored = backend.tensor(saved as Float32Array | Float64Array, [model.layout.count]);
    await backend.copy(restored, params);
    backend.dispose(restored);
    const arrays: Record<string, Float32Array | Float64Array> = {};
    for (const [name, { data: values }] of Object.entries(r.arrays)) {
      if (name.startsWith("optimizer.")) arrays[name.slice(10)] = values as Float32Array | Float64Array;
    }
    optimizer.importState({ step: r.counters.optimizerStep, arrays });
    losses = Array.from(r.arrays.losses?.data ?? []);
    start = r.step;
    if (losses.length !== start) {
      throw new RangeError(`Cannot resume training loop: ${losses.length} losses for step ${start}`);
    }
    lastCheckpoint = `${options.checkpoint?.path ?? "the checkpoint"} (step ${start})`;
  }
  const history = new LossHistory(backend, Math.min(options.historyChunk ?? 500, steps));
  const loss = backend.zeros([1]), gradient = backend.zeros([model.layout.count]);
  const t0 = performance.now();
  let tEnd = t0;
  const result = (step: number, status: TrainingLoopResult["status"]): TrainingLoopResult => ({
    step,
    status,
    losses: Float64Array.from(losses),
    seconds: (tEnd - t0) / 1000,
    hostWaits,
  });

  const drain = async () => {
    if (history.pending === 0) return;
    const { firstStep, losses: chunk } = await history.drain();
    hostWaits++;
    tEnd = performance.now();
    chunk.forEach((value, k) => {
      const step = firstStep + k;
      if (!Number.isFinite(value)) {
        throw new TrainingDivergedError(
          `Training diverged: the batch loss at step ${step} is ${value}; stopped without writing a checkpoint ` +
            `after it (last good checkpoint: ${lastCheckpoint})`,
          step,
        );
      }
      losses.push(value);
      if (logEvery > 0 && (step % logEvery === 0 || step === steps - 1)) {
        const row = { step, batchLoss: value };
        options.metrics?.write(row);
        options.onLog?.(row);
      }
    });
  };

  const writeCheckpoint = async (step: number) => {
    const c = options.checkpoint!;
    const [values, state] = await Promise.all([backend.read(params), optimizer.exportState()]);
    hostWaits++;
    const bad = values.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) {
      throw new TrainingDivergedError(
        `Training diverged: parameter ${bad} is ${values[bad]} after step ${
          step - 1
        }; stopped without writing a ` +
          `checkpoint (last good checkpoint: ${lastCheckpoint})`,
        step - 1,
      );
    }
    const arrays: CheckpointState["arrays"] = {
      params: { data: (values as Float32Array | Float64Array).slice(), shape: [model.layout.count] },
      losses: { data: Float64Array.from(losses), shape: [losses.length] },
    };
    for (const [name, v] of Object.entries(state.arrays)) {
      arrays[`optimizer.${name}`] = { data: v, shape: [v.length] };
    }
    await saveCheckpoint(c.path, {
      kind: c.kind,
      step,
      fingerprint: checkpointFingerprint(options),
      arrays,
      counters: { optimizerStep: state.step },
    });
    lastCheckpoint = `${c.path} (step ${step})`;
  };

  try {
    for (let step = start; step < steps; step++) {
      const batch = await data.batch(step);
      await model.evaluate(params, batch.x, batch.y, {
        gradient: true,
        rows: batch.rows,
        into: { loss, gradient },
      });
      if (history.full) await drain();
      history.record(loss, step);
      await optimizer.step(params, gradient, loss);
      options.progress?.tick();
      const done = step + 1;
      const due = (options.callbacks ?? []).filter((c) => done % c.every === 0);
      const checkpointDue = options.checkpoint && (done % options.checkpoint.every === 0 || done === steps);
      if (due.length > 0 || checkpointDue) await drain();
      for (const callback of due) {
        const row = await callback.run({ step: done, params, model, optimizer, losses });
        if (row) options.metrics?.write({ step: done, ...row });
      }
      const stopping = options.stop?.signal != null; // seen after this step's callbacks
      if (stopping) await drain();
      if (checkpointDue || (stopping && options.checkpoint)) await writeCheckpoint(done);
      if (stopping && done < steps) return result(done, "stopped");
    }
    await drain();
    return result(steps, "complete");
  } finally {
    history.dispose();
    backend.dispose(loss, gradient);
  }
}

/**
 * Drops the metrics rows a run resumed at `step` writes again (identically): batch losses of steps >= `step`
 * (a batch loss row's step is the 0-based index of its step) and other rows after `step` (steps completed).
 *
 * @param path The metrics.jsonl file.
 * @param step The checkpoint's step.
 */
export async function truncateMetrics(path: string, step: number): Promise<void> {
  let text = "";
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return;
    throw error;
  }
  const kept = text.split("\n").filter((line) => line.trim() !== "").filter((line) => {
    try {
      const row = JSON.parse(line);
      return row.step < step || (row.step === step && !("batchLoss" in row));
    } catch {
      return false; // a torn last line of an interrupted write
    }
  });
  await Deno.writeTextFile(`${path}.tmp`, kept.map((l) => l + "\n").join(""));
  await Deno.rename(`${path}.tmp`, path);
}
