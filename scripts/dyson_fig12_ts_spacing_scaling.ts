/**
 * Figure 12 of the Dyson line (spec seed001 B.6, TS notebook `TS-pred_comp-all_wig-fit`): the
 * mean spacing <S> (FD-histogram mean, jackknife errors) of the 2x2 teacher-student ensembles
 * against the predicted width sqrt(alpha A / |B|), A = eps^2, for the three sweeps on one line,
 * with the weighted least-squares slope through the origin a_fit. The 2x2-GOE prediction is
 * a = sqrt(pi). The summary also gives the numbers of figures 13 and 14: the slope of
 * sqrt(pi) sigma_fit (one-point density fits) against the prediction, and of <S> against
 * sqrt(pi) sigma_fit (1 for a 2x2 GOE).
 *
 * Run: `deno run -A scripts/dyson_fig12_ts_spacing_scaling.ts` (`--full`: 3000 seeds per setting).
 *
 * @module
 */
import { getBackend } from "../lib/backend/select.ts";
import type { BackendChoice } from "../lib/backend/select.ts";
import { runTsSweeps } from "../lib/dyson/ts_sweep.ts";
import { fitSlopeThroughOrigin } from "../lib/stats/least_squares.ts";
import { type FigureResult, VEGA_LITE_SCHEMA } from "../lib/plot/figure.ts";
import { figureMain } from "../lib/plot/figure_script.ts";

/** Configuration. */
export interface Config extends Record<string, unknown> {
  /** Seeds per setting (3000 in the paper). */
  seeds: number;
  /** Epochs (10 in the paper). */
  epochs: number;
  /** Minibatches per epoch (500 in the paper). */
  batchesPerEpoch: number;
  seed: number;
  backend: BackendChoice;
}

/** Quick scale: 400 seeds per setting, the paper's 10 x 500 steps (~10 s on the CPU adapter). */
export const defaultConfig: Config = {
  seeds: 400,
  epochs: 10,
  batchesPerEpoch: 500,
  seed: 1,
  backend: "auto",
};
/** The paper's scale. */
export const fullConfig: Config = { ...defaultConfig, seeds: 3000 };
/** Tiny: for smoke and schema tests (under a second). */
export const testConfig: Config = { ...defaultConfig, seeds: 120, epochs: 2, batchesPerEpoch: 100, seed: 3 };

const LABELS = { noise: "A = eps^2 sweep", learningRate: "alpha sweep", batchSize: "|B| sweep" } as const;

/** Runs the sweeps and builds the figure. */
export async function run(config: Config = defaultConfig): Promise<FigureResult> {
  const backend = await getBackend(config.backend);
  const stats = await runTsSweeps(backend, config);
  const x = stats.map((s) => s.predictedWidth);
  const fit = fitSlopeThroughOrigin(x, stats.map((s) => s.meanSpacing), stats.map((s) => s.meanSpacingError));
  const sigmaFit = fitSlopeThroughOrigin(
    x,
    stats.map((s) => Math.sqrt(Math.PI) * s.sigma),
    stats.map((s) => Math.sqrt(Math.PI) * s.sigmaError),
  );
  const identity = fitSlopeThroughOrigin(
    stats.map((s) => Math.sqrt(Math.PI) * s.sigma),
    stats.map((s) => s.meanSpacing),
    stats.map((s) => s.meanSpacingError),
  );
  const points = stats.map((s) => ({
    sweep: LABELS[s.sweep],
    predicted: s.predictedWidth,
    meanSpacing: s.meanSpacing,
    low: s.meanSpacing - s.meanSpacingError,
    high: s.meanSpacing + s.meanSpacingError,
  }));
  const xMax = 1.15 * Math.max(...x);
  const lines = [
    { line: `a_fit = ${fit.slope.toFixed(3)} +- ${fit.error.toFixed(3)}`, predicted: 0, value: 0 },
    {
      line: `a_fit = ${fit.slope.toFixed(3)} +- ${fit.error.toFixed(3)}`,
      predicted: xMax,
      value: fit.slope * xMax,
    },
    { line: "sqrt(pi) (2x2 GOE)", predicted: 0, value: 0 },
    { line: "sqrt(pi) (2x2 GOE)", predicted: xMax, value: Math.sqrt(Math.PI) * xMax },
  ];
  const enc = { type: "quantitative" as const };
  const spec: FigureResult["spec"] = {
    $schema: VEGA_LITE_SCHEMA,
    title: `2x2 teacher-student: <S> vs sqrt(alpha A / |B|) (${config.seeds} seeds per setting)`,
    width: 380,
    height: 300,
    layer: [
      {
        data: { values: lines },
        mark: { type: "line", strokeDash: [5, 3] },
        encoding: {
          x: { field: "predicted", ...enc, title: "sqrt(alpha A / |B|)" },
          y: { field: "value", ...enc, title: "<S>" },
          color: {
            field: "line",
            type: "nominal",
            title: "line",
            scale: { range: ["black", "gray"] },
            legend: { labelLimit: 300 },
          },
        },
      },
      {
        data: { values: points },
        layer: [
          {
            mark: { type: "rule" },
            encoding: {
              x: { field: "predicted", ...enc },
              y: { field: "low", ...enc },
              y2: { field: "high" },
              shape: { field: "sweep", type: "nominal", legend: null },
            },
          },
          {
            mark: { type: "point", filled: false, size: 60 },
            encoding: {
              x: { field: "predicted", ...enc },
              y: { field: "meanSpacing", ...enc },
              shape: { field: "sweep", type: "nominal", title: "series" },
              stroke: {
                field: "sweep",
                type: "nominal",
                title: "series",
                scale: { range: ["green", "crimson", "navy"] },
              },
            },
          },
        ],
      },
    ],
    resolve: { scale: { color: "independent", shape: "independent" }, legend: { shape: "independent" } },
  };
  return {
    spec,
    summary: {
      config,
      backend: backend.description,
      aFit: fit.slope,
      aFitError: fit.error,
      aFitErrorScaled: fit.scaledError,
      chi2PerDof: fit.chi2PerDof,
      sqrtPi: Math.sqrt(Math.PI),
      sigmaFitSlope: sigmaFit.slope,
      sigmaFitSlopeError: sigmaFit.error,
      meanSpacingVsSqrtPiSigma: identity.slope,
      meanSpacingVsSqrtPiSigmaError: identity.error,
      settings: stats.map((s) => ({
        sweep: s.sweep,
        value: s.value,
        predictedWidth: s.predictedWidth,
        meanSpacing: s.meanSpacing,
        meanSpacingError: s.meanSpacingError,
        sigmaFit: s.sigma,
        sigmaFitError: s.sigmaError,
        x0Fit: s.x0,
        x0FitError: s.x0Error,
      })),
    },
  };
}

if (import.meta.main) {
  await figureMain<Config>({
    name: "dyson_fig12_ts_spacing_scaling",
    description: "2x2 teacher-student: <S> vs the predicted width for three sweeps, slope through the origin",
    options: {
      seeds: { type: "number", description: "seeds per setting" },
      epochs: { type: "number", description: "epochs" },
      batchesPerEpoch: { type: "number", description: "minibatches per epoch" },
    },
    defaultConfig,
    fullConfig,
    run,
  });
}
