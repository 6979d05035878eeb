/**
 * Figures at a smaller scale on the float64 reference backend (no WebGPU adapter, or `--backend
 * reference`).
 *
 * The quick scale is sized for a CPU WebGPU adapter (lavapipe); the reference backend runs the same
 * sweeps as host TypeScript in float64, 10-50 times slower, so `deno task figures` without an adapter
 * took over an hour (issue 11). The figures that would take minutes there are listed in
 * {@linkcode REFERENCE_SCALE}, in this one place (not in the scripts): each runs with fewer seeds (and the
 * RBM figures with shorter training), its summary's `referenceScale` saying what was reduced and why; every
 * figure still ran at a useful scale, so none is skipped. `--full` (asked-for paper scale) and the tests'
 * tiny configs are never reduced, and on the command line of one script a flag given explicitly wins over
 * the table.
 *
 * @module
 */
import { type BackendChoice, resolveBackendChoice } from "../backend/select.ts";

/** What a figure runs with on the reference backend. */
export interface ReferenceScale {
  /** Config values replacing the quick scale's on the reference backend. */
  config: Record<string, unknown>;
  /** Why, in a few words (shown in the summary). */
  why: string;
}

const SLOWER = "the float64 reference backend runs these sweeps 10-50x slower than a CPU WebGPU adapter";
const RBM_SMALLER = {
  config: { seeds: 24, trainingTime: 20 },
  why: `${SLOWER}; 24 seeds per setting trained alpha * epochs = 20 (quick scale: 250-500 seeds, 80; ` +
    "the seeds start at the fixed point, which they relax to in well under 20) keep the figure to about a " +
    "minute, with noisier histograms and fits",
};
const TEACHER_STUDENT_SMALLER = {
  config: { seeds: 20 },
  why: `${SLOWER}; 20 seeds per setting (quick scale: 400) keep the figure to about a minute, with ` +
    "noisier histograms and fits",
};

const EOSS_NARROWER = {
  config: { width: 64 },
  why: `${SLOWER}: its matmuls are plain float64 loops. Hidden width 64 (quick scale: 256) made the ` +
    "seven EoSS figures 13x faster (21 min -> 93 s on one core) with the same picture: fig1's batch " +
    "sharpness plateau 0.69 x 2/eta (0.58 at width 256), lambda_max 0.37 (0.38); the values belong to the " +
    "narrower MLP",
};

/**
 * The figures reduced on the reference backend, by script name. Figures that share trained
 * ensembles within one `deno task figures` run (Dyson 1-2, 5-8, 10-14) get the same values so they still
 * share. Seeds stay >= 20, the least the spacing histograms and density fits accept. Measured without an
 * adapter (`DENO_WEBGPU_BACKEND=none deno task figures`) on a loaded 2-core machine: see README "Two
 * commands".
 */
