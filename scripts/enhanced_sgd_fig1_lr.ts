/**
 * Figure F2.1 of EnhancedSGD (spec seed002): the learning rate against step (log y) of EnhancedSGD faithful
 * (the original's compounding lr and epoch phase), clean, and constant SGD, epoch boundaries marked. The
 * optimizer runs its real kernels and controller on a noisy quadratic L = h/2 mean(θ²) (gradient h θ + noise),
 * which stays finite at the lrs the faithful controller reaches. The summary gives the faithful lr's
 * largest value, its value at each epoch's end, and the first epoch at which it falls below 1e-6.
 *
 * Run: `deno run -A scripts/enhanced_sgd_fig1_lr.ts` (quick: seconds; `--full`: 20 epochs of 100 steps).
 *
 * @module
 */
import { type FigureResult, VEGA_LITE_SCHEMA } from "../lib/plot/figure.ts";
import { figureMain } from "../lib/plot/figure_script.ts";
import { type BackendChoice, getBackend } from "../lib/backend/select.ts";
import { cachedQuadratic, type QuadraticRun } from "../lib/enhanced_sgd/experiments.ts";
import type { EsgdTelemetry } from "../lib/enhanced_sgd/optimizer.ts";
import type { Backend } from "../lib/backend/backend.ts";

/** Configuration of F2.1 and F2.2 (they share their runs). */
export interface ControllerRunConfig extends Record<string, unknown> {
  epochs: number;
  stepsPerEpoch: number;
  dims: number;
  curvature: number;
  noise: number;
  lr: number;
  seed: number;
  backend: BackendChoice;
}

/** Quick scale. */
export const defaultConfig: ControllerRunConfig = {
  epochs: 20,
  stepsPerEpoch: 25,
  dims: 256,
  curvature: 0.01,
  noise: 0.01,
  lr: 0.01,
  seed: 1,
  backend: "auto",
};
/** The spec's re-simulation scale (100 steps per epoch). */
export const fullConfig: ControllerRunConfig = { ...defaultConfig, stepsPerEpoch: 100, dims: 1024 };
/** Tiny scale for tests. */
export const testConfig: ControllerRunConfig = { ...defaultConfig, epochs: 4, stepsPerEpoch: 3, dims: 16 };

/** The faithful and clean runs of a config (cached per process). */
export async function controllerRuns(
  config: ControllerRunConfig,
): Promise<{ backend: Backend; faithful: EsgdTelemetry[]; clean: EsgdTelemetry[]; steps: number }> {
  const backend = await getBackend(config.backend);
  const run: QuadraticRun = {
    steps: config.epochs * config.stepsPerEpoch,
    stepsPerEpoch: config.stepsPerEpoch,
    dims: config.dims,
    curvature: config.curvature,
    noise: config.noise,
    seed: config.seed,
  };
  // One after the other: two runs stepping at once on one backend's recorder race (a flush in one can destroy
  // the other's transient uniform between its creation and its dispatch).
  const faithful = await cachedQuadratic(backend, run, { mode: "faithful", lr: config.lr });
  const clean = await cachedQuadratic(backend, run, { mode: "clean", lr: config.lr, controllerEvery: 1 });
  return { backend, faithful: faithful.telemetry, clean: clean.telemetry, steps: run.steps };
}

/** Epoch-boundary rules of a run (steps that start a new epoch). */
export function epochRules(config: ControllerRunConfig): { step: number }[] {
  return Array.from({ length: config.epochs - 1 }, (_, k) => ({ step: (k + 1) * config.stepsPerEpoch }));
}

/** Runs the figure. */
export async function run(config: ControllerRunConfig = defaultConfig): Promise<FigureResult> {
  const { backend, faithful, clean, steps } = await controllerRuns(config);
  const rows: Record<string, unknown>[] = [];
  const keep = (lr: number) => Number.isFinite(lr) && lr > 0;
  for (const r of faithful) if (keep(r.lr)) rows.push({ series: "ESGD faithful", step: r.step, lr: r.lr });
  for (const r of clean) rows.push({ series: "ESGD clean", step: r.step, lr: r.lr });
  for (let s = 1; s <= steps; s += Math.max(1, Math.floor(steps / 50))) {
    rows.push({ series: "SGD (constant)", step: s, lr: config.lr });
  }
  const endOfEpoch = Array.from({ length: config.epochs }, (_, e) => {
    const r = faithful.find((row) => row.step === (e + 1) * config.stepsPerEpoch);
    return { epoch: e + 1, lr: r?.lr ?? null };
  });
  const below = faithful.find((r) => r.lr < 1e-6);
  const cleanLrs = clean.map((r) => r.lr);
  const spec: FigureResult["spec"] = {
    $schema: VEGA_LITE_SCHEMA,
    title: "EnhancedSGD lr against step: faithful compounds and collapses, clean stays bounded",
    description:
      `F2.1: lr (log) of EnhancedSGD faithful, clean and constant SGD on a noisy quadratic, ${config.stepsPerEpoch} steps/epoch (grey rules)`,
    width: 460,
    height: 260,
    layer: [
      {
        data: { values: epochRules(config) },
        mark: { type: "rule", color: "#ccc" },
        encoding: { x: { field: "step", type: "quantitative" } },
      },
      {
        data: { values: rows },
        mark: { type: "line" },
        encoding: {
          x: { field: "step", type: "quantitative", title: "step" },
          y: { field: "lr", type: "quantitative", scale: { type: "log" }, title: "learning rate" },
          color: { field: "series", type: "nominal", title: null },
        },
      },
    ],
  };
  return {
    spec,
    summary: {
      config,
      backend: backend.name,
      faithfulLrMax: Math.max(...faithful.map((r) => r.lr).filter(Number.isFinite)),
      faithfulFirstEpochBelow1e6: below ? below.epoch : null,
      faithfulStepBelow1e6: below ? below.step : null,
      faithfulLrAtEpochEnd: endOfEpoch,
      cleanLrMin: Math.min(...cleanLrs),
      cleanLrMax: Math.max(...cleanLrs),
      sgdLr: config.lr,
    },
  };
}

/** The command-line options shared with F2.2. */
export const CONTROLLER_RUN_OPTIONS = {
  epochs: { type: "number", description: "epochs (the faithful phase uses the 1-based epoch)" },
  stepsPerEpoch: { type: "number", description: "steps per epoch" },
  dims: { type: "number", description: "parameters of the quadratic" },
  curvature: { type: "number", description: "curvature h of L = h/2 mean(theta^2)" },
  noise: { type: "number", description: "std of the gradient noise" },
  lr: { type: "number", description: "initial lr (and the constant SGD lr)" },
} as const;

if (import.meta.main) {
  await figureMain<ControllerRunConfig>({
    name: "enhanced_sgd_fig1_lr",
    description: "EnhancedSGD lr against step: faithful vs clean vs constant SGD, epoch boundaries",
    options: CONTROLLER_RUN_OPTIONS,
    defaultConfig,
    fullConfig,
    testConfig,
    run,
  });
}
