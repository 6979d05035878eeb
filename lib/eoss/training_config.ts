/**
 * The settings of an EoSS training run (specs/seed003 sections 2.3-2.4): the model preset, the data subset,
 * plain SGD (or heavy-ball momentum) at a constant step size, the stop rules, the measurement cadence and
 * which measurements run, the seeds (data subset, init, batch order and measurement batches are separate
 * streams), checkpoints for forks, and files replaying another framework's run. {@linkcode runEossTraining}
 * (training.ts) takes an {@linkcode EossTrainingConfig}; `config.json` of a run directory stores it.
 *
 * @module
 */
import type { LossName } from "../models/losses.ts";
import { MLP_PRESETS, type MlpPresetName } from "../models/mlp.ts";
import { type CadenceSpec, checkCadence, DEFAULT_CADENCES, type MeasurementName } from "./cadence.ts";

/** The model: an MLP preset (specs/seed003 2.3), optionally with other hidden widths. */
export interface EossModelConfig {
  /** The preset ("mlp": 2 x 512 ReLU, Kaiming-normal fan-in). */
  preset: MlpPresetName;
  /** Hidden widths instead of the preset's (e.g. [64] for a quick test); the preset's when absent. */
  hidden?: readonly number[];
  /** Multiplier of every weight's init std (0.2 for the MLP). */
  initScale: number;
  /** "squared" (mean over samples of the sum over outputs of (f - y)^2, the paper's) or "crossEntropy". */
  loss: LossName;
}

/** Which data. "synthetic" (seeded Gaussian inputs, labels of a random linear teacher) needs no files. */
export type EossDatasetName = "fashion-mnist" | "cifar10" | "synthetic";

/** The training subset. */
export interface EossDataConfig {
  dataset: EossDatasetName;
  /** Training samples: a seeded subset (`seeds.data`) of the training split, or `replay.subsetIndices`. */
  n: number;
  /** Fashion-MNIST: "auto" (the full set when installed, else the shipped subset), "full" or "subset". */
  source?: "auto" | "full" | "subset";
  /** Directory of the dataset files ("" or absent: the loader's default). */
  dataDir?: string;
  /** Inputs per sample of "synthetic" (16 by default); image datasets fix it. */
  inputs?: number;
  /** Classes of "synthetic" (10 by default). */
  classes?: number;
  /** Samples in the "synthetic" pool the subset is drawn from (n by default: all of them). */
  pool?: number;
}

/** Separate seeds, so that e.g. the batch order can change while the subset and init stay. */
export interface EossSeeds {
  /** The training subset (and the synthetic data). */
  data: number;
  /** The initial parameters. */
  init: number;
  /** The per-epoch shuffles: epoch e uses seed `order + e` (the original's `data_ordering_seed + epoch`). */
  order: number;
  /** The Monte-Carlo measurement batches (batch sharpness, GNI, trace...) and lambda_max's first start. */
  measure: number;
}

/** When a run stops before `steps`. */
export type EossStopRule =
  /** The last measured full loss (cadence `fullLoss`) is below `stopLoss` (the toolkit's default). */
  | "fullLoss"
  /** At an epoch's end, the mean batch loss of that epoch is below `stopLoss` (the original's rule, errata 1). */
  | "epochMean"
  /** Never (only `steps`, a NaN, or an abort). */
  | "none";

/** SGD at a constant step size. */
export interface EossOptimizerConfig {
  /** b: consecutive slices of each epoch's permutation, a last partial batch dropped. */
  batchSize: number;
  /** eta (constant). */
  learningRate: number;
  /** Steps to run (the global step counter starts at 0). */
  steps: number;
  /** Heavy-ball beta (PyTorch's v <- beta v + g, theta <- theta - eta v); 0: plain SGD. */
  momentum: number;
  /** Loss below which the run stops (1e-5 for the MLP). */
  stopLoss: number;
  /** How `stopLoss` is checked. */
  stopRule: EossStopRule;
}

/** Estimator settings of the measurements (lib/eoss estimators' options). */
export interface EossMeasurementSettings {
  /** Relative tolerance of lambda_max's solver (0.005, warm-started). */
  lambdaMaxTolerance: number;
  /**
   * lambda_max's solver: "power" (the spec's power iteration, default) or "lanczos" (full reorthogonalisation,
   * same start vector and residual tolerance, fewer H v products; at most min(lambdaMaxIterations, 60) steps).
   */
  lambdaMaxSolver: "power" | "lanczos";
  /** Most power iterations (1000). */
  lambdaMaxIterations: number;
  /** Most rows of lambda_max's Hessian (4096; a seeded subset when n is larger). */
  lambdaMaxRows: number;
  /** Batch sharpness: most Monte-Carlo batches (1000) and the relative standard error to stop at (0.005). */
  batchSharpnessMaxSamples: number;
  batchSharpnessRelativeError: number;
  /** Batches of GNI (500, always all of them as in the original). */
  gniSamples: number;
  /** Rademacher probes of the Hutchinson trace (100). */
  traceSamples: number;
  /** Batches of the second-moment contraction's expectation (128, the spec's). */
  secondMomentBatches: number;
}

