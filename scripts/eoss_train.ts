/**
 * One Edge-of-Stochastic-Stability training run (specs/seed003, lib/eoss/training.ts): plain SGD at a
 * constant step size on an MLP preset and a seeded Fashion-MNIST (or CIFAR-10, or synthetic) subset, with
 * batch sharpness, lambda_max, step sharpness, the full loss (and optionally GNI and the Hessian trace)
 * measured before the update at the original's cadence, and the plateaus next to 2/eta at the end.
 *
 * ```
 * deno run -A scripts/eoss_train.ts                                  # the spec's CPU sanity run: n 64, b 4, eta 0.05, 1000 steps
 * deno run -A scripts/eoss_train.ts --n 256 --batch 8 --learning-rate 0.02 --steps 10000 --out runs/b8
 * deno run -A scripts/eoss_train.ts --out runs/p --checkpoint-steps 500    # a parent with a checkpoint at step 500
 * deno run -A scripts/eoss_train.ts --fork-from runs/p --fork-step 500 --learning-rate 0.1 --out runs/eta2x
 * deno run -A scripts/eoss_train.ts --subset-indices s.npy --init-params p.npy --batch-order o.npy  # replay a PyTorch run
 * ```
 *
 * With `--out` the run directory holds config.json (the full engine config), metrics.jsonl (one row per
 * measured step: epoch, step, batch_loss, full_loss, lambda_max, step_sharpness, batch_sharpness, gni,
 * accuracy and diagnostics; null where not measured), checkpoints/step-<s>.ckpt and done.json (the
 * summary). Exit status 3 on a bad replay file, dataset file or fork checkpoint; 4 when the loss diverges.
 * The `.npy` layouts of the replay files are documented in lib/eoss/replay.ts.
 *
 * @module
 */
import { type BackendChoice, getBackend } from "../lib/backend/select.ts";
import {
  COMMON_OPTIONS,
  type OptionSpec,
  parseNumberList,
  runCli,
  RunFailedError,
  UsageError,
} from "../lib/cli.ts";
import {
  type CadenceSpec,
  DEFAULT_CADENCES,
  GNI_CADENCE,
  MEASUREMENT_NAMES,
  type MeasurementName,
  traceCadence,
} from "../lib/eoss/cadence.ts";
import type { EossRow } from "../lib/eoss/metrics.ts";
import { type EossRunResult, runEossTraining } from "../lib/eoss/training.ts";
import {
  DEFAULT_EOSS_CONFIG,
  eossConfig,
  type EossDatasetName,
  type EossStopRule,
  type EossTrainingConfig,
} from "../lib/eoss/training_config.ts";
import type { LossName } from "../lib/models/losses.ts";
import type { MlpPresetName } from "../lib/models/mlp.ts";
import { MLP_PRESETS } from "../lib/models/mlp.ts";
import { setProgressQuiet } from "../lib/progress.ts";

const NAME = "eoss_train";

/** The flat command-line settings of a run (mapped to the engine's config by {@linkcode toEossConfig}). */
export interface EossTrainFlags {
  preset: string;
  /** Hidden widths instead of the preset's, comma-separated ("" for the preset's). */
  hidden: string;
  initScale: number;
  loss: string;
  dataset: string;
  n: number;
  /** Fashion-MNIST: auto, full or subset. */
  dataSource: string;
  dataDir: string;
  batch: number;
  learningRate: number;
  steps: number;
  momentum: number;
  stopLoss: number;
  stopRule: string;
  dataSeed: number;
  initSeed: number;
  orderSeed: number;
  measureSeed: number;
  /** Measurements to take, comma-separated (fullLoss, lambdaMax, batchSharpness, stepSharpness, gni, trace). */
  measure: string;
  /** Base periods (0: the original's, which also double later in the run). */
  lossEvery: number;
  lambdaEvery: number;
  bsEvery: number;
  stepEvery: number;
  gniEvery: number;
  traceEvery: number;
  /** Period of the second-moment contraction (with `--measure ...,secondMoment`). */
  secondMomentEvery: number;
  rareMeasure: number;
  bsMaxSamples: number;
  bsRelativeError: number;
  lambdaTolerance: number;
  /** lambda_max's solver: power (the spec's) or lanczos. */
  lambdaSolver: string;
  /** Steps at which to write a checkpoint, comma-separated. */
  checkpointSteps: string;
  checkpointEvery: number;
  subsetIndices: string;
  initParams: string;
  batchOrder: string;
  forkFrom: string;
  forkStep: number;
  backend: string;
}

