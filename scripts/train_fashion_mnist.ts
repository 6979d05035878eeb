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
 * @module
 */
import type { Backend } from "../lib/backend/backend.ts";
import type { Tensor } from "../lib/backend/tensor.ts";
import { type BackendChoice, getBackend } from "../lib/backend/select.ts";
import { type CheckpointState, listenForStop, loadCheckpoint, stopExitCode } from "../lib/checkpoint.ts";
import { COMMON_OPTIONS, type OptionSpec, runCli, UsageError } from "../lib/cli.ts";
import { RunFailedError } from "../lib/exit_codes.ts";
import { channelStatistics, datasetTensors, seededSubset, selectSamples } from "../lib/data/dataset.ts";
import { fashionMnistDir, loadFashionMnist } from "../lib/data/fashion_mnist.ts";
import { type MetricsWriter, readMetrics } from "../lib/io/metrics.ts";
import { RunDir } from "../lib/io/run_dir.ts";
import { CNN_PRESETS, cnnLayout, cnnPreset, type CnnPresetName, type CnnSpec } from "../lib/models/cnn.ts";
import { Cnn } from "../lib/models/cnn_model.ts";
import type { LossName } from "../lib/models/losses.ts";
import { MLP_PRESETS, mlpLayout, mlpPreset, type MlpPresetName, type MlpSpec } from "../lib/models/mlp.ts";
import { Mlp } from "../lib/models/mlp_model.ts";
import type { ParameterLayout } from "../lib/models/parameters.ts";
import {
  OPTIMIZER_KINDS,
  type OptimizerKind,
  type OptimizerOptions,
  resolveOptimizer,
} from "../lib/optim/hyperparameters.ts";
import { Optimizer, type ParameterOptimizer } from "../lib/optim/optimizer.ts";
import { createEnhancedSgd } from "../lib/enhanced_sgd/create.ts";
import { type EnhancedSgdOptions, resolveEnhancedSgd } from "../lib/enhanced_sgd/options.ts";
import { namedSchedule, type Schedule, SCHEDULE_NAMES } from "../lib/optim/schedules.ts";
import { EpochStream } from "../lib/training/data_stream.ts";
import {
  checkpointFingerprint,
  type LoopCheckpoint,
  runTrainingLoop,
  TrainingDivergedError,
  truncateMetrics,
} from "../lib/training/loop.ts";
import { Progress, setProgressQuiet } from "../lib/progress.ts";

const NAME = "train_fashion_mnist";

/** The optimizers `--optimizer` takes: lib/optim's kinds and EnhancedSGD. */
export const TRAIN_OPTIMIZERS = [...OPTIMIZER_KINDS, "enhanced_sgd"] as const;
/** One of {@linkcode TRAIN_OPTIMIZERS}. */
export type TrainOptimizer = OptimizerKind | "enhanced_sgd";

/** The model families this script trains. */
export type ModelName = "mlp" | "cnn";

/** The presets of each model family. */
export const MODEL_PRESETS: Readonly<Record<ModelName, readonly string[]>> = {
  mlp: Object.keys(MLP_PRESETS),
  cnn: Object.keys(CNN_PRESETS),
};

/** Settings of a training run. */
export interface TrainConfig {
  model: ModelName;
  /** A preset of the model ({@linkcode MODEL_PRESETS}). */
  preset: string;
  loss: LossName;
  /** Training images used (a seeded subset of the 60,000). */
  n: number;
  batch: number;
  steps: number;
  learningRate: number;
  initScale: number;
  /** Init seed. */
  seed: number;
  /** Seed of the subset and the epoch permutations. */
  dataSeed: number;
  logEvery: number;
  /**
   * The optimizer: sgd, momentum, nesterov, adam or adamw (lib/optim), or enhanced_sgd (lib/enhanced_sgd,
   * clean mode: `learningRate` and `momentum` are its initial values, which its controller then drives).
   */
  optimizer: TrainOptimizer;
  /** Momentum of `momentum`, `nesterov` and `enhanced_sgd` (ignored by the others). */
  momentum: number;
  /** Weight decay (L2 for sgd/momentum/nesterov/adam, decoupled for adamw and enhanced_sgd). */
  weightDecay: number;
  /** The learning-rate schedule (a factor of `learningRate` by step; lib/optim/schedules.ts). */
  schedule: string;
  /** Linear warmup steps of the cosine schedule. */
  warmup: number;
  /** Clip gradients to this global norm (0: no clipping). */
  maxGradNorm: number;
  /** Steps between checkpoints in a run directory (one is also written at the end). */
  checkpointEvery: number;
  /** Test images for the final accuracy (0: none). */
  testSamples: number;
  /** Directory of the IDX files ("" for the default). */
  dataDir: string;
  backend: BackendChoice;
}

