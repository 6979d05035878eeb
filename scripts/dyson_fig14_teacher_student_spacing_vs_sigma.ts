/**
 * Figure 14 of the Dyson line (spec seed001 B.6, TS notebook `sig-S (TS)`): the mean spacing <S> of the 2x2 teacher-student ensembles against sqrt(pi) sigma_fit with the identity line (a 2x2 GOE has <S> = sqrt(pi) sigma).
 *
 * Run: `deno run -A scripts/dyson_fig14_teacher_student_spacing_vs_sigma.ts` (`--full`: 3000 seeds per setting).
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
import { teacherStudentScalingFigure } from "../lib/dyson/teacher_student_scaling_figures.ts";
import { figureMain } from "../lib/plot/figure_script.ts";

const script = teacherStudentFigureScript({
  name: "dyson_fig14_teacher_student_spacing_vs_sigma",
  description: "2x2 teacher-student: <S> vs sqrt(pi) sigma_fit against the identity",
  defaultConfig: {
    ...TEACHER_STUDENT_QUICK_SCALE,
    ...TEACHER_STUDENT_SWEEPS,
    ...TEACHER_STUDENT_QUICK_DATASETS,
  },
  run: (config) => teacherStudentScalingFigure(config, 14),
});

/** Configuration: the scale and the sweeps (see {@linkcode TeacherStudentFigureConfig}). */
export type Config = TeacherStudentFigureConfig;
/** Quick scale (`defaultConfig`), the paper's (`fullConfig`, `--full`), tiny for tests (`testConfig`), and the run. */
export const { defaultConfig, fullConfig, testConfig, run } = script;

if (import.meta.main) await figureMain<Config>(script);
