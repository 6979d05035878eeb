/**
 * Figures 5-8 of the Dyson line from both Gaussian-RBM sweeps (|B| at fixed alpha, alpha at fixed
 * |B|): <S> and sqrt(pi) sigma_fit against the predicted width sqrt(alpha (mu^2 - kappa) / |B|),
 * <S> against sqrt(pi) sigma_fit, and lambda_fit / kappa against alpha / |B|. Every summary holds
 * all their fitted numbers.
 *
 * @module
 */
import { type RbmFigureConfig, runRbmFigureSettings } from "./rbm_figure_config.ts";
import type { RbmSweepName } from "./rbm_sweep.ts";
import { type ScalingPoint, scalingSpec } from "./dyson_plots.ts";
import { fitSlopeThroughOrigin, type SlopeFit } from "../stats/least_squares.ts";
import type { FigureResult } from "../plot/figure.ts";

/** Which scaling figure: 5 <S> vs prediction, 6 sqrt(pi) sigma_fit vs prediction, 7 <S> vs sqrt(pi) sigma_fit, 8 lambda_fit / kappa vs alpha / |B|. */
export type RbmScalingFigure = 5 | 6 | 7 | 8;

/** Weighted slope through the origin over the finite points with positive errors. */
function slope(points: ScalingPoint[]) {
  const ok = points.filter((p) => Number.isFinite(p.y) && Number.isFinite(p.x) && p.error > 0);
  return fitSlopeThroughOrigin(ok.map((p) => p.x), ok.map((p) => p.y), ok.map((p) => p.error));
}

/**
 * Figures 5-8 from the config's sweeps (the paper: |B| at alpha = 0.1, alpha at |B| = 16); every
 * summary holds all their fitted numbers (a_fit of <S> and of sqrt(pi) sigma_fit against
 * sqrt(alpha (mu^2 - kappa) / |B|), the slope of <S> against sqrt(pi) sigma_fit, and
 * lambda_fit / kappa per setting).
 *
 * @param config The figure's config.
 * @param figure Which figure to draw.
 * @returns The figure.
 */
export async function rbmScalingFigure(
  config: RbmFigureConfig,
  figure: RbmScalingFigure,
): Promise<FigureResult> {
  const r = await runRbmFigureSettings(config);
  const seriesName: Record<RbmSweepName, string> = {
    batchSize: `|B| sweep (alpha = ${config.learningRate})`,
    learningRate: `alpha sweep (|B| = ${config.batchSize})`,
  };
  const rootPi = Math.sqrt(Math.PI);
  const pairRows = r.results.flatMap((s) =>
    s.analysis.pairs.map((p) => ({ series: seriesName[s.sweep as RbmSweepName], s, p }))
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
        series: seriesName[s.sweep as RbmSweepName],
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
