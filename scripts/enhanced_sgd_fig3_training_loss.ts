/**
 * Figure F2.3 of EnhancedSGD (spec seed002): training loss against step of SGD, SGD + momentum, Adam,
 * EnhancedSGD clean (with and without Lookahead k = 5, alpha = 0.5) and EnhancedSGD faithful, on the same task
 * (an MLP preset on a Fashion-MNIST training subset; a synthetic 10-class task when the dataset is not
 * installed, named in the summary) with the same initialisations, seeds 1..seeds. Lines are the mean over
 * seeds of the batch loss averaged over windows of `window` steps, bands the min-max over seeds. The summary
 * gives each optimizer's final loss (mean of the last `window` steps) as mean and std over seeds, and the
 * seeds that diverged (a non-finite loss) with their steps, and per seed the faithful lr's largest and last
 * value and the first (1-based) epoch at which it falls below 1e-6 (null when it does not within the run).
 *
 * Run: `deno run -A scripts/enhanced_sgd_fig3_training_loss.ts` (quick: about a minute on the CPU adapter).
 *
 * @module
 */
import { type FigureResult, VEGA_LITE_SCHEMA } from "../lib/plot/figure.ts";
import { figureMain } from "../lib/plot/figure_script.ts";
import { type BackendChoice, getBackend } from "../lib/backend/select.ts";
import { cachedTrain, COMPARED, type TrainSettings } from "../lib/enhanced_sgd/experiments.ts";
import type { MlpPresetName } from "../lib/models/mlp.ts";
import type { EsgdTelemetry } from "../lib/enhanced_sgd/optimizer.ts";

/** Configuration of F2.3 (and of F2.5, which reuses its seed-1 runs). */
export interface TrainingFigureConfig extends Record<string, unknown> {
  preset: string;
  rows: number;
  batch: number;
  steps: number;
  seeds: number;
  lr: number;
  adamLr: number;
  controllerEvery: number;
  window: number;
  backend: BackendChoice;
}

/** Quick scale: mlp_s, 640 images, 80 steps of 64 (8 epochs), 3 seeds. */
export const defaultConfig: TrainingFigureConfig = {
  preset: "mlp_s",
  rows: 640,
  batch: 64,
  steps: 80,
  seeds: 3,
  lr: 0.01,
  adamLr: 1e-3,
  controllerEvery: 10,
  window: 8,
  backend: "auto",
};
/** Longer: 4096 images, 1280 steps (20 epochs), 5 seeds. */
export const fullConfig: TrainingFigureConfig = {
  ...defaultConfig,
  rows: 4096,
  steps: 1280,
  seeds: 5,
  window: 40,
};
/** Tiny scale for tests. */
export const testConfig: TrainingFigureConfig = {
  ...defaultConfig,
  preset: "mlp_s",
  rows: 64,
  batch: 16,
  steps: 6,
  seeds: 1,
  window: 3,
  controllerEvery: 2,
};

/** The training settings of a config and seed. */
export function trainSettings(config: TrainingFigureConfig, seed: number): TrainSettings {
  return {
    preset: config.preset as MlpPresetName,
    steps: config.steps,
    batch: config.batch,
    seed,
    lr: config.lr,
    adamLr: config.adamLr,
    controllerEvery: config.controllerEvery,
  };
}

/** The faithful lr of one run: its largest and last value and the first epoch at which it is below 1e-6. */
function lrSummary(telemetry: readonly EsgdTelemetry[], seed: number) {
  const lrs = telemetry.map((r) => r.lr).filter(Number.isFinite);
  return {
    seed,
    lrMax: lrs.length ? Math.max(...lrs) : null,
    lrFinal: telemetry.at(-1)?.lr ?? null,
    firstEpochBelow1e6: telemetry.find((r) => r.lr < 1e-6)?.epoch ?? null,
  };
}

const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
const std = (v: number[]) => Math.sqrt(mean(v.map((x) => (x - mean(v)) ** 2)));

