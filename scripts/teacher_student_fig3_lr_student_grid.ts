/**
 * Figure 3 of the teacher-student line (notebook 25-10-23 panel a): a grid over learning rate (rows) x
 * student activation (columns) of m(t) per walker on a log time axis with ticks d^0..d^k and the
 * +-1/sqrt(d) band, on the legacy spike model (label +1: x = z + snr g u + (sqrt(1 - snr^2) - 1)(u.z) u,
 * g = +-1; label -1: x = z). The spike lives in the fourth cumulant (k = 4): lr = eta0 d^{1 - k/2} and
 * alpha d^{k-1} steps (the original main.py scalings).
 *
 * With the correlation loss an odd student (tanh) gets no population signal from these symmetric data
 * (E[y tanh(w.x)] = 0 for both classes), so its walkers stay in the band; an even component (relu)
 * couples to the fourth cumulant, but weakly: E[y sigma(w.x)] = c m^4 + O(m^6) with
 * c = kappa_4 c_4(sigma) / (2 sqrt(24)), kappa_4 = -2 snr^4 (c = 0.0108 for relu at snr 0.9). The summary
 * gives, per panel, the fraction of walkers with |m| >= 1/2 at the end, the final mean |m|, c, and the
 * mean-field escape time from 1/sqrt(d) to 1/2 in steps (drift 4 c m^3 (1 - m^2) against the normalisation's
 * shrinkage lr E[sigma'(z)^2] m / 2, per lr / d; Infinity when the shrinkage wins), which says how long a
 * run must be: the notebook's alpha = 70 at d = 100 was far too short, and its panels stayed in the band.
 *
 * Run: `deno run -A scripts/teacher_student_fig3_lr_student_grid.ts` (quick), `--full` for the paper scale.
 *
 * @module
 */
import { getBackend } from "../lib/backend/select.ts";
import type { BackendChoice } from "../lib/backend/select.ts";
import type { Activation } from "../lib/activations.ts";
import { type FigureResult, VEGA_LITE_SCHEMA } from "../lib/plot/figure.ts";
import { figureMain } from "../lib/plot/figure_script.ts";
import { parseNumberList } from "../lib/cli.ts";
import { LegacySpike } from "../lib/teacher_student/samplers.ts";
import { runTeacherStudent } from "../lib/teacher_student/trainer.ts";
import type { Loss } from "../lib/teacher_student/losses.ts";
import { logSaveTimes, meanAbsOverlap } from "../lib/teacher_student/observables.ts";
import { gaussHermite, hermiteCoefficients } from "../lib/teacher_student/hermite.ts";
import { activationCoefficients, evaluateActivation } from "../lib/activations.ts";
import { scaledLearningRate, scaledSteps } from "../lib/teacher_student/scalings.ts";

/** Configuration of figure 3. */
export interface Fig3Config extends Record<string, unknown> {
  d: number;
  walkers: number;
  /** Learning-rate prefactors eta0 (lr = eta0 d^{1 - k/2}), comma-separated. */
  eta0s: string;
  /** Student activations, comma-separated. */
  students: string;
  /** Loss: corr or mse. */
  loss: string;
  /** Information exponent of the scalings (4 for the legacy spike). */
  k: number;
  /** Steps = alpha d^{k-1}. */
  alpha: number;
  snr: number;
  seed: number;
  backend: BackendChoice;
}

/** Quick scale: about 15 seconds on the CPU adapter. */
export const defaultConfig: Fig3Config = {
  d: 24,
  walkers: 16,
  eta0s: "0.05,0.2,1,4",
  students: "relu,tanh",
  loss: "corr",
  k: 4,
  alpha: 5,
  snr: 0.9,
  seed: 0,
  backend: "auto",
};

/** Tiny scale for tests. */
export const testConfig: Fig3Config = { ...defaultConfig, d: 12, walkers: 4, eta0s: "0.2,4", alpha: 2 };

/** Paper scale (notebook: d = 100, alpha = 70; use a GPU). */
export const fullConfig: Fig3Config = { ...defaultConfig, d: 100, walkers: 16, alpha: 70 };

/**
 * Mean-field escape time (steps) of dm/dt = (lr / d) (4 c m^3 (1 - m^2) - lr E[sigma'(z)^2] m / 2) from
 * 1/sqrt(d) to 1/2 (Simpson's rule in ln m); Infinity when the rate is not positive on the way.
 */
export function meanFieldEscape(d: number, lr: number, c: number, student: Activation): number {
  const rule = gaussHermite(60), coefficients = activationCoefficients(student);
  let slope2 = 0;
  rule.nodes.forEach((z, i) => slope2 += rule.weights[i] * evaluateActivation(coefficients, z, 1) ** 2);
  const n = 1000, a = Math.log(1 / Math.sqrt(d)), b = Math.log(0.5), h = (b - a) / n;
  let sum = 0;
  for (let i = 0; i <= n; i++) {
    const m = Math.exp(a + i * h);
    const rate = 4 * c * m * m * (1 - m * m) - (lr * slope2) / 2; // (dm/dt) / ((lr / d) m)
    if (!(rate > 0)) return Infinity;
    sum += (i === 0 || i === n ? 1 : i % 2 ? 4 : 2) / rate;
  }
  return (d / lr) * (h / 3) * sum;
}

