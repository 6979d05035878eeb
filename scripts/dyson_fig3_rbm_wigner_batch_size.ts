/**
 * Figure 3 of the Dyson line (spec seed001 B.6, SRBM notebook `wigner_n_sidebyside-{1,3,5,7}`): for each
 * degenerate pair of the Gaussian RBM's spectrum (kappa = 4.38, 5.38, 6.62, 7.62), the spacing
 * S = |lambda_i - lambda_j| over the sweep |B| in {4, 8, 16, 32, 64} at alpha = 0.1: left, P(s) of s = S/<S> for every
 * setting against the GOE Wigner surmise (pi/2) s e^{-pi s^2/4}; right, P(S) against the surmise
 * scaled by each setting's <S>. The summary gives <S> +- jackknife error, the predicted width and
 * the Kolmogorov-Smirnov distance to the surmise per setting and pair.
 *
 * Run: `deno run -A scripts/dyson_fig3_rbm_wigner_batch_size.ts` (`--full`: 7500 seeds x 100k epochs).
 *
 * @module
 */
import {
  RBM_FIGURE_OPTIONS,
  RBM_FULL_SCALE,
  RBM_TEST_SCALE,
  type RbmFigureConfig,
  rbmQuickScale,
  rbmWignerFigure,
} from "../lib/dyson/rbm_figures.ts";
import type { FigureResult } from "../lib/plot/figure.ts";
import { figureMain } from "../lib/plot/figure_script.ts";

/** Configuration. */
export type Config = RbmFigureConfig;

/** Quick scale: 500 seeds per setting from the fixed point, alpha * epochs = 80. */
export const defaultConfig: Config = rbmQuickScale(500);
/** The paper's scale. */
export const fullConfig: Config = { ...defaultConfig, ...RBM_FULL_SCALE };
/** Tiny, for smoke and schema tests. */
export const testConfig: Config = { ...defaultConfig, ...RBM_TEST_SCALE };

/** Runs the ensembles and builds the figure. */
export function run(config: Config = defaultConfig): Promise<FigureResult> {
  return rbmWignerFigure(config, "batchSize");
}

if (import.meta.main) {
  await figureMain<Config>({
    name: "dyson_fig3_rbm_wigner_batch_size",
    description: "Gaussian RBM: degenerate-pair spacings over the batchSize sweep vs the GOE Wigner surmise",
    options: RBM_FIGURE_OPTIONS,
    defaultConfig,
    fullConfig,
    run,
  });
}
