/**
 * Figures 1 and 2 of the Dyson line: the pooled density of all eigenvalues x of W^T W (or
 * lambda = mu^2 - x) of the Gaussian RBM per setting, with dashed lines at the fixed point
 * mu^2 - kappa (or kappa).
 *
 * @module
 */
import { type RbmFigureConfig, runRbmFigureSettings } from "./rbm_figure_config.ts";
import { pooledDensity } from "./rbm_analysis.ts";
import { type DensityPanel, densityPanelsSpec } from "./dyson_plots.ts";
import type { FigureResult } from "../plot/figure.ts";

/**
 * Figures 1 and 2: the pooled density of all eigenvalues x of W^T W (or lambda = mu^2 - x) per
 * setting of the config's sweeps (the paper: alpha in {0.01, 0.04, 0.08} at |B| = 16).
 *
 * @param config The figure's config.
 * @param variable "x" (figure 1) or "lambda" (figure 2).
 * @returns The figure.
 */
export async function rbmDensityFigure(
  config: RbmFigureConfig,
  variable: "x" | "lambda",
): Promise<FigureResult> {
  const r = await runRbmFigureSettings(config);
  const n = r.kappa.length, mu2 = r.mu * r.mu;
  const targets = Array.from(r.kappa, (k) => variable === "x" ? mu2 - k : k);
  const panels: DensityPanel[] = [], rows: Record<string, unknown>[] = [];
  for (const s of r.results) {
    const values = variable === "x" ? s.spectra.x : s.spectra.lambda;
    const h = pooledDensity(values, n);
    panels.push({
      title: `alpha = ${s.learningRate}, |B| = ${s.batchSize} (${
        s.spectra.x.length / n
      } seeds, ${s.epochs} epochs)`,
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
