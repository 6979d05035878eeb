/**
 * Figure 10 of the Dyson line (spec seed001 B.6, TS notebook `wigner_{n,lr,bs}`): the
 * distribution of normalised spacings s = S/<S> of the 2x2 teacher-student ensembles, one
 * panel per sweep (noise eps, learning rate alpha, batch size |B|), against the GOE Wigner
 * surmise (pi/2) s e^{-pi s^2/4}. The summary gives each setting's <S> and the Kolmogorov-Smirnov
 * distance of its s to the surmise.
 *
 * Run: `deno run -A scripts/dyson_fig10_teacher_student_wigner.ts` (`--full`: 3000 seeds per setting;
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
import { teacherStudentWignerFigure } from "../lib/dyson/teacher_student_spacing_figures.ts";
import { figureMain } from "../lib/plot/figure_script.ts";

const script = teacherStudentFigureScript({
  name: "dyson_fig10_teacher_student_wigner",
  description: "2x2 teacher-student spacing distributions per sweep vs the GOE Wigner surmise",
  defaultConfig: { ...TEACHER_STUDENT_QUICK_SCALE, ...TEACHER_STUDENT_SWEEPS },
  run: teacherStudentWignerFigure,
});

/** Configuration: the scale and the sweeps (see {@linkcode TeacherStudentFigureConfig}). */
export type Config = TeacherStudentFigureConfig;
/** Quick scale (`defaultConfig`), the paper's (`fullConfig`, `--full`), tiny for tests (`testConfig`), and the run. */
export const { defaultConfig, fullConfig, testConfig, run } = script;

if (import.meta.main) await figureMain<Config>(script);