const OPTIMIZER_DEFAULTS = {
  optimizer: "sgd",
  momentum: 0.9,
  weightDecay: 0,
  schedule: "constant",
  warmup: 0,
  maxGradNorm: 0,
} as const;

/** Defaults per model: each run takes about 20 s (mlp) or 90 s (cnn) on a 2-core CPU adapter. */
export const DEFAULT_CONFIGS: Readonly<Record<ModelName, TrainConfig>> = {
  mlp: {
    model: "mlp",
    preset: "mlp",
    loss: "squared",
    n: 4096,
    batch: 64,
    steps: 300,
    learningRate: 0.05,
    initScale: 0.2,
    seed: 1312,
    dataSeed: 1011,
    logEvery: 25,
    ...OPTIMIZER_DEFAULTS,
    checkpointEvery: 100,
    testSamples: 2000,
    dataDir: "",
    backend: "auto",
  },
  cnn: {
    model: "cnn",
    preset: "cnn",
    loss: "squared",
    n: 512,
    batch: 16,
    steps: 60,
    learningRate: 0.1,
    initScale: 0.3,
    seed: 1312,
    dataSeed: 1011,
    logEvery: 10,
    ...OPTIMIZER_DEFAULTS,
    checkpointEvery: 20,
    testSamples: 1000,
    dataDir: "",
    backend: "auto",
  },
};

/** The defaults of `--model mlp`. */
export const defaultConfig: TrainConfig = DEFAULT_CONFIGS.mlp;

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

const kebab = (name: string) => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/**
 * Checks the settings before any data is read.
 *
 * @throws {TypeError} On an unknown model or a preset of another model.
 * @throws {RangeError} Naming the option and its allowed range.
 */
export function checkTrainConfig(config: TrainConfig): void {
  const presets = MODEL_PRESETS[config.model];
  if (!presets) {
    throw new TypeError(`Cannot train: --model is "${config.model}", must be one of mlp, cnn`);
  }
  if (!presets.includes(config.preset)) {
    throw new TypeError(
      `Cannot train: --preset is "${config.preset}", --model ${config.model} takes one of ${
        presets.join(", ")
      }`,
    );
  }
  const integer = (name: keyof TrainConfig, min: number, max = Infinity) => {
    const v = config[name] as number;
    if (!Number.isInteger(v) || v < min || v > max) {
      throw new RangeError(`Cannot train: --${kebab(name)} is ${v}, must be an integer in [${min}, ${max}]`);
    }
  };
  integer("n", 1, 60000);
  integer("batch", 1, config.n);
  integer("steps", 1);
  integer("logEvery", 1);
  integer("testSamples", 0, 10000);
  for (const seed of ["seed", "dataSeed"] as const) integer(seed, 0, 2 ** 32 - 1); // before any directory
  integer("checkpointEvery", 1);
  integer("warmup", 0, config.steps - 1);
  for (const name of ["learningRate", "initScale"] as const) {
    if (!(Number.isFinite(config[name]) && config[name] > 0)) {
      throw new RangeError(`Cannot train: --${kebab(name)} is ${config[name]}, must be a finite number > 0`);
    }
  }
  if (!(Number.isFinite(config.maxGradNorm) && config.maxGradNorm >= 0)) {
    throw new RangeError(
      `Cannot train: --max-grad-norm is ${config.maxGradNorm}, must be a finite number >= 0`,
    );
  }
  if (!(TRAIN_OPTIMIZERS as readonly string[]).includes(config.optimizer)) {
    throw new TypeError(
      `Cannot train: --optimizer is "${config.optimizer}", must be one of ${TRAIN_OPTIMIZERS.join(", ")}`,
    );
  }
  if (config.optimizer === "enhanced_sgd" && config.schedule !== "constant") {
    throw new TypeError(
      `Cannot train: --schedule is "${config.schedule}" with --optimizer enhanced_sgd, whose controller drives ` +
        `the learning rate; use --schedule constant`,
    );
  }
  if (config.optimizer === "enhanced_sgd" && config.maxGradNorm > 0) {
    throw new TypeError(
      `Cannot train: --max-grad-norm is ${config.maxGradNorm} with --optimizer enhanced_sgd, which clips ` +
        `elementwise by its own rule; use --max-grad-norm 0`,
    );
  }
  if (!(SCHEDULE_NAMES as readonly string[]).includes(config.schedule)) {
    throw new TypeError(
      `Cannot train: --schedule is "${config.schedule}", must be one of ${SCHEDULE_NAMES.join(", ")}`,
    );
  }
}

