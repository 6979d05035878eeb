/**
 * A long linear-regression SGD run (./linear_regression_sgd.ts) in a run directory (lib/io/run_dir.ts): the
 * checkpointed segments, resuming from the last checkpoint, and the final arrays. The workflow of
 * scripts/train_linear_regression.ts, in three steps:
 *
 * 1. {@linkcode resumeLinearRegressionState}: a resumed run's state from `checkpoint.ckpt` (none when the run
 *    stopped before its first checkpoint), with the metrics rows after it dropped (they are recomputed).
 * 2. {@linkcode runLinearRegressionSegments}: steps in slices of ~1 s, a checkpoint every `checkpointEvery`
 *    steps and on a stop request, one metrics row (mean/min/max error) per record, stopping at the first
 *    non-finite mean error.
 * 3. {@linkcode writeLinearRegressionResults}: `errors.npy`, `weights.npy`, `record_steps.npy`, then
 *    `done.json`, or `failed.json` when the errors diverged.
 *
 * The Philox counter is the step, so a resumed run is bit-identical to an uninterrupted one, and results do
 * not depend on the slicing.
 *
 * @module
 */
import type { Backend } from "../backend/backend.ts";
import { type CheckpointState, loadCheckpoint, saveCheckpoint, type StopRequest } from "../checkpoint.ts";
import { RunFailedError } from "../exit_codes.ts";
import { readMetrics } from "../io/metrics.ts";
import type { RunDir } from "../io/run_dir.ts";
import type { Progress } from "../progress.ts";
import {
  type LinearRegressionSgdConfig,
  type LinearRegressionSgdState,
  runLinearRegressionSgd,
} from "./linear_regression_sgd.ts";

/** The settings of a run in a run directory (all recorded in its config.json). */
export interface LinearRegressionRunConfig {
  d: number;
  walkers: number;
  steps: number;
  learningRate: number;
  seed: number;
  recordEvery: number;
  /** Steps between checkpoints (also the unit of work between progress updates). */
  checkpointEvery: number;
}

/** The checkpoint's kind. */
const KIND = "linear_regression_sgd";

/** Steps per submitted slice: about 5e7 walker-dimension-steps (~1 s on the CPU adapter). */
function sliceSteps(config: { walkers: number; d: number }): number {
  return Math.max(1, Math.floor(5e7 / (config.walkers * config.d)));
}

/** The checkpoint's fingerprint: every setting that changes the numbers, and the backend. */
function fingerprintOf(c: LinearRegressionRunConfig, backend: Backend) {
  return {
    d: c.d,
    walkers: c.walkers,
    steps: c.steps,
    learningRate: c.learningRate,
    seed: c.seed,
    recordEvery: c.recordEvery,
    backend: backend.name,
  };
}

/**
 * The state a resumed run continues from: its checkpoint's (undefined when there is none: it starts again
 * from step 0, with the same result), with the metrics rows written after it dropped. Says on stderr which.
 *
 * @param run The run directory.
 * @param config Its settings.
 * @param backend The backend it runs on (part of the checkpoint's fingerprint).
 * @param name The script's name, for the messages.
 * @returns The state at the checkpoint, or undefined.
 * @throws {CheckpointError} On a corrupt or mismatched checkpoint.
 */
