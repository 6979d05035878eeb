/**
 * Figure 8 of the Dyson line (spec seed001 B.6, SRBM notebook `inter_mode2`): for the Gaussian
 * RBM on the N = 10, m = 2 free field (mu = 3), lambda_fit / kappa (x0 of the density fits, all six distinct kappa) against alpha / |B|: the non-universal drift shift, |B| sweep (|B| >= 16) and alpha sweep, dashed line at 1. The
 * summary holds every fitted number of figures 5-8.
 *
 * Run: `deno run -A scripts/dyson_fig8_rbm_lambda_shift.ts` (`--full`: 7500 seeds x 100k epochs per setting).
 *
 * @module
 */
import {
  RBM_FIGURE_OPTIONS,
  RBM_FULL_SCALE,
  RBM_TEST_SCALE,
  type RbmFigureConfig,
  rbmQuickScale,
  rbmScalingFigure,
} from "../lib/dyson/rbm_figures.ts";
import type { FigureResult } from "../lib/plot/figure.ts";
import { figureMain } from "../lib/plot/figure_script.ts";

/** Configuration. */
export type Config = RbmFigureConfig;

/** Quick scale: 250 seeds per setting of both sweeps from the fixed point, alpha * epochs = 80. */
export const defaultConfig: Config = rbmQuickScale(250, 10);
/** The paper's scale. */
export const fullConfig: Config = { ...defaultConfig, ...RBM_FULL_SCALE };
/** Tiny, for smoke and schema tests. */
export const testConfig: Config = { ...defaultConfig, ...RBM_TEST_SCALE };

/** Runs both sweeps and builds the figure. */
export function run(config: Config = defaultConfig): Promise<FigureResult> {
  return rbmScalingFigure(config, 8);
}

if (import.meta.main) {
  await figureMain<Config>({
    name: "dyson_fig8_rbm_lambda_shift",
    description: "Gaussian RBM: lambda_fit / kappa vs alpha / |B|",
    options: RBM_FIGURE_OPTIONS,
    defaultConfig,
    fullConfig,
    run,
  });
}
