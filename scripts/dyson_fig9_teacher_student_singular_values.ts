/**
 * Figure 9 of the Dyson line (spec seed001 B.6, TS notebook `lbd_comp_all3`): histograms of the singular values of the final student W of the 2x2 teacher-student ensembles at |B| = 16 for (alpha, eps) = (0.5, 0.1), (0.1, 0.1) and (0.1, 0.05), with a dashed line at the teacher value 2 (the notebook labels print sqrt(alpha eps^2) without /|B|; here the labels give sqrt(alpha eps^2 / |B|)). The summary gives the mean and width of each against sqrt(alpha eps^2 / |B|).
 *
 * Run: `deno run -A scripts/dyson_fig9_teacher_student_singular_values.ts` (`--full`: 3000 seeds per setting;
 * `--data-seed` draws the shared inputs, `--seed` the noise and initial weights).
 *
 * @module
 */
import {
  TEACHER_STUDENT_QUICK_SCALE,
  type TeacherStudentFigureConfig,
  teacherStudentFigureScript,
} from "../lib/dyson/teacher_student_figure_config.ts";
import { teacherStudentSingularValueFigure } from "../lib/dyson/teacher_student_density_figures.ts";
import { figureMain } from "../lib/plot/figure_script.ts";

const script = teacherStudentFigureScript({
  name: "dyson_fig9_teacher_student_singular_values",
  description: "2x2 teacher-student: singular values of W for three settings",
  defaultConfig: { ...TEACHER_STUDENT_QUICK_SCALE, settings: "0.5:0.1,0.1:0.1,0.1:0.05", batchSize: 16 },
  run: teacherStudentSingularValueFigure,
});

/** Configuration: the scale and the sweeps (see {@linkcode TeacherStudentFigureConfig}). */
export type Config = TeacherStudentFigureConfig;
/** Quick scale (`defaultConfig`), the paper's (`fullConfig`, `--full`), tiny for tests (`testConfig`), and the run. */
export const { defaultConfig, fullConfig, testConfig, run } = script;

if (import.meta.main) await figureMain<Config>(script);
