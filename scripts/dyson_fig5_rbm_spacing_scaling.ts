/**
 * Figure 5 of the Dyson line (spec seed001 B.6, SRBM notebook `pred_comp-all_wig-fit-k2_no_off`): for the Gaussian
 * RBM on the N = 10, m = 2 free field (mu = 3), the mean spacing <S> (FD-histogram mean, jackknife errors) of every degenerate pair against the predicted width sqrt(alpha (mu^2 - kappa) / |B|), |B| sweep (navy) and alpha sweep (crimson) on one line, with the weighted slope through the origin a_fit. The
 * summary holds every fitted number of figures 5-8.
 *
 * Run: `deno run -A scripts/dyson_fig5_rbm_spacing_scaling.ts` (`--full`: 7500 seeds x 100k epochs per setting).
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
  return rbmScalingFigure(config, 5);
}

if (import.meta.main) {
  await figureMain<Config>({
    name: "dyson_fig5_rbm_spacing_scaling",
    description: "Gaussian RBM: <S> vs sqrt(alpha (mu^2 - kappa) / |B|) for both sweeps, a_fit",
    options: RBM_FIGURE_OPTIONS,
    defaultConfig,
    fullConfig,
    run,
  });
}
