/**
 * Shared pieces of the EoSS figure scripts (scripts/eoss_fig*.ts, specs/seed003 F3.1-F3.8): one config
 * shape for a training run at figure scale, the run itself (lib/eoss/training.ts `runEossTraining`, data
 * loaded once per figure), the spec's standard plot (batch sharpness, lambda_max, the 2/eta line, a
 * step-sharpness scatter and the full loss on a log twin axis) and the plateau numbers of a summary.
 *
 * Quick scale (the gallery) runs Fashion-MNIST subsets (the shipped subset where the Debian package is
 * absent; summaries say which) on the mlp preset with narrower hidden layers and a denser, cheaper cadence
 * than the original's; `--full` is the paper's CIFAR-10 preset (n = 8192, b = 8, eta = 0.01, 150k steps,
 * 2 x 512, the original cadence) and stops with the loader's message when CIFAR-10 is absent.
 *
 * @module
 */
import type { Backend } from "../backend/backend.ts";
import { cifar10Files } from "../data/cifar10.ts";
import { DatasetFileError } from "../data/files.ts";
import { mlpPreset } from "../models/mlp.ts";
import { Mlp } from "../models/mlp_model.ts";
import { DEFAULT_CADENCES } from "./cadence.ts";
import type { PlateauSummary } from "./plateau.ts";
import { type EossRunOptions, type EossRunResult, runEossTraining } from "./training.ts";
import { DEFAULT_EOSS_CONFIG, eossConfig, type EossTrainingConfig } from "./training_config.ts";
import { type EossData, loadEossData } from "./training_data.ts";

/** The settings of an EoSS figure's training runs (the CLI options of every eoss_fig script). */
export interface EossFigureConfig extends Record<string, unknown> {
  /** "fashion-mnist" (quick), "cifar10" (`--full`) or "synthetic" (tests: no files). */
  dataset: "fashion-mnist" | "cifar10" | "synthetic";
  /** Dataset directory ("": the loader's default, CIFAR10_DIR for CIFAR-10). */
  dataDir: string;
  /** Training samples. */
  n: number;
  /** b. */
  batchSize: number;
  /** eta. */
  learningRate: number;
  /** SGD steps. */
  steps: number;
  /** Width of both hidden layers (0: the preset's 512). */
  width: number;
  /** Init seed (the batch order and measurement streams derive from it; the data subset is fixed). */
  seed: number;
  /** Steps between full-loss, lambda_max, batch-sharpness and step-sharpness measurements (0: off; -1: the original's cadence). */
  lossEvery: number;
  lambdaEvery: number;
  sharpnessEvery: number;
  stepSharpnessEvery: number;
  /** Most Monte-Carlo batches per batch-sharpness measurement, and its relative standard error to stop at. */
  sharpnessSamples: number;
  sharpnessError: number;
  /** Relative tolerance and most iterations of lambda_max (warm-started power iteration). */
  lambdaTolerance: number;
  lambdaIterations: number;
  /** webgpu, reference or auto. */
  backend: "auto" | "webgpu" | "reference";
}

/** Quick-scale defaults (each figure overrides some). */
export const QUICK_EOSS_FIGURE: EossFigureConfig = {
  dataset: "fashion-mnist",
  dataDir: "",
  n: 64,
  batchSize: 4,
  learningRate: 0.05,
  steps: 500,
  width: 256,
  seed: 1312,
  lossEvery: 25,
  lambdaEvery: 100,
  sharpnessEvery: 50,
  stepSharpnessEvery: 10,
  sharpnessSamples: 64,
  sharpnessError: 0.03,
  lambdaTolerance: 0.02,
  lambdaIterations: 40,
  backend: "auto",
};

/** The paper's preset (specs/seed003 2.5/2.6 item 1): CIFAR-10, n 8192, b 8, eta 0.01, 150k steps, the original cadence. */
export const FULL_EOSS_FIGURE: EossFigureConfig = {
  ...QUICK_EOSS_FIGURE,
  dataset: "cifar10",
  n: 8192,
  batchSize: 8,
  learningRate: 0.01,
  steps: 150000,
  width: 0,
  lossEvery: -1,
  lambdaEvery: -1,
  sharpnessEvery: -1,
  stepSharpnessEvery: -1,
  sharpnessSamples: 1000,
  sharpnessError: 0.005,
  lambdaTolerance: 0.005,
  lambdaIterations: 1000,
};

