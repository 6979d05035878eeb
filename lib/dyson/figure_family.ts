/**
 * The one shape of every Dyson figure script: a family (the RBM figures 1-8, the teacher-student
 * figures 9-14) fixes the config type, its command-line options and how the paper's scale
 * (`--full`) and the tiny test scale differ from quick scale; a script gives only what is its own:
 * its name, a one-line description, its quick-scale config (with its sweeps) and the figure it draws.
 *
 * @example A figure script
 * ```ts ignore
 * const script = rbmFigureScript({
 *   name: "dyson_fig5_rbm_spacing_scaling",
 *   description: "Gaussian RBM: <S> vs the predicted width for both sweeps, a_fit",
 *   defaultConfig: { ...RBM_QUICK_SCALE, ...RBM_BATCH_SIZE_SWEEP, ...RBM_LEARNING_RATE_SWEEP, seeds: 250 },
 *   run: (config) => rbmScalingFigure(config, 5),
 * });
 * export const { defaultConfig, fullConfig, testConfig, run } = script;
 * if (import.meta.main) await figureMain(script);
 * ```
 *
 * @module
 */
import type { FigureResult } from "../plot/figure.ts";
import type { FigureScript } from "../plot/figure_script.ts";

/** The command-line option of one config field (figureMain takes its default from the config). */
export type FigureOption = FigureScript<Record<string, unknown>>["options"][string];

/** What the scripts of one family share. */
export interface FigureFamily<C extends Record<string, unknown>> {
  /** Options of every field a script of the family may have; a script shows those its config has. */
  options: Record<string, FigureOption>;
  /** What the paper's scale changes (over a script's quick-scale config; fields it lacks are skipped). */
  full: Partial<C>;
  /** What the tiny test scale changes. */
  test: Partial<C>;
}

/** What a figure script of a family gives: the rest comes from the family. */
export interface FigureScriptSpec<C extends Record<string, unknown>> {
  /** File name without `.ts`. */
  name: string;
  /** One line for `--help`. */
  description: string;
  /** Quick-scale config, sweeps included. */
  defaultConfig: C;
  /** Draws the figure. */
  run(config: C): Promise<FigureResult>;
}

/** A figure script with every part filled in: what the script exports and hands to figureMain. */
export interface CompleteFigureScript<C extends Record<string, unknown>> extends FigureScript<C> {
  fullConfig: C;
  testConfig: C;
  /** Draws the figure (quick scale when no config is given). */
  run(config?: C): Promise<FigureResult>;
}

/**
 * Completes a figure script from its family.
 *
 * @param family The family's options and scales.
 * @param spec The script's own name, description, quick-scale config and figure.
 * @returns The script: configs at three scales, its options and run.
 */
export function familyFigureScript<C extends Record<string, unknown>>(
  family: FigureFamily<C>,
  spec: FigureScriptSpec<C>,
): CompleteFigureScript<C> {
  const defaultConfig = spec.defaultConfig;
  const own = <T extends object>(values: T) =>
    Object.fromEntries(Object.entries(values).filter(([key]) => key in defaultConfig)) as T;
  const options = own(family.options);
  return {
    name: spec.name,
    description: spec.description,
    options,
    defaultConfig,
    // A scale sets only the fields the script has (e.g. `datasets` only on the scaling figures).
    fullConfig: { ...defaultConfig, ...own(family.full) },
    testConfig: { ...defaultConfig, ...own(family.test) },
    run: (config: C = defaultConfig) => spec.run(config),
  };
}