/** The defaults: the spec's CPU sanity run on Fashion-MNIST (n 64, b 4, eta 0.05, 1000 steps). */
export const defaultConfig: EossTrainFlags = {
  preset: "mlp",
  hidden: "",
  initScale: 0.2,
  loss: "squared",
  dataset: "fashion-mnist",
  n: 64,
  dataSource: "auto",
  dataDir: "",
  batch: 4,
  learningRate: 0.05,
  steps: 1000,
  momentum: 0,
  stopLoss: 1e-5,
  stopRule: "fullLoss",
  dataSeed: DEFAULT_EOSS_CONFIG.seeds.data,
  initSeed: DEFAULT_EOSS_CONFIG.seeds.init,
  orderSeed: DEFAULT_EOSS_CONFIG.seeds.order,
  measureSeed: DEFAULT_EOSS_CONFIG.seeds.measure,
  measure: "fullLoss,lambdaMax,batchSharpness,stepSharpness",
  lossEvery: 0,
  lambdaEvery: 0,
  bsEvery: 0,
  stepEvery: 0,
  gniEvery: 0,
  traceEvery: 0,
  secondMomentEvery: 256,
  rareMeasure: 1,
  bsMaxSamples: 1000,
  bsRelativeError: 0.005,
  lambdaTolerance: 0.005,
  lambdaSolver: "power",
  checkpointSteps: "",
  checkpointEvery: 0,
  subsetIndices: "",
  initParams: "",
  batchOrder: "",
  forkFrom: "",
  forkStep: 0,
  backend: "auto",
};

const EVERY: Record<MeasurementName, keyof EossTrainFlags> = {
  fullLoss: "lossEvery",
  lambdaMax: "lambdaEvery",
  batchSharpness: "bsEvery",
  stepSharpness: "stepEvery",
  gni: "gniEvery",
  trace: "traceEvery",
  secondMoment: "secondMomentEvery",
};

/**
 * The engine config of a set of flags.
 *
 * @throws {UsageError} On an unknown measurement name or a bad list.
 */
export function toEossConfig(f: EossTrainFlags): EossTrainingConfig {
  const measured = f.measure.split(",").map((s) => s.trim()).filter((s) => s !== "");
  for (const m of measured) {
    if (!(MEASUREMENT_NAMES as readonly string[]).includes(m)) {
      throw new UsageError(
        `Option --measure has "${m}", each must be one of ${MEASUREMENT_NAMES.join(", ")}`,
      );
    }
  }
  const originals: Record<MeasurementName, CadenceSpec> = {
    ...(DEFAULT_CADENCES as Record<MeasurementName, CadenceSpec>),
    gni: GNI_CADENCE,
    trace: traceCadence(f.batch),
    secondMoment: { every: 256 },
  };
  const cadences = Object.fromEntries(MEASUREMENT_NAMES.map((name) => {
    if (!measured.includes(name)) return [name, null];
    const every = f[EVERY[name]] as number;
    return [name, every > 0 ? { ...originals[name], every } : originals[name]];
  })) as Record<MeasurementName, CadenceSpec | null>;
  const hidden = f.hidden ? parseNumberList("hidden", f.hidden, { integer: true, min: 1 }) : undefined;
  const replay = {
    ...(f.subsetIndices ? { subsetIndices: f.subsetIndices } : {}),
    ...(f.initParams ? { initParams: f.initParams } : {}),
    ...(f.batchOrder ? { batchOrder: f.batchOrder } : {}),
  };
  return eossConfig({
    model: { preset: f.preset as MlpPresetName, hidden, initScale: f.initScale, loss: f.loss as LossName },
    data: {
      dataset: f.dataset as EossDatasetName,
      n: f.n,
      source: f.dataSource as "auto" | "full" | "subset",
      dataDir: f.dataDir,
    },
    seeds: { data: f.dataSeed, init: f.initSeed, order: f.orderSeed, measure: f.measureSeed },
    optimizer: {
      batchSize: f.batch,
      learningRate: f.learningRate,
      steps: f.steps,
      momentum: f.momentum,
      stopLoss: f.stopLoss,
      stopRule: f.stopRule as EossStopRule,
    },
    cadences,
    rareMeasure: f.rareMeasure,
    settings: {
      batchSharpnessMaxSamples: f.bsMaxSamples,
      batchSharpnessRelativeError: f.bsRelativeError,
      lambdaMaxTolerance: f.lambdaTolerance,
      lambdaMaxSolver: f.lambdaSolver as "power" | "lanczos",
    },
    checkpointSteps: f.checkpointSteps
      ? parseNumberList("checkpointSteps", f.checkpointSteps, { integer: true, min: 0 })
      : [],
    checkpointEvery: f.checkpointEvery,
    ...(Object.keys(replay).length ? { replay } : {}),
    ...(f.forkFrom ? { fork: { from: f.forkFrom, step: f.forkStep } } : {}),
  });
}

const fmt = (v: number, digits = 4) => Number.isFinite(v) ? v.toPrecision(digits) : "-";

