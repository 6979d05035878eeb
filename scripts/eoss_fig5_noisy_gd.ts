/**
 * Figure F3.5 of the Edge of Stochastic Stability (spec seed003, EOSS-13): SGD against its Gaussian models
 * at the same eta and b, from the same initialisation: noisy full-batch GD with SGD's noise covariance
 * Sigma/b (`sgd`), its diagonal (`diag`) or its trace (`iso`), and the Euler-Maruyama SGD SDE with h =
 * eta / `sdeSubsteps` (lib/eoss/noisy_gd.ts, lib/eoss/sde.ts). Left: batch sharpness (at b) against step;
 * right: lambda_max; 2/eta dashed. The paper's claim (recalled): the noise models do not reproduce the
 * batch-sharpness stabilisation at 2/eta ("SGD is not GD + noise"). Quick scale: Fashion-MNIST n = 64, b = 4,
 * eta = 0.05, 200 steps, 2 x 256 hidden units; `--full`: CIFAR-10 n = 8192, b = 8, eta = 0.01 (needs CIFAR-10
 * and a GPU). The summary gives each dynamics' plateaus against 2/eta.
 *
 * Run: `deno run -A scripts/eoss_fig5_noisy_gd.ts [--noises sgd,diag,iso --sde-substeps 2]`.
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
  plateauNumbers,
  QUICK_EOSS_FIGURE,
  runFigureTraining,
  sharpnessPoints,
  TEST_EOSS_FIGURE,
} from "../lib/eoss/figures.ts";
import { dynamicsLabel, type NoisyDynamics, runNoisyTraining } from "../lib/eoss/figures_noisy.ts";
import { GD_NOISES, type GdNoise } from "../lib/eoss/noisy_gd.ts";

/** F3.5's settings: the SGD run's plus the noise models. */
export interface NoisyGdFigureConfig extends EossFigureConfig {
  /** Comma-separated noisy-GD kinds (sgd, diag, iso, const), or "" for none. */
  noises: string;
  /** sigma of the `const` kind. */
  sigma: number;
  /** Euler-Maruyama steps per SGD step (h = eta / substeps); 0: no SDE run. */
  sdeSubsteps: number;
}

/** Quick scale. */
export const defaultConfig: NoisyGdFigureConfig = {
  ...QUICK_EOSS_FIGURE,
  steps: 200,
  sharpnessEvery: 40,
  stepSharpnessEvery: 0,
  noises: "sgd,diag,iso",
  sigma: 1,
  sdeSubsteps: 2,
};
/** The paper's preset on CIFAR-10 (50k steps). */
export const fullConfig: NoisyGdFigureConfig = {
  ...FULL_EOSS_FIGURE,
  steps: 50000,
  stepSharpnessEvery: 0,
  noises: "sgd,diag,iso",
  sigma: 1,
  sdeSubsteps: 4,
};
/** Tiny synthetic runs for tests. */
export const testConfig: NoisyGdFigureConfig = {
  ...TEST_EOSS_FIGURE,
  stepSharpnessEvery: 0,
  noises: "sgd,iso",
  sigma: 1,
  sdeSubsteps: 2,
};

/** The noise kinds of a `--noises` value. @throws {RangeError} On an unknown kind. */
export function parseNoises(text: string): GdNoise[] {
  const kinds = text.split(",").map((t) => t.trim()).filter((t) => t.length > 0);
  for (const k of kinds) {
    if (!GD_NOISES.includes(k as GdNoise)) {
      throw new RangeError(`Cannot read --noises "${text}": "${k}" is not one of ${GD_NOISES.join(", ")}`);
    }
  }
  return kinds as GdNoise[];
}

/** Runs the figure. */
export async function run(config: NoisyGdFigureConfig = defaultConfig): Promise<FigureResult> {
  const noises = parseNoises(config.noises);
  const backend = await getBackend(config.backend);
  const data = await loadFigureData(config);
  const eta = config.learningRate, threshold = 2 / eta, training = figureTrainingConfig(config);
  const sgd = await runFigureTraining(training, backend, data);
  const points = sharpnessPoints(sgd.rows, "SGD");
  const runs: Record<string, unknown>[] = [{
    dynamics: "SGD",
    plateau: plateauNumbers(sgd.summary.plateau),
    status: sgd.summary.status,
  }];
  const dynamics: NoisyDynamics[] = noises.map((noise) => ({ kind: "noisy", noise, sigma: config.sigma }));
  if (config.sdeSubsteps > 0) dynamics.push({ kind: "sde", h: eta / config.sdeSubsteps });
  for (const d of dynamics) {
    const label = dynamicsLabel(d, eta);
    const r = await runNoisyTraining(training, d, { backend, data });
    points.push(...sharpnessPoints(r.rows, label));
    runs.push({ dynamics: label, plateau: plateauNumbers(r.plateau), status: r.status, seconds: r.seconds });
  }
  const panel = (quantity: string, title: string) => ({
    width: 260,
    height: 220,
    layer: [
      {
        data: { values: points },
        transform: [{ filter: { field: "quantity", equal: quantity } }],
        mark: { type: "line" },
        encoding: {
          x: { field: "step", type: "quantitative", scale: { domain: [0, config.steps] } },
          y: { field: "value", type: "quantitative", title },
          color: { field: "series", type: "nominal", title: null, sort: null, legend: { orient: "bottom" } },
        },
      },
      {
        data: { values: [{ threshold }] },
        mark: { type: "rule", strokeDash: [6, 4], color: "black" },
        encoding: { y: { field: "threshold", type: "quantitative" } },
      },
    ],
  });
  const spec = {
    $schema: VEGA_LITE_SCHEMA,
    title:
      `SGD vs noisy GD vs SDE (eta = ${eta}, b = ${config.batchSize}, ${config.dataset}, n = ${config.n})`,
    description: `F3.5: batch sharpness (left) and lambda_max (right) against step of SGD, noisy GD (${
      noises.join(", ")
    }) and the SGD SDE at the same eta and b; 2/eta = ${threshold.toPrecision(3)} dashed`,
    hconcat: [panel("batch sharpness", "batch sharpness"), panel("lambda_max", "lambda_max")],
  } as FigureResult["spec"];
  return { spec, summary: { config, backend: backend.name, data: sgd.summary.dataSource, threshold, runs } };
}

if (import.meta.main) {
  await figureMain<NoisyGdFigureConfig>({
    name: "eoss_fig5_noisy_gd",
    description: "EoSS F3.5: SGD vs noisy GD (sgd, diag, iso) vs the SGD SDE: batch sharpness and lambda_max",
    options: {
      ...EOSS_FIGURE_OPTIONS,
      noises: {
        type: "string",
        description: "comma-separated noisy-GD kinds: sgd, diag, iso, const ('' none)",
      },
      sigma: { type: "number", min: 0, description: "sigma of the const noise" },
      sdeSubsteps: {
        type: "number",
        integer: true,
        min: 0,
        description: "Euler-Maruyama steps per SGD step (0: no SDE)",
      },
    },
    defaultConfig,
    fullConfig,
    testConfig,
    run,
  });
}
