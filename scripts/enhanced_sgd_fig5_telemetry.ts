/**
 * Figure F2.5 of EnhancedSGD (spec seed002): the controller's telemetry against step, clean vs faithful, on
 * F2.3's task with seed 1: ε, mix probability, Q-table size, the lr scale P_lr and the momentum scale P_mom.
 * The faithful Q-table grows by about one state per step (continuous loss and the raw epoch in the state);
 * the clean one stays small. With `--metrics <file>` every telemetry row is also appended to a metrics.jsonl.
 *
 * Run: `deno run -A scripts/enhanced_sgd_fig5_telemetry.ts` (shares F2.3's runs in one process).
 *
 * @module
 */
import { type FigureResult, VEGA_LITE_SCHEMA } from "../lib/plot/figure.ts";
import { figureMain } from "../lib/plot/figure_script.ts";
import { getBackend } from "../lib/backend/select.ts";
import { cachedTrain } from "../lib/enhanced_sgd/experiments.ts";
import { MetricsWriter } from "../lib/io/metrics.ts";
import {
  defaultConfig as trainingDefault,
  fullConfig as trainingFull,
  TRAINING_OPTIONS,
  type TrainingFigureConfig,
  trainSettings,
} from "./enhanced_sgd_fig3_training_loss.ts";

/** Configuration: F2.3's plus an optional metrics file. */
export interface TelemetryConfig extends TrainingFigureConfig {
  /** A metrics.jsonl to append the telemetry rows to ("" for none). */
  metrics: string;
}

/** Quick scale (F2.3's). */
export const defaultConfig: TelemetryConfig = { ...trainingDefault, metrics: "" };
/** F2.3's full scale. */
export const fullConfig: TelemetryConfig = { ...trainingFull, metrics: "" };
/** Tiny scale for tests. */
export const testConfig: TelemetryConfig = {
  ...defaultConfig,
  preset: "mlp_s",
  rows: 64,
  batch: 16,
  steps: 6,
  seeds: 1,
  window: 3,
  controllerEvery: 2,
};

const MEASURES = ["epsilon", "mixProb", "qTableSize", "lrScale", "momentumScale"] as const;

/** Runs the figure. */
export async function run(config: TelemetryConfig = defaultConfig): Promise<FigureResult> {
  const backend = await getBackend(config.backend);
  const settings = trainSettings(config, 1);
  const clean = await cachedTrain(backend, config.rows, 1, "esgd_clean", settings);
  const faithful = await cachedTrain(backend, config.rows, 1, "esgd_faithful", settings);
  const rows: Record<string, unknown>[] = [];
  for (const [mode, r] of [["clean", clean], ["faithful", faithful]] as const) {
    for (const t of r.telemetry) {
      for (const m of MEASURES) {
        if (Number.isFinite(t[m])) rows.push({ mode, step: t.step, measure: m, value: t[m] });
      }
    }
  }
  if (config.metrics) {
    const writer = await MetricsWriter.open(config.metrics);
    for (const [mode, r] of [["clean", clean], ["faithful", faithful]] as const) {
      for (const t of r.telemetry) writer.write({ mode, ...t });
    }
    writer.close();
  }
  const last = (r: typeof clean) => r.telemetry.at(-1);
  const summarise = (r: typeof clean) => ({
    controllerCalls: r.telemetry.length,
    finalQTableSize: last(r)?.qTableSize ?? null,
    finalEpsilon: last(r)?.epsilon ?? null,
    finalMixProb: last(r)?.mixProb ?? null,
    finalLrScale: last(r)?.lrScale ?? null,
    finalMomentumScale: last(r)?.momentumScale ?? null,
    finalLr: last(r)?.lr ?? null,
    meanReward: r.telemetry.length
      ? r.telemetry.reduce((s, t) => s + (t.reward ?? 0), 0) / r.telemetry.length
      : null,
  });
  const spec: FigureResult["spec"] = {
    $schema: VEGA_LITE_SCHEMA,
    title: "EnhancedSGD controller telemetry, clean vs faithful",
    description:
      `F2.5: epsilon, mix probability, Q-table size, P_lr and P_mom against step (${clean.source}, seed 1)`,
    data: { values: rows },
    facet: { row: { field: "measure", type: "nominal", title: null } },
    resolve: { scale: { y: "independent" } },
    spec: {
      width: 420,
      height: 90,
      mark: { type: "line" },
      encoding: {
        x: { field: "step", type: "quantitative", title: "step" },
        y: { field: "value", type: "quantitative", scale: { zero: false }, title: null },
        color: { field: "mode", type: "nominal", title: null },
      },
    },
  };
  return {
    spec,
    summary: {
      config,
      backend: backend.name,
      task: clean.source,
      clean: summarise(clean),
      faithful: summarise(faithful),
    },
  };
}

if (import.meta.main) {
  await figureMain<TelemetryConfig>({
    name: "enhanced_sgd_fig5_telemetry",
    description: "EnhancedSGD controller telemetry (epsilon, mix probability, Q-table size, scales)",
    options: {
      ...TRAINING_OPTIONS,
      metrics: { type: "string", description: "metrics.jsonl for the telemetry rows" },
    },
    defaultConfig,
    fullConfig,
    testConfig,
    run,
  });
}