/**
 * Which measurements run, and at which steps: a {@linkcode CadenceSpec} per measurement, or null for off.
 * Measurements at step s see the parameters before update s.
 */
export type EossCadences = Record<MeasurementName, CadenceSpec | null>;

/** Files of another framework's run to replay (see replay.ts for each layout). */
export interface EossReplayConfig {
  /** .npy [n] of integer indices into the training split: the subset (replaces the seeded one). */
  subsetIndices?: string;
  /** .npy [P] float32/float64: the initial parameters in this toolkit's flat layout. */
  initParams?: string;
  /** .npy [epochs, m] of integer indices into the subset (0..n-1): each epoch's sample order. */
  batchOrder?: string;
}

/** A checkpoint to start from: the fork experiment (EOSS-15). */
export interface EossForkConfig {
  /** The parent's run directory (its `checkpoints/step-<s>.ckpt`) or a checkpoint file. */
  from: string;
  /** The parent's step s to restart from (a step at which the parent wrote a checkpoint). */
  step: number;
}

/** Every setting of an EoSS run. */
export interface EossTrainingConfig {
  model: EossModelConfig;
  data: EossDataConfig;
  seeds: EossSeeds;
  optimizer: EossOptimizerConfig;
  /** Cadence of each measurement (null: off). */
  cadences: EossCadences;
  /** Multiplies the periods of the heavy measurements (lambda_max, batch sharpness, GNI, trace): `--rare-measure` is 4. */
  rareMeasure: number;
  settings: EossMeasurementSettings;
  /** Steps at which to write a checkpoint (for forks), besides every `checkpointEvery` steps (0: none). */
  checkpointSteps: readonly number[];
  checkpointEvery: number;
  replay?: EossReplayConfig;
  fork?: EossForkConfig;
}

/** The defaults: the spec's CLI-sized MLP run on Fashion-MNIST with the original's cadence. */
export const DEFAULT_EOSS_CONFIG: EossTrainingConfig = {
  model: { preset: "mlp", initScale: 0.2, loss: "squared" },
  data: { dataset: "fashion-mnist", n: 64, source: "auto" },
  seeds: { data: 1011, init: 1312, order: 111, measure: 8312 },
  optimizer: {
    batchSize: 4,
    learningRate: 0.05,
    steps: 1000,
    momentum: 0,
    stopLoss: 1e-5,
    stopRule: "fullLoss",
  },
  cadences: DEFAULT_CADENCES,
  rareMeasure: 1,
  settings: {
    lambdaMaxTolerance: 0.005,
    lambdaMaxSolver: "power",
    lambdaMaxIterations: 1000,
    lambdaMaxRows: 4096,
    batchSharpnessMaxSamples: 1000,
    batchSharpnessRelativeError: 0.005,
    gniSamples: 500,
    traceSamples: 100,
    secondMomentBatches: 128,
  },
  checkpointSteps: [],
  checkpointEvery: 0,
};

/** A partial config over the defaults (each section merged one level deep). */
export type EossTrainingConfigInput = {
  [K in keyof EossTrainingConfig]?: EossTrainingConfig[K] extends readonly unknown[] ? EossTrainingConfig[K]
    : EossTrainingConfig[K] extends object | undefined ? Partial<NonNullable<EossTrainingConfig[K]>>
    : EossTrainingConfig[K];
};

/**
 * The defaults with `input` merged in, section by section.
 *
 * @param input Sections or fields to change.
 * @returns A full config (not yet validated: see {@linkcode checkEossConfig}).
 */
export function eossConfig(
  input: EossTrainingConfigInput = {},
  base = DEFAULT_EOSS_CONFIG,
): EossTrainingConfig {
  const d = base;
  return {
    model: { ...d.model, ...input.model },
    data: { ...d.data, ...input.data },
    seeds: { ...d.seeds, ...input.seeds },
    optimizer: { ...d.optimizer, ...input.optimizer },
    cadences: { ...d.cadences, ...input.cadences } as EossCadences,
    rareMeasure: input.rareMeasure ?? d.rareMeasure,
    settings: { ...d.settings, ...input.settings },
    checkpointSteps: input.checkpointSteps ?? d.checkpointSteps,
    checkpointEvery: input.checkpointEvery ?? d.checkpointEvery,
    replay: input.replay ? { ...d.replay, ...input.replay } : d.replay,
    fork: input.fork ? { ...d.fork, ...input.fork } as EossForkConfig : d.fork,
  };
}

