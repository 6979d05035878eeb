/**
 * A long run with a run directory, checkpoints and `--resume`: many walkers of online SGD on a
 * linear teacher (lib/trainers/linear_regression_sgd.ts), the demonstration of the workflow.
 *
 * ```
 * deno run -A scripts/train_linear_regression.ts --steps 200000 --out runs/lr1      # new run
 * deno run -A scripts/train_linear_regression.ts --resume runs/lr1                  # continue it
 * ```
 *
 * The run directory holds `config.json`, `metrics.jsonl` (mean/min/max error per record),
 * `checkpoint.ckpt` (weights, errors so far, step; rewritten every `--checkpoint-every` steps
 * and on SIGINT/SIGTERM), then `errors.npy` [walkers, records], `weights.npy` [walkers, d],
 * `record_steps.npy` and finally `done.json`. The Philox counter is the step, so a resumed run
 * is bit-identical to an uninterrupted one. `sweepTask` is the same training as a sweep task.
 *
 * @module
 */
import type { Backend } from "../lib/backend/backend.ts";
import { type BackendChoice, getBackend } from "../lib/backend/select.ts";
import {
  type CheckpointState,
  listenForStop,
  loadCheckpoint,
  saveCheckpoint,
  stopExitCode,
  type StopRequest,
} from "../lib/checkpoint.ts";
import { COMMON_OPTIONS, runCli, UsageError } from "../lib/cli.ts";
import { readMetrics } from "../lib/io/metrics.ts";
import { RunDir } from "../lib/io/run_dir.ts";
import { Progress, setProgressQuiet } from "../lib/progress.ts";
import {
  type LinearRegressionSgdConfig,
  type LinearRegressionSgdState,
  runLinearRegressionSgd,
} from "../lib/trainers/linear_regression_sgd.ts";

/** The run's settings (all recorded in config.json). */
export interface TrainConfig extends Record<string, number | string> {
  d: number;
  walkers: number;
  steps: number;
  learningRate: number;
  seed: number;
  recordEvery: number;
  /** Steps between checkpoints (also the unit of work between progress updates). */
  checkpointEvery: number;
  backend: BackendChoice;
}

/** Steps per submitted slice: about 5e7 walker-dimension-steps (~1 s on the CPU adapter). */
function sliceSteps(config: { walkers: number; d: number }): number {
  return Math.max(1, Math.floor(5e7 / (config.walkers * config.d)));
}

/** Defaults: a few seconds on a CPU adapter. */
export const defaultConfig: TrainConfig = {
  d: 64,
  walkers: 64,
  steps: 20000,
  learningRate: 0.5,
  seed: 0,
  recordEvery: 100,
  checkpointEvery: 5000,
  backend: "auto",
};

const NAME = "train_linear_regression";
const KIND = "linear_regression_sgd";

/** How {@linkcode train} runs: where, and when to stop early. */
export interface TrainIo {
  /** New run directory (ignored with `resume`). */
  out: string;
  /** Existing run directory to continue. */
  resume?: string;
  /** Stop (with a checkpoint) after this many segments: simulates an interruption in tests. */
  stopAfterSegments?: number;
  /** A signal-driven stop request (scripts pass {@linkcode listenForStop}). */
  stop?: StopRequest;
  /** Progress display mode (default auto). */
  progress?: "auto" | "quiet";
}

/** What {@linkcode train} did. */
export interface TrainOutcome {
  runDir: string;
  /** `"complete"` (done.json written) or `"stopped"` (checkpoint written, resumable). */
  status: "complete" | "stopped";
  step: number;
  /** The signal that stopped it, if any. */
  signal: Deno.Signal | null;
}

function checkConfig(c: TrainConfig): void {
  for (const key of ["d", "walkers", "steps", "recordEvery", "checkpointEvery"] as const) {
    if (!Number.isInteger(c[key]) || c[key] < 1) {
      throw new UsageError(
        `Cannot train: --${key.replace(/[A-Z]/g, (m) => `-${m.toLowerCase()}`)} is ${
          c[key]
        }, must be an integer >= 1`,
      );
    }
  }
  if (!Number.isFinite(c.learningRate) || c.learningRate <= 0) {
    throw new UsageError(`Cannot train: --learning-rate is ${c.learningRate}, must be a finite number > 0`);
  }
  if (!Number.isInteger(c.seed) || c.seed < 0 || c.seed >= 2 ** 32) {
    throw new UsageError(`Cannot train: --seed is ${c.seed}, must be an integer in [0, 2^32)`);
  }
}

