/**
 * Figure 6 of the teacher-student line (beyond the seed): the escape time of online SGD against d on
 * log-log axes for information exponents k = 1, 2, 3, 4 (Ben Arous, Gheissari and Jagannath 2021:
 * N ~ d for k = 1, d log d for k = 2, d^{k-1} for k >= 3).
 *
 * Perceptron with the normalised He_k teacher, He_k student, correlation loss, spherical online SGD with
 * lr = eta0 d^{min(0, 1 - k/2)} (the step is lr / d), every walker started at overlap m0 = 1/sqrt(d)
 * (init "fixed"). The escape time of a walker is the first save time with m >= 1/2; the figure shows the
 * median over walkers, and the summary gives the least-squares slope of log(median) against log(d)
 * beside two predictions: the asymptotic exponent (1, 1 (times log d), 2, 3) and the slope, over the same
 * d, of the mean-field escape time t(d) = (d / lr) int_{m0}^{1/2} dm / (k m (m^{k-2} (1 - m^2) - lr / 2)),
 * the drift of m with the normalisation's shrinkage lr k m / 2 per lr / d (finite-d corrections included).
 *
 * Run: `deno run -A scripts/teacher_student_fig6_escape_scaling.ts` (quick), `--full` for larger d.
 *
 * @module
 */
import { parseNumberList } from "../lib/cli.ts";
import { getBackend } from "../lib/backend/select.ts";
import type { BackendChoice } from "../lib/backend/select.ts";
import { type FigureResult, VEGA_LITE_SCHEMA } from "../lib/plot/figure.ts";
import { figureMain } from "../lib/plot/figure_script.ts";
import { Perceptron } from "../lib/teacher_student/samplers.ts";
import { runTeacherStudent } from "../lib/teacher_student/trainer.ts";
import { escapeTimes, logSaveTimes } from "../lib/teacher_student/observables.ts";

/** Configuration of figure 6. */
export interface Fig6Config extends Record<string, unknown> {
  /** Information exponents, comma-separated (1..5). */
  ks: string;
  /** Dimensions, comma-separated. */
  dims: string;
  walkers: number;
  /** lr = eta0 d^{min(0, 1 - k/2)}. */
  eta0: number;
  /** Steps = budget x the mean-field escape time. */
  budget: number;
  seed: number;
  backend: BackendChoice;
}

/** Quick scale: about 20 seconds on the CPU adapter. */
export const defaultConfig: Fig6Config = {
  ks: "1,2,3,4",
  dims: "16,24,32,48,64",
  walkers: 64,
  eta0: 0.3,
  budget: 3,
  seed: 0,
  backend: "auto",
};

/** Tiny scale for tests. */
export const testConfig: Fig6Config = { ...defaultConfig, ks: "1,3", dims: "16,32", walkers: 32 };

/** Larger scale (use a GPU). */
export const fullConfig: Fig6Config = { ...defaultConfig, dims: "32,64,128,256,512", walkers: 256 };

const THRESHOLD = 0.5;

/** lr = eta0 d^{min(0, 1 - k/2)}. */
export function escapeLearningRate(eta0: number, d: number, k: number): number {
  return eta0 * d ** Math.min(0, 1 - k / 2);
}

/**
 * The mean-field escape time from m0 to `threshold`: (d / lr) int dm / (k m (m^{k-2} (1 - m^2) - lr / 2)),
 * by Simpson's rule in u = ln m. Infinity when the shrinkage wins somewhere on the way.
 */
export function meanFieldEscapeTime(
  d: number,
  k: number,
  lr: number,
  m0: number,
  threshold = THRESHOLD,
): number {
  const n = 2000, a = Math.log(m0), b = Math.log(threshold), h = (b - a) / n;
  let sum = 0;
  for (let i = 0; i <= n; i++) {
    const m = Math.exp(a + i * h);
    const rate = k * (m ** (k - 2) * (1 - m * m) - lr / 2);
    if (!(rate > 0)) return Infinity;
    sum += (i === 0 || i === n ? 1 : i % 2 ? 4 : 2) / rate;
  }
  return (d / lr) * (h / 3) * sum;
}

/** Least-squares slope and intercept of y against x. */
export function lineFit(x: number[], y: number[]): { slope: number; intercept: number } {
  const n = x.length, mx = x.reduce((s, v) => s + v, 0) / n, my = y.reduce((s, v) => s + v, 0) / n;
  let sxy = 0, sxx = 0;
  for (let i = 0; i < n; i++) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) ** 2;
  }
  const slope = sxy / sxx;
  return { slope, intercept: my - slope * mx };
}

/**
 * Runs every (k, d) and builds the figure.
 *
 * @param config The configuration.
 * @returns The Vega-Lite spec and the summary.
 */
