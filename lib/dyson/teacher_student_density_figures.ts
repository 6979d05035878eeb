/**
 * Figures 9 and 11 of the Dyson line: densities of the singular values of the final student W of
 * the 2x2 teacher-student ensembles, for a few settings (figure 9) and per setting of the sweeps
 * with the fitted 2x2-GOE one-point density (figure 11).
 *
 * @module
 */
import { getBackend } from "../backend/select.ts";
import {
  runTeacherStudentFigureSweeps,
  type TeacherStudentFigureConfig,
  teacherStudentSettingPairs,
  teacherStudentSettingRow,
} from "./teacher_student_figure_config.ts";
import type { TeacherStudentSweepName } from "./teacher_student_sweep.ts";
import { ensembleSingularValues, runTeacherStudentEnsemble } from "./ts_trainer.ts";
import { type DensityPanel, densityPanelsSpec } from "./dyson_plots.ts";
import { densityHistogram } from "../stats/histogram.ts";
import { goe2Density } from "../spectral/goe2_density.ts";
import type { FigureResult } from "../plot/figure.ts";

const PARAMETER: Record<TeacherStudentSweepName, string> = {
  batchSize: "|B|",
  learningRate: "alpha",
  noise: "eps",
};

/**
 * Figure 11: per setting, the density of the pooled singular values with the fitted 2x2-GOE
 * one-point density rho(x0, sigma_fit), sigma_pred in the title and a line at kappa = 2.
 *
 * @param config The figure's config.
 * @returns The figure.
 */
export async function teacherStudentRhoFitFigure(config: TeacherStudentFigureConfig): Promise<FigureResult> {
  const { stats, backend } = await runTeacherStudentFigureSweeps(config);
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
      backend,
      settings: stats.map((s) => ({
        ...teacherStudentSettingRow(s),
        sigmaFitOverPredicted: s.sigma / s.predictedWidth,
      })),
    },
  };
}

/**
 * Figure 9: histograms (counts) of the singular values of W for the config's settings (alpha:eps
 * pairs at one batch size), with a dashed line at the teacher's 2.
 *
 * @param config The figure's config.
 * @returns The figure.
 */
export async function teacherStudentSingularValueFigure(
  config: TeacherStudentFigureConfig,
): Promise<FigureResult> {
  const pairs = teacherStudentSettingPairs(config), batchSize = config.batchSize;
  const backend = await getBackend(config.backend);
  const result = await runTeacherStudentEnsemble(backend, {
    settings: pairs.map(([learningRate, noise]) => ({ learningRate, noise, batchSize })),
    seeds: config.seeds,
    epochs: config.epochs,
    batchesPerEpoch: config.batchesPerEpoch,
    saveEvery: config.epochs,
    seed: config.seed,
    dataSeed: config.dataSeed,
  });
  const sv = ensembleSingularValues(result.weights, 2);
  const rows: Record<string, unknown>[] = [];
  const panels: DensityPanel[] = pairs.map(([lr, eps], i) => {
    const own = sv.subarray(2 * i * config.seeds, 2 * (i + 1) * config.seeds);
    const h = densityHistogram(own);
    const width = Math.sqrt(lr * eps * eps / batchSize);
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
      title: `alpha = ${lr}, eps = ${eps}, |B| = ${batchSize}: sqrt(alpha eps^2 / |B|) = ${width.toFixed(4)}`,
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
