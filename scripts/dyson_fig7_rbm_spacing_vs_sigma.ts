/**
 * Figure 7 of the Dyson line (spec seed001 B.6, SRBM notebook `sig-S`): for the Gaussian
 * RBM on the N = 10, m = 2 free field (mu = 3), the mean spacing <S> against sqrt(pi) sigma_fit with the identity line (a 2x2 GOE has <S> = sqrt(pi) sigma). The
 * summary holds every fitted number of figures 5-8.
 *
 * Run: `deno run -A scripts/dyson_fig7_rbm_spacing_vs_sigma.ts` (`--full`: 7500 seeds x 100k epochs per setting).
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
  return rbmScalingFigure(config, 7);
}

if (import.meta.main) {
  await figureMain<Config>({
    name: "dyson_fig7_rbm_spacing_vs_sigma",
    description: "Gaussian RBM: <S> vs sqrt(pi) sigma_fit against the identity",
    options: RBM_FIGURE_OPTIONS,
    defaultConfig,
    fullConfig,
    run,
  });
}
