/**
 * What the Gaussian-RBM figure scripts (scripts/dyson_fig1..8_*.ts) share: their config, its
 * command-line options, the paper's and the quick scales, and the ensemble run.
 *
 * @module
 */
import { getBackend } from "../backend/select.ts";
import type { BackendChoice } from "../backend/select.ts";
import {
  type RbmEnsembles,
  type RbmSweepName,
  type RbmSweepSetting,
  rbmSweepSettings,
  runRbmEnsembles,
} from "./rbm_sweep.ts";
import { pooledDensity } from "./rbm_analysis.ts";
import {
  type DensityPanel,
  densityPanelsSpec,
  ksToSurmise,
  type ScalingPoint,
  scalingSpec,
  spacingRowSpec,
} from "./dyson_plots.ts";
import { fitSlopeThroughOrigin, type SlopeFit } from "../stats/least_squares.ts";
import { type FigureResult, VEGA_LITE_SCHEMA } from "../plot/figure.ts";

/** Config of an RBM figure. */
export interface RbmFigureConfig extends Record<string, unknown> {
  /** Seeds per setting (7500 in the paper). */
  seeds: number;
  /** Epochs per setting when trainingTime is 0 (100000 in the paper). */
  epochs: number;
  /** When > 0: each setting trains ceil(trainingTime / alpha) epochs instead. */
  trainingTime: number;
  /** "random" (W ~ N(0, 0.1^2), the paper) or "fixedPoint" (W0 = sqrt(mu^2 - K)). */
  init: "random" | "fixedPoint";
  /** Jackknife blocks of the density fits (0: the fits' covariance errors). */
  fitJackknifeBlocks: number;
  seed: number;
  backend: BackendChoice;
}

/**
 * The quick scale every RBM figure defaults to: seeds start at the fixed point and each setting
 * trains alpha * epochs = 80 (about half a minute per figure on a CPU adapter).
 *
 * @param seeds Seeds per setting.
 * @param fitJackknifeBlocks Jackknife blocks of the density fits (0: covariance errors).
 */
export function rbmQuickScale(seeds: number, fitJackknifeBlocks = 0): RbmFigureConfig {
  return {
    seeds,
    epochs: 0,
    trainingTime: 80,
    init: "fixedPoint",
    fitJackknifeBlocks,
    seed: 1,
    backend: "auto",
  };
}

/** The paper's scale: 7500 seeds x 100k epochs per setting from random W. */
export const RBM_FULL_SCALE = {
  seeds: 7500,
  epochs: 100000,
  trainingTime: 0,
  init: "random",
  fitJackknifeBlocks: 20,
} as const;

/** A tiny scale for smoke tests (a second or two). */
export const RBM_TEST_SCALE = {
  seeds: 24,
  epochs: 0,
  trainingTime: 4,
  init: "fixedPoint",
  fitJackknifeBlocks: 0,
} as const;

/** The command-line options of every RBM figure (figureMain adds --full, --seed, --backend). */
export const RBM_FIGURE_OPTIONS = {
  seeds: { type: "number" as const, description: "seeds per setting" },
  epochs: { type: "number" as const, description: "epochs per setting (when --training-time is 0)" },
  trainingTime: {
    type: "number" as const,
    description: "train each setting ceil(T / alpha) epochs (0: --epochs)",
  },
  init: {
    type: "string" as const,
    description: "random (the paper) or fixedPoint",
    choices: ["random", "fixedPoint"] as const,
  },
  fitJackknifeBlocks: { type: "number" as const, description: "jackknife blocks of the density fits" },
};

/**
 * Trains and analyses the settings of a figure.
 *
 * @param config The figure's config.
 * @param settings Settings to run.
 * @returns The ensembles and the backend's description.
 */
export async function runRbmFigureSettings(
  config: RbmFigureConfig,
  settings: RbmSweepSetting[],
): Promise<RbmEnsembles & { backend: string }> {
  const backend = await getBackend(config.backend);
  if (config.init !== "random" && config.init !== "fixedPoint") {
    throw new RangeError(`Cannot run the RBM figure: init is "${config.init}", must be random or fixedPoint`);
  }
  const r = await runRbmEnsembles(backend, settings, {
    seeds: config.seeds,
    epochs: config.epochs,
    trainingTime: config.trainingTime > 0 ? config.trainingTime : undefined,
    init: config.init,
    seed: config.seed,
    fitJackknifeBlocks: config.fitJackknifeBlocks,
  });
  return { ...r, backend: backend.description };
}

