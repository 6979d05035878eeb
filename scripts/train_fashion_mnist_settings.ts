/**
 * The settings of scripts/train_fashion_mnist.ts: the config, its defaults per model, the checks that run
 * before any data is read or directory made, and the command-line options. What a config builds (optimizer,
 * schedule, model) is in ./train_fashion_mnist_build.ts.
 *
 * @module
 */
import type { BackendChoice } from "../lib/backend/select.ts";
import { COMMON_OPTIONS, type OptionSpec } from "../lib/cli.ts";
import { CNN_PRESETS } from "../lib/models/cnn.ts";
import type { LossName } from "../lib/models/losses.ts";
import { MLP_PRESETS } from "../lib/models/mlp.ts";
import { OPTIMIZER_KINDS, type OptimizerKind } from "../lib/optim/hyperparameters.ts";
import { SCHEDULE_NAMES } from "../lib/optim/schedules.ts";

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

/** The `--model` the arguments ask for (flags over the `--config` file), to pick the defaults. */
export function requestedModel(args: string[]): ModelName {
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
export function cliOptions(model: ModelName): Record<string, OptionSpec> {
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
