/**
 * Figures 5-8 of the Dyson line from both Gaussian-RBM sweeps (|B| at fixed alpha, alpha at fixed
 * |B|): <S> and sqrt(pi) sigma_fit against the predicted width sqrt(alpha (mu^2 - kappa) / |B|),
 * <S> against sqrt(pi) sigma_fit, and lambda_fit / kappa against alpha / |B|. Every summary holds
 * all their fitted numbers.
 *
 * @module
 */
import { type RbmFigureConfig, type RbmFigureDataset, runRbmFigureDatasets } from "./rbm_figure_config.ts";
import type { RbmSweepName } from "./rbm_sweep.ts";
import { type ScalingPoint, scalingSpec } from "./dyson_plots.ts";
import { combinePoints, slopeAcrossDatasets, slopeSentence, slopeSummary } from "./dataset_combination.ts";
import type { FigureResult } from "../plot/figure.ts";

/** Which scaling figure: 5 <S> vs prediction, 6 sqrt(pi) sigma_fit vs prediction, 7 <S> vs sqrt(pi) sigma_fit, 8 lambda_fit / kappa vs alpha / |B|. */
export type RbmScalingFigure = 5 | 6 | 7 | 8;

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
  const { datasets, backend } = await runRbmFigureDatasets(config);
  const seriesName: Record<RbmSweepName, string> = {
    batchSize: `|B| sweep (alpha = ${config.learningRate})`,
    learningRate: `alpha sweep (|B| = ${config.batchSize})`,
  };
  const rootPi = Math.sqrt(Math.PI);
  const points = datasets.map((r) => rbmScalingPoints(r, seriesName));
  const sqrtPi = { value: rootPi, name: "sqrt(pi)" };
  const spacing = slopeAcrossDatasets(points.map((p) => p.spacing), sqrtPi, "ensemble");
  const sigma = slopeAcrossDatasets(points.map((p) => p.sigma), sqrtPi, "ensemble");
  const identity = slopeAcrossDatasets(points.map((p) => p.identity), { value: 1, name: "1" }, "ensemble");
  const shift = combinePoints(points.map((p) => p.shift));
  const r = datasets[0];
  const fits = { spacing, sigma, identity };
  const xTitle = "sqrt(alpha (mu^2 - kappa) / |B|)";
  const line = (f: { slope: number; error: number }) =>
    `a_fit = ${f.slope.toFixed(3)} +- ${f.error.toFixed(3)}`;
  const specs: Record<RbmScalingFigure, () => FigureResult["spec"]> = {
    5: () =>
      scalingSpec({
        title: `Gaussian RBM: <S> vs the predicted width (${config.seeds} seeds per setting)`,
        xTitle,
        yTitle: "<S>",
        points: spacing.points,
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
        points: sigma.points,
        lines: [{ label: line(fits.sigma), slope: fits.sigma.slope }, { label: "sqrt(pi)", slope: rootPi }],
      }),
    7: () =>
      scalingSpec({
        title: "Gaussian RBM: <S> vs sqrt(pi) sigma_fit",
        xTitle: "sqrt(pi) sigma_fit",
        yTitle: "<S>",
        points: identity.points,
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
  const scale = datasets.length === 1
    ? `${config.seeds} seeds per setting`
    : `${config.seeds} seeds per setting x ${datasets.length} ensembles`;
  const captions: Record<RbmScalingFigure, string> = {
    5: slopeSentence("a_fit of <S>", fits.spacing),
    6: slopeSentence("a_fit of sqrt(pi) sigma_fit", fits.sigma),
    7: slopeSentence("slope of <S> vs sqrt(pi) sigma_fit", fits.identity),
    8: "lambda_fit / kappa per mode" +
      (datasets.length > 1 ? " (errors include the between-ensemble spread); " : "; ") +
      slopeSentence("a_fit of <S>", fits.spacing),
  };
  const spec = specs[figure]();
  (spec as { description?: string }).description = `Gaussian RBM (${scale}, ${config.init} start, ` +
    `${config.trainingTime > 0 ? `alpha epochs = ${config.trainingTime}` : `${config.epochs} epochs`}): ` +
    captions[figure];
  return {
    spec,
    summary: {
      config,
      backend,
      trainSeconds: datasets.reduce((t, d) => t + d.trainSeconds, 0),
      analysisSeconds: datasets.reduce((t, d) => t + d.analysisSeconds, 0),
      sqrtPi: rootPi,
      aFitSpacing: slopeSummary(fits.spacing),
      aFitSigma: slopeSummary(fits.sigma),
      spacingVsSqrtPiSigma: slopeSummary(fits.identity),
      datasetSeeds: datasets.map((d) => d.seed),
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

/** The points of figures 5-8 of one ensemble. */
function rbmScalingPoints(r: RbmFigureDataset, seriesName: Record<RbmSweepName, string>) {
  const rootPi = Math.sqrt(Math.PI);
  const pairRows = r.results.flatMap((s) =>
    s.analysis.pairs.map((p) => ({ series: seriesName[s.sweep as RbmSweepName], s, p }))
  );
  return {
    spacing: pairRows.map(({ series, p }): ScalingPoint => ({
      series,
      x: p.predictedWidth,
      y: p.meanSpacing,
      error: p.meanSpacingError,
    })),
    sigma: pairRows.map(({ series, p }): ScalingPoint => ({
      series,
      x: p.predictedWidth,
      y: rootPi * p.sigma,
      error: rootPi * p.sigmaError,
    })),
    identity: pairRows.map(({ series, p }): ScalingPoint => ({
      series,
      x: rootPi * p.sigma,
      y: p.meanSpacing,
      error: p.meanSpacingError,
    })),
    // Figure 8: the |B| sweep at |B| >= 16 only, as the notebook.
    shift: r.results
      .filter((s) => s.sweep !== "batchSize" || s.batchSize >= 16)
      .flatMap((s) =>
        s.analysis.modes.map((m): ScalingPoint => ({
          series: seriesName[s.sweep as RbmSweepName],
          x: s.learningRate / s.batchSize,
          y: m.ratio,
          error: m.ratioError,
        }))
      ),
  };
}
