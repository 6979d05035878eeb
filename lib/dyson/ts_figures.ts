/**
 * What the teacher-student figure scripts 9, 11, 13 and 14 (scripts/dyson_fig*_ts_*.ts) share:
 * their config and the figure builders, on top of lib/dyson/ts_sweep.ts (the same sweeps and
 * analysis as figures 10 and 12).
 *
 * @module
 */
import { getBackend } from "../backend/select.ts";
import type { BackendChoice } from "../backend/select.ts";
import { runTsSweeps, type TsSettingStatistics } from "./ts_sweep.ts";
import { ensembleSingularValues, runTeacherStudent } from "./ts_trainer.ts";
import { type DensityPanel, densityPanelsSpec, type ScalingPoint, scalingSpec } from "./dyson_plots.ts";
import { densityHistogram } from "../stats/histogram.ts";
import { fitSlopeThroughOrigin } from "../stats/least_squares.ts";
import { goe2Density } from "../spectral/goe2_density.ts";
import type { FigureResult } from "../plot/figure.ts";

/** Config of a teacher-student figure. */
export interface TsFigureConfig extends Record<string, unknown> {
  /** Seeds per setting (3000 in the paper). */
  seeds: number;
  /** Epochs (10 in the paper). */
  epochs: number;
  /** Minibatches per epoch (500 in the paper). */
  batchesPerEpoch: number;
  seed: number;
  backend: BackendChoice;
}

/** Quick scale: 400 seeds per setting, the paper's 10 x 500 steps. */
export const TS_QUICK: TsFigureConfig = {
  seeds: 400,
  epochs: 10,
  batchesPerEpoch: 500,
  seed: 1,
  backend: "auto",
};
/** The paper's scale. */
export const TS_FULL: TsFigureConfig = { ...TS_QUICK, seeds: 3000 };
/** Tiny, for smoke and schema tests. */
export const TS_TINY: TsFigureConfig = { ...TS_QUICK, seeds: 120, epochs: 2, batchesPerEpoch: 100, seed: 3 };

/** The command-line options of the teacher-student figures. */
export const TS_FIGURE_OPTIONS = {
  seeds: { type: "number" as const, description: "seeds per setting" },
  epochs: { type: "number" as const, description: "epochs" },
  batchesPerEpoch: { type: "number" as const, description: "minibatches per epoch" },
};

const SERIES = { batchSize: "|B| sweep", learningRate: "alpha sweep", noise: "A = eps^2 sweep" } as const;
const PARAMETER = { batchSize: "|B|", learningRate: "alpha", noise: "eps" } as const;
const COLOURS = ["navy", "crimson", "green"];

function settingRow(s: TsSettingStatistics) {
  return {
    sweep: s.sweep,
    value: s.value,
    learningRate: s.learningRate,
    batchSize: s.batchSize,
    noise: s.noise,
    predictedWidth: s.predictedWidth,
    meanSpacing: s.meanSpacing,
    meanSpacingError: s.meanSpacingError,
    sigmaFit: s.sigma,
    sigmaFitError: s.sigmaError,
    x0Fit: s.x0,
    x0FitError: s.x0Error,
  };
}

/**
 * Figures 13 (sqrt(pi) sigma_fit vs sqrt(alpha A / |B|), a_fit) and 14 (<S> vs sqrt(pi) sigma_fit with
 * the identity line); both summaries hold both slopes.
 *
 * @param config The figure's config.
 * @param figure 13 or 14.
 * @returns The figure.
 */
export async function tsScalingFigure(config: TsFigureConfig, figure: 13 | 14): Promise<FigureResult> {
  const backend = await getBackend(config.backend);
  const stats = await runTsSweeps(backend, config);
  const rootPi = Math.sqrt(Math.PI);
  // Sweep order in the legend: |B| (navy), alpha (crimson), A (green), as the notebook.
  const ordered = [...stats].sort((a, b) =>
    ["batchSize", "learningRate", "noise"].indexOf(a.sweep) -
    ["batchSize", "learningRate", "noise"].indexOf(b.sweep)
  );
  const sigma: ScalingPoint[] = ordered.map((s) => ({
    series: SERIES[s.sweep],
    x: s.predictedWidth,
    y: rootPi * s.sigma,
    error: rootPi * s.sigmaError,
  }));
  const identity: ScalingPoint[] = ordered.map((s) => ({
    series: SERIES[s.sweep],
    x: rootPi * s.sigma,
    y: s.meanSpacing,
    error: s.meanSpacingError,
  }));
  const fit = (p: ScalingPoint[]) => {
    const ok = p.filter((q) => Number.isFinite(q.y) && q.error > 0);
    return fitSlopeThroughOrigin(ok.map((q) => q.x), ok.map((q) => q.y), ok.map((q) => q.error));
  };
  const sigmaFit = fit(sigma), identityFit = fit(identity);
  const spec = figure === 13
    ? scalingSpec({
      title:
        `2x2 teacher-student: sqrt(pi) sigma_fit vs sqrt(alpha A / |B|) (${config.seeds} seeds per setting)`,
      xTitle: "sqrt(alpha A / |B|)",
      yTitle: "sqrt(pi) sigma_fit",
      points: sigma,
      colours: COLOURS,
      lines: [
        {
          label: `a_fit = ${sigmaFit.slope.toFixed(3)} +- ${sigmaFit.error.toFixed(3)}`,
          slope: sigmaFit.slope,
        },
        { label: "sqrt(pi) (2x2 GOE)", slope: rootPi },
      ],
    })
    : scalingSpec({
      title: `2x2 teacher-student: <S> vs sqrt(pi) sigma_fit (${config.seeds} seeds per setting)`,
      xTitle: "sqrt(pi) sigma_fit",
      yTitle: "<S>",
      points: identity,
      colours: COLOURS,
      lines: [
        { label: "identity", slope: 1 },
        {
          label: `slope ${identityFit.slope.toFixed(3)} +- ${identityFit.error.toFixed(3)}`,
          slope: identityFit.slope,
        },
      ],
    });
  const pick = (f: typeof sigmaFit) => ({
    slope: f.slope,
    error: f.error,
    scaledError: f.scaledError,
    chi2PerDof: f.chi2PerDof,
  });
  return {
    spec,
    summary: {
      config,
      backend: backend.description,
      sqrtPi: rootPi,
      aFitSigma: pick(sigmaFit),
      spacingVsSqrtPiSigma: pick(identityFit),
      settings: stats.map(settingRow),
    },
  };
}

