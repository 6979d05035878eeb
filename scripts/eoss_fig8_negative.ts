/**
 * Figure F3.8 of the Edge of Stochastic Stability (spec seed003): the negative example, b = 4, eta = 0.01
 * (2/eta = 200), n = 64: the step size is too small for the problem, training converges before progressive
 * sharpening reaches the edge, and batch sharpness plateaus below 2/eta (no EoSS). Same plot as F3.1.
 * Quick scale: Fashion-MNIST, 2 x 256 hidden units, 800 steps; `--full`: 2 x 512 on CIFAR-10 (n = 64, 3000
 * steps, the original cadence; needs CIFAR-10). The summary gives the plateau ratios and `belowEdge`
 * (plateau batch sharpness + 2 standard deviations < 2/eta).
 *
 * Run: `deno run -A scripts/eoss_fig8_negative.ts`.
 *
 * @module
 */
import type { FigureResult } from "../lib/plot/figure.ts";
import { figureMain } from "../lib/plot/figure_script.ts";
import { getBackend } from "../lib/backend/select.ts";
import {
  EOSS_FIGURE_OPTIONS,
  type EossFigureConfig,
  figureTrainingConfig,
  FULL_EOSS_FIGURE,
  loadFigureData,
  plateauNumbers,
  QUICK_EOSS_FIGURE,
  runFigureTraining,
  standardEossPlot,
  TEST_EOSS_FIGURE,
} from "../lib/eoss/figures.ts";

/** Quick scale: n 64, b 4, eta 0.01 on Fashion-MNIST. */
export const defaultConfig: EossFigureConfig = {
  ...QUICK_EOSS_FIGURE,
  learningRate: 0.01,
  steps: 800,
  lambdaEvery: 200,
  sharpnessEvery: 80,
  lossEvery: 40,
  stepSharpnessEvery: 20,
};
/** The spec's setting on CIFAR-10 (n 64, b 4, eta 0.01, 3000 steps). */
export const fullConfig: EossFigureConfig = {
  ...FULL_EOSS_FIGURE,
  n: 64,
  batchSize: 4,
  learningRate: 0.01,
  steps: 3000,
};
/** Tiny synthetic run for tests. */
export const testConfig: EossFigureConfig = { ...TEST_EOSS_FIGURE, learningRate: 0.02 };

/** Runs the figure. */
export async function run(config: EossFigureConfig = defaultConfig): Promise<FigureResult> {
  const backend = await getBackend(config.backend);
  const data = await loadFigureData(config);
  const result = await runFigureTraining(figureTrainingConfig(config), backend, data);
  const eta = config.learningRate, s = result.summary;
  const plateau = plateauNumbers(s.plateau);
  const spec = standardEossPlot(result.rows, eta, {
    title:
      `Too small a step: SGD on ${config.dataset} (n = ${config.n}, b = ${config.batchSize}, eta = ${eta})`,
    description:
      `F3.1: batch sharpness (green), lambda_max (blue), step sharpness (red dots) against step, 2/eta = ${
        (2 / eta).toPrecision(3)
      } dashed, full loss (grey, log, right); plateau BS/(2/eta) = ${
        plateau.batchSharpnessOverThreshold.toFixed(2)
      }`,
  });
  return {
    spec,
    summary: {
      config,
      backend: backend.name,
      data: s.dataSource,
      parameters: s.parameters,
      status: s.status,
      steps: s.steps,
      plateau,
      belowEdge: plateau.batchSharpness + 2 * (plateau.batchSharpnessStd || 0) < plateau.threshold,
      finalFullLoss: s.finalFullLoss,
      finalAccuracy: s.finalAccuracy,
      seconds: s.seconds,
    },
  };
}

if (import.meta.main) {
  await figureMain<EossFigureConfig>({
    name: "eoss_fig8_negative",
    description:
      "EoSS F3.1: batch sharpness, lambda_max, step sharpness, 2/eta and the full loss of one SGD run",
    options: EOSS_FIGURE_OPTIONS,
    defaultConfig,
    fullConfig,
    testConfig,
    run,
  });
}
