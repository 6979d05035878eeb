/**
 * Figure 11 of the Dyson line (spec seed001 B.6, TS notebook `rhofit1_{n|lr|bs}{value}`): for each of the 16 settings of the three sweeps, the density of the pooled singular values of the 2x2 teacher-student ensemble with the fitted 2x2-GOE one-point density rho(x0, sigma), sigma_pred = sqrt(alpha eps^2 / |B|) in the title and a line at kappa = 2. The summary gives x0_fit, sigma_fit and sigma_fit / sigma_pred per setting.
 *
 * Run: `deno run -A scripts/dyson_fig11_teacher_student_rho_fits.ts` (`--full`: 3000 seeds per setting;
 * `--data-seed` draws the shared inputs, `--seed` the noise and initial weights).
 *
 * @module
 */
import {
  TEACHER_STUDENT_QUICK_SCALE,
  TEACHER_STUDENT_SWEEPS,
  type TeacherStudentFigureConfig,
  teacherStudentFigureScript,
} from "../lib/dyson/teacher_student_figure_config.ts";
import { teacherStudentRhoFitFigure } from "../lib/dyson/teacher_student_density_figures.ts";
import { figureMain } from "../lib/plot/figure_script.ts";

const script = teacherStudentFigureScript({
  name: "dyson_fig11_teacher_student_rho_fits",
  description: "2x2 teacher-student: singular-value densities with the 2x2-GOE rho fits, per setting",
  defaultConfig: { ...TEACHER_STUDENT_QUICK_SCALE, ...TEACHER_STUDENT_SWEEPS },
  run: teacherStudentRhoFitFigure,
});

/** Configuration: the scale and the sweeps (see {@linkcode TeacherStudentFigureConfig}). */
export type Config = TeacherStudentFigureConfig;
/** Quick scale (`defaultConfig`), the paper's (`fullConfig`, `--full`), tiny for tests (`testConfig`), and the run. */
export const { defaultConfig, fullConfig, testConfig, run } = script;

if (import.meta.main) await figureMain<Config>(script);