export async function run(config: Fig6Config = defaultConfig): Promise<FigureResult> {
  const backend = await getBackend(config.backend);
  const ks = parseNumberList("ks", config.ks, { integer: true, min: 1, max: 5 }); // He1..He5 exist
  const dims = parseNumberList("dims", config.dims, { integer: true, min: 1 });
  const points: Record<string, unknown>[] = [];
  const fits: Record<string, unknown>[] = [];
  for (const k of ks) {
    const measured: [number, number][] = [], theory: [number, number][] = [];
    for (const d of dims) {
      const lr = escapeLearningRate(config.eta0, d, k), m0 = 1 / Math.sqrt(d);
      const predicted = meanFieldEscapeTime(d, k, lr, m0);
      const steps = Math.max(
        10,
        Math.round(config.budget * (Number.isFinite(predicted) ? predicted : 100 * d)),
      );
      const result = await runTeacherStudent(backend, {
        model: new Perceptron({ d, seed: config.seed, activation: `he${k}` as "he3" }),
        student: `he${k}` as "he3",
        loss: "corr",
        learningRate: lr,
        walkers: config.walkers,
        steps,
        init: { fixed: m0 },
        saveTimes: logSaveTimes(steps, 200),
      });
      // Escape: |m| >= threshold (for odd k the drift only carries m > 0 out; even k escape to either sign).
      const escapes = escapeTimes(result.overlap, result.times, config.walkers, THRESHOLD).sort((a, b) =>
        a - b
      );
      const escaped = escapes.filter(Number.isFinite).length;
      const median = escapes[Math.floor((config.walkers - 1) / 2)];
      const row = {
        k: `k = ${k}`,
        d,
        median,
        predicted,
        escapedFraction: escaped / config.walkers,
        steps,
        lr,
      };
      points.push(row);
      if (Number.isFinite(median)) measured.push([Math.log(d), Math.log(median)]);
      if (Number.isFinite(predicted)) theory.push([Math.log(d), Math.log(predicted)]);
    }
    const fit = measured.length >= 2 ? lineFit(measured.map((p) => p[0]), measured.map((p) => p[1])) : null;
    const meanField = theory.length >= 2 ? lineFit(theory.map((p) => p[0]), theory.map((p) => p[1])) : null;
    fits.push({
      k,
      fittedExponent: fit?.slope ?? null,
      meanFieldExponent: meanField?.slope ?? null,
      asymptoticExponent: k <= 2 ? 1 : k - 1,
      asymptoticLaw: k === 1 ? "d" : k === 2 ? "d log d" : `d^${k - 1}`,
      pointsFitted: measured.length,
    });
  }
  const domain = [Math.min(...dims) / 1.15, Math.max(...dims) * 1.15];
  const spec: FigureResult["spec"] = {
    $schema: VEGA_LITE_SCHEMA,
    title: {
      text: "Escape time of online SGD against d (points: median, dashed: mean field)",
      subtitle: `${config.walkers} walkers, |m| >= 1/2, He_k teacher and student, lr = ${config.eta0} ` +
        `d^min(0, 1-k/2), m0 = 1/sqrt(d)`,
    },
    description: "Escape time against d, log-log, k = 1..4: points measured, lines the mean-field prediction",
    data: { values: points },
    width: 380,
    height: 300,
    layer: [
      {
        transform: [{ filter: "isFinite(datum.predicted)" }],
        mark: { type: "line", strokeDash: [4, 3] },
        encoding: {
          x: { field: "d", type: "quantitative", scale: { type: "log", domain } },
          y: { field: "predicted", type: "quantitative", scale: { type: "log" } },
          color: { field: "k", type: "nominal" },
        },
      },
      {
        transform: [{ filter: "isFinite(datum.median)" }],
        mark: { type: "point", filled: true, size: 60 },
        encoding: {
          x: { field: "d", type: "quantitative", scale: { type: "log", domain }, title: "d" },
          y: { field: "median", type: "quantitative", scale: { type: "log" }, title: "escape time (steps)" },
          color: { field: "k", type: "nominal", title: null },
        },
      },
    ],
  };
  return { spec, summary: { config, backend: backend.description, fits, points, threshold: THRESHOLD } };
}

if (import.meta.main) {
  await figureMain<Fig6Config>({
    name: "teacher_student_fig6_escape_scaling",
    description: "escape time vs d (log-log) for k = 1..4 with fitted and predicted exponents",
    options: {
      ks: { type: "string", description: "information exponents, comma-separated" },
      dims: { type: "string", description: "dimensions, comma-separated" },
      walkers: { type: "number", description: "walkers per point" },
      eta0: { type: "number", description: "lr = eta0 d^min(0, 1 - k/2)" },
      budget: { type: "number", description: "steps = budget x mean-field escape time" },
    },
    defaultConfig,
    fullConfig,
    testConfig,
    run,
  });
}