/** Learning rates of figures 1 and 2 (|B| = 16). */
export const DENSITY_FIGURE_RATES = [0.01, 0.04, 0.08];

/**
 * Figures 1 and 2: the pooled density of all eigenvalues x of W^T W (or lambda = mu^2 - x) per
 * learning rate at |B| = 16, with dashed lines at the fixed point mu^2 - kappa (or kappa).
 *
 * @param config The figure's config.
 * @param variable "x" (figure 1) or "lambda" (figure 2).
 * @returns The figure.
 */
export async function rbmDensityFigure(
  config: RbmFigureConfig,
  variable: "x" | "lambda",
): Promise<FigureResult> {
  const settings = DENSITY_FIGURE_RATES.map((lr) => ({
    sweep: "learningRate" as const,
    value: lr,
    learningRate: lr,
    batchSize: 16,
  }));
  const r = await runRbmFigureSettings(config, settings);
  const n = r.kappa.length, mu2 = r.mu * r.mu;
  const targets = Array.from(r.kappa, (k) => variable === "x" ? mu2 - k : k);
  const panels: DensityPanel[] = [], rows: Record<string, unknown>[] = [];
  for (const s of r.results) {
    const values = variable === "x" ? s.spectra.x : s.spectra.lambda;
    const h = pooledDensity(values, n);
    panels.push({
      title: `alpha = ${s.learningRate}, |B| = 16 (${s.spectra.x.length / n} seeds, ${s.epochs} epochs)`,
      centres: h.centres,
      density: h.density,
      lines: [...new Set(targets)],
    });
    const modes = s.analysis.modes.map((m) => ({
      kappa: m.kappa,
      target: variable === "x" ? mu2 - m.kappa : m.kappa,
      mean: variable === "x" ? mu2 - m.mean : m.mean,
    }));
    rows.push({
      learningRate: s.learningRate,
      epochs: s.epochs,
      failed: s.failed,
      binWidth: h.binWidth,
      meanPerIndex: Array.from(variable === "x" ? s.analysis.meanX : s.analysis.meanLambda),
      modes,
      // Mean over both levels of a pair (or the single level) minus its target.
      maxModeDeviation: Math.max(...modes.map((m) => Math.abs(m.mean - m.target))),
    });
  }
  const spec = densityPanelsSpec(
    variable === "x"
      ? "Gaussian RBM: eigenvalues x of W^T W vs the fixed point mu^2 - kappa"
      : "Gaussian RBM: lambda = mu^2 - x vs the target spectrum kappa",
    panels,
    variable === "x" ? { title: "x", domain: [0, 6] } : { title: "lambda = mu^2 - x", domain: [3, 9] },
    { title: "density", domain: [0, 2] },
  );
  return {
    spec,
    summary: {
      config,
      backend: r.backend,
      trainSeconds: r.trainSeconds,
      analysisSeconds: r.analysisSeconds,
      kappa: Array.from(r.kappa),
      settings: rows,
    },
  };
}

/**
 * Figures 3 and 4: per degenerate pair, P(s) of s = S/<S> for every setting of a sweep against
 * the GOE Wigner surmise, and P(S) against the surmise scaled by each setting's <S>.
 *
 * @param config The figure's config.
 * @param sweep "batchSize" (figure 3) or "learningRate" (figure 4).
 * @returns The figure.
 */
