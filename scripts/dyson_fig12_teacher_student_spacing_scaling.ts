/**
 * Figure 12 of the Dyson line (spec seed001 B.6, TS notebook `TS-pred_comp-all_wig-fit`): the
 * mean spacing <S> (FD-histogram mean, jackknife errors) of the 2x2 teacher-student ensembles
 * against the predicted width sqrt(alpha A / |B|), A = eps^2, for the three sweeps on one line,
 * with the weighted least-squares slope through the origin a_fit. The 2x2-GOE prediction is
 * a = sqrt(pi). The summary also gives the numbers of figures 13 and 14: the slope of
 * sqrt(pi) sigma_fit (one-point density fits) against the prediction, and of <S> against
 * sqrt(pi) sigma_fit (1 for a 2x2 GOE).
 *
 * Run: `deno run -A scripts/dyson_fig12_teacher_student_spacing_scaling.ts` (`--full`: 3000 seeds per setting).
 * The slope is measured on `--datasets K` independent datasets (4 at quick scale, 5 with `--full`;
 * dataset k draws its shared inputs with `--data-seed` + k and its noise and initial weights from
 * `--seed`) and combined with an error that includes the between-dataset spread (README, "Dyson
 * uncertainties"); the summary gives both errors, chi^2/dof against the combined error and a verdict.
 *
 * @module
 */
import {
  TEACHER_STUDENT_QUICK_DATASETS,
  TEACHER_STUDENT_QUICK_SCALE,
  TEACHER_STUDENT_SWEEPS,
  type TeacherStudentFigureConfig,
  teacherStudentFigureScript,
} from "../lib/dyson/teacher_student_figure_config.ts";
import { teacherStudentSpacingScalingFigure } from "../lib/dyson/teacher_student_scaling_figures.ts";
import { figureMain } from "../lib/plot/figure_script.ts";

const script = teacherStudentFigureScript({
  name: "dyson_fig12_teacher_student_spacing_scaling",
  description: "2x2 teacher-student: <S> vs the predicted width for three sweeps, slope through the origin",
  defaultConfig: {
    ...TEACHER_STUDENT_QUICK_SCALE,
    ...TEACHER_STUDENT_SWEEPS,
    ...TEACHER_STUDENT_QUICK_DATASETS,
  },
  run: teacherStudentSpacingScalingFigure,
});

/** Configuration: the scale and the sweeps (see {@linkcode TeacherStudentFigureConfig}). */
export type Config = TeacherStudentFigureConfig;
/** Quick scale (`defaultConfig`), the paper's (`fullConfig`, `--full`), tiny for tests (`testConfig`), and the run. */
export const { defaultConfig, fullConfig, testConfig, run } = script;

if (import.meta.main) await figureMain<Config>(script);
