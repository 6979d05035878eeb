/**
 * Figure 13 of the Dyson line (spec seed001 B.6, TS notebook `TS-pred_comp-all_sig-fit`): sqrt(pi) sigma_fit (2x2-GOE one-point fits of the pooled singular values) of the 2x2 teacher-student ensembles against sqrt(alpha A / |B|), A = eps^2, for the three sweeps, with the weighted slope through the origin a_fit (sqrt(pi) for a 2x2 GOE of width sigma_pred).
 *
 * Run: `deno run -A scripts/dyson_fig13_teacher_student_sigma_scaling.ts` (`--full`: 3000 seeds per setting).
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
  name: "dyson_fig13_teacher_student_sigma_scaling",
  description: "2x2 teacher-student: sqrt(pi) sigma_fit vs sqrt(alpha A / |B|) for three sweeps, a_fit",
  defaultConfig: {
    ...TEACHER_STUDENT_QUICK_SCALE,
    ...TEACHER_STUDENT_SWEEPS,
    ...TEACHER_STUDENT_QUICK_DATASETS,
  },
  run: (config) => teacherStudentScalingFigure(config, 13),
});

/** Configuration: the scale and the sweeps (see {@linkcode TeacherStudentFigureConfig}). */
export type Config = TeacherStudentFigureConfig;
/** Quick scale (`defaultConfig`), the paper's (`fullConfig`, `--full`), tiny for tests (`testConfig`), and the run. */
export const { defaultConfig, fullConfig, testConfig, run } = script;

if (import.meta.main) await figureMain<Config>(script);
