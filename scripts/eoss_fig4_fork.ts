/**
 * Figure F3.4 of the Edge of Stochastic Stability (spec seed003, EOSS-15): an intervention from a
 * checkpoint. The control run trains on; at `forkStep` a fork restarts from the control's checkpoint with
 * eta multiplied by `forkFactor` (and/or b divided by `forkBatchDivisor`). Top: the full loss (log) of both
 * branches; bottom: batch sharpness (solid) and lambda_max (dashed); the fork step is the vertical line and
 * both 2/eta levels are drawn. The paper's claim: the fork puts batch sharpness above its new 2/eta, the loss
 * spikes, then batch sharpness re-settles at the new 2/eta and lambda_max drops; the control continues
 * smoothly. Quick scale: Fashion-MNIST n = 64, b = 4, eta 0.05 -> 0.1 at step 200 of 400, 2 x 256 hidden
 * units; `--full`: CIFAR-10 n = 8192, b = 8, eta 0.01 -> 0.02 at step 50k of 100k (needs CIFAR-10 and a GPU).
 * The summary gives the loss spike (largest fork loss over the loss at the fork), both plateaus against
 * their 2/eta, and lambda_max before and after.
 *
 * Run: `deno run -A scripts/eoss_fig4_fork.ts [--fork-step 200 --fork-factor 2]`.
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
  figureTrainingConfig,
  FULL_EOSS_FIGURE,
  loadFigureData,
  lossPoints,
  plateauNumbers,
  QUICK_EOSS_FIGURE,
  runFigureTraining,
  sharpnessPoints,
  TEST_EOSS_FIGURE,
} from "../lib/eoss/figures.ts";

/** F3.4's settings: the control run's plus the fork. */
export interface ForkConfig extends EossFigureConfig {
  /** The step the fork restarts from (a checkpoint of the control). */
  forkStep: number;
  /** eta of the fork = forkFactor x eta. */
  forkFactor: number;
  /** b of the fork = b / forkBatchDivisor (1: unchanged). */
  forkBatchDivisor: number;
}

/** Quick scale. */
export const defaultConfig: ForkConfig = {
  ...QUICK_EOSS_FIGURE,
  steps: 400,
  stepSharpnessEvery: 0,
  forkStep: 200,
  forkFactor: 2,
  forkBatchDivisor: 1,
};
/** The paper's preset on CIFAR-10, forked half way. */
export const fullConfig: ForkConfig = {
  ...FULL_EOSS_FIGURE,
  steps: 100000,
  stepSharpnessEvery: 0,
  forkStep: 50000,
  forkFactor: 2,
  forkBatchDivisor: 1,
};
/** Tiny synthetic runs for tests. */
export const testConfig: ForkConfig = {
  ...TEST_EOSS_FIGURE,
  stepSharpnessEvery: 0,
  forkStep: 8,
  forkFactor: 2,
  forkBatchDivisor: 1,
};

