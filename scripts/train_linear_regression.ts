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
 * Every setting is checked before the run directory is created. A run whose errors overflow to
 * infinity or NaN (a learning rate too large) stops there: its arrays so far are written, the
 * directory is labelled by `failed.json` (no `done.json`) and the script exits 4. An error before the
 * first checkpoint removes the run directory it created, so it does not block the next run.
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
import {
  type CliSpec,
  COMMON_OPTIONS,
  type OptionSpec,
  rangeText,
  runCli,
  RunFailedError,
  UsageError,
} from "../lib/cli.ts";
import { loopBudget } from "../lib/gpu/loop_budget.ts";
import { WebGpuBackend } from "../lib/backend/webgpu.ts";
import { linearRegressionSgdIterationsPerStep } from "../kernels/linear_regression/linear_regression_sgd.ts";
import { readMetrics } from "../lib/io/metrics.ts";
import { isFailedRun, RunDir } from "../lib/io/run_dir.ts";
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

/** Most values one array of the run may hold (walkers x d, walkers x records): 2^26, 0.5 GB in float64. */
export const MAX_ARRAY_VALUES = 2 ** 26;

/** The command-line options (ranges are checked by the parser and again by {@linkcode checkConfig}). */
export const OPTIONS: Record<string, OptionSpec> = {
  d: { type: "number", default: defaultConfig.d, description: "input dimension", integer: true, min: 1 },
  walkers: {
    type: "number",
    default: defaultConfig.walkers,
    description: "independent walkers",
    integer: true,
    min: 1,
  },
  steps: {
    type: "number",
    default: defaultConfig.steps,
    description: "SGD steps per walker",
    integer: true,
    min: 1,
    max: 2 ** 32 - 1,
  },
  learningRate: {
    type: "number",
    default: defaultConfig.learningRate,
    description: "learning rate (stable < 2)",
    positive: true,
  },
  recordEvery: {
    type: "number",
    default: defaultConfig.recordEvery,
    description: "steps between error records",
    integer: true,
    min: 1,
    max: 2 ** 32 - 1,
  },
  checkpointEvery: {
    type: "number",
    default: defaultConfig.checkpointEvery,
    description: "steps between checkpoints",
    integer: true,
    min: 1,
    max: 2 ** 32 - 1,
  },
  resume: {
    type: "string",
    default: "",
    description: "continue the run in this run directory (no other setting may be given with it)",
  },
  quiet: { type: "boolean", default: false, description: "no progress output" },
  ...COMMON_OPTIONS,
  seed: { ...COMMON_OPTIONS.seed, default: defaultConfig.seed },
  out: {
    type: "string",
    default: "runs/train_linear_regression",
    description: "new run directory",
    nonEmpty: true,
  },
};

/** The command line of this script. */
export const CLI: CliSpec = {
  usage: `deno run -A scripts/${NAME}.ts`,
  description: "Train many SGD walkers on a linear teacher in a run directory, with checkpoints and --resume",
  options: OPTIONS,
};

const flag = (key: string) => `--${key.replace(/[A-Z]/g, (m) => `-${m.toLowerCase()}`)}`;

/**
 * Checks the settings (before any directory or compute), in the words of the command line.
 *
 * @throws {UsageError} Naming the option, its value and what it must be.
 */