const fail = (what: string) => new RangeError(`Cannot train (EoSS): ${what}`);

function integer(name: string, v: number, min: number, max = Infinity): void {
  if (!(Number.isInteger(v) && v >= min && v <= max)) {
    throw fail(`${name} is ${v}, must be an integer in [${min}, ${max}]`);
  }
}

function positive(name: string, v: number, allowZero = false): void {
  if (!(Number.isFinite(v) && (allowZero ? v >= 0 : v > 0))) {
    throw fail(`${name} is ${v}, must be a finite number ${allowZero ? ">=" : ">"} 0`);
  }
}

/**
 * Checks a config before any data is read.
 *
 * @throws {RangeError|TypeError} Naming the setting and its allowed range.
 */
export function checkEossConfig(c: EossTrainingConfig): void {
  if (!(c.model.preset in MLP_PRESETS)) {
    throw new TypeError(
      `Cannot train (EoSS): model.preset is "${c.model.preset}", must be one of ${
        Object.keys(MLP_PRESETS).join(", ")
      }`,
    );
  }
  if (c.model.loss !== "squared" && c.model.loss !== "crossEntropy") {
    throw new TypeError(
      `Cannot train (EoSS): model.loss is "${c.model.loss}", must be squared or crossEntropy`,
    );
  }
  c.model.hidden?.forEach((w, i) => integer(`model.hidden[${i}]`, w, 1));
  positive("model.initScale", c.model.initScale);
  if (!["fashion-mnist", "cifar10", "synthetic"].includes(c.data.dataset)) {
    throw new TypeError(
      `Cannot train (EoSS): data.dataset is "${c.data.dataset}", must be fashion-mnist, cifar10 or synthetic`,
    );
  }
  integer("data.n", c.data.n, 1, 60000);
  if (c.data.inputs !== undefined) integer("data.inputs", c.data.inputs, 1);
  if (c.data.classes !== undefined) integer("data.classes", c.data.classes, 2);
  if (c.data.pool !== undefined) integer("data.pool", c.data.pool, c.data.n);
  for (const [k, v] of Object.entries(c.seeds)) integer(`seeds.${k}`, v, 0, 2 ** 32 - 1);
  const o = c.optimizer;
  integer("optimizer.batchSize", o.batchSize, 1, c.data.n);
  positive("optimizer.learningRate", o.learningRate);
  integer("optimizer.steps", o.steps, 1);
  if (!(Number.isFinite(o.momentum) && o.momentum >= 0 && o.momentum < 1)) {
    throw fail(`optimizer.momentum is ${o.momentum}, must be in [0, 1)`);
  }
  positive("optimizer.stopLoss", o.stopLoss, true);
  if (!["fullLoss", "epochMean", "none"].includes(o.stopRule)) {
    throw new TypeError(
      `Cannot train (EoSS): optimizer.stopRule is "${o.stopRule}", must be fullLoss, epochMean or none`,
    );
  }
  for (const [name, cadence] of Object.entries(c.cadences)) {
    if (cadence) checkCadence(cadence, `cadences.${name}`);
  }
  positive("rareMeasure", c.rareMeasure);
  positive("settings.lambdaMaxTolerance", c.settings.lambdaMaxTolerance);
  if (!["power", "lanczos"].includes(c.settings.lambdaMaxSolver)) {
    throw new TypeError(
      `Cannot train (EoSS): settings.lambdaMaxSolver is "${c.settings.lambdaMaxSolver}", must be power or lanczos`,
    );
  }
  integer("settings.lambdaMaxIterations", c.settings.lambdaMaxIterations, 1);
  integer("settings.lambdaMaxRows", c.settings.lambdaMaxRows, 1);
  integer("settings.batchSharpnessMaxSamples", c.settings.batchSharpnessMaxSamples, 2);
  positive("settings.batchSharpnessRelativeError", c.settings.batchSharpnessRelativeError);
  integer("settings.gniSamples", c.settings.gniSamples, 2);
  integer("settings.traceSamples", c.settings.traceSamples, 2);
  integer("settings.secondMomentBatches", c.settings.secondMomentBatches, 1);
  c.checkpointSteps.forEach((s, i) => integer(`checkpointSteps[${i}]`, s, 0, o.steps));
  integer("checkpointEvery", c.checkpointEvery, 0);
  if (c.fork) integer("fork.step", c.fork.step, 0, o.steps - 1);
}