/** Runs the figure. */
export async function run(config: ForkConfig = defaultConfig): Promise<FigureResult> {
  if (!(config.forkStep > 0 && config.forkStep < config.steps)) {
    throw new RangeError(`Cannot fork at step ${config.forkStep}: must be in (0, ${config.steps})`);
  }
  const forkBatch = config.batchSize / config.forkBatchDivisor;
  if (!Number.isInteger(forkBatch) || forkBatch < 1) {
    throw new RangeError(
      `Cannot fork with b / ${config.forkBatchDivisor}: ${config.batchSize} is not divisible`,
    );
  }
  const backend = await getBackend(config.backend);
  const data = await loadFigureData(config);
  const eta = config.learningRate, forkEta = eta * config.forkFactor;
  let state: CheckpointState | undefined;
  const control = await runFigureTraining(
    figureTrainingConfig(config, { checkpointSteps: [config.forkStep] }),
    backend,
    data,
    { onCheckpoint: (s) => state = s },
  );
  if (!state) throw new Error(`Cannot fork: the control wrote no checkpoint at step ${config.forkStep}`);
  const fork = await runFigureTraining(
    figureTrainingConfig(config, { learningRate: forkEta, batchSize: forkBatch }),
    backend,
    data,
    { resumeFrom: state },
  );
  const forkLabel = `fork: eta x ${config.forkFactor}${
    config.forkBatchDivisor > 1 ? `, b / ${config.forkBatchDivisor}` : ""
  }`;
  const branches = [{ label: "control", rows: control.rows }, { label: forkLabel, rows: fork.rows }];
  const losses = branches.flatMap((b) => lossPoints(b.rows, b.label));
  const sharp = branches.flatMap((b) => sharpnessPoints(b.rows, b.label));
  const thresholds = [
    { branch: "control", threshold: 2 / eta },
    { branch: forkLabel, threshold: 2 / forkEta },
  ];
  const x = { field: "step", type: "quantitative", title: "step", scale: { domain: [0, config.steps] } };
  const color = { field: "series", type: "nominal", title: null, legend: { orient: "bottom" } };
  const forkRule = {
    data: { values: [{ step: config.forkStep }] },
    mark: { type: "rule", color: "#888" },
    encoding: { x: { field: "step", type: "quantitative" } },
  };
  const spec = {
    $schema: VEGA_LITE_SCHEMA,
    title: `Fork at step ${config.forkStep}: eta ${eta} -> ${forkEta}${
      forkBatch !== config.batchSize ? `, b ${config.batchSize} -> ${forkBatch}` : ""
    }`,
    description:
      `F3.4: full loss (log, top) and batch sharpness (solid) / lambda_max (dashed) (bottom) of the control and the fork; fork step grey, 2/eta = ${
        (2 / eta).toPrecision(3)
      } and ${(2 / forkEta).toPrecision(3)} dashed`,
    vconcat: [
      {
        width: 460,
        height: 130,
        layer: [
          {
            data: { values: losses },
            mark: { type: "line" },
            encoding: {
              x,
              y: { field: "loss", type: "quantitative", scale: { type: "log" }, title: "full loss (log)" },
              color,
            },
          },
          forkRule,
        ],
      },
      {
        width: 460,
        height: 220,
        layer: [
          {
            data: { values: sharp },
            mark: { type: "line" },
            encoding: {
              x,
              y: { field: "value", type: "quantitative", title: "sharpness" },
              color,
              strokeDash: {
                field: "quantity",
                type: "nominal",
                title: null,
                scale: { domain: ["batch sharpness", "lambda_max"], range: [[1, 0], [5, 3]] },
              },
              detail: { field: "quantity" },
            },
          },
          {
            data: { values: thresholds },
            mark: { type: "rule", strokeDash: [6, 4] },
            encoding: {
              y: { field: "threshold", type: "quantitative" },
              color: { field: "branch", type: "nominal", legend: null },
            },
          },
          forkRule,
        ],
      },
    ],
  } as FigureResult["spec"];
  const atFork = control.rows.filter((r) => r.step <= config.forkStep && Number.isFinite(r.full_loss)).at(-1);
  const forkLosses = fork.rows.map((r) => r.full_loss).filter(Number.isFinite);
  const lastBefore = (key: "batch_sharpness" | "lambda_max") =>
    control.rows.filter((r) => r.step <= config.forkStep && Number.isFinite(r[key])).at(-1)?.[key] ?? NaN;
  return {
    spec,
    summary: {
      config,
      backend: backend.name,
      data: control.summary.dataSource,
      forkStep: config.forkStep,
      beforeFork: {
        batchSharpness: lastBefore("batch_sharpness"),
        lambdaMax: lastBefore("lambda_max"),
        fullLoss: atFork?.full_loss ?? NaN,
      },
      control: {
        plateau: plateauNumbers(control.summary.plateau),
        finalFullLoss: control.summary.finalFullLoss,
      },
      fork: {
        learningRate: forkEta,
        batchSize: forkBatch,
        status: fork.summary.status,
        plateau: plateauNumbers(fork.summary.plateau),
        finalFullLoss: fork.summary.finalFullLoss,
        lossSpike: Math.max(...forkLosses) / (atFork?.full_loss ?? NaN),
      },
    },
  };
}

if (import.meta.main) {
  await figureMain<ForkConfig>({
    name: "eoss_fig4_fork",
    description:
      "EoSS F3.4: a fork with eta x 2 from a checkpoint against the control: loss spike and the new 2/eta",
    options: {
      ...EOSS_FIGURE_OPTIONS,
      forkStep: {
        type: "number",
        integer: true,
        min: 1,
        description: "step of the control's checkpoint to fork from",
      },
      forkFactor: { type: "number", positive: true, description: "eta of the fork = factor x eta" },
      forkBatchDivisor: { type: "number", integer: true, min: 1, description: "b of the fork = b / divisor" },
    },
    defaultConfig,
    fullConfig,
    testConfig,
    run,
  });
}