export const REFERENCE_SCALE: Readonly<Record<string, ReferenceScale>> = {
  dyson_fig1_rbm_x_density: RBM_SMALLER,
  dyson_fig2_rbm_lambda_density: RBM_SMALLER,
  dyson_fig3_rbm_wigner_batch_size: RBM_SMALLER,
  dyson_fig4_rbm_wigner_learning_rate: RBM_SMALLER,
  dyson_fig5_rbm_spacing_scaling: RBM_SMALLER,
  dyson_fig6_rbm_sigma_scaling: RBM_SMALLER,
  dyson_fig7_rbm_spacing_vs_sigma: RBM_SMALLER,
  dyson_fig8_rbm_lambda_shift: RBM_SMALLER,
  dyson_fig9_teacher_student_singular_values: TEACHER_STUDENT_SMALLER,
  dyson_fig10_teacher_student_wigner: TEACHER_STUDENT_SMALLER,
  dyson_fig11_teacher_student_rho_fits: TEACHER_STUDENT_SMALLER,
  dyson_fig12_teacher_student_spacing_scaling: TEACHER_STUDENT_SMALLER,
  dyson_fig13_teacher_student_sigma_scaling: TEACHER_STUDENT_SMALLER,
  dyson_fig14_teacher_student_spacing_vs_sigma: TEACHER_STUDENT_SMALLER,
  enhanced_sgd_fig3_training_loss: {
    config: { seeds: 1 },
    why: `${SLOWER}: its matmuls are plain float64 loops. One seed (quick scale: 3) trains each optimizer ` +
      "once (no min-max band over seeds); figure F2.5 reuses that seed's runs",
  },
  lpl_fig1_selectivity: {
    config: { points: 7, repetitions: 2 },
    why: `${SLOWER}: 7 sigma_y values x 2 repetitions (quick scale: 13 x 3) keep the figure to about a ` +
      "minute, with a coarser sigma_y grid and a std over two runs",
  },
  lpl_fig3_flip_probability: {
    config: { points: 11, repetitions: 2 },
    why: `${SLOWER}: 11 flip probabilities x 2 repetitions (quick scale: 21 x 3) keep the figure to about ` +
      "a minute, with a coarser grid and a std over two runs",
  },
  eoss_fig1_main: EOSS_NARROWER,
  eoss_fig2_batch_size: EOSS_NARROWER,
  eoss_fig3_learning_rate: EOSS_NARROWER,
  eoss_fig4_fork: EOSS_NARROWER,
  eoss_fig5_noisy_gd: EOSS_NARROWER,
  eoss_fig6_gni: EOSS_NARROWER,
  eoss_fig8_negative: EOSS_NARROWER,
  teacher_student_fig2_repetition: {
    config: { walkers: 16 },
    why: `${SLOWER}: 16 walkers (quick scale: 48) keep the figure to about a minute, with larger error bars`,
  },
  teacher_student_fig3_lr_student_grid: {
    config: { walkers: 8 },
    why: `${SLOWER}: 8 walkers per cell (quick scale: 16) keep the figure under a minute`,
  },
  teacher_student_fig6_escape_scaling: {
    config: { dims: "16,24,32", walkers: 32 },
    why: `${SLOWER}: the escape takes ~d^(k-1) steps, so d up to 32 (quick scale: 64) and 32 walkers ` +
      "(quick scale: 64) keep it to minutes instead of the better part of an hour; the fitted exponents " +
      "span a smaller range of d",
  },
};

/** A figure's config for a run, and what the reference scale changed (if anything). */
export interface ScaledConfig {
  /** The config to run. */
  config: Record<string, unknown>;
  /** Set when the figure is reduced: the values replaced and why (goes into the summary). */
  reduced?: { values: Record<string, unknown>; why: string };
}

/**
 * Applies {@linkcode REFERENCE_SCALE} to one figure's quick-scale config when it runs on the reference
 * backend. Keys in `explicit` (flags the user gave) keep their value.
 *
 * @param name The figure script's name.
 * @param config The quick-scale config (with its `backend`).
 * @param backend The backend it resolves to.
 * @param explicit Config keys set explicitly, never replaced.
 * @returns The config to run and what changed.
 * @example
 * ```ts
 * import { scaleForBackend } from "./reference_scale.ts";
 * const run = scaleForBackend("dyson_fig1_rbm_x_density", { seeds: 400 }, "reference");
 * console.log(run.config.seeds, run.reduced?.values); // 24 { seeds: 24, trainingTime: 20 }
 * ```
 */
export function scaleForBackend(
  name: string,
  config: Record<string, unknown>,
  backend: "webgpu" | "reference",
  explicit: ReadonlySet<string> = new Set(),
): ScaledConfig {
  const scale = REFERENCE_SCALE[name];
  if (backend !== "reference" || !scale) return { config };
  const values = Object.fromEntries(
    Object.entries(scale.config).filter(([key]) => !explicit.has(key) && key in config),
  );
  if (Object.keys(values).length === 0) return { config };
  return { config: { ...config, ...values }, reduced: { values, why: scale.why } };
}

/** The backend a figure run resolves to, as {@linkcode scaleForBackend} wants it. */
export function figureBackend(choice: unknown): Promise<"webgpu" | "reference"> {
  return resolveBackendChoice((choice ?? "auto") as BackendChoice);
}

/** The summary entry of a reduced run: `{ referenceScale: { ...values, why } }` (empty when not reduced). */
export function referenceScaleSummary(scaled: ScaledConfig): Record<string, unknown> {
  return scaled.reduced ? { referenceScale: { ...scaled.reduced.values, why: scaled.reduced.why } } : {};
}
