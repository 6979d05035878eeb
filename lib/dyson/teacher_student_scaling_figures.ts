/**
 * Figures 12-14 of the Dyson line from the 2x2 teacher-student sweeps: <S> (figure 12) and
 * sqrt(pi) sigma_fit (figure 13) against the predicted width sqrt(alpha A / |B|), A = eps^2, with the
 * weighted slope through the origin a_fit (sqrt(pi) for a 2x2 GOE), and <S> against sqrt(pi) sigma_fit
 * (figure 14, 1 for a 2x2 GOE). Every summary holds the numbers of all three.
 *
 * @module
 */
import {
  runTeacherStudentFigureDatasets,
  type TeacherStudentDataset,
  type TeacherStudentFigureConfig,
  teacherStudentSettingRow,
} from "./teacher_student_figure_config.ts";
import type { TeacherStudentSettingStatistics } from "./teacher_student_sweep.ts";
import { type ScalingPoint, scalingSpec } from "./dyson_plots.ts";
import { slopeAcrossDatasets, slopeSentence, slopeSummary } from "./dataset_combination.ts";
import { type FigureResult, VEGA_LITE_SCHEMA } from "../plot/figure.ts";

const SERIES = { batchSize: "|B| sweep", learningRate: "alpha sweep", noise: "A = eps^2 sweep" } as const;
const COLOURS = ["navy", "crimson", "green"];
const ROOT_PI = Math.sqrt(Math.PI);
const SQRT_PI_TARGET = { value: ROOT_PI, name: "sqrt(pi)" };

/** The three scaling relations of one dataset's settings, as points (in the given order). */
function scalingPoints(stats: TeacherStudentSettingStatistics[], series: Record<string, string>) {
  return {
    spacing: stats.map((s): ScalingPoint => ({
      series: series[s.sweep],
      x: s.predictedWidth,
      y: s.meanSpacing,
      error: s.meanSpacingError,
    })),
    sigma: stats.map((s): ScalingPoint => ({
      series: series[s.sweep],
      x: s.predictedWidth,
      y: ROOT_PI * s.sigma,
      error: ROOT_PI * s.sigmaError,
    })),
    identity: stats.map((s): ScalingPoint => ({
      series: series[s.sweep],
      x: ROOT_PI * s.sigma,
      y: s.meanSpacing,
      error: s.meanSpacingError,
    })),
  };
}

/** The three slopes over the datasets, each dataset's settings in the order `order` gives. */
function datasetSlopes(
  datasets: TeacherStudentDataset[],
  series: Record<string, string>,
  order: (stats: TeacherStudentSettingStatistics[]) => TeacherStudentSettingStatistics[] = (s) => s,
) {
  const points = datasets.map((d) => scalingPoints(order(d.stats), series));
  return {
    spacing: slopeAcrossDatasets(points.map((p) => p.spacing), SQRT_PI_TARGET),
    sigma: slopeAcrossDatasets(points.map((p) => p.sigma), SQRT_PI_TARGET),
    identity: slopeAcrossDatasets(points.map((p) => p.identity), { value: 1, name: "1" }),
  };
}

function scaleText(config: TeacherStudentFigureConfig, datasets: number): string {
  return datasets === 1
    ? `${config.seeds} seeds per setting`
    : `${config.seeds} seeds per setting x ${datasets} datasets`;
}

/**
 * Figures 13 (sqrt(pi) sigma_fit vs sqrt(alpha A / |B|), a_fit) and 14 (<S> vs sqrt(pi) sigma_fit with
 * the identity line); both summaries hold both slopes, each over the config's datasets with both
 * errors and a verdict.
 *
 * @param config The figure's config.
 * @param figure 13 or 14.
 * @returns The figure.
 */
