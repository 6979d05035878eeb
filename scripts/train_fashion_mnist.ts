/**
 * Trains an MLP or the CNN on Fashion-MNIST with the library's optimizers and training loop
 * (lib/optim/, lib/training/) and prints the falling loss: the shortest path from the loaders
 * (lib/data/) through a model (lib/models/) to a training run, on the GPU when there is one.
 *
 * ```
 * deno run -A scripts/train_fashion_mnist.ts                     # mlp 784-512-512-10, squared loss, SGD
 * deno run -A scripts/train_fashion_mnist.ts --loss crossEntropy --steps 1000 --learning-rate 0.1
 * deno run -A scripts/train_fashion_mnist.ts --optimizer adamw --learning-rate 1e-3 --schedule cosine --warmup 30
 * deno run -A scripts/train_fashion_mnist.ts --model cnn         # the cnn preset on 1x28x28 images
 * deno run -A scripts/train_fashion_mnist.ts --out runs/mlp1     # keep a run directory with checkpoints
 * deno run -A scripts/train_fashion_mnist.ts --resume runs/mlp1  # continue it, bit for bit
 * ```
 *
 * A seeded subset of `n` training images (normalised by its own channel mean and std, one-hot
 * targets) is shuffled each epoch by a seeded permutation and uploaded once per epoch; each step
 * evaluates the loss and gradient on the next `batch` rows and takes one fused optimizer step
 * (`--optimizer sgd` is `params <- params - lr * gradient`). Batch losses stay on the GPU and are read
 * back in chunks, so the host waits for the GPU about once per 200 steps (and at each checkpoint). The
 * defaults depend on `--model` (`--model cnn --help` lists the CNN's): the CNN's gradient runs at ~20
 * samples/s on a 2-core CPU adapter, so its defaults are small. With `--out`, the run directory
 * (lib/io/run_dir.ts) holds `config.json`, `metrics.jsonl` (the logged batch losses and the full-batch
 * losses), `checkpoint.ckpt` (every `--checkpoint-every` steps: parameters, optimizer state, step) and
 * finally `done.json`; `--resume <dir>` continues such a run and ends bit-identical to an uninterrupted
 * one. A NaN or infinite loss stops the run with a message and exit status 4, keeping the last good
 * checkpoint and writing no `done.json`.
 * Needs `apt-get install -y dataset-fashion-mnist` or `--data-dir` with the IDX files.
 *
 * The settings, their checks and options are in ./train_fashion_mnist_settings.ts, what a config builds
 * (optimizer, schedule, model) in ./train_fashion_mnist_build.ts, the named steps of `train()` in
 * ./train_fashion_mnist_steps.ts; resuming from a run directory and the test accuracy are lib/training's
 * (resume.ts, accuracy.ts).
 *
 * @module
 */
import type { Backend } from "../lib/backend/backend.ts";
import { getBackend } from "../lib/backend/select.ts";
import { listenForStop, stopExitCode } from "../lib/checkpoint.ts";
import { runCli } from "../lib/cli.ts";
import { RunFailedError } from "../lib/exit_codes.ts";
import { channelStatistics, datasetTensors, seededSubset, selectSamples } from "../lib/data/dataset.ts";
import type { MetricsWriter } from "../lib/io/metrics.ts";
import type { RunDir } from "../lib/io/run_dir.ts";
import type { CnnSpec } from "../lib/models/cnn.ts";
import type { MlpSpec } from "../lib/models/mlp.ts";
import type { EpochStream } from "../lib/training/data_stream.ts";
import { runTrainingLoop, TrainingDivergedError } from "../lib/training/loop.ts";
import { Progress, setProgressQuiet } from "../lib/progress.ts";
import { cliOptions, requestedModel, type TrainConfig } from "./train_fashion_mnist_settings.ts";
import {
  epochStream,
  finalMeasurements,
  loadData,
  loggedLosses,
  loopCheckpoint,
  NAME,
  openForResume,
  prepareRunDir,
  readScalar,
  runHeadline,
} from "./train_fashion_mnist_steps.ts";
import { makeModel, makeOptimizer, validateRun } from "./train_fashion_mnist_build.ts";
export {
  checkTrainConfig,
  DEFAULT_CONFIGS,
  defaultConfig,
  MODEL_PRESETS,
  type ModelName,
  TRAIN_OPTIMIZERS,
  type TrainConfig,
  type TrainOptimizer,
} from "./train_fashion_mnist_settings.ts";
export { enhancedSgdOptions, optimizerOptions, validateRun } from "./train_fashion_mnist_build.ts";

