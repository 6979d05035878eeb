/**
 * Figure F3.6 of the Edge of Stochastic Stability (spec seed003, EOSS-10/11): the gradient-noise
 * interaction GNI = E_B[g_B^T H g_B] / |g|^2 (H the full-batch Hessian) along an SGD run, with 2/eta, and
 * the normalised one-step loss change E_B[L(theta - eta g_B) - L(theta)] / (eta |g|^2) against its
 * second-order prediction -1 + (eta/2) GNI: the loss falls in expectation iff GNI < 2/eta. The run writes
 * checkpoints every `gniEvery` steps; both are measured on them with `gniSamples` fresh batches each (seeded
 * streams). Quick scale: Fashion-MNIST n = 64, b = 4, eta = 0.05, 300 steps, 2 x 256 hidden units; `--full`:
 * CIFAR-10 n = 8192, b = 8, eta = 0.01 (needs CIFAR-10 and a GPU).
 *
 * Run: `deno run -A scripts/eoss_fig6_gni.ts [--gni-every 50 --gni-samples 48]`.
 *
 * @module
 */
import type { FigureResult } from "../lib/plot/figure.ts";
import { VEGA_LITE_SCHEMA } from "../lib/plot/figure.ts";
import { figureMain } from "../lib/plot/figure_script.ts";
import { getBackend } from "../lib/backend/select.ts";
import type { CheckpointState } from "../lib/checkpoint.ts";
import {
  EOSS_FIGURE_OPTIONS,
  type EossFigureConfig,
  figureModel,
  figureTrainingConfig,
  FULL_EOSS_FIGURE,
  loadFigureData,
  QUICK_EOSS_FIGURE,
  runFigureTraining,
  TEST_EOSS_FIGURE,
} from "../lib/eoss/figures.ts";
import { gradientNoiseInteraction, oneStepLossChange } from "../lib/eoss/full_batch.ts";

/** F3.6's settings: the SGD run's plus the GNI measurements. */
export interface GniFigureConfig extends EossFigureConfig {
  /** Steps between GNI measurements (checkpoints). */
  gniEvery: number;
  /** Batches per GNI and per one-step loss change measurement. */
  gniSamples: number;
}

/** Quick scale. */
export const defaultConfig: GniFigureConfig = {
  ...QUICK_EOSS_FIGURE,
  steps: 300,
  lambdaEvery: 0,
  sharpnessEvery: 0,
  stepSharpnessEvery: 0,
  lossEvery: 50,
  gniEvery: 50,
  gniSamples: 48,
};
/** The paper's preset on CIFAR-10 (GNI at the original's 500 batches, every 2500 steps of 50k). */
export const fullConfig: GniFigureConfig = {
  ...FULL_EOSS_FIGURE,
  steps: 50000,
  lambdaEvery: 0,
  sharpnessEvery: 0,
  stepSharpnessEvery: 0,
  gniEvery: 2500,
  gniSamples: 500,
};
/** Tiny synthetic run for tests. */
export const testConfig: GniFigureConfig = {
  ...TEST_EOSS_FIGURE,
  lambdaEvery: 0,
  sharpnessEvery: 0,
  stepSharpnessEvery: 0,
  gniEvery: 8,
  gniSamples: 12,
};