/**
 * Figure 11: per setting, the density of the pooled singular values with the fitted 2x2-GOE
 * one-point density rho(x0, sigma_fit), sigma_pred in the title and a line at kappa = 2.
 *
 * @param config The figure's config.
 * @returns The figure.
 */
export async function tsRhoFitFigure(config: TsFigureConfig): Promise<FigureResult> {
  const backend = await getBackend(config.backend);
  const stats = await runTsSweeps(backend, config);
  const panels: DensityPanel[] = stats.map((s) => {
    const h = densityHistogram(s.singularValues);
    const lo = h.edges[0], hi = h.edges[h.edges.length - 1];
    return {
      title: `${PARAMETER[s.sweep]} = ${s.value}: sigma_pred ${s.predictedWidth.toFixed(4)}`,
      centres: h.centres,
      density: h.density,
      lines: [2],
      curve: Number.isFinite(s.sigma) && s.sigma > 0
        ? Array.from({ length: 81 }, (_, i) => {
          const x = lo + (hi - lo) * i / 80;
          return { x, y: goe2Density(x, s.x0, s.sigma) };
        })
        : undefined,
    };
  });
  return {
    spec: densityPanelsSpec(
      `2x2 teacher-student: singular values with the 2x2-GOE fit rho(x0, sigma) (${config.seeds} seeds per setting)`,
      panels,
      { title: "singular value" },
      { title: "density" },
      4,
    ),
    summary: {
      config,
      backend: backend.description,
      settings: stats.map((s) => ({ ...settingRow(s), sigmaFitOverPredicted: s.sigma / s.predictedWidth })),
    },
  };
}

/** Settings of figure 9 (|B| = 16): [alpha, eps]. */
export const SINGULAR_VALUE_SETTINGS: [number, number][] = [[0.5, 0.1], [0.1, 0.1], [0.1, 0.05]];

/**
 * Figure 9: histograms (counts) of the singular values of W for three settings, with a dashed
 * line at the teacher's 2.
 *
 * @param config The figure's config.
 * @returns The figure.
 */
export async function tsSingularValueFigure(config: TsFigureConfig): Promise<FigureResult> {
  const backend = await getBackend(config.backend);
  const result = await runTeacherStudent(backend, {
    settings: SINGULAR_VALUE_SETTINGS.map(([learningRate, noise]) => ({
      learningRate,
      noise,
      batchSize: 16,
    })),
    seeds: config.seeds,
    epochs: config.epochs,
    batchesPerEpoch: config.batchesPerEpoch,
    saveEvery: config.epochs,
    seed: config.seed,
  });
  const sv = ensembleSingularValues(result.weights, 2);
  const rows: Record<string, unknown>[] = [];
  const panels: DensityPanel[] = SINGULAR_VALUE_SETTINGS.map(([lr, eps], i) => {
    const own = sv.subarray(2 * i * config.seeds, 2 * (i + 1) * config.seeds);
    const h = densityHistogram(own);
    const width = Math.sqrt(lr * eps * eps / 16);
    const mean = own.reduce((a, b) => a + b, 0) / own.length;
    const std = Math.sqrt(own.reduce((a, b) => a + (b - mean) ** 2, 0) / own.length);
    rows.push({
      learningRate: lr,
      noise: eps,
      predictedWidth: width,
      mean,
      std,
      stdOverPredicted: std / width,
    });
    return {
      title: `alpha = ${lr}, eps = ${eps}, |B| = 16: sqrt(alpha eps^2 / |B|) = ${width.toFixed(4)}`,
      centres: h.centres,
      density: h.counts,
      lines: [2],
    };
  });
  return {
    spec: densityPanelsSpec(
      `2x2 teacher-student: singular values of W (${config.seeds} seeds per setting)`,
      panels,
      { title: "singular value" },
      { title: "count" },
    ),
    summary: { config, backend: backend.description, settings: rows },
  };
}
