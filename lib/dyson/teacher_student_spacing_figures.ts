/**
 * Figure 10 of the Dyson line: the distribution of normalised spacings s = S/<S> of the 2x2
 * teacher-student ensembles, one panel per sweep, against the GOE Wigner surmise
 * (pi/2) s e^{-pi s^2/4}, with each setting's <S> and Kolmogorov-Smirnov distance to the surmise.
 *
 * @module
 */
import {
  runTeacherStudentFigureSweeps,
  type TeacherStudentFigureConfig,
} from "./teacher_student_figure_config.ts";
import type { TeacherStudentSweepName } from "./teacher_student_sweep.ts";
import { ksDistanceToSurmise } from "./spacing_statistics.ts";
import { wignerSurmise } from "../spectral/wigner_surmise.ts";
import { normaliseSpacings } from "../spectral/level_spacing.ts";
import { densityHistogram } from "../stats/histogram.ts";
import { type FigureResult, VEGA_LITE_SCHEMA } from "../plot/figure.ts";

const TITLES: Record<TeacherStudentSweepName, string> = {
  noise: "eps",
  learningRate: "alpha",
  batchSize: "|B|",
};

/**
 * Figure 10: P(s) of every setting, one panel per sweep, against the GOE Wigner surmise.
 *
 * @param config The figure's config.
 * @returns The figure.
 */
export async function teacherStudentWignerFigure(config: TeacherStudentFigureConfig): Promise<FigureResult> {
  const { stats, backend } = await runTeacherStudentFigureSweeps(config);
  const histogramRows: Record<string, unknown>[] = [], settings: Record<string, unknown>[] = [];
  for (const st of stats) {
    const s = normaliseSpacings(st.spacings, st.meanSpacing);
    const h = densityHistogram(s, { range: [0, 4], bins: 32 });
    h.centres.forEach((c, i) =>
      histogramRows.push({ sweep: TITLES[st.sweep], setting: st.value, s: c, density: h.density[i] })
    );
    settings.push({
      sweep: st.sweep,
      value: st.value,
      meanSpacing: st.meanSpacing,
      meanSpacingError: st.meanSpacingError,
      ksDistance: ksDistanceToSurmise(s),
      ksCritical5: 1.358 / Math.sqrt(s.length),
    });
  }
  const surmise = Array.from({ length: 161 }, (_, i) => ({ s: i / 40, density: wignerSurmise(i / 40) }));
  const panel = (sweep: TeacherStudentSweepName) => ({
    title: `sweep over ${TITLES[sweep]}`,
    width: 220,
    height: 180,
    layer: [
      {
        data: { values: histogramRows.filter((r) => r.sweep === TITLES[sweep]) },
        mark: { type: "line" as const, interpolate: "step" as const, opacity: 0.7 },
        encoding: {
          x: { field: "s", type: "quantitative" as const, title: "s = S / <S>", scale: { domain: [0, 4] } },
          y: { field: "density", type: "quantitative" as const, title: "P(s)", scale: { domain: [0, 1.5] } },
          color: { field: "setting", type: "ordinal" as const, title: TITLES[sweep] },
        },
      },
      {
        data: { values: surmise },
        mark: { type: "line" as const, color: "black", strokeDash: [4, 3] },
        encoding: {
          x: { field: "s", type: "quantitative" as const },
          y: { field: "density", type: "quantitative" as const },
        },
      },
    ],
    resolve: { scale: { color: "independent" as const } },
  });
  const spec: FigureResult["spec"] = {
    $schema: VEGA_LITE_SCHEMA,
    title: `2x2 teacher-student: spacings vs the GOE Wigner surmise (${config.seeds} seeds per setting)`,
    hconcat: (["noise", "learningRate", "batchSize"] as const).filter((sweep) =>
      stats.some((s) => s.sweep === sweep)
    )
      .map(panel),
    resolve: { scale: { color: "independent" } },
  };
  const ks = settings.map((r) => r.ksDistance as number);
  return {
    spec,
    summary: {
      config,
      backend,
      settings,
      maxKsDistance: Math.max(...ks),
      ksCritical5: 1.358 / Math.sqrt(config.seeds),
    },
  };
}
