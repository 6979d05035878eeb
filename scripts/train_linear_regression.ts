/**
 * A long run with a run directory, checkpoints and `--resume`: many walkers of online SGD on a
 * linear teacher (lib/trainers/linear_regression_sgd.ts), the demonstration of the workflow. The settings
 * and their options are in lib/trainers/linear_regression_options.ts, the checkpointed segments, the resume
 * and the final arrays in lib/trainers/linear_regression_run_dir.ts; this file opens or creates the run
 * directory and strings those steps together.
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
import { listenForStop, stopExitCode, type StopRequest } from "../lib/checkpoint.ts";
import { type CliSpec, runCli, UsageError } from "../lib/cli.ts";
import { loopBudget } from "../lib/gpu/loop_budget.ts";
import { WebGpuBackend } from "../lib/backend/webgpu.ts";
import { linearRegressionSgdIterationsPerStep } from "../kernels/linear_regression/linear_regression_sgd.ts";
import { isFailedRun, RunDir } from "../lib/io/run_dir.ts";
import { Progress, setProgressQuiet } from "../lib/progress.ts";
import { runLinearRegressionSgd } from "../lib/trainers/linear_regression_sgd.ts";
import {
  checkConfig,
  defaultConfig,
  flag,
  type LinearRegressionTrainConfig as TrainConfig,
  OPTIONS,
} from "../lib/trainers/linear_regression_options.ts";
import {
  resumeLinearRegressionState,
  runLinearRegressionSegments,
  writeLinearRegressionResults,
} from "../lib/trainers/linear_regression_run_dir.ts";

export {
  checkConfig,
  defaultConfig,
  type LinearRegressionTrainConfig as TrainConfig,
  MAX_ARRAY_VALUES,
  OPTIONS,
} from "../lib/trainers/linear_regression_options.ts";

const NAME = "train_linear_regression";

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

/** The command line of this script. */
export const CLI: CliSpec = {
  usage: `deno run -A scripts/${NAME}.ts`,
  description: "Train many SGD walkers on a linear teacher in a run directory, with checkpoints and --resume",
  options: OPTIONS,
};

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
  const opened = io.resume ? await openForResume(io.resume) : await createRun(config, io.out);
  ({ config } = opened);
  const { run, backend } = opened;
  const state = io.resume ? await resumeLinearRegressionState(run, config, backend, NAME) : undefined;
  const progress = new Progress({
    total: config.steps,
    start: state?.step ?? 0,
    label: NAME,
    unit: "steps",
    mode: io.progress ?? "auto",
  });
  const outcome = await runLinearRegressionSegments({
    run,
    config,
    backend,
    state,
    fresh: !io.resume,
    progress,
    name: NAME,
    stop: io.stop,
    stopAfterSegments: io.stopAfterSegments,
  });
  if (outcome.status === "stopped") return { runDir: run.path, ...outcome };
  const step = await writeLinearRegressionResults(run, config, outcome.state, outcome.diverged, NAME);
  return { runDir: run.path, status: "complete", step, signal: null };
}

/** A run directory to continue: refused when it is another script's, complete or failed. */
async function openForResume(path: string): Promise<{ run: RunDir; config: TrainConfig; backend: Backend }> {
  const run = await RunDir.open(path);
  if (run.config.name !== NAME) {
    throw new UsageError(`Cannot resume ${path}: it is a "${run.config.name}" run, not "${NAME}"`);
  }
  if (await run.isComplete()) {
    throw new UsageError(`Cannot resume ${path}: the run is already complete (done.json)`);
  }
  if (await isFailedRun(run.path)) {
    const failed = JSON.parse(await Deno.readTextFile(run.file("failed.json")));
    throw new UsageError(
      `Cannot resume ${path}: the run failed (${failed.reason}); start a new run with other settings`,
    );
  }
  const config = run.config.parameters as TrainConfig;
  checkConfig(config);
  const backend = await getBackend(run.config.backend as BackendChoice);
  checkAdapter(config, backend);
  return { run, config, backend };
}

/** A new run directory, made after every setting is checked. */
async function createRun(
  config: TrainConfig,
  out: string,
): Promise<{ run: RunDir; config: TrainConfig; backend: Backend }> {
  checkConfig(config);
  const backend = await getBackend(config.backend);
  checkAdapter(config, backend);
  const run = await RunDir.create(out, {
    name: NAME,
    parameters: config,
    seed: config.seed,
    backend,
    resumable: true,
  });
  return { run, config, backend };
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
