/**
 * Figure 1 of the teacher-student line: the overlap m(t) of every walker on a log time axis with ticks
 * at d^0..d^k and the +-1/sqrt(d) band, online SGD against repeat mode (p_repeat, a one-sample dataset
 * per walker), over a sweep of d. He3 teacher (k = 3), He3 student, correlation loss, spherical SGD with
 * lr = eta0 d^(1 - k/2) and alpha d^(k - 1) steps (the original's scalings). The summary gives, per panel,
 * the fraction of walkers whose |m| reached 1/2 and their median escape time in units of d^(k-1).
 *
 * Run: `deno run -A scripts/teacher_student_fig1_overlap.ts` (quick), `--full` for the paper scale.
 *
 * @module
 */
import { parseNumberList, requireOption } from "../lib/cli.ts";
import { getBackend } from "../lib/backend/select.ts";
import type { BackendChoice } from "../lib/backend/select.ts";
import { type FigureResult, VEGA_LITE_SCHEMA } from "../lib/plot/figure.ts";
import { figureMain } from "../lib/plot/figure_script.ts";
import { Perceptron } from "../lib/teacher_student/samplers.ts";
import { runTeacherStudent } from "../lib/teacher_student/trainer.ts";
import { escapeTimes, logSaveTimes } from "../lib/teacher_student/observables.ts";
import { scaledLearningRate, scaledSteps } from "../lib/teacher_student/scalings.ts";

/** Configuration of figure 1. */
export interface Fig1Config extends Record<string, unknown> {
  /** Dimensions, comma-separated. */
  dims: string;
  walkers: number;
  /** Information exponent of the teacher (He_k) and of the scalings. */
  k: number;
  /** lr = eta0 d^(1 - k/2). */
  eta0: number;
  /** steps = alpha d^(k - 1). */
  alpha: number;
  /** Repeat probability of the repeat-mode rows (one-sample dataset per walker). */
  pRepeat: number;
  seed: number;
  backend: BackendChoice;
}

/** Quick scale: about ten seconds on the CPU adapter. */
export const defaultConfig: Fig1Config = {
  dims: "32,64",
  walkers: 12,
  k: 3,
  eta0: 0.5,
  alpha: 6,
  pRepeat: 0.1,
  seed: 0,
  backend: "auto",
};

/** Tiny scale for tests (schema and gallery): a second or two. */
export const testConfig: Fig1Config = { ...defaultConfig, dims: "8,16", walkers: 3, alpha: 2 };

/** Paper scale (notebook 25-10-23: d up to 800; use a GPU). */
export const fullConfig: Fig1Config = { ...defaultConfig, dims: "100,200,400,800", walkers: 20, alpha: 10 };

/**
 * Runs the sweep and builds the figure.
 *
 * @param config The configuration.
 * @returns The Vega-Lite spec and the summary.
 */
export async function run(config: Fig1Config = defaultConfig): Promise<FigureResult> {
  const backend = await getBackend(config.backend);
  const dims = parseNumberList("dims", config.dims, { integer: true, min: 1 });
  requireOption("walkers", config.walkers, { integer: true, min: 1 });
  requireOption("k", config.k, { integer: true, min: 1, max: 5 }); // He1..He5 exist
  requireOption("eta0", config.eta0, { min: Number.MIN_VALUE });
  requireOption("alpha", config.alpha, { min: Number.MIN_VALUE });
  const k = config.k;
  const rows: Record<string, unknown>[] = [];
  const bands: Record<string, unknown>[] = [];
  const panels: Record<string, unknown>[] = [];
  for (const mode of ["online", "repeat"] as const) {
    for (const d of dims) {
      const steps = scaledSteps(config.alpha, d, k);
      const model = new Perceptron({ d, seed: config.seed, activation: `he${k}` as "he3" });
      const result = await runTeacherStudent(backend, {
        model,
        student: `he${k}` as "he3",
        loss: "corr",
        learningRate: scaledLearningRate(config.eta0, d, k),
        walkers: config.walkers,
        steps,
        sampling: mode,
        pRepeat: mode === "repeat" ? config.pRepeat : 0,
        datasetSize: 1,
        saveTimes: logSaveTimes(steps, 120),
      });
      result.times.forEach((t, i) => {
        for (let w = 0; w < config.walkers; w++) {
          rows.push({
            mode,
            d,
            t,
            s: Math.log(t) / Math.log(d),
            walker: w,
            m: result.overlap[i * config.walkers + w],
          });
        }
      });
      bands.push({ mode, d, t0: 1, t1: steps, low: -1 / Math.sqrt(d), high: 1 / Math.sqrt(d) });
      const escapes = escapeTimes(result.overlap, result.times, config.walkers, 0.5).filter(Number.isFinite);
      escapes.sort((a, b) => a - b);
      panels.push({
        mode,
        d,
        steps,
        learningRate: scaledLearningRate(config.eta0, d, k),
        escapedFraction: escapes.length / config.walkers,
        medianEscapeOverDkMinus1: escapes.length
          ? escapes[Math.floor(escapes.length / 2)] / d ** (k - 1)
          : null,
      });
    }
  }
  const ticks = Array.from({ length: k + 1 }, (_, i) => i);
  const spec: FigureResult["spec"] = {
    $schema: VEGA_LITE_SCHEMA,
    title: `Overlap m(t) per walker, He${k} teacher and student, corr loss; band +-1/sqrt(d)`,
    data: { values: rows },
    facet: {
      row: { field: "mode", type: "nominal", title: null },
      column: { field: "d", type: "ordinal", title: "d" },
    },
    spec: {
      width: 260,
      height: 160,
      layer: [
        {
          transform: [{ filter: "datum.walker === 0" }, { calculate: "1 / sqrt(datum.d)", as: "hi" }, {
            calculate: "-1 / sqrt(datum.d)",
            as: "lo",
          }],
          mark: { type: "area", color: "#bbb", opacity: 0.5 },
          encoding: {
            x: { field: "s", type: "quantitative" },
            y: { field: "lo", type: "quantitative" },
            y2: { field: "hi" },
          },
        },
        {
          mark: { type: "line", strokeWidth: 1 },
          encoding: {
            x: {
              field: "s",
              type: "quantitative",
              scale: { domain: [0, k] },
              axis: { values: ticks, labelExpr: "'d^' + datum.value" },
              title: "step t (log scale, t = d^s)",
            },
            y: { field: "m", type: "quantitative", scale: { domain: [-1, 1] }, title: "m = w.u" },
            color: { field: "walker", type: "nominal", legend: null },
          },
        },
      ],
    },
  };
  return { spec, summary: { config, backend: backend.description, panels, escapeThreshold: 0.5 } };
}

if (import.meta.main) {
  await figureMain<Fig1Config>({
    name: "teacher_student_fig1_overlap",
    description: "m(t) per walker on log time, online vs repeat, over d (He3 teacher, corr loss)",
    options: {
      dims: { type: "string", description: "dimensions, comma-separated" },
      walkers: { type: "number", description: "walkers per panel" },
      k: { type: "number", description: "information exponent (teacher and student He_k)" },
      eta0: { type: "number", description: "lr = eta0 d^(1 - k/2)" },
      alpha: { type: "number", description: "steps = alpha d^(k - 1)" },
      pRepeat: { type: "number", description: "repeat probability (repeat rows)" },
    },
    defaultConfig,
    fullConfig,
    run,
  });
}