/** Runs the figure. */
export async function run(config: GniFigureConfig = defaultConfig): Promise<FigureResult> {
  const backend = await getBackend(config.backend);
  const data = await loadFigureData(config);
  const eta = config.learningRate, threshold = 2 / eta, b = config.batchSize;
  const steps = Array.from(
    { length: Math.floor(config.steps / config.gniEvery) + 1 },
    (_, k) => k * config.gniEvery,
  );
  const training = figureTrainingConfig(config, { checkpointSteps: steps });
  const states: CheckpointState[] = [];
  const sgd = await runFigureTraining(training, backend, data, { onCheckpoint: (s) => states.push(s) });
  const model = figureModel(training, data, backend);
  const x = backend.tensor(data.x, [data.n, data.inputs]), y = backend.tensor(data.y, [data.n, data.classes]);
  const measured: {
    step: number;
    gni: number;
    gniSe: number;
    lossChange: number;
    lossChangeSe: number;
    predicted: number;
  }[] = [];
  try {
    for (const state of states) {
      const params = backend.tensor(state.arrays.params.data as Float32Array | Float64Array, [
        model.layout.count,
      ]);
      const problem = { model, params, x, y };
      const seed = training.seeds.measure,
        rule = { minSamples: config.gniSamples, maxSamples: config.gniSamples };
      const g = await gradientNoiseInteraction(problem, {
        batchSize: b,
        seed,
        measurement: state.step,
        ...rule,
      });
      const d = await oneStepLossChange(problem, {
        batchSize: b,
        seed: seed + 1,
        measurement: state.step,
        learningRate: eta,
        ...rule,
      });
      measured.push({
        step: state.step,
        gni: g.gni,
        gniSe: g.standardError,
        lossChange: d.normalizedChange,
        lossChangeSe: d.standardError,
        predicted: -1 + (eta / 2) * g.gni,
      });
      backend.dispose(params);
    }
  } finally {
    backend.dispose(x, y);
    model.dispose();
  }
  const gniPoints = measured.map((m) => ({ step: m.step, value: m.gni, series: "GNI" }));
  const changePoints = measured.flatMap((m) => [
    { step: m.step, value: m.lossChange, series: "measured" },
    { step: m.step, value: m.predicted, series: "-1 + (eta/2) GNI" },
  ]);
  const x2 = { field: "step", type: "quantitative", title: "step" };
  const color = { field: "series", type: "nominal", title: null, legend: { orient: "bottom" } };
  const spec = {
    $schema: VEGA_LITE_SCHEMA,
    title: `GNI and the one-step loss change (eta = ${eta}, b = ${b}, ${config.dataset}, n = ${config.n})`,
    description: `F3.6: GNI against step with 2/eta = ${
      threshold.toPrecision(3)
    } (left); normalised one-step loss change and its prediction -1 + (eta/2) GNI, 0 dashed (right)`,
    hconcat: [
      {
        width: 260,
        height: 220,
        layer: [
          {
            data: { values: gniPoints },
            mark: { type: "line", point: true },
            encoding: { x: x2, y: { field: "value", type: "quantitative", title: "GNI" }, color },
          },
          {
            data: { values: [{ threshold }] },
            mark: { type: "rule", strokeDash: [6, 4], color: "black" },
            encoding: { y: { field: "threshold", type: "quantitative" } },
          },
        ],
      },
      {
        width: 260,
        height: 220,
        layer: [
          {
            data: { values: changePoints },
            mark: { type: "line", point: true },
            encoding: {
              x: x2,
              y: { field: "value", type: "quantitative", title: "E[dL] / (eta |g|^2)" },
              color,
            },
          },
          {
            data: { values: [{ zero: 0 }] },
            mark: { type: "rule", strokeDash: [6, 4], color: "black" },
            encoding: { y: { field: "zero", type: "quantitative" } },
          },
        ],
      },
    ],
  } as FigureResult["spec"];
  const agree = measured.filter((m) => (m.gni < threshold) === (m.lossChange < 0)).length;
  return {
    spec,
    summary: {
      config,
      backend: backend.name,
      data: sgd.summary.dataSource,
      threshold,
      measurements: measured.length,
      largestGniOverThreshold: Math.max(...measured.map((m) => m.gni / threshold)),
      meanAbsPredictionError: measured.reduce((s, m) => s + Math.abs(m.lossChange - m.predicted), 0) /
        measured.length,
      signAgreement: agree / measured.length,
      measured,
    },
  };
}

if (import.meta.main) {
  await figureMain<GniFigureConfig>({
    name: "eoss_fig6_gni",
    description: "EoSS F3.6: GNI with 2/eta, and the one-step loss change against -1 + (eta/2) GNI",
    options: {
      ...EOSS_FIGURE_OPTIONS,
      gniEvery: { type: "number", integer: true, min: 1, description: "steps between GNI measurements" },
      gniSamples: {
        type: "number",
        integer: true,
        min: 2,
        description: "batches per GNI / loss-change measurement",
      },
    },
    defaultConfig,
    fullConfig,
    testConfig,
    run,
  });
}