/** What a run measured. */
export interface TrainResult {
  /** Batch losses at the logged steps (before that step's update). */
  log: { step: number; batchLoss: number }[];
  /** Loss on the whole training subset before and after training. */
  initialLoss: number;
  finalLoss: number;
  /** Accuracy on the first `testSamples` test images (NaN when 0). */
  testAccuracy: number;
  /** Every batch loss from step 0 (a resumed run includes those before the resume). */
  losses: Float64Array;
  /** Wall seconds of this process's steps alone, and of the whole run (data, losses, accuracy). */
  seconds: number;
  totalSeconds: number;
  /** Steps this process ran, and the host waits the training loop spent on them. */
  stepsRun: number;
  hostWaits: number;
  /** "complete", or "stopped" by a signal (resume it with `--resume`). */
  status: "complete" | "stopped";
  /** The run directory, when one was written. */
  runDir?: string;
}

/** How {@linkcode train} runs; every field is optional. */
export interface TrainOptions {
  /** Where progress lines go (`console.log` by default). */
  print?: (line: string) => void;
  /** A backend to use instead of `config.backend`. */
  backend?: Backend;
  /** A new run directory to write (config.json, metrics.jsonl, checkpoint.ckpt, done.json). */
  out?: string;
  /** A run directory of this script to continue (its config.json replaces `config`). */
  resume?: string;
  /** A stop request (SIGINT/SIGTERM): the run checkpoints and returns "stopped". */
  stop?: { readonly signal: Deno.Signal | null };
  /** The stderr progress display (default auto: a bar on a terminal, a line every 30 s otherwise). */
  progress?: "auto" | "quiet";
  /** A model to train instead of the preset (its kind must be `config.model`; tests use tiny ones). */
  spec?: MlpSpec | CnnSpec;
}

/**
 * Trains (or resumes a run) and returns the loss trajectory.
 *
 * @param config The settings (with `options.resume`, the run's config.json is used instead).
 * @param options Output, backend, run directory or run to resume, progress display, a model to use instead of
 *   the preset, a stop request.
 * @returns Losses, accuracy and times.
 * @throws {TypeError|RangeError} On bad settings (before any data is read or directory made).
 * @throws {RunFailedError} On a NaN or infinite loss (failed.json written, the last good checkpoint kept, no
 *   done.json; exit 4).
 */