/** Runs the figure. */
export async function run(config: TrainingFigureConfig = defaultConfig): Promise<FigureResult> {
  const backend = await getBackend(config.backend);
  const rows: Record<string, unknown>[] = [];
  const finals: Record<string, unknown>[] = [];
  let source = "";
  for (const name of COMPARED) {
    const runs = [];
    for (let seed = 1; seed <= config.seeds; seed++) {
      const r = await cachedTrain(backend, config.rows, 1, name, trainSettings(config, seed));
      source = r.source;
      runs.push(r);
    }
    const windows = Math.floor(config.steps / config.window);
    for (let w = 0; w < windows; w++) {
      const values = runs.map((r) =>
        mean(Array.from(r.losses.subarray(w * config.window, (w + 1) * config.window)))
      );
      const finite = values.filter((v) => Number.isFinite(v) && v < 1e30);
      if (finite.length === 0) continue;
      rows.push({
        optimizer: name,
        step: (w + 1) * config.window,
        loss: mean(finite),
        low: Math.min(...finite),
        high: Math.max(...finite),
      });
    }
    const last = runs.map((r) => mean(Array.from(r.losses.subarray(config.steps - config.window))));
    finals.push({
      optimizer: name,
      finalLossMean: mean(last),
      finalLossStd: std(last),
      diverged: runs.map((r, k) => r.divergedAt === null ? null : { seed: k + 1, step: r.divergedAt }).filter(
        Boolean,
      ),
      secondsPerRun: mean(runs.map((r) => r.seconds)),
      ...(name === "esgd_faithful" ? { faithfulLr: runs.map((r, k) => lrSummary(r.telemetry, k + 1)) } : {}),
    });
  }
  const spec: FigureResult["spec"] = {
    $schema: VEGA_LITE_SCHEMA,
    title: `Training loss, ${config.preset} on ${source}, ${config.seeds} seeds (mean, min-max band)`,
    description:
      `F2.3: SGD, momentum, Adam, EnhancedSGD clean (+/- Lookahead) and faithful on the same task and seeds (${source})`,
    data: { values: rows },
    width: 460,
    height: 280,
    layer: [
      {
        mark: { type: "area", opacity: 0.2 },
        encoding: {
          x: { field: "step", type: "quantitative" },
          y: { field: "low", type: "quantitative", scale: { type: "log" } },
          y2: { field: "high" },
          color: { field: "optimizer", type: "nominal" },
        },
      },
      {
        mark: { type: "line" },
        encoding: {
          x: { field: "step", type: "quantitative", title: "step" },
          y: {
            field: "loss",
            type: "quantitative",
            scale: { type: "log" },
            title: "training loss (window mean)",
          },
          color: { field: "optimizer", type: "nominal", title: null },
        },
      },
    ],
  };
  return { spec, summary: { config, backend: backend.name, task: source, finals } };
}

/** Command-line options shared with F2.5. */
export const TRAINING_OPTIONS = {
  preset: { type: "string", description: "MLP preset (lib/models/mlp.ts)" },
  rows: { type: "number", description: "training images (Fashion-MNIST subset)" },
  batch: { type: "number", description: "batch size" },
  steps: { type: "number", description: "training steps" },
  seeds: { type: "number", description: "seeds (initialisation, noise, controller)" },
  lr: { type: "number", description: "lr of SGD, momentum and EnhancedSGD's lr0" },
  adamLr: { type: "number", description: "Adam's lr" },
  controllerEvery: { type: "number", description: "clean EnhancedSGD controller cadence" },
  window: { type: "number", description: "steps per plotted loss window" },
} as const;

if (import.meta.main) {
  await figureMain<TrainingFigureConfig>({
    name: "enhanced_sgd_fig3_training_loss",
    description: "training loss of SGD, momentum, Adam, EnhancedSGD clean (+/- Lookahead) and faithful",
    options: TRAINING_OPTIONS,
    defaultConfig,
    fullConfig,
    testConfig,
    run,
  });
}
