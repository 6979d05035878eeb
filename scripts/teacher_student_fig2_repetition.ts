/**
 * Figure 2 of the teacher-student line ("repetita iuvant", notebook 25-10-23 panel c): mean |m| over
 * walkers +- SEM against steps / d^{3/2} for online SGD (a fresh sample per step), "twice" (each fresh
 * sample used for two consecutive steps) and repeat (p_repeat = 1: SGD with replacement over a fixed
 * per-walker dataset of datasetFactor * d samples), on the SkewedCumulant model (beta = 5, rho = 0.7,
 * labels +-1), correlation loss, spherical SGD with the unscaled lr of the notebook. The dashed line is
 * 1/sqrt(d); at t = 0, mean |m| = sqrt(2 / (pi d)) for uniform initial directions.
 *
 * What to expect at the notebook's lr: a second step on the same sample moves its preactivation by
 * (lr / d) c |x|^2 ~ lr c = O(0.05), so "twice" acts like online SGD on half as many fresh samples and
 * repetition has no room to help (repetita iuvant needs steps that move h by O(1)); at quick scale
 * online SGD escapes first (d = 32: mean |m| 0.48 online vs 0.22 twice vs 0.12 repeat).
 *
 * Run: `deno run -A scripts/teacher_student_fig2_repetition.ts` (quick), `--full` for the paper scale.
 *
 * @module
 */
import { parseNumberList } from "../lib/cli.ts";
import { getBackend } from "../lib/backend/select.ts";
import type { BackendChoice } from "../lib/backend/select.ts";
import type { Activation } from "../lib/activations.ts";
import { type FigureResult, VEGA_LITE_SCHEMA } from "../lib/plot/figure.ts";
import { figureMain } from "../lib/plot/figure_script.ts";
import { SkewedCumulant } from "../lib/teacher_student/samplers.ts";
import { runTeacherStudent } from "../lib/teacher_student/trainer.ts";
import { logSaveTimes, meanAbsOverlap } from "../lib/teacher_student/observables.ts";

/** Configuration of figure 2. */
export interface Fig2Config extends Record<string, unknown> {
  /** Dimensions, comma-separated. */
  dims: string;
  walkers: number;
  /** Steps = alpha d^{3/2}. */
  alpha: number;
  /** Learning rate (the step applied is lr / d). */
  learningRate: number;
  /** Student activation name. */
  student: string;
  beta: number;
  rho: number;
  /** Dataset size of repeat mode, in units of d. */
  datasetFactor: number;
  seed: number;
  backend: BackendChoice;
}

/** Quick scale: about 15 seconds on the CPU adapter. */
export const defaultConfig: Fig2Config = {
  dims: "32,64",
  walkers: 48,
  alpha: 150,
  learningRate: 0.05,
  student: "he3",
  beta: 5,
  rho: 0.7,
  datasetFactor: 5,
  seed: 0,
  backend: "auto",
};

/** Tiny scale for tests. */
export const testConfig: Fig2Config = { ...defaultConfig, dims: "16", walkers: 16, alpha: 20 };

/** Paper scale (notebook: 20 walkers, d up to 800; use a GPU). */
export const fullConfig: Fig2Config = { ...defaultConfig, dims: "100,200,400,800", walkers: 64, alpha: 300 };

const MODES = ["online", "twice", "repeat"] as const;

/**
 * Runs the three modes over the d sweep and builds the figure.
 *
 * @param config The configuration.
 * @returns The Vega-Lite spec and the summary.
 */