export async function train(config: TrainConfig, options: TrainOptions = {}): Promise<TrainResult> {
  const start = performance.now();
  let run: RunDir | undefined;
  if (options.resume) ({ run, config } = await openForResume(options.resume));
  validateRun(config, options.spec);
  const print = options.print ?? console.log;
  const backend = options.backend ?? await getBackend(config.backend);
  const data = await loadData(config);
  const { model, about } = makeModel(config, backend, options.spec);
  const optimizer = makeOptimizer(config, backend, model.layout);
  let metrics: MetricsWriter | undefined;
  let stream: EpochStream | undefined;
  try {
    const prepared = await prepareRunDir(config, backend, run, options.out, { optimizer, model });
    run = prepared.run;
    const resumed = prepared.resumed;
    metrics = await run?.metrics();
    const subset = selectSamples(data.train, seededSubset(data.train.shape[0], config.n, config.dataSeed));
    const normalization = channelStatistics(subset);
    const params = model.init(config.seed);
    const resumeStep = resumed.state?.step;
    print(runHeadline(config, about, model.layout.count, backend, resumeStep));
    stream = epochStream(backend, config, subset, normalization);
    const full = datasetTensors(backend, subset, { normalization });
    const fullBatchLoss = async (step: number) => {
      const value = await readScalar(backend, (await model.evaluate(params, full.x, full.y)).loss);
      metrics?.write({ step, fullBatchLoss: value });
      return value;
    };
    let initialLoss = resumed.initialLoss;
    if (!resumed.state) {
      initialLoss = await fullBatchLoss(0);
      print(`step 0: full-batch loss ${initialLoss.toFixed(4)}`);
    }
    const progress = new Progress({
      total: config.steps,
      start: resumeStep ?? 0,
      label: NAME,
      unit: "steps",
      mode: options.progress,
    });
    const result = await runTrainingLoop({
      model,
      params,
      optimizer,
      data: stream,
      steps: config.steps,
      logEvery: config.logEvery,
      historyChunk: 200,
      onLog: (row) => print(`step ${row.step}: batch loss ${row.batchLoss.toFixed(4)}`),
      metrics,
      progress,
      checkpoint: run ? loopCheckpoint(config, run) : undefined,
      resume: resumed.state,
      stop: options.stop,
    });
    progress.finish();
    const stepsRun = result.step - (resumeStep ?? 0), seconds = result.seconds;
    const measured = {
      log: loggedLosses(result.losses, config),
      initialLoss,
      losses: result.losses,
      seconds,
      stepsRun,
      hostWaits: result.hostWaits,
      runDir: run?.path,
    };
    if (result.status === "stopped") {
      backend.dispose(full.x, full.y, params);
      const totalSeconds = (performance.now() - start) / 1000;
      print(`stopped at step ${result.step}${run ? `; continue with --resume ${run.path}` : ""}`);
      return { ...measured, finalLoss: NaN, testAccuracy: NaN, totalSeconds, status: "stopped" };
    }
    const { finalLoss, testAccuracy } = await finalMeasurements({
      config,
      print,
      backend,
      model,
      params,
      full,
      test: data.test,
      normalization,
      fullBatchLoss,
      stepsRun,
      seconds,
      hostWaits: result.hostWaits,
    });
    backend.dispose(params);
    const totalSeconds = (performance.now() - start) / 1000;
    print(`done in ${totalSeconds.toFixed(1)} s${run ? `; run directory ${run.path}` : ""}`);
    metrics?.close();
    await run?.complete({ initialLoss, finalLoss, testAccuracy, seconds, totalSeconds });
    return { ...measured, finalLoss, testAccuracy, totalSeconds, status: "complete" };
  } catch (error) {
    if (!(error instanceof TrainingDivergedError)) throw error;
    // Label the directory failed (partial metrics and the last good checkpoint stay, no done.json) and
    // exit with the convention's "run failed" status.
    await run?.fail(error.message, { step: error.step });
    throw new RunFailedError(
      `${error.message}${run ? `; partial results and the last good checkpoint are in ${run.path}` : ""}` +
        `; try a smaller --learning-rate`,
    );
  } finally {
    metrics?.close();
    stream?.dispose();
    optimizer.dispose();
    model.dispose();
  }
}

if (import.meta.main) {
  const model = requestedModel(Deno.args);
  await runCli({
    usage: `deno run -A scripts/${NAME}.ts`,
    description:
      "Train an MLP or the CNN on Fashion-MNIST with the library's optimizers and print the falling loss " +
      `(defaults of --model ${model}; --model ${model === "mlp" ? "cnn" : "mlp"} --help lists the others).`,
    options: cliOptions(model),
  }, async (parsed) => {
    setProgressQuiet(Boolean(parsed.quiet));
    const { out, resume, quiet: _q, config: _c, ...settings } = parsed;
    const stop = listenForStop();
    try {
      const result = await train(settings as unknown as TrainConfig, {
        out: String(out) || undefined,
        resume: String(resume) || undefined,
        stop,
      });
      if (result.status === "stopped" && stop.signal) Deno.exit(stopExitCode(stop.signal));
    } finally {
      stop.dispose();
    }
  });
}
