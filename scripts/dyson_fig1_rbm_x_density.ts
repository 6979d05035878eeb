/**
 * Figure 1 of the Dyson line (spec seed001 B.6, SRBM notebook `x_comp_all3-density-r`): the
 * pooled density of all ten eigenvalues x of W^T W of the Gaussian RBM trained on the N = 10,
 * m = 2 free field (mu = 3, |B| = 16), one panel per learning rate alpha in {0.01, 0.04, 0.08},
 * with dashed lines at the fixed point x* = mu^2 - kappa. The summary gives the mean x per mode
 * against x*.
 *
 * Run: `deno run -A scripts/dyson_fig1_rbm_x_density.ts` (`--full`: 7500 seeds x 100k epochs from
 * random W, the paper's scale).
 *
 * @module
 */
import {
  RBM_FIGURE_OPTIONS,
  RBM_FULL_SCALE,
  RBM_TEST_SCALE,
  rbmDensityFigure,
  type RbmFigureConfig,
  rbmQuickScale,
} from "../lib/dyson/rbm_figures.ts";
import type { FigureResult } from "../lib/plot/figure.ts";
import { figureMain } from "../lib/plot/figure_script.ts";

/** Configuration. */
export type Config = RbmFigureConfig;

/** Quick scale: 400 seeds per setting from the fixed point, alpha * epochs = 80 (~25 s on the CPU adapter). */
export const defaultConfig: Config = rbmQuickScale(400);
/** The paper's scale. */
export const fullConfig: Config = { ...defaultConfig, ...RBM_FULL_SCALE };
/** Tiny, for smoke and schema tests. */
export const testConfig: Config = { ...defaultConfig, ...RBM_TEST_SCALE };

/** Runs the ensembles and builds the figure. */
export function run(config: Config = defaultConfig): Promise<FigureResult> {
  return rbmDensityFigure(config, "x");
}

if (import.meta.main) {
  await figureMain<Config>({
    name: "dyson_fig1_rbm_x_density",
    description:
      "Gaussian RBM: pooled eigenvalues x of W^T W per learning rate vs the fixed point mu^2 - kappa",
    options: RBM_FIGURE_OPTIONS,
    defaultConfig,
    fullConfig,
    run,
  });
}
