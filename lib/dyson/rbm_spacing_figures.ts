/**
 * Figures 3 and 4 of the Dyson line: per degenerate pair of the Gaussian RBM's spectrum, P(s) of
 * s = S/<S> for every setting of one sweep against the GOE Wigner surmise, and P(S) against the
 * surmise scaled by each setting's <S>, with the Kolmogorov-Smirnov distance of each.
 *
 * @module
 */
import { type RbmFigureConfig, rbmFigureSettings, runRbmFigureSettings } from "./rbm_figure_config.ts";
import { spacingRowSpec } from "./dyson_plots.ts";
import { ksDistanceToSurmise } from "./spacing_statistics.ts";
import { type FigureResult, VEGA_LITE_SCHEMA } from "../plot/figure.ts";

/**
 * Figures 3 and 4: the spacing distributions of every degenerate pair over one sweep (figure 3
 * the |B| sweep, figure 4 the alpha sweep: the one sweep the config has).
 *
 * @param config The figure's config, with one sweep.
 * @returns The figure.
 * @throws {RangeError} When the config has both sweeps or none.
 */
export async function rbmWignerFigure(config: RbmFigureConfig): Promise<FigureResult> {
  const sweeps = [...new Set(rbmFigureSettings(config).map((s) => s.sweep))];
  if (sweeps.length !== 1) {
    throw new RangeError(
      `Cannot draw the RBM spacing figure: the config has ${sweeps.length} sweeps, must have 1`,
    );
  }
  const sweep = sweeps[0];
  const r = await runRbmFigureSettings(config);
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
      ksDistance: ksDistanceToSurmise(p.spacings.map((v) => v / p.meanSpacing)),
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
