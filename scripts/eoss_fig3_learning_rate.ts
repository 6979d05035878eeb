/**
 * Figure F3.3 of the Edge of Stochastic Stability (spec seed003): a step-size sweep at fixed b. Left: the
 * plateau batch sharpness and lambda_max (last third of the measurements) times eta/2 against eta (log x),
 * with the edge at 1; right: the plateau lambda_max against eta. The paper's claim: BS eta/2 = 1 for every
 * eta that enters EoSS, and lambda_max shrinks as eta grows. Quick scale: Fashion-MNIST n = 64, b = 4, eta in
 * {0.02, 0.05, 0.1}, 400 steps, 2 x 256 hidden units; `--full`: CIFAR-10 n = 8192, b = 8, eta in {0.0067,
 * 0.01, 0.015, 0.025}, 150k steps (needs CIFAR-10 and a GPU).
 *
 * Run: `deno run -A scripts/eoss_fig3_learning_rate.ts [--learning-rates 0.02,0.05,0.1]`.
 *
 * @module
 */
import type { FigureResult } from "../lib/plot/figure.ts";
import { VEGA_LITE_SCHEMA } from "../lib/plot/figure.ts";
import { figureMain } from "../lib/plot/figure_script.ts";
import { getBackend } from "../lib/backend/select.ts";
import {
  EOSS_FIGURE_OPTIONS,
  type EossFigureConfig,
  figureTrainingConfig,
  FULL_EOSS_FIGURE,
  loadFigureData,
  parseList,
  plateauNumbers,
  QUICK_EOSS_FIGURE,
  runFigureTraining,
  TEST_EOSS_FIGURE,
} from "../lib/eoss/figures.ts";

/** F3.3's settings: the figure run's plus the step sizes (`learningRate` is unused). */
export interface LearningRateSweepConfig extends EossFigureConfig {
  /** Comma-separated step sizes. */
  learningRates: string;
}

/** Quick scale. */
export const defaultConfig: LearningRateSweepConfig = {
  ...QUICK_EOSS_FIGURE,
  steps: 400,
  stepSharpnessEvery: 0,
  learningRates: "0.02,0.05,0.1",
};
/** The spec's MLP lr range on CIFAR-10 (n 8192, b 8). */
export const fullConfig: LearningRateSweepConfig = {
  ...FULL_EOSS_FIGURE,
  stepSharpnessEvery: 0,
  learningRates: "0.0067,0.01,0.015,0.025",
};
/** Tiny synthetic runs for tests. */
export const testConfig: LearningRateSweepConfig = {
  ...TEST_EOSS_FIGURE,
  stepSharpnessEvery: 0,
  learningRates: "0.05,0.2",
};

/** Runs the figure. */
export async function run(config: LearningRateSweepConfig = defaultConfig): Promise<FigureResult> {
  const etas = parseList(config.learningRates, "--learning-rates");
  const backend = await getBackend(config.backend);
  const data = await loadFigureData(config);
  const normalised: Record<string, unknown>[] = [], raw: Record<string, unknown>[] = [];
  const runs: Record<string, unknown>[] = [];
  let source = "";
  for (const eta of etas) {
    const result = await runFigureTraining(
      figureTrainingConfig(config, { learningRate: eta }),
      backend,
      data,
    );
    const p = plateauNumbers(result.summary.plateau);
    normalised.push(
      { eta, quantity: "batch sharpness x eta/2", value: p.batchSharpnessOverThreshold },
      { eta, quantity: "lambda_max x eta/2", value: p.lambdaMaxOverThreshold },
    );
    raw.push({ eta, quantity: "lambda_max", value: p.lambdaMax }, { eta, quantity: "2/eta", value: 2 / eta });
    runs.push({
      eta,
      plateau: p,
      finalFullLoss: result.summary.finalFullLoss,
      seconds: result.summary.seconds.total,
    });
    source = result.summary.dataSource;
  }
  const x = {
    field: "eta",
    type: "quantitative",
    scale: { type: "log", domain: [Math.min(...etas) / 1.3, Math.max(...etas) * 1.3], nice: false },
    title: "step size eta (log)",
  };
  const spec = {
    $schema: VEGA_LITE_SCHEMA,
    title: `Step-size sweep at b = ${config.batchSize} (${config.dataset}, n = ${config.n})`,
    description:
      `F3.3: plateau batch sharpness and lambda_max times eta/2 against eta (edge at 1, dashed); right: plateau lambda_max and 2/eta against eta`,
    resolve: { scale: { color: "independent" } },
    hconcat: [
      {
        width: 260,
        height: 220,
        layer: [
          {
            data: { values: normalised },
            mark: { type: "line", point: true },
            encoding: {
              x,
              y: { field: "value", type: "quantitative", title: "plateau x eta/2" },
              color: { field: "quantity", type: "nominal", title: null, legend: { orient: "bottom" } },
            },
          },
          {
            data: { values: [{ one: 1 }] },
            mark: { type: "rule", strokeDash: [6, 4], color: "black" },
            encoding: { y: { field: "one", type: "quantitative" } },
          },
        ],
      },
      {
        width: 220,
        height: 220,
        data: { values: raw },
        mark: { type: "line", point: true },
        encoding: {
          x,
          y: {
            field: "value",
            type: "quantitative",
            scale: { type: "log" },
            title: "plateau lambda_max, 2/eta (log)",
          },
          color: { field: "quantity", type: "nominal", title: null, legend: { orient: "bottom" } },
          strokeDash: { field: "quantity", type: "nominal", legend: null },
        },
      },
    ],
  } as FigureResult["spec"];
  return { spec, summary: { config, backend: backend.name, data: source, runs } };
}

if (import.meta.main) {
  await figureMain<LearningRateSweepConfig>({
    name: "eoss_fig3_learning_rate",
    description: "EoSS F3.3: plateau batch sharpness x eta/2 and lambda_max against eta",
    options: {
      ...EOSS_FIGURE_OPTIONS,
      learningRates: { type: "string", nonEmpty: true, description: "comma-separated step sizes" },
    },
    defaultConfig,
    fullConfig,
    testConfig,
    run,
  });
}