/** EnhancedSGD's settings of a config (clean mode; its other settings at their defaults). */
export function enhancedSgdOptions(config: TrainConfig): EnhancedSgdOptions {
  return { lr: config.learningRate, momentum: config.momentum, weightDecay: config.weightDecay };
}

/** The optimizer of a config on a backend. */
function makeOptimizer(config: TrainConfig, backend: Backend, layout: ParameterLayout): ParameterOptimizer {
  if (config.optimizer === "enhanced_sgd") {
    return createEnhancedSgd(backend, layout, enhancedSgdOptions(config)).optimizer;
  }
  return new Optimizer(backend, layout, optimizerOptions(config), scheduleOf(config));
}

/**
 * The lib/optim settings of a config (momentum only for the momentum kinds; no clipping at 0).
 *
 * @throws {TypeError} For `enhanced_sgd`, which is not a lib/optim kind (see {@linkcode enhancedSgdOptions}).
 */
export function optimizerOptions(config: TrainConfig): OptimizerOptions {
  if (config.optimizer === "enhanced_sgd") {
    throw new TypeError("Cannot make lib/optim settings for enhanced_sgd: use enhancedSgdOptions");
  }
  const momentumKind = config.optimizer === "momentum" || config.optimizer === "nesterov";
  return {
    kind: config.optimizer,
    lr: config.learningRate,
    weightDecay: config.weightDecay,
    ...(momentumKind ? { momentum: config.momentum } : {}),
    ...(config.maxGradNorm > 0 ? { maxGradNorm: config.maxGradNorm } : {}),
  };
}

/** The schedule of a config (none for "constant"). */
function scheduleOf(config: TrainConfig): Schedule | undefined {
  return config.schedule === "constant"
    ? undefined
    : namedSchedule(config.schedule, { total: config.steps, warmup: config.warmup });
}

/** The model spec a config (or `spec`) trains. */
function specOf(config: TrainConfig, spec?: MlpSpec | CnnSpec): MlpSpec | CnnSpec {
  if (spec) return spec;
  return config.model === "cnn"
    ? cnnPreset(config.preset as CnnPresetName, { channels: 1, size: 28, initScale: config.initScale })
    : mlpPreset(config.preset as MlpPresetName, { inputs: 784, initScale: config.initScale });
}

/**
 * Checks everything a run needs before any data is read or any directory is made: the settings, the
 * model spec, the optimizer's hyperparameters against the model's layout, and the schedule.
 *
 * @throws {TypeError|RangeError} Naming the bad setting.
 */