export async function run(config: Fig2Config = defaultConfig): Promise<FigureResult> {
  const backend = await getBackend(config.backend);
  const dims = parseNumberList("dims", config.dims, { integer: true, min: 1 });
  const rows: Record<string, unknown>[] = [];
  const panels: Record<string, unknown>[] = [];
  for (const d of dims) {
    const steps = Math.max(1, Math.round(config.alpha * d ** 1.5));
    const saveTimes = [0, ...logSaveTimes(steps, 80)];
    for (const mode of MODES) {
      const model = new SkewedCumulant({ d, seed: config.seed, beta: config.beta, rho: config.rho });
      const result = await runTeacherStudent(backend, {
        model,
        student: config.student as Activation,
        loss: "corr",
        learningRate: config.learningRate,
        walkers: config.walkers,
        steps,
        sampling: mode,
        pRepeat: mode === "repeat" ? 1 : 0,
        datasetSize: config.datasetFactor * d,
        saveTimes,
      });
      const { mean, sem } = meanAbsOverlap(result.overlap, config.walkers);
      result.times.forEach((t, i) => {
        if (t > 0) {
          rows.push({
            d,
            mode,
            x: t / d ** 1.5,
            mean: mean[i],
            low: mean[i] - sem[i],
            high: mean[i] + sem[i],
          });
        }
      });
      const last = mean.length - 1;
      panels.push({
        d,
        mode,
        steps,
        initialMeanAbsM: mean[0],
        initialSem: sem[0],
        predictedInitialMeanAbsM: Math.sqrt(2 / (Math.PI * d)),
        finalMeanAbsM: mean[last],
        finalSem: sem[last],
        escapedFraction: Array.from(
          { length: config.walkers },
          (_, k) => Math.abs(result.overlap[last * config.walkers + k]),
        ).filter((m) => m >= 0.5).length / config.walkers,
      });
    }
  }
  const band = dims.map((d) => ({ d, level: 1 / Math.sqrt(d) }));
  const spec: FigureResult["spec"] = {
    $schema: VEGA_LITE_SCHEMA,
    title:
      `Mean |m| +- SEM, SkewedCumulant (beta ${config.beta}, rho ${config.rho}), ${config.student} student, ` +
      `corr loss, lr ${config.learningRate}, ${config.walkers} walkers`,
    description: "Online vs twice vs repeat: mean |m| +- SEM against steps / d^(3/2); dashed: 1/sqrt(d)",
    data: { values: [...rows, ...band.map((b) => ({ ...b, kind: "band" }))] },
    facet: { column: { field: "d", type: "ordinal", title: "d" } },
    spec: {
      width: 260,
      height: 200,
      layer: [
        {
          transform: [{ filter: "datum.kind !== 'band'" }],
          mark: { type: "area", opacity: 0.25 },
          encoding: {
            x: {
              field: "x",
              type: "quantitative",
              scale: { type: "log" },
              title: "steps / d^(3/2)",
            },
            y: { field: "low", type: "quantitative" },
            y2: { field: "high" },
            color: { field: "mode", type: "nominal", sort: [...MODES] },
          },
        },
        {
          transform: [{ filter: "datum.kind !== 'band'" }],
          mark: { type: "line" },
          encoding: {
            x: { field: "x", type: "quantitative", scale: { type: "log" } },
            y: { field: "mean", type: "quantitative", title: "mean |m|", scale: { domain: [0, 1] } },
            color: { field: "mode", type: "nominal", sort: [...MODES] },
          },
        },
        {
          transform: [{ filter: "datum.kind === 'band'" }],
          mark: { type: "rule", strokeDash: [4, 4], color: "#666" },
          encoding: { y: { field: "level", type: "quantitative" } },
        },
      ],
    },
  };
  return { spec, summary: { config, backend: backend.description, panels } };
}

if (import.meta.main) {
  await figureMain<Fig2Config>({
    name: "teacher_student_fig2_repetition",
    description: "mean |m| +- SEM vs steps/d^(3/2): online vs twice vs repeat (SkewedCumulant, corr loss)",
    options: {
      dims: { type: "string", description: "dimensions, comma-separated" },
      walkers: { type: "number", description: "walkers per curve" },
      alpha: { type: "number", description: "steps = alpha d^(3/2)" },
      learningRate: { type: "number", description: "learning rate (step lr / d)" },
      student: { type: "string", description: "student activation" },
      beta: { type: "number", description: "snr beta" },
      rho: { type: "number", description: "skewed latent rho" },
      datasetFactor: { type: "number", description: "repeat-mode dataset size / d" },
    },
    defaultConfig,
    fullConfig,
    testConfig,
    run,
  });
}
