/**
 * Figure F3.2 of the Edge of Stochastic Stability (spec seed003): a batch-size sweep at fixed eta. Left:
 * batch sharpness (solid) and lambda_max (dashed) against step, one colour per b, with 2/eta; right: the
 * plateaus (last third of the measurements) against b (log x) with 2/eta. The paper's claim: the batch
 * sharpness plateau sits at 2/eta for every b that enters EoSS while lambda_max lies below it and grows
 * with b (to 2/eta at b = n: GD's edge of stability). Quick scale: Fashion-MNIST n = 64, eta = 0.05, b in
 * {4, 16, 64 (= n, GD)}, 400 steps, 2 x 256 hidden units; `--full`: CIFAR-10 n = 8192, eta = 0.01, b in {8,
 * 16, 32, 64}, 150k steps (needs CIFAR-10 and a GPU).
 *
 * Run: `deno run -A scripts/eoss_fig2_batch_size.ts [--batch-sizes 4,8,16,64]`.
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
  sharpnessPoints,
  TEST_EOSS_FIGURE,
} from "../lib/eoss/figures.ts";

/** F3.2's settings: the figure run's plus the batch sizes. */
export interface BatchSizeSweepConfig extends EossFigureConfig {
  /** Comma-separated batch sizes (b = n is GD). */
  batchSizes: string;
}

/** Quick scale. */
export const defaultConfig: BatchSizeSweepConfig = {
  ...QUICK_EOSS_FIGURE,
  steps: 400,
  stepSharpnessEvery: 0,
  batchSizes: "4,16,64",
};
/** The paper's preset on CIFAR-10. */
export const fullConfig: BatchSizeSweepConfig = {
  ...FULL_EOSS_FIGURE,
  stepSharpnessEvery: 0,
  batchSizes: "8,16,32,64",
};
/** Tiny synthetic runs for tests. */
export const testConfig: BatchSizeSweepConfig = {
  ...TEST_EOSS_FIGURE,
  stepSharpnessEvery: 0,
  batchSizes: "4,32",
};

/** Runs the figure. */
export async function run(config: BatchSizeSweepConfig = defaultConfig): Promise<FigureResult> {
  const sizes = parseList(config.batchSizes, "--batch-sizes", true);
  const big = sizes.find((b) => b > config.n);
  if (big !== undefined) throw new RangeError(`Cannot sweep batch size ${big}: larger than n = ${config.n}`);
  const backend = await getBackend(config.backend);
  const data = await loadFigureData(config);
  const eta = config.learningRate, threshold = 2 / eta;
  const points: Record<string, unknown>[] = [], plateaus: Record<string, unknown>[] = [];
  const runs: Record<string, unknown>[] = [];
  let source = "";
  for (const b of sizes) {
    const result = await runFigureTraining(figureTrainingConfig(config, { batchSize: b }), backend, data);
    const label = b === config.n ? `b = ${b} (GD)` : `b = ${b}`;
    points.push(...sharpnessPoints(result.rows, label));
    const p = plateauNumbers(result.summary.plateau);
    plateaus.push(
      { b, series: label, quantity: "batch sharpness", value: p.batchSharpness },
      { b, series: label, quantity: "lambda_max", value: p.lambdaMax },
    );
    runs.push({
      b,
      plateau: p,
      finalFullLoss: result.summary.finalFullLoss,
      seconds: result.summary.seconds.total,
    });
    source = result.summary.dataSource;
  }
  const rule = {
    data: { values: [{ threshold }] },
    mark: { type: "rule", strokeDash: [6, 4], color: "black" },
    encoding: { y: { field: "threshold", type: "quantitative" } },
  };
  const dash = {
    field: "quantity",
    type: "nominal",
    title: null,
    scale: { domain: ["batch sharpness", "lambda_max"], range: [[1, 0], [5, 3]] },
    legend: { orient: "bottom" },
  };
  const spec = {
    $schema: VEGA_LITE_SCHEMA,
    title: `Batch-size sweep at eta = ${eta} (${config.dataset}, n = ${config.n})`,
    description: `F3.2: batch sharpness (solid) and lambda_max (dashed) against step for b in {${
      sizes.join(", ")
    }}; right: plateaus against b, 2/eta = ${threshold.toPrecision(3)} dashed`,
    hconcat: [
      {
        width: 340,
        height: 240,
        layer: [
          {
            data: { values: points },
            mark: { type: "line" },
            encoding: {
              x: { field: "step", type: "quantitative", scale: { domain: [0, config.steps] } },
              y: { field: "value", type: "quantitative", title: "sharpness" },
              color: {
                field: "series",
                type: "nominal",
                title: null,
                sort: null,
                legend: { orient: "bottom" },
              },
              strokeDash: dash,
              detail: { field: "quantity" },
            },
          },
          rule,
        ],
      },
      {
        width: 200,
        height: 240,
        layer: [
          {
            data: { values: plateaus },
            mark: { type: "line", point: true },
            encoding: {
              x: {
                field: "b",
                type: "quantitative",
                scale: {
                  type: "log",
                  domain: [Math.min(...sizes) / 1.5, Math.max(...sizes) * 1.5],
                  nice: false,
                },
                title: "batch size b (log)",
              },
              y: { field: "value", type: "quantitative", title: "plateau (last third)" },
              strokeDash: dash,
              color: { value: "#444" },
            },
          },
          rule,
        ],
      },
    ],
  } as FigureResult["spec"];
  return { spec, summary: { config, backend: backend.name, data: source, threshold, runs } };
}

if (import.meta.main) {
  await figureMain<BatchSizeSweepConfig>({
    name: "eoss_fig2_batch_size",
    description: "EoSS F3.2: batch sharpness and lambda_max against step for several b; plateaus against b",
    options: {
      ...EOSS_FIGURE_OPTIONS,
      batchSizes: { type: "string", nonEmpty: true, description: "comma-separated batch sizes (b = n: GD)" },
    },
    defaultConfig,
    fullConfig,
    testConfig,
    run,
  });
}