function fingerprintOf(c: TrainConfig, backend: Backend) {
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
 * Runs (or resumes) a training run in a run directory.
 *
 * @param config The settings (ignored when resuming: the run's config.json is used).
 * @param io Where to write, what to resume, when to stop early.
 * @returns Whether it completed or stopped at a checkpoint.
 * @throws {UsageError} On bad settings; {@linkcode CheckpointError} on a corrupt or mismatched checkpoint.
 */
export async function train(config: TrainConfig, io: TrainIo): Promise<TrainOutcome> {
  let run: RunDir;
  let state: LinearRegressionSgdState | undefined;
  let backend: Backend;
  if (io.resume) {
    run = await RunDir.open(io.resume);
    if (run.config.name !== NAME) {
      throw new UsageError(`Cannot resume ${io.resume}: it is a "${run.config.name}" run, not "${NAME}"`);
    }
    if (await run.isComplete()) {
      throw new UsageError(`Cannot resume ${io.resume}: the run is already complete`);
    }
    config = run.config.parameters as TrainConfig;
    checkConfig(config);
    backend = await getBackend(run.config.backend as BackendChoice);
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
    if (saved) {
      state = {
        step: saved.step,
        weights: saved.arrays.weights.data as Float32Array | Float64Array,
        errors: saved.arrays.errors.data as Float32Array | Float64Array,
      };
    }
    // Rows written after the checkpoint are recomputed (identically): drop them.
    const step = state?.step ?? 0;
    const rows = (await readMetrics(run.file("metrics.jsonl"))).filter((r) => (r.step as number) <= step);
    await Deno.writeTextFile(
      run.file("metrics.jsonl.tmp"),
      rows.map((r) => JSON.stringify(r) + "\n").join(""),
    );
    await Deno.rename(run.file("metrics.jsonl.tmp"), run.file("metrics.jsonl"));
  } else {
    checkConfig(config);
    backend = await getBackend(config.backend);
    run = await RunDir.create(io.out, { name: NAME, parameters: config, seed: config.seed, backend });
  }

  const metrics = await run.metrics();
  const progress = new Progress({
    total: config.steps,
    start: state?.step ?? 0,
    label: NAME,
    unit: "steps",
    mode: io.progress ?? "auto",
  });
  const base: LinearRegressionSgdConfig = { ...config };
  let segments = 0;
  try {
    while ((state?.step ?? 0) < config.steps) {
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
      }
      progress.update(state.step);
      const signal = io.stop?.signal ?? null;
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
      if (state.step < config.steps && (signal || segments === io.stopAfterSegments)) {
        progress.finish();
        console.error(`${NAME}: stopped at step ${state.step}; continue with --resume ${run.path}`);
        return { runDir: run.path, status: "stopped", step: state.step, signal };
      }
    }
  } finally {
    metrics.close();
  }
  progress.finish();
  const records = Math.floor(config.steps / config.recordEvery);
  const steps = Uint32Array.from({ length: records }, (_, i) => (i + 1) * config.recordEvery);
  await run.writeArray("errors", state!.errors, [config.walkers, records]);
  await run.writeArray("weights", state!.weights, [config.walkers, config.d]);
  await run.writeArray("record_steps", steps);
  let finalMean = 0;
  for (let w = 0; w < config.walkers; w++) {
    finalMean += state!.errors[w * records + records - 1] / config.walkers;
  }
  await run.complete({ step: state!.step, finalMeanError: finalMean });
  return { runDir: run.path, status: "complete", step: state!.step, signal: null };
}

/**
 * The same training as one sweep task: no run directory, returns the final numbers.
 *
 * @param settings Any of {@linkcode TrainConfig}'s fields (others default).
 * @param seed The task's seed.
 * @returns Final mean error and the log10 error slope over the second half.
 */
export async function sweepTask(
  settings: Record<string, unknown>,
  seed: number,
): Promise<Record<string, number>> {
  const config = { ...defaultConfig, ...settings, seed } as TrainConfig;
  checkConfig(config);
  const backend = await getBackend(config.backend);
  const result = await runLinearRegressionSgd(backend, config);
  const records = result.recordSteps.length;
  let last = 0, middle = 0;
  for (let w = 0; w < config.walkers; w++) {
    last += result.errors[w * records + records - 1] / config.walkers;
    middle += result.errors[w * records + Math.floor((records - 1) / 2)] / config.walkers;
  }
  const span = result.recordSteps[records - 1] - result.recordSteps[Math.floor((records - 1) / 2)];
  return { finalMeanError: last, log10ErrorPerStep: span > 0 ? Math.log10(last / middle) / span : 0 };
}

if (import.meta.main) {
  const options = {
    d: { type: "number", default: defaultConfig.d, description: "input dimension" },
    walkers: { type: "number", default: defaultConfig.walkers, description: "independent walkers" },
    steps: { type: "number", default: defaultConfig.steps, description: "SGD steps per walker" },
    learningRate: {
      type: "number",
      default: defaultConfig.learningRate,
      description: "learning rate (stable < 2)",
    },
    recordEvery: {
      type: "number",
      default: defaultConfig.recordEvery,
      description: "steps between error records",
    },
    checkpointEvery: {
      type: "number",
      default: defaultConfig.checkpointEvery,
      description: "steps between checkpoints",
    },
    resume: { type: "string", default: "", description: "continue the run in this run directory" },
    quiet: { type: "boolean", default: false, description: "no progress output" },
    ...COMMON_OPTIONS,
    seed: { ...COMMON_OPTIONS.seed, default: defaultConfig.seed },
    out: { type: "string", default: "runs/train_linear_regression", description: "new run directory" },
  } as const;
  await runCli({
    usage: `deno run -A scripts/${NAME}.ts`,
    description:
      "Train many SGD walkers on a linear teacher in a run directory, with checkpoints and --resume",
    options,
  }, async (parsed) => {
    setProgressQuiet(Boolean(parsed.quiet));
    const { resume, quiet: _q, out, config: _c, ...settings } = parsed;
    const stop = listenForStop();
    try {
      const outcome = await train(settings as TrainConfig, {
        out: String(out),
        resume: String(resume) || undefined,
        stop,
      });
      console.log(JSON.stringify(outcome));
      if (outcome.signal) Deno.exit(stopExitCode(outcome.signal));
    } finally {
      stop.dispose();
    }
  });
}
