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
  RBM_BATCH_SIZE_SWEEP,
  RBM_QUICK_SCALE,
  type RbmFigureConfig,
  rbmFigureScript,
} from "../lib/dyson/rbm_figure_config.ts";
import { rbmWignerFigure } from "../lib/dyson/rbm_spacing_figures.ts";
import { figureMain } from "../lib/plot/figure_script.ts";

const script = rbmFigureScript({
  name: "dyson_fig3_rbm_wigner_batch_size",
  description: "Gaussian RBM: degenerate-pair spacings over the batchSize sweep vs the GOE Wigner surmise",
  defaultConfig: { ...RBM_QUICK_SCALE, ...RBM_BATCH_SIZE_SWEEP, seeds: 500 },
  run: rbmWignerFigure,
});

/** Configuration: the scale and the sweeps (see {@linkcode RbmFigureConfig}). */
export type Config = RbmFigureConfig;
/** Quick scale (`defaultConfig`), the paper's (`fullConfig`, `--full`), tiny for tests (`testConfig`), and the run. */
export const { defaultConfig, fullConfig, testConfig, run } = script;

if (import.meta.main) await figureMain<Config>(script);
