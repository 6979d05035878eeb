/**
 * Figure F3.1 of the Edge of Stochastic Stability (spec seed003, EOSS-16): one SGD run's batch sharpness
 * (green), lambda_max (blue), step sharpness (red scatter) and the 2/eta line (dashed), with the full loss
 * on a log twin axis (grey). Quick scale: the README's CPU sanity run on Fashion-MNIST (n = 64, b = 4, eta
 * = 0.05; 2 x 256 hidden units instead of 512, 600 steps); `--full`: the paper's CIFAR-10 preset (n = 8192,
 * b = 8, eta = 0.01, 150k steps, the original cadence; needs CIFAR-10 and a GPU). The summary gives the
 * plateau batch sharpness and lambda_max (last third of the measurements) and their ratios to 2/eta.
 *
 * Run: `deno run -A scripts/eoss_fig1_main.ts` (`--full --data-dir <cifar-10-batches-bin>`).
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

/** Quick scale: the sanity run (n 64, b 4, eta 0.05). */
export const defaultConfig: EossFigureConfig = { ...QUICK_EOSS_FIGURE };
/** The paper's preset on CIFAR-10. */
export const fullConfig: EossFigureConfig = { ...FULL_EOSS_FIGURE };
/** Tiny synthetic run for tests. */
export const testConfig: EossFigureConfig = { ...TEST_EOSS_FIGURE };

/** Runs the figure. */
export function run(config: EossFigureConfig = defaultConfig): Promise<FigureResult> {
  return runStandardEossFigure(
    config,
    `SGD on ${config.dataset} (n = ${config.n}, b = ${config.batchSize}, eta = ${config.learningRate})`,
  );
}

/**
 * One SGD run drawn as the F3.1 panel (also scripts/eoss_fig8_negative.ts): batch sharpness, lambda_max, step
 * sharpness, 2/eta and the full loss, captioned with the plateau ratio; the summary's plateau numbers come
 * with `extra(plateau)` after them.
 *
 * @param config The figure's settings.
 * @param title The plot's title.
 * @param extra Summary fields computed from the plateau numbers (none by default).
 * @returns The spec and the summary.
 */
export async function runStandardEossFigure(
  config: EossFigureConfig,
  title: string,
  extra: (plateau: ReturnType<typeof plateauNumbers>) => Record<string, unknown> = () => ({}),
): Promise<FigureResult> {
  const backend = await getBackend(config.backend);
  const data = await loadFigureData(config);
  const result = await runFigureTraining(figureTrainingConfig(config), backend, data);
  const eta = config.learningRate, s = result.summary;
  const plateau = plateauNumbers(s.plateau);
  const spec = standardEossPlot(result.rows, eta, {
    title,
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
      ...extra(plateau),
      finalFullLoss: s.finalFullLoss,
      finalAccuracy: s.finalAccuracy,
      seconds: s.seconds,
    },
  };
}

if (import.meta.main) {
  await figureMain<EossFigureConfig>({
    name: "eoss_fig1_main",
    description:
      "EoSS F3.1: batch sharpness, lambda_max, step sharpness, 2/eta and the full loss of one SGD run",
    options: EOSS_FIGURE_OPTIONS,
    defaultConfig,
    fullConfig,
    testConfig,
    run,
  });
}