export async function teacherStudentScalingFigure(
  config: TeacherStudentFigureConfig,
  figure: 13 | 14,
): Promise<FigureResult> {
  const { datasets, backend } = await runTeacherStudentFigureDatasets(config);
  // Sweep order in the legend: |B| (navy), alpha (crimson), A (green), as the notebook.
  const sweepOrder = ["batchSize", "learningRate", "noise"];
  const slopes = datasetSlopes(
    datasets,
    SERIES,
    (stats) => [...stats].sort((a, b) => sweepOrder.indexOf(a.sweep) - sweepOrder.indexOf(b.sweep)),
  );
  const sigmaFit = slopes.sigma, identityFit = slopes.identity;
  const scale = scaleText(config, datasets.length);
  const spec = figure === 13
    ? scalingSpec({
      title: `2x2 teacher-student: sqrt(pi) sigma_fit vs sqrt(alpha A / |B|) (${scale})`,
      xTitle: "sqrt(alpha A / |B|)",
      yTitle: "sqrt(pi) sigma_fit",
      points: sigmaFit.points,
      colours: COLOURS,
      lines: [
        {
          label: `a_fit = ${sigmaFit.slope.toFixed(3)} +- ${sigmaFit.error.toFixed(3)}`,
          slope: sigmaFit.slope,
        },
        { label: "sqrt(pi) (2x2 GOE)", slope: ROOT_PI },
      ],
    })
    : scalingSpec({
      title: `2x2 teacher-student: <S> vs sqrt(pi) sigma_fit (${scale})`,
      xTitle: "sqrt(pi) sigma_fit",
      yTitle: "<S>",
      points: identityFit.points,
      colours: COLOURS,
      lines: [
        { label: "identity", slope: 1 },
        {
          label: `slope ${identityFit.slope.toFixed(3)} +- ${identityFit.error.toFixed(3)}`,
          slope: identityFit.slope,
        },
      ],
    });
  (spec as { description?: string }).description = figure === 13
    ? `2x2 teacher-student (${scale}): ` + slopeSentence("a_fit of sqrt(pi) sigma_fit", sigmaFit)
    : `2x2 teacher-student (${scale}): ` + slopeSentence("slope of <S> vs sqrt(pi) sigma_fit", identityFit);
  return {
    spec,
    summary: {
      config,
      backend,
      sqrtPi: ROOT_PI,
      aFitSigma: slopeSummary(sigmaFit),
      spacingVsSqrtPiSigma: slopeSummary(identityFit),
      datasetSeeds: datasets.map((d) => ({ dataSeed: d.dataSeed, seed: d.seed })),
      settings: datasets[0].stats.map(teacherStudentSettingRow),
    },
  };
}

const LABELS = { noise: "A = eps^2 sweep", learningRate: "alpha sweep", batchSize: "|B| sweep" } as const;

/**
 * Figure 12: <S> against sqrt(alpha A / |B|) for the sweeps on one line, with a_fit over the config's
 * datasets (both errors, chi^2/dof against the combined error, and a verdict); the summary also gives
 * the slopes of figures 13 and 14 (over every setting, without their filter).
 *
 * @param config The figure's config.
 * @returns The figure.
 */
export async function teacherStudentSpacingScalingFigure(
  config: TeacherStudentFigureConfig,
): Promise<FigureResult> {
  const { datasets, backend } = await runTeacherStudentFigureDatasets(config);
  const slopes = datasetSlopes(datasets, LABELS);
  const fit = slopes.spacing, sigmaFit = slopes.sigma, identity = slopes.identity;
  const stats = datasets[0].stats, combined = fit.points;
  const points = combined.map((p) => ({
    sweep: p.series,
    predicted: p.x,
    meanSpacing: p.y,
    low: p.y - p.error,
    high: p.y + p.error,
  }));
  const xMax = 1.15 * Math.max(...combined.map((p) => p.x));
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
  const scale = scaleText(config, datasets.length);
  const enc = { type: "quantitative" as const };
  const spec: FigureResult["spec"] = {
    $schema: VEGA_LITE_SCHEMA,
    title: `2x2 teacher-student: <S> vs sqrt(alpha A / |B|) (${scale})`,
    description: `2x2 teacher-student (${scale}): ` + slopeSentence("a_fit of <S>", fit) +
      ` chi^2/dof of the line against the combined errors: ${fit.chi2PerDof.toFixed(2)}.`,
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
      backend,
      aFit: fit.slope,
      aFitError: fit.withinError,
      aFitBetweenError: fit.betweenError,
      aFitCombinedError: fit.error,
      chi2PerDof: fit.chi2PerDof,
      aFitVerdict: fit.verdict,
      aFitPull: fit.pull,
      aFitErrorScaled: fit.line.scaledError,
      datasets: fit.datasets,
      aFitBetweenSd: fit.betweenSd,
      aFitSpreadChi2PerDof: fit.slopeSpreadChi2PerDof,
      sqrtPi: Math.sqrt(Math.PI),
      sigmaFitSlope: sigmaFit.slope,
      sigmaFitSlopeError: sigmaFit.withinError,
      sigmaFitSlopeCombinedError: sigmaFit.error,
      sigmaFitSlopeVerdict: sigmaFit.verdict,
      meanSpacingVsSqrtPiSigma: identity.slope,
      meanSpacingVsSqrtPiSigmaError: identity.withinError,
      meanSpacingVsSqrtPiSigmaCombinedError: identity.error,
      meanSpacingVsSqrtPiSigmaVerdict: identity.verdict,
      perDataset: datasets.map((d, k) => ({
        dataSeed: d.dataSeed,
        seed: d.seed,
        aFit: fit.perDataset[k].slope,
        aFitError: fit.perDataset[k].error,
        chi2PerDof: fit.perDataset[k].chi2PerDof,
        sigmaFitSlope: sigmaFit.perDataset[k].slope,
        meanSpacingVsSqrtPiSigma: identity.perDataset[k].slope,
      })),
      combinedPoints: combined.map((p) => ({
        sweep: p.series,
        predictedWidth: p.x,
        meanSpacing: p.y,
        meanSpacingError: p.error,
      })),
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