/** One progress line of a measured row. */
export function rowLine(row: EossRow, threshold: number): string {
  const parts = [`step ${row.step}`, `batch loss ${fmt(row.batch_loss)}`];
  if (Number.isFinite(row.full_loss)) {
    parts.push(`full loss ${fmt(row.full_loss)} acc ${fmt(100 * row.accuracy, 3)}%`);
  }
  if (Number.isFinite(row.lambda_max)) {
    parts.push(`lambda_max ${fmt(row.lambda_max)} (${row.lambda_max_iterations} it)`);
  }
  if (Number.isFinite(row.batch_sharpness)) {
    parts.push(
      `BS ${fmt(row.batch_sharpness)} +- ${fmt(row.batch_sharpness_se, 2)} (${row.batch_sharpness_samples})`,
    );
  }
  if (Number.isFinite(row.gni)) parts.push(`GNI ${fmt(row.gni)}`);
  parts.push(`2/eta ${fmt(threshold)}`);
  return parts.join(", ");
}

/**
 * Runs one training from flags.
 *
 * @param flags The settings.
 * @param options `out` (a new run directory), `print` (console.log; lines for rows with a heavy
 *   measurement), `progress`.
 * @returns The engine's result.
 * @throws {RunFailedError} When the loss diverges (exit 4).
 */
export async function run(
  flags: EossTrainFlags,
  options: {
    out?: string;
    print?: (line: string) => void;
    progress?: "auto" | "quiet";
    signal?: AbortSignal;
  } = {},
): Promise<EossRunResult> {
  const config = toEossConfig(flags), print = options.print ?? console.log;
  const backend = await getBackend(flags.backend as BackendChoice);
  const threshold = 2 / config.optimizer.learningRate;
  print(
    `${NAME}: ${config.model.preset}${
      config.model.hidden ? ` [${config.model.hidden}]` : ""
    } ${config.model.loss}, ` +
      `${config.data.dataset} n ${config.data.n}, b ${config.optimizer.batchSize}, eta ${config.optimizer.learningRate} ` +
      `(2/eta ${fmt(threshold)}), ${config.optimizer.steps} steps on ${backend.description}`,
  );
  const result = await runEossTraining(config, {
    backend,
    runDir: options.out || undefined,
    progress: options.progress ?? "auto",
    signal: options.signal,
    name: NAME,
    onMeasurement: (row) => {
      if (
        Number.isFinite(row.lambda_max) || Number.isFinite(row.batch_sharpness) || Number.isFinite(row.gni)
      ) {
        print(rowLine(row, threshold));
      }
    },
  });
  const s = result.summary, p = s.plateau;
  print(
    `${s.status} at step ${s.steps} (data: ${s.dataSource}); plateau over the last third: ` +
      `BS ${fmt(p.batchSharpness.mean)} +- ${fmt(p.batchSharpness.std, 2)} (${
        fmt(p.batchSharpness.ratio, 3)
      } x 2/eta), ` +
      `lambda_max ${fmt(p.lambdaMax.mean)} +- ${fmt(p.lambdaMax.std, 2)} (${
        fmt(p.lambdaMax.ratio, 3)
      } x 2/eta); ` +
      `${s.seconds.total.toFixed(1)} s (SGD ${s.seconds.training.toFixed(1)} s, lambda_max ${
        s.seconds.measurements.lambdaMax.toFixed(1)
      } s, BS ${s.seconds.measurements.batchSharpness.toFixed(1)} s)`,
  );
  if (s.status === "diverged") {
    throw new RunFailedError(
      `The loss is not finite at step ${s.divergedAt}${
        options.out ? `; partial results in ${options.out}` : ""
      }; ` +
        `try a smaller --learning-rate`,
    );
  }
  return result;
}