export async function rbmWignerFigure(config: RbmFigureConfig, sweep: RbmSweepName): Promise<FigureResult> {
  const r = await runRbmFigureSettings(config, rbmSweepSettings([sweep]));
  const label = sweep === "batchSize" ? "|B|" : "alpha";
  const pairs = r.results[0].analysis.pairs;
  const rows = pairs.map((p, k) => {
    const series = r.results.map((s) => ({
      setting: s.value,
      spacings: s.analysis.pairs[k].spacings,
      meanSpacing: s.analysis.pairs[k].meanSpacing,
    }));
    const sMax = 3 * Math.max(...series.map((s) => s.meanSpacing));
    return spacingRowSpec(`kappa = ${p.kappa.toFixed(2)}`, label, series, Number(sMax.toPrecision(2)));
  });
  const settings = r.results.map((s) => ({
    sweep,
    value: s.value,
    learningRate: s.learningRate,
    batchSize: s.batchSize,
    epochs: s.epochs,
    failed: s.failed,
    pairs: s.analysis.pairs.map((p) => ({
      kappa: p.kappa,
      predictedWidth: p.predictedWidth,
      meanSpacing: p.meanSpacing,
      meanSpacingError: p.meanSpacingError,
      ksDistance: ksToSurmise(p.spacings.map((v) => v / p.meanSpacing)),
    })),
  }));
  const ks = settings.flatMap((s) => s.pairs.map((p) => p.ksDistance));
  const healthy = Math.min(...r.results.map((s) => s.spectra.x.length / r.kappa.length));
  return {
    spec: {
      $schema: VEGA_LITE_SCHEMA,
      title: `Gaussian RBM: degenerate-pair spacings over the ${label} sweep vs the GOE Wigner surmise`,
      vconcat: rows,
      resolve: { scale: { color: "independent" } },
    } as FigureResult["spec"],
    summary: {
      config,
      backend: r.backend,
      trainSeconds: r.trainSeconds,
      analysisSeconds: r.analysisSeconds,
      settings,
      maxKsDistance: Math.max(...ks),
      ksCritical5: 1.358 / Math.sqrt(healthy),
    },
  };
}

/** Which scaling figure: 5 <S> vs prediction, 6 sqrt(pi) sigma_fit vs prediction, 7 <S> vs sqrt(pi) sigma_fit, 8 lambda_fit / kappa vs alpha / |B|. */
export type RbmScalingFigure = 5 | 6 | 7 | 8;

const SERIES = { batchSize: "|B| sweep (alpha = 0.1)", learningRate: "alpha sweep (|B| = 16)" } as const;

/** Weighted slope through the origin over the finite points with positive errors. */
function slope(points: ScalingPoint[]) {
  const ok = points.filter((p) => Number.isFinite(p.y) && Number.isFinite(p.x) && p.error > 0);
  return fitSlopeThroughOrigin(ok.map((p) => p.x), ok.map((p) => p.y), ok.map((p) => p.error));
}

/**
 * Figures 5-8 from both sweeps (|B| at alpha = 0.1, alpha at |B| = 16); every summary holds all
 * their fitted numbers (a_fit of <S> and of sqrt(pi) sigma_fit against sqrt(alpha (mu^2 - kappa) / |B|),
 * the slope of <S> against sqrt(pi) sigma_fit, and lambda_fit / kappa per setting).
 *
 * @param config The figure's config.
 * @param figure Which figure to draw.
 * @returns The figure.
 */