export function validateRun(config: TrainConfig, spec?: MlpSpec | CnnSpec): ParameterLayout {
  checkTrainConfig(config);
  if (spec && ("convs" in spec) !== (config.model === "cnn")) {
    throw new TypeError(`Cannot train: the given spec is not a ${config.model} spec`);
  }
  const s = specOf(config, spec);
  const layout = "convs" in s ? cnnLayout(s) : mlpLayout(s);
  if (config.optimizer === "enhanced_sgd") resolveEnhancedSgd(enhancedSgdOptions(config));
  else resolveOptimizer(layout, optimizerOptions(config));
  scheduleOf(config);
  return layout;
}

/** The model of a config (or `spec`) on a backend, and a one-line description of it. */
function makeModel(config: TrainConfig, backend: Backend, spec?: MlpSpec | CnnSpec) {
  if (config.model === "cnn") {
    const cnnSpec = specOf(config, spec) as CnnSpec;
    const cnn = new Cnn(backend, cnnSpec, config.loss);
    const { input } = cnnSpec;
    const blocks = cnn.shapes.blocks.map((b) =>
      `conv${b.kernelSize}x${b.kernelSize}-${b.outChannels}${b.pool ? "+pool" : ""}`
    );
    const about = `${input.channels}x${input.height}x${input.width} ${blocks.join(" ")} fc ${
      cnn.shapes.dense.join("-")
    }`;
    return { model: cnn, about };
  }
  const mlpSpec = specOf(config, spec) as MlpSpec;
  const mlp = new Mlp(backend, mlpSpec, config.loss);
  return { model: mlp as Mlp | Cnn, about: mlpSpec.sizes.join("-") };
}

async function readScalar(backend: Backend, t: Tensor): Promise<number> {
  return (await backend.read(t))[0];
}

/** A checkpoint's fingerprint fields: every setting except where the data lives and how to pick a backend. */
function fingerprintOf(config: TrainConfig): Record<string, string | number | boolean> {
  const { dataDir: _d, backend: _b, ...rest } = config;
  return rest;
}