/** Tiny synthetic runs for tests (seconds on the reference backend). */
export const TEST_EOSS_FIGURE: EossFigureConfig = {
  ...QUICK_EOSS_FIGURE,
  dataset: "synthetic",
  n: 32,
  batchSize: 4,
  learningRate: 0.2,
  steps: 24,
  width: 8,
  lossEvery: 4,
  lambdaEvery: 8,
  sharpnessEvery: 8,
  stepSharpnessEvery: 4,
  sharpnessSamples: 16,
  lambdaIterations: 30,
  backend: "reference",
};

/** The command-line options of {@linkcode EossFigureConfig} (figure scripts spread it into their own). */
export const EOSS_FIGURE_OPTIONS = {
  dataset: {
    type: "string",
    choices: ["fashion-mnist", "cifar10", "synthetic"],
    description: "training data (cifar10 needs --data-dir or CIFAR10_DIR)",
  },
  dataDir: { type: "string", description: "dataset directory ('' for the default)" },
  n: { type: "number", integer: true, min: 2, max: 60000, description: "training samples" },
  batchSize: { type: "number", integer: true, min: 1, description: "batch size b" },
  learningRate: { type: "number", positive: true, description: "step size eta" },
  steps: { type: "number", integer: true, min: 1, description: "SGD steps" },
  width: { type: "number", integer: true, min: 0, description: "hidden width of the 2-layer MLP (0: 512)" },
  lossEvery: { type: "number", integer: true, min: -1, description: "full-loss period (0 off, -1 original)" },
  lambdaEvery: {
    type: "number",
    integer: true,
    min: -1,
    description: "lambda_max period (0 off, -1 original)",
  },
  sharpnessEvery: {
    type: "number",
    integer: true,
    min: -1,
    description: "batch-sharpness period (0 off, -1 original)",
  },
  stepSharpnessEvery: {
    type: "number",
    integer: true,
    min: -1,
    description: "step-sharpness period (0 off, -1 original)",
  },
  sharpnessSamples: {
    type: "number",
    integer: true,
    min: 2,
    description: "most batches per batch sharpness",
  },
  sharpnessError: {
    type: "number",
    positive: true,
    description: "relative SE at which batch sharpness stops",
  },
  lambdaTolerance: { type: "number", positive: true, description: "lambda_max relative residual tolerance" },
  lambdaIterations: { type: "number", integer: true, min: 1, description: "most lambda_max iterations" },
} as const;

const cadence = (every: number, name: keyof typeof DEFAULT_CADENCES) =>
  every < 0 ? DEFAULT_CADENCES[name] : every === 0 ? null : { every };

/**
 * The training config of a figure run.
 *
 * @param c The figure settings.
 * @param overrides Other step size, batch size or steps (sweeps, forks), and checkpoint steps.
 */
export function figureTrainingConfig(
  c: EossFigureConfig,
  overrides: { learningRate?: number; batchSize?: number; steps?: number; checkpointSteps?: number[] } = {},
): EossTrainingConfig {
  return eossConfig({
    model: {
      preset: "mlp",
      initScale: 0.2,
      loss: "squared",
      ...(c.width > 0 ? { hidden: [c.width, c.width] } : {}),
    },
    data: {
      dataset: c.dataset,
      n: c.n,
      source: "auto",
      dataDir: c.dataDir,
      ...(c.dataset === "synthetic" ? { inputs: 16, classes: 4 } : {}),
    },
    seeds: {
      ...DEFAULT_EOSS_CONFIG.seeds,
      init: c.seed,
      order: (c.seed + 1) >>> 0,
      measure: (c.seed + 2) >>> 0,
    },
    optimizer: {
      batchSize: overrides.batchSize ?? c.batchSize,
      learningRate: overrides.learningRate ?? c.learningRate,
      steps: overrides.steps ?? c.steps,
      momentum: 0,
      stopLoss: 0,
      stopRule: "none",
    },
    cadences: {
      fullLoss: cadence(c.lossEvery, "fullLoss"),
      lambdaMax: cadence(c.lambdaEvery, "lambdaMax"),
      batchSharpness: cadence(c.sharpnessEvery, "batchSharpness"),
      stepSharpness: cadence(c.stepSharpnessEvery, "stepSharpness"),
      gni: null,
      trace: null,
    },
    settings: {
      lambdaMaxTolerance: c.lambdaTolerance,
      lambdaMaxIterations: c.lambdaIterations,
      batchSharpnessMaxSamples: c.sharpnessSamples,
      batchSharpnessRelativeError: c.sharpnessError,
    },
    checkpointSteps: overrides.checkpointSteps ?? [],
  });
}

