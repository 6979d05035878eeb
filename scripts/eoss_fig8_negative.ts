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
import {
  EOSS_FIGURE_OPTIONS,
  type EossFigureConfig,
  FULL_EOSS_FIGURE,
  QUICK_EOSS_FIGURE,
  TEST_EOSS_FIGURE,
} from "../lib/eoss/figures.ts";
import { runStandardEossFigure } from "./eoss_fig1_main.ts";

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

/** Runs the figure: the F3.1 panel of scripts/eoss_fig1_main.ts, with `belowEdge` in the summary. */
export function run(config: EossFigureConfig = defaultConfig): Promise<FigureResult> {
  const eta = config.learningRate;
  return runStandardEossFigure(
    config,
    `Too small a step: SGD on ${config.dataset} (n = ${config.n}, b = ${config.batchSize}, eta = ${eta})`,
    (plateau) => ({
      belowEdge: plateau.batchSharpness + 2 * (plateau.batchSharpnessStd || 0) < plateau.threshold,
    }),
  );
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