export async function resumeLinearRegressionState(
  run: RunDir,
  config: LinearRegressionRunConfig,
  backend: Backend,
  name: string,
): Promise<LinearRegressionSgdState | undefined> {
  const records = Math.floor(config.steps / config.recordEvery);
  let saved: CheckpointState | null = null;
  try {
    await Deno.stat(run.file("checkpoint.ckpt"));
    saved = await loadCheckpoint(run.file("checkpoint.ckpt"), {
      kind: KIND,
      fingerprint: fingerprintOf(config, backend),
      shapes: { weights: [config.walkers, config.d], errors: [config.walkers, records] },
    });
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  const state = saved
    ? {
      step: saved.step,
      weights: saved.arrays.weights.data as Float32Array | Float64Array,
      errors: saved.arrays.errors.data as Float32Array | Float64Array,
    }
    : undefined;
  // Rows written after the checkpoint are recomputed (identically): drop them.
  const step = state?.step ?? 0;
  const allRows = await readMetrics(run.file("metrics.jsonl"));
  const rows = allRows.filter((r) => (r.step as number) <= step);
  if (!saved) {
    const last = allRows.length ? ` (metrics.jsonl reached step ${allRows.at(-1)!.step})` : "";
    console.error(
      `${name}: ${run.path} has no checkpoint.ckpt${last}: it was deleted, or the run stopped before ` +
        `its first checkpoint (step ${Math.min(config.checkpointEvery, config.steps)}); starting again ` +
        `from step 0 (the result is the same)`,
    );
  } else {
    console.error(`${name}: resuming ${run.path} at step ${step} of ${config.steps}`);
  }
  await Deno.writeTextFile(
    run.file("metrics.jsonl.tmp"),
    rows.map((r) => JSON.stringify(r) + "\n").join(""),
  );
  await Deno.rename(run.file("metrics.jsonl.tmp"), run.file("metrics.jsonl"));
  return state;
}

/** The first record whose mean error is not finite. */
export interface Divergence {
  step: number;
  meanError: number;
  /** Its record index. */
  recorded: number;
}

/** How {@linkcode runLinearRegressionSegments} runs. */
export interface SegmentOptions {
  run: RunDir;
  config: LinearRegressionRunConfig;
  backend: Backend;
  /** The state to continue from (undefined: step 0). */
  state?: LinearRegressionSgdState;
  /** Whether the run directory was made by this process (an error before its first checkpoint removes it). */
  fresh: boolean;
  progress: Progress;
  /** The script's name, for the messages. */
  name: string;
  /** A signal-driven stop request. */
  stop?: StopRequest;
  /** Stop (with a checkpoint) after this many segments: simulates an interruption in tests. */
  stopAfterSegments?: number;
}

/** What {@linkcode runLinearRegressionSegments} ended with. */
export type SegmentsOutcome =
  | { status: "stopped"; step: number; signal: Deno.Signal | null }
  | { status: "ran"; state: LinearRegressionSgdState; diverged: Divergence | null };

/**
 * Runs the remaining steps in checkpointed segments, writing one metrics row per record.
 *
 * @param o The run, its state and how to stop.
 * @returns "stopped" at a checkpoint (resumable), or "ran" to the end or to the first non-finite record.
 * @throws What the run throws; before that, a directory with no checkpoint that this process made is removed.
 */
export async function runLinearRegressionSegments(o: SegmentOptions): Promise<SegmentsOutcome> {
  const { run, config, backend, progress, name } = o;
  let state = o.state;
  const metrics = await run.metrics();
  const base: LinearRegressionSgdConfig = { ...config };
  let segments = 0;
  let diverged: Divergence | null = null;
  try {
    while ((state?.step ?? 0) < config.steps && !diverged) {
      const from = state?.step ?? 0;
      const nextCheckpoint = Math.min(
        config.steps,
        (Math.floor(from / config.checkpointEvery) + 1) * config.checkpointEvery,
      );
      // Work is submitted in slices of ~1 s so a stop signal is seen promptly even when
      // checkpoints are far apart; results do not depend on the slicing.
      const stopAtStep = Math.min(nextCheckpoint, from + sliceSteps(config));
      const result = await runLinearRegressionSgd(backend, { ...base, resumeFrom: state, stopAtStep });
      state = result.state;
      for (let r = 0; r < result.recordSteps.length; r++) {
        const step = result.recordSteps[r];
        if (step <= from || step > stopAtStep) continue;
        let sum = 0, min = Infinity, max = -Infinity;
        for (let w = 0; w < config.walkers; w++) {
          const e = state.errors[w * result.recordSteps.length + r];
          sum += e;
          min = Math.min(min, e);
          max = Math.max(max, e);
        }
        metrics.write({ step, meanError: sum / config.walkers, minError: min, maxError: max });
        if (!Number.isFinite(sum) && !diverged) {
          diverged = { step, meanError: sum / config.walkers, recorded: r };
        }
      }
      progress.update(state.step);
      if (diverged) break;
      const signal = o.stop?.signal ?? null;
      if (stopAtStep < nextCheckpoint && !signal) continue; // a slice inside a checkpoint interval
      await saveCheckpoint(run.file("checkpoint.ckpt"), {
        kind: KIND,
        step: state.step,
        fingerprint: fingerprintOf(config, backend),
        arrays: {
          weights: { data: state.weights, shape: [config.walkers, config.d] },
          errors: { data: state.errors, shape: [config.walkers, result.recordSteps.length] },
        },
        counters: { philoxStep: state.step },
      });
      segments++;
      if (state.step < config.steps && (signal || segments === o.stopAfterSegments)) {
        progress.finish();
        console.error(`${name}: stopped at step ${state.step}; continue with --resume ${run.path}`);
        return { status: "stopped", step: state.step, signal };
      }
    }
  } catch (error) {
    progress.finish();
    metrics.close();
    if (o.fresh && segments === 0) {
      await run.discard(); // nothing resumable was written: leave no directory that blocks the next run
    } else {
      console.error(`${name}: the last checkpoint is kept; continue with --resume ${run.path}`);
    }
    throw error;
  } finally {
    metrics.close();
  }
  progress.finish();
  return { status: "ran", state: state!, diverged };
}

/** Walker-major `[walkers, records]` errors cut to their first `kept` records. */
function firstRecords(
  errors: ArrayLike<number>,
  walkers: number,
  records: number,
  kept: number,
): Float64Array {
  const out = new Float64Array(walkers * kept);
  for (let w = 0; w < walkers; w++) {
    for (let r = 0; r < kept; r++) out[w * kept + r] = errors[w * records + r];
  }
  return out;
}

/**
 * Writes the run's arrays and labels it: `done.json` (with the final mean error), or, when it diverged, the
 * records up to and including the first non-finite one and `failed.json`.
 *
 * @param run The run directory.
 * @param config Its settings.
 * @param state The final state.
 * @param diverged The first non-finite record, or null.
 * @param name The script's name, for the message.
 * @returns The final step.
 * @throws {RunFailedError} When the errors diverged (after writing what was recorded).
 */
export async function writeLinearRegressionResults(
  run: RunDir,
  config: LinearRegressionRunConfig,
  state: LinearRegressionSgdState,
  diverged: Divergence | null,
  name: string,
): Promise<number> {
  const records = Math.floor(config.steps / config.recordEvery);
  const steps = Uint32Array.from({ length: records }, (_, i) => (i + 1) * config.recordEvery);
  if (diverged) {
    // Keep what was recorded up to and including the first non-finite record, labelled failed.
    const kept = diverged.recorded + 1;
    await run.writeArray("errors", firstRecords(state.errors, config.walkers, records, kept), [
      config.walkers,
      kept,
    ]);
    await run.writeArray("weights", state.weights, [config.walkers, config.d]);
    await run.writeArray("record_steps", steps.subarray(0, kept));
    const reason = `diverged: the mean error is ${diverged.meanError} at step ${diverged.step}`;
    await run.fail(reason, { step: diverged.step, learningRate: config.learningRate });
    throw new RunFailedError(
      `${name} ${reason} (--learning-rate ${config.learningRate} is too large; this model is stable ` +
        `below 2); the errors up to that step are kept in ${run.path}, labelled failed.json (no done.json)`,
    );
  }
  await run.writeArray("errors", state.errors, [config.walkers, records]);
  await run.writeArray("weights", state.weights, [config.walkers, config.d]);
  await run.writeArray("record_steps", steps);
  let finalMean = 0;
  for (let w = 0; w < config.walkers; w++) {
    finalMean += state.errors[w * records + records - 1] / config.walkers;
  }
  await run.complete({ step: state.step, finalMeanError: finalMean });
  return state.step;
}