/**
 * Loads a figure's training subset once (shared by its runs). CIFAR-10 is checked first, with what to do
 * when it is absent.
 *
 * @throws {DatasetFileError} When the dataset files are missing (exit 3).
 */
export async function loadFigureData(c: EossFigureConfig): Promise<EossData> {
  if (c.dataset === "cifar10") {
    const files = cifar10Files("train", c.dataDir || undefined);
    for (const file of files) {
      try {
        await Deno.stat(file);
      } catch {
        throw new DatasetFileError(
          file,
          `Cannot run the paper's preset: CIFAR-10 is absent (${file} not found). Download cifar-10-binary.tar.gz ` +
            `from https://www.cs.toronto.edu/~kriz/cifar.html, unpack it and pass --data-dir <.../cifar-10-batches-bin> ` +
            `(or set CIFAR10_DIR); quick scale needs no download`,
        );
      }
    }
  }
  return await loadEossData(figureTrainingConfig(c).data, DEFAULT_EOSS_CONFIG.seeds.data);
}

/** The model of a training config on `data` (as lib/eoss/training.ts builds it). */
export function figureModel(config: EossTrainingConfig, data: EossData, backend: Backend): Mlp {
  const preset = mlpPreset(config.model.preset, {
    inputs: data.inputs,
    outputs: data.classes,
    initScale: config.model.initScale,
  });
  const hidden = config.model.hidden;
  return new Mlp(
    backend,
    hidden ? { ...preset, sizes: [data.inputs, ...hidden, data.classes] } : preset,
    config.model.loss,
  );
}

/** A comma-separated list of positive numbers (a sweep option). @throws {RangeError} On a bad entry. */
export function parseList(text: string, what: string, integer = false): number[] {
  const values = text.split(",").map((t) => Number(t.trim()));
  if (values.length === 0 || values.some((v) => !(v > 0) || (integer && !Number.isInteger(v)))) {
    throw new RangeError(
      `Cannot read ${what} "${text}": expected comma-separated ${integer ? "integers >= 1" : "numbers > 0"}`,
    );
  }
  return values;
}

/** Runs one training of a figure on preloaded data. */
export function runFigureTraining(
  config: EossTrainingConfig,
  backend: Backend,
  data: EossData,
  options: Partial<EossRunOptions> = {},
): Promise<EossRunResult> {
  return runEossTraining(config, { backend, data, progress: "quiet", ...options });
}

/** The plateau numbers of a summary (batch sharpness and lambda_max over the last third, next to 2/eta). */
export function plateauNumbers(plateau: PlateauSummary): {
  threshold: number;
  batchSharpness: number;
  batchSharpnessStd: number;
  batchSharpnessOverThreshold: number;
  lambdaMax: number;
  lambdaMaxOverThreshold: number;
  window: { first: number; last: number };
} {
  return {
    threshold: plateau.threshold,
    batchSharpness: plateau.batchSharpness.mean,
    batchSharpnessStd: plateau.batchSharpness.std,
    batchSharpnessOverThreshold: plateau.batchSharpness.ratio,
    lambdaMax: plateau.lambdaMax.mean,
    lambdaMaxOverThreshold: plateau.lambdaMax.ratio,
    window: plateau.window,
  };
}

export { EOSS_COLORS, lossPoints, sharpnessPoints, standardEossPlot } from "./figures_plot.ts";