export async function rbmScalingFigure(
  config: RbmFigureConfig,
  figure: RbmScalingFigure,
): Promise<FigureResult> {
  const r = await runRbmFigureSettings(config, rbmSweepSettings(["batchSize", "learningRate"]));
  const rootPi = Math.sqrt(Math.PI);
  const pairRows = r.results.flatMap((s) =>
    s.analysis.pairs.map((p) => ({ series: SERIES[s.sweep as RbmSweepName], s, p }))
  );
  const spacing: ScalingPoint[] = pairRows.map(({ series, p }) => ({
    series,
    x: p.predictedWidth,
    y: p.meanSpacing,
    error: p.meanSpacingError,
  }));
  const sigma: ScalingPoint[] = pairRows.map(({ series, p }) => ({
    series,
    x: p.predictedWidth,
    y: rootPi * p.sigma,
    error: rootPi * p.sigmaError,
  }));
  const identity: ScalingPoint[] = pairRows.map(({ series, p }) => ({
    series,
    x: rootPi * p.sigma,
    y: p.meanSpacing,
    error: p.meanSpacingError,
  }));
  // Figure 8: the |B| sweep at |B| >= 16 only, as the notebook.
  const shift: ScalingPoint[] = r.results
    .filter((s) => s.sweep !== "batchSize" || s.batchSize >= 16)
    .flatMap((s) =>
      s.analysis.modes.map((m) => ({
        series: SERIES[s.sweep as RbmSweepName],
        x: s.learningRate / s.batchSize,
        y: m.ratio,
        error: m.ratioError,
      }))
    );
  const fits = { spacing: slope(spacing), sigma: slope(sigma), identity: slope(identity) };
  const xTitle = "sqrt(alpha (mu^2 - kappa) / |B|)";
  const line = (f: { slope: number; error: number }) =>
    `a_fit = ${f.slope.toFixed(3)} +- ${f.error.toFixed(3)}`;
  const specs: Record<RbmScalingFigure, () => FigureResult["spec"]> = {
    5: () =>
      scalingSpec({
        title: `Gaussian RBM: <S> vs the predicted width (${config.seeds} seeds per setting)`,
        xTitle,
        yTitle: "<S>",
        points: spacing,
        lines: [{ label: line(fits.spacing), slope: fits.spacing.slope }, {
          label: "sqrt(pi)",
          slope: rootPi,
        }],
      }),
    6: () =>
      scalingSpec({
        title: `Gaussian RBM: sqrt(pi) sigma_fit (2x2-GOE density fits) vs the predicted width`,
        xTitle,
        yTitle: "sqrt(pi) sigma_fit",
        points: sigma,
        lines: [{ label: line(fits.sigma), slope: fits.sigma.slope }, { label: "sqrt(pi)", slope: rootPi }],
      }),
    7: () =>
      scalingSpec({
        title: "Gaussian RBM: <S> vs sqrt(pi) sigma_fit",
        xTitle: "sqrt(pi) sigma_fit",
        yTitle: "<S>",
        points: identity,
        lines: [{ label: "identity", slope: 1 }, {
          label: `slope ${fits.identity.slope.toFixed(3)} +- ${fits.identity.error.toFixed(3)}`,
          slope: fits.identity.slope,
        }],
      }),
    8: () => {
      const spec = scalingSpec({
        title: "Gaussian RBM: lambda_fit / kappa vs alpha / |B| (all six distinct kappa)",
        xTitle: "alpha / |B|",
        yTitle: "lambda_fit / kappa",
        points: shift,
        lines: [],
      }) as { layer: unknown[] };
      const xMax = 1.1 * Math.max(...shift.map((p) => p.x));
      spec.layer[0] = {
        data: { values: [{ x: 0, y: 1 }, { x: xMax, y: 1 }] },
        mark: { type: "line", strokeDash: [5, 3], color: "black" },
        encoding: {
          x: { field: "x", type: "quantitative", title: "alpha / |B|" },
          y: { field: "y", type: "quantitative", title: "lambda_fit / kappa", scale: { zero: false } },
        },
      };
      return spec as FigureResult["spec"];
    },
  };
  const fitSummary = (f: SlopeFit) => ({
    slope: f.slope,
    error: f.error,
    scaledError: f.scaledError,
    chi2PerDof: f.chi2PerDof,
  });
  return {
    spec: specs[figure](),
    summary: {
      config,
      backend: r.backend,
      trainSeconds: r.trainSeconds,
      analysisSeconds: r.analysisSeconds,
      sqrtPi: rootPi,
      aFitSpacing: fitSummary(fits.spacing),
      aFitSigma: fitSummary(fits.sigma),
      spacingVsSqrtPiSigma: fitSummary(fits.identity),
      settings: r.results.map((s) => ({
        sweep: s.sweep,
        value: s.value,
        learningRate: s.learningRate,
        batchSize: s.batchSize,
        epochs: s.epochs,
        failed: s.failed,
        pairs: s.analysis.pairs.map((p) => ({
          kappa: p.kappa,
          predictedWidth: p.predictedWidth,
          meanSpacing: p.meanSpacing,
          meanSpacingError: p.meanSpacingError,
          sigmaFit: p.sigma,
          sigmaFitError: p.sigmaError,
          x0Fit: p.x0,
          x0FitError: p.x0Error,
        })),
        lambdaFitOverKappa: s.analysis.modes.map((m) => ({
          kappa: m.kappa,
          kind: m.kind,
          ratio: m.ratio,
          ratioError: m.ratioError,
        })),
      })),
    },
  };
}