export function checkConfig(c: TrainConfig): void {
  for (const key of ["d", "walkers", "steps", "recordEvery", "checkpointEvery", "learningRate", "seed"]) {
    const o = key === "seed" ? COMMON_OPTIONS.seed : OPTIONS[key];
    const v = c[key] as number;
    if (
      typeof v !== "number" || !Number.isFinite(v) || (o.integer && !Number.isInteger(v)) ||
      (o.min !== undefined && v < o.min) || (o.max !== undefined && v > o.max) || (o.positive && !(v > 0))
    ) {
      throw new UsageError(`Cannot train: ${flag(key)} is ${JSON.stringify(v)}, must be ${rangeText(o)}`);
    }
  }
  if (!["auto", "webgpu", "reference"].includes(c.backend)) {
    throw new UsageError(
      `Cannot train: --backend is ${JSON.stringify(c.backend)}, must be auto, webgpu or reference`,
    );
  }
  if (c.recordEvery > c.steps) {
    throw new UsageError(
      `Cannot train: --steps is ${c.steps}, less than --record-every ${c.recordEvery}: the run would record ` +
        `no error; give --steps >= ${c.recordEvery} or a smaller --record-every`,
    );
  }
  if (c.walkers * c.d > MAX_ARRAY_VALUES) {
    throw new UsageError(
      `Cannot train: --walkers ${c.walkers} x --d ${c.d} is ${c.walkers * c.d} weights, more than ` +
        `${MAX_ARRAY_VALUES} (memory); use fewer walkers or a smaller d`,
    );
  }
  const records = Math.floor(c.steps / c.recordEvery);
  if (c.walkers * records > MAX_ARRAY_VALUES) {
    throw new UsageError(
      `Cannot train: --walkers ${c.walkers} x ${records} records (--steps / --record-every) is more than ` +
        `${MAX_ARRAY_VALUES} errors (memory); raise --record-every or use fewer walkers`,
    );
  }
}

/** Checks what depends on the adapter: one step of the fused kernel must fit its loop limit. */
function checkAdapter(c: TrainConfig, backend: Backend): void {
  if (!(backend instanceof WebGpuBackend)) return;
  const budget = loopBudget(backend.gpu);
  if (linearRegressionSgdIterationsPerStep(c.d) > budget) {
    const largest = 4 * Math.floor((budget - 3) / 2);
    throw new UsageError(
      `Cannot train: --d is ${c.d}, the largest this adapter (${backend.gpu.facts.description}) runs is ` +
        `${largest}; use a smaller --d or --backend reference`,
    );
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
 * Runs (or resumes) a training run in a run directory.
 *
 * @param config The settings (ignored when resuming: the run's config.json is used).
 * @param io Where to write, what to resume, when to stop early.
 * @returns Whether it completed or stopped at a checkpoint.
 * @throws {UsageError} On bad settings (before any directory is created); {@linkcode CheckpointError}
 *   on a corrupt or mismatched checkpoint; {@linkcode RunFailedError} when the errors diverged (the
 *   partial results are kept, labelled `failed.json`).
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
      throw new UsageError(`Cannot resume ${io.resume}: the run is already complete (done.json)`);
    }
    if (await isFailedRun(run.path)) {
      const failed = JSON.parse(await Deno.readTextFile(run.file("failed.json")));
      throw new UsageError(
        `Cannot resume ${io.resume}: the run failed (${failed.reason}); start a new run with other settings`,
      );
    }
    config = run.config.parameters as TrainConfig;
    checkConfig(config);
    backend = await getBackend(run.config.backend as BackendChoice);
    checkAdapter(config, backend);
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
    const allRows = await readMetrics(run.file("metrics.jsonl"));
    const rows = allRows.filter((r) => (r.step as number) <= step);
    if (!saved) {
      const last = allRows.length ? ` (metrics.jsonl reached step ${allRows.at(-1)!.step})` : "";
      console.error(
        `${NAME}: ${run.path} has no checkpoint.ckpt${last}: it was deleted, or the run stopped before ` +
          `its first checkpoint (step ${Math.min(config.checkpointEvery, config.steps)}); starting again ` +
          `from step 0 (the result is the same)`,
      );
    } else {
      console.error(`${NAME}: resuming ${run.path} at step ${step} of ${config.steps}`);
    }
    await Deno.writeTextFile(
      run.file("metrics.jsonl.tmp"),
      rows.map((r) => JSON.stringify(r) + "\n").join(""),
    );
    await Deno.rename(run.file("metrics.jsonl.tmp"), run.file("metrics.jsonl"));
  } else {
    checkConfig(config);
    backend = await getBackend(config.backend);
    checkAdapter(config, backend);
    run = await RunDir.create(io.out, {
      name: NAME,
      parameters: config,
      seed: config.seed,
      backend,
      resumable: true,
    });
  }

  const records = Math.floor(config.steps / config.recordEvery);
  const metrics = await run.metrics();
  const progress = new Progress({
    total: config.steps,
    start: state?.step ?? 0,
    label: NAME,
    unit: "steps",
    mode: io.progress ?? "auto",
  });
  const base: LinearRegressionSgdConfig = { ...config };
  const fresh = !io.resume;
  let segments = 0;
  let diverged: { step: number; meanError: number; recorded: number } | null = null;
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
  } catch (error) {
    progress.finish();
    metrics.close();
    if (fresh && segments === 0) {
      await run.discard(); // nothing resumable was written: leave no directory that blocks the next run
    } else {
      console.error(`${NAME}: the last checkpoint is kept; continue with --resume ${run.path}`);
    }
    throw error;
  } finally {
    metrics.close();
  }
  progress.finish();
  const steps = Uint32Array.from({ length: records }, (_, i) => (i + 1) * config.recordEvery);
  if (diverged) {
    // Keep what was recorded up to and including the first non-finite record, labelled failed.
    const kept = diverged.recorded + 1;
    await run.writeArray("errors", firstRecords(state!.errors, config.walkers, records, kept), [
      config.walkers,
      kept,
    ]);
    await run.writeArray("weights", state!.weights, [config.walkers, config.d]);
    await run.writeArray("record_steps", steps.subarray(0, kept));
    const reason = `diverged: the mean error is ${diverged.meanError} at step ${diverged.step}`;
    await run.fail(reason, { step: diverged.step, learningRate: config.learningRate });
    throw new RunFailedError(
      `${NAME} ${reason} (--learning-rate ${config.learningRate} is too large; this model is stable ` +
        `below 2); the errors up to that step are kept in ${run.path}, labelled failed.json (no done.json)`,
    );
  }
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
 * @param settings Any of {@linkcode TrainConfig}'s fields (others default; see `sweepTask.settings`).
 * @param seed The task's seed.
 * @returns Final mean error, the log10 error slope over the second half, and whether the errors
 *   diverged (to infinity or NaN: then the other numbers are not meaningful).
 */