/**
 * Runs the grid and builds the figure.
 *
 * @param config The configuration.
 * @returns The Vega-Lite spec and the summary.
 */
export async function run(config: Fig3Config = defaultConfig): Promise<FigureResult> {
  const backend = await getBackend(config.backend);
  const { d, k, walkers } = config;
  const steps = scaledSteps(config.alpha, d, k);
  const saveTimes = logSaveTimes(steps, 150);
  const model = new LegacySpike({ d, seed: config.seed, snr: config.snr });
  const rows: Record<string, unknown>[] = [];
  const panels: Record<string, unknown>[] = [];
  // Check every name and number before the first (long) run.
  const eta0s = parseNumberList("eta0s", config.eta0s, { min: Number.MIN_VALUE });
  const students = config.students.split(",").map((s) => s.trim());
  for (const student of students) activationCoefficients(student as Activation);
  for (const eta0 of eta0s) {
    for (const student of students) {
      const learningRate = scaledLearningRate(eta0, d, k);
      const result = await runTeacherStudent(backend, {
        model,
        student: student as Activation,
        loss: config.loss as Loss,
        learningRate,
        walkers,
        steps,
        saveTimes,
      });
      const row = `eta0 = ${eta0}`;
      result.times.forEach((t, i) => {
        for (let w = 0; w < walkers; w++) {
          rows.push({
            row,
            student,
            s: Math.log(t) / Math.log(d),
            walker: w,
            m: result.overlap[i * walkers + w],
          });
        }
      });
      const c4 = hermiteCoefficients(student as Activation, 4)[4];
      // Quadrature leaves ~1e-18 for odd students: call that zero.
      const cEffective = Math.abs(c4) < 1e-12 ? 0 : (-2 * config.snr ** 4 * c4) / (2 * Math.sqrt(24));
      const last = result.times.length - 1;
      const final = Array.from({ length: walkers }, (_, w) => Math.abs(result.overlap[last * walkers + w]));
      panels.push({
        eta0,
        learningRate,
        student,
        escapedFraction: final.filter((m) => m >= 0.5).length / walkers,
        finalMeanAbsM: meanAbsOverlap(final, walkers).mean[0],
        maxAbsM: Math.max(...Array.from(result.overlap, Math.abs)),
        populationCoefficient: cEffective,
        meanFieldEscapeSteps: meanFieldEscape(d, learningRate, cEffective, student as Activation),
      });
    }
  }
  const band = 1 / Math.sqrt(d);
  const spec: FigureResult["spec"] = {
    $schema: VEGA_LITE_SCHEMA,
    title: {
      text: `m(t) per walker: learning rate x student, legacy spike (snr ${config.snr}), ${config.loss} loss`,
      subtitle: `d = ${d}, lr = eta0 d^(1 - k/2), ${steps} = ${config.alpha} d^${
        k - 1
      } steps, band +-1/sqrt(d)`,
    },
    description: "Grid over lr x student activation of m(t) per walker on log time (legacy spike, k = 4)",
    data: { values: rows },
    facet: {
      row: { field: "row", type: "nominal", title: null },
      column: { field: "student", type: "nominal", title: "student" },
    },
    spec: {
      width: 220,
      height: 110,
      layer: [
        {
          data: { values: [{ lo: -band, hi: band }] },
          mark: { type: "rect", color: "#ccc", opacity: 0.5 },
          encoding: { y: { field: "lo", type: "quantitative" }, y2: { field: "hi" } },
        },
        {
          mark: { type: "line", strokeWidth: 1 },
          encoding: {
            x: {
              field: "s",
              type: "quantitative",
              scale: { domain: [0, Math.log(steps) / Math.log(d)] },
              axis: { values: Array.from({ length: k }, (_, i) => i), labelExpr: "'d^' + datum.value" },
              title: "step t = d^s",
            },
            y: { field: "m", type: "quantitative", scale: { domain: [-1, 1] }, title: "m" },
            color: { field: "walker", type: "nominal", legend: null },
          },
        },
      ],
    },
  };
  return { spec, summary: { config, backend: backend.description, steps, panels } };
}

if (import.meta.main) {
  await figureMain<Fig3Config>({
    name: "teacher_student_fig3_lr_student_grid",
    description: "grid over lr x student activation: m(t) per walker (legacy spike, k = 4)",
    options: {
      d: { type: "number", description: "dimension" },
      walkers: { type: "number", description: "walkers per panel" },
      eta0s: { type: "string", description: "lr prefactors, comma-separated" },
      students: { type: "string", description: "student activations, comma-separated" },
      loss: { type: "string", description: "corr or mse" },
      k: { type: "number", description: "information exponent of the scalings" },
      alpha: { type: "number", description: "steps = alpha d^(k-1)" },
      snr: { type: "number", description: "legacy spike snr" },
    },
    defaultConfig,
    fullConfig,
    testConfig,
    run,
  });
}