/** The command-line options. */
export function cliOptions(): Record<string, OptionSpec> {
  const d = defaultConfig;
  const num = (
    k: keyof EossTrainFlags,
    description: string,
    range: Partial<OptionSpec> = {},
  ): OptionSpec => ({
    type: "number",
    default: d[k] as number,
    description,
    ...range,
  });
  const str = (k: keyof EossTrainFlags, description: string, choices?: string[]): OptionSpec => ({
    type: "string",
    default: d[k] as string,
    description,
    ...(choices ? { choices } : {}),
  });
  const seed = { integer: true, min: 0, max: 2 ** 32 - 1 };
  return {
    preset: str("preset", "MLP preset", Object.keys(MLP_PRESETS)),
    hidden: str("hidden", "hidden widths instead of the preset's, e.g. 64,64"),
    initScale: num("initScale", "init std multiplier", { positive: true }),
    loss: str("loss", "loss", ["squared", "crossEntropy"]),
    dataset: str("dataset", "training data", ["fashion-mnist", "cifar10", "synthetic"]),
    n: num("n", "training samples (a seeded subset)", { integer: true, min: 1, max: 60000 }),
    dataSource: str("dataSource", "Fashion-MNIST: full, the shipped subset, or auto", [
      "auto",
      "full",
      "subset",
    ]),
    dataDir: str("dataDir", "directory of the dataset files (default: the loader's)"),
    batch: num("batch", "batch size b", { integer: true, min: 1 }),
    learningRate: num("learningRate", "step size eta (constant)", { positive: true }),
    steps: num("steps", "SGD steps", { integer: true, min: 1 }),
    momentum: num("momentum", "heavy-ball beta (0: plain SGD)", { min: 0, max: 0.999 }),
    stopLoss: num("stopLoss", "stop below this loss (0: never)", { min: 0 }),
    stopRule: str("stopRule", "which loss the stop checks", ["fullLoss", "epochMean", "none"]),
    dataSeed: num("dataSeed", "subset seed", seed),
    initSeed: num("initSeed", "init seed", seed),
    orderSeed: num("orderSeed", "batch order seed (epoch e uses seed + e)", seed),
    measureSeed: num("measureSeed", "measurement batches seed", seed),
    measure: str("measure", `measurements, comma-separated (${MEASUREMENT_NAMES.join(", ")})`),
    lossEvery: num("lossEvery", "full-loss period (0: the original's 32, doubling)", {
      integer: true,
      min: 0,
    }),
    lambdaEvery: num("lambdaEvery", "lambda_max period (0: 256, doubling after 10k, 30k)", {
      integer: true,
      min: 0,
    }),
    bsEvery: num("bsEvery", "batch-sharpness period (0: 128, doubling after 10k, 50k, 100k)", {
      integer: true,
      min: 0,
    }),
    stepEvery: num("stepEvery", "step-sharpness period (0: 16)", { integer: true, min: 0 }),
    gniEvery: num("gniEvery", "GNI period (0: 2500, x4 after 10k)", { integer: true, min: 0 }),
    traceEvery: num("traceEvery", "Hessian-trace period (0: 256 for b < 33, else 64)", {
      integer: true,
      min: 0,
    }),
    secondMomentEvery: num(
      "secondMomentEvery",
      "second-moment contraction period (EOSS-17; 2 x 128 batch H v products per Lanczos step)",
      {
        integer: true,
        min: 1,
      },
    ),
    rareMeasure: num(
      "rareMeasure",
      "multiply the heavy measurements' periods (the original's --rare-measure is 4)",
      {
        positive: true,
      },
    ),
    bsMaxSamples: num("bsMaxSamples", "most batches per batch-sharpness measurement", {
      integer: true,
      min: 2,
    }),
    bsRelativeError: num("bsRelativeError", "batch sharpness stops at this relative standard error", {
      positive: true,
    }),
    lambdaTolerance: num("lambdaTolerance", "lambda_max's relative residual", { positive: true }),
    lambdaSolver: str("lambdaSolver", "lambda_max's solver (lanczos: fewer H v products)", [
      "power",
      "lanczos",
    ]),
    checkpointSteps: str("checkpointSteps", "steps to checkpoint at for forks, comma-separated"),
    checkpointEvery: num("checkpointEvery", "also checkpoint every this many steps (0: no)", {
      integer: true,
      min: 0,
    }),
    subsetIndices: str("subsetIndices", ".npy [n] indices of the training subset (replay)"),
    initParams: str("initParams", ".npy [P] initial parameters in the flat layout (replay)"),
    batchOrder: str("batchOrder", ".npy [epochs, m] sample order of each epoch (replay)"),
    forkFrom: str("forkFrom", "fork: the parent's run directory (or a .ckpt file)"),
    forkStep: num("forkStep", "fork: the parent's checkpoint step", { integer: true, min: 0 }),
    out: { type: "string", default: "", description: "new run directory (none by default)" },
    quiet: { type: "boolean", default: false, description: "no progress bar on stderr" },
    backend: COMMON_OPTIONS.backend,
    config: COMMON_OPTIONS.config,
  };
}

if (import.meta.main) {
  await runCli({
    usage: `deno run -A scripts/${NAME}.ts`,
    description:
      "One EoSS training run: SGD at constant eta with batch sharpness and lambda_max measured along it.",
    options: cliOptions(),
  }, async (parsed) => {
    setProgressQuiet(Boolean(parsed.quiet));
    const { out, quiet, config: _c, ...flags } = parsed;
    const controller = new AbortController();
    const stop = () => controller.abort();
    Deno.addSignalListener("SIGINT", stop);
    try {
      await run(flags as unknown as EossTrainFlags, {
        out: String(out),
        progress: quiet ? "quiet" : "auto",
        signal: controller.signal,
      });
    } finally {
      Deno.removeSignalListener("SIGINT", stop);
    }
  });
}