export async function sweepTask(
  settings: Record<string, unknown>,
  seed: number,
): Promise<Record<string, number | boolean>> {
  const config = { ...defaultConfig, ...settings, seed } as TrainConfig;
  sweepTask.check(settings, seed);
  const backend = await getBackend(config.backend);
  checkAdapter(config, backend);
  const result = await runLinearRegressionSgd(backend, config);
  const records = result.recordSteps.length;
  let last = 0, middle = 0;
  for (let w = 0; w < config.walkers; w++) {
    last += result.errors[w * records + records - 1] / config.walkers;
    middle += result.errors[w * records + Math.floor((records - 1) / 2)] / config.walkers;
  }
  const span = result.recordSteps[records - 1] - result.recordSteps[Math.floor((records - 1) / 2)];
  return {
    finalMeanError: last,
    log10ErrorPerStep: span > 0 ? Math.log10(last / middle) / span : 0,
    diverged: !result.errors.every(Number.isFinite),
  };
}

/** The settings a sweep may set (a grid or `fixed` key outside these is refused when planning). */
sweepTask.settings = Object.keys(defaultConfig).filter((k) => k !== "seed") as readonly string[];

/** Checks one task's settings and seed (run when the sweep is planned, before any task runs). */
sweepTask.check = (settings: Record<string, unknown>, seed: number): void => {
  checkConfig({ ...defaultConfig, ...settings, seed } as TrainConfig);
};

if (import.meta.main) {
  await runCli(CLI, async (parsed, given) => {
    setProgressQuiet(Boolean(parsed.quiet));
    const { resume, quiet: _q, out, config: _c, ...settings } = parsed;
    if (resume) {
      const extra = [...given].filter((name) => name !== "resume" && name !== "quiet");
      if (extra.length) {
        throw new UsageError(
          `Cannot resume ${resume} with ${extra.map(flag).join(", ")}: a resumed run keeps the settings ` +
            `in its config.json; give only --resume (and --quiet), or start a new run with --out`,
        );
      }
    }
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
