/**
 * Figures 12-14 of the Dyson line from the 2x2 teacher-student sweeps: <S> (figure 12) and
 * sqrt(pi) sigma_fit (figure 13) against the predicted width sqrt(alpha A / |B|), A = eps^2, with the
 * weighted slope through the origin a_fit (sqrt(pi) for a 2x2 GOE), and <S> against sqrt(pi) sigma_fit
 * (figure 14, 1 for a 2x2 GOE). Every summary holds the numbers of all three.
 *
 * @module
 */
import {
  runTeacherStudentFigureSweeps,
  type TeacherStudentFigureConfig,
  teacherStudentSettingRow,
} from "./teacher_student_figure_config.ts";
import { type ScalingPoint, scalingSpec } from "./dyson_plots.ts";
import { fitSlopeThroughOrigin } from "../stats/least_squares.ts";
import { type FigureResult, VEGA_LITE_SCHEMA } from "../plot/figure.ts";

const SERIES = { batchSize: "|B| sweep", learningRate: "alpha sweep", noise: "A = eps^2 sweep" } as const;
const COLOURS = ["navy", "crimson", "green"];

/**
 * Figures 13 (sqrt(pi) sigma_fit vs sqrt(alpha A / |B|), a_fit) and 14 (<S> vs sqrt(pi) sigma_fit with
 * the identity line); both summaries hold both slopes.
 *
 * @param config The figure's config.
 * @param figure 13 or 14.
 * @returns The figure.
 */
export async function teacherStudentScalingFigure(
  config: TeacherStudentFigureConfig,
  figure: 13 | 14,
): Promise<FigureResult> {
  const { stats, backend } = await runTeacherStudentFigureSweeps(config);
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
      backend,
      sqrtPi: rootPi,
      aFitSigma: pick(sigmaFit),
      spacingVsSqrtPiSigma: pick(identityFit),
      settings: stats.map(teacherStudentSettingRow),
    },
  };
}

const LABELS = { noise: "A = eps^2 sweep", learningRate: "alpha sweep", batchSize: "|B| sweep" } as const;

/**
 * Figure 12: <S> against sqrt(alpha A / |B|) for the sweeps on one line, with a_fit; the summary
 * also gives the slopes of figures 13 and 14 (over every setting, without their filter).
 *
 * @param config The figure's config.
 * @returns The figure.
 */
export async function teacherStudentSpacingScalingFigure(
  config: TeacherStudentFigureConfig,
): Promise<FigureResult> {
  const { stats, backend } = await runTeacherStudentFigureSweeps(config);
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
      backend,
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