/** Opens a run directory to resume: its config, its checkpoint (if one was written) and its metrics, trimmed. */
async function openForResume(path: string): Promise<{ run: RunDir; config: TrainConfig }> {
  const run = await RunDir.open(path);
  if (run.config.name !== NAME) {
    throw new UsageError(`Cannot resume ${path}: it is a "${run.config.name}" run, not "${NAME}"`);
  }
  if (await run.isComplete()) throw new UsageError(`Cannot resume ${path}: the run is already complete`);
  return { run, config: { ...DEFAULT_CONFIGS.mlp, ...run.config.parameters } as TrainConfig };
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
  const dataDir = config.dataDir || fashionMnistDir();
  const all = await loadFashionMnist({ split: "train", dataDir });
  const testAll = config.testSamples > 0 ? await loadFashionMnist({ split: "test", dataDir }) : undefined;
  const { model, about } = makeModel(config, backend, options.spec);
  const optimizer = makeOptimizer(config, backend, model.layout);
  let metrics: MetricsWriter | undefined;
  let stream: EpochStream | undefined;
  try {
    let resumeState: CheckpointState | undefined;
    let initialLoss = NaN;
    const loopCheckpoint = (r: RunDir): LoopCheckpoint => ({
      path: r.file("checkpoint.ckpt"),
      every: config.checkpointEvery,
      kind: NAME,
      fingerprint: fingerprintOf(config),
    });
    if (run) {
      const c = loopCheckpoint(run);
      try {
        await Deno.stat(c.path);
        resumeState = await loadCheckpoint(c.path, {
          kind: NAME,
          fingerprint: checkpointFingerprint({ checkpoint: c, optimizer, model }),
        });
      } catch (error) {
        if (!(error instanceof Deno.errors.NotFound)) throw error;
      }
      await truncateMetrics(run.file("metrics.jsonl"), resumeState?.step ?? 0);
      if (resumeState) {
        const first = (await readMetrics(run.file("metrics.jsonl"))).find((r) =>
          r.step === 0 && "fullBatchLoss" in r
        );
        initialLoss = Number(first?.fullBatchLoss ?? NaN);
      }
    } else if (options.out) {
      run = await RunDir.create(options.out, {
        name: NAME,
        parameters: { ...config },
        seed: config.seed,
        backend,
      });
    }
    metrics = await run?.metrics();
    const subset = selectSamples(all, seededSubset(all.shape[0], config.n, config.dataSeed));
    const normalization = channelStatistics(subset);
    const params = model.init(config.seed);
    print(
      `${config.preset} ${about} (${model.layout.count} parameters), ${config.loss} loss, ` +
        `n ${config.n}, batch ${config.batch}, ${config.optimizer} lr ${config.learningRate}` +
        `${
          config.schedule === "constant" ? "" : ` (${config.schedule} schedule)`
        }, on ${backend.description}` +
        (resumeState ? `; resuming at step ${resumeState.step}` : ""),
    );
    stream = new EpochStream(backend, config.n, config.batch, (epoch) => {
      const order = seededSubset(config.n, config.n, (config.dataSeed + 1 + epoch) >>> 0);
      return datasetTensors(backend, selectSamples(subset, order), { normalization });
    });
    const full = datasetTensors(backend, subset, { normalization });
    const fullBatchLoss = async (step: number) => {
      const value = await readScalar(backend, (await model.evaluate(params, full.x, full.y)).loss);
      metrics?.write({ step, fullBatchLoss: value });
      return value;
    };
    if (!resumeState) {
      initialLoss = await fullBatchLoss(0);
      print(`step 0: full-batch loss ${initialLoss.toFixed(4)}`);
    }
    const progress = new Progress({
      total: config.steps,
      start: resumeState?.step ?? 0,
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
      checkpoint: run ? loopCheckpoint(run) : undefined,
      resume: resumeState,
      stop: options.stop,
    });
    progress.finish();
    const log: TrainResult["log"] = [];
    result.losses.forEach((batchLoss, step) => {
      if (step % config.logEvery === 0 || step === config.steps - 1) log.push({ step, batchLoss });
    });
    const stepsRun = result.step - (resumeState?.step ?? 0);
    const seconds = result.seconds;
    if (result.status === "stopped") {
      backend.dispose(full.x, full.y, params);
      const totalSeconds = (performance.now() - start) / 1000;
      print(`stopped at step ${result.step}${run ? `; continue with --resume ${run.path}` : ""}`);
      return {
        log,
        initialLoss,
        finalLoss: NaN,
        testAccuracy: NaN,
        losses: result.losses,
        seconds,
        totalSeconds,
        stepsRun,
        hostWaits: result.hostWaits,
        status: "stopped",
        runDir: run?.path,
      };
    }
    const finalLoss = await fullBatchLoss(config.steps);
    print(
      `step ${config.steps}: full-batch loss ${finalLoss.toFixed(4)} (${
        (stepsRun / seconds).toFixed(2)
      } steps/s, ${
        (stepsRun * config.batch / seconds).toFixed(1)
      } samples/s, ${result.hostWaits} host waits)`,
    );
    backend.dispose(full.x, full.y);

    let testAccuracy = NaN;
    if (testAll) {
      const count = Math.min(config.testSamples, testAll.shape[0]);
      const first = Array.from({ length: count }, (_, i) => i);
      const test = datasetTensors(backend, selectSamples(testAll, first), { normalization });
      const outputs = await backend.read(await model.forward(params, test.x));
      let correct = 0;
      for (let i = 0; i < count; i++) {
        const row = outputs.subarray(i * 10, i * 10 + 10);
        if (row.indexOf(Math.max(...row)) === testAll.labels[i]) correct++;
      }
      testAccuracy = correct / count;
      backend.dispose(test.x, test.y);
      print(`test accuracy on ${count} images: ${(100 * testAccuracy).toFixed(1)}%`);
    }
    backend.dispose(params);
    const totalSeconds = (performance.now() - start) / 1000;
    print(`done in ${totalSeconds.toFixed(1)} s${run ? `; run directory ${run.path}` : ""}`);
    metrics?.close();
    await run?.complete({ initialLoss, finalLoss, testAccuracy, seconds, totalSeconds });
    return {
      log,
      initialLoss,
      finalLoss,
      testAccuracy,
      losses: result.losses,
      seconds,
      totalSeconds,
      stepsRun,
      hostWaits: result.hostWaits,
      status: "complete",
      runDir: run?.path,
    };
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

/** The `--model` the arguments ask for (flags over the `--config` file), to pick the defaults. */
function requestedModel(args: string[]): ModelName {
  let model: unknown;
  const configAt = args.findLastIndex((a) => a === "--config" || a.startsWith("--config="));
  if (configAt >= 0) {
    const file = args[configAt].includes("=") ? args[configAt].split("=")[1] : args[configAt + 1];
    try {
      model = JSON.parse(Deno.readTextFileSync(file)).model;
    } catch { /* parseCli reports an unreadable file */ }
  }
  const at = args.findLastIndex((a) => a === "--model" || a.startsWith("--model="));
  if (at >= 0) model = args[at].includes("=") ? args[at].split("=")[1] : args[at + 1];
  return model === "cnn" ? "cnn" : "mlp"; // an unknown name is reported by parseCli
}

/** The command-line options, with the defaults of `model`. */
function cliOptions(model: ModelName): Record<string, OptionSpec> {
  const d = DEFAULT_CONFIGS[model];
  const number = (name: keyof TrainConfig, description: string): OptionSpec => ({
    type: "number",
    default: d[name] as number,
    description,
  });
  return {
    model: { type: "string", default: model, description: "model family", choices: ["mlp", "cnn"] },
    preset: {
      type: "string",
      default: d.preset,
      description: `${model} preset (the cnn preset in its 1x28x28 variant)`,
      choices: MODEL_PRESETS[model],
    },
    loss: { type: "string", default: d.loss, description: "loss", choices: ["squared", "crossEntropy"] },
    n: number("n", "training images (seeded subset)"),
    batch: number("batch", "batch size"),
    steps: number("steps", "SGD steps"),
    learningRate: number("learningRate", "learning rate"),
    initScale: number("initScale", "init std multiplier"),
    seed: { ...COMMON_OPTIONS.seed, default: d.seed, description: "init seed" },
    dataSeed: number("dataSeed", "subset and shuffle seed"),
    logEvery: number("logEvery", "steps between printed losses"),
    optimizer: {
      type: "string",
      default: d.optimizer,
      description: "optimizer (lib/optim, or lib/enhanced_sgd's clean EnhancedSGD)",
      choices: [...TRAIN_OPTIMIZERS],
    },
    momentum: number("momentum", "momentum of momentum and nesterov (initial momentum of enhanced_sgd)"),
    weightDecay: number("weightDecay", "weight decay (decoupled for adamw and enhanced_sgd, L2 otherwise)"),
    schedule: {
      type: "string",
      default: d.schedule,
      description: "learning-rate schedule",
      choices: [...SCHEDULE_NAMES],
    },
    warmup: number("warmup", "linear warmup steps of the cosine schedule"),
    maxGradNorm: number("maxGradNorm", "clip gradients to this global norm (0: off)"),
    checkpointEvery: number("checkpointEvery", "steps between checkpoints in the run directory"),
    testSamples: number("testSamples", "test images for accuracy"),
    dataDir: { type: "string", default: "", description: "directory of the Fashion-MNIST IDX files" },
    out: { type: "string", default: "", description: "new run directory to write (none by default)" },
    resume: { type: "string", default: "", description: "continue the run in this run directory" },
    quiet: { type: "boolean", default: false, description: "no progress bar on stderr" },
    backend: COMMON_OPTIONS.backend,
    config: COMMON_OPTIONS.config,
  };
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
