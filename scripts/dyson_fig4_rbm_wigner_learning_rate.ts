/**
 * Figure 4 of the Dyson line (spec seed001 B.6, SRBM notebook `wigner_lr_sidebyside-{1,3,5,7}`): for each
 * degenerate pair of the Gaussian RBM's spectrum (kappa = 4.38, 5.38, 6.62, 7.62), the spacing
 * S = |lambda_i - lambda_j| over the sweep alpha in {0.01, 0.02, 0.04, 0.06, 0.08, 0.1} at |B| = 16: left, P(s) of s = S/<S> for every
 * setting against the GOE Wigner surmise (pi/2) s e^{-pi s^2/4}; right, P(S) against the surmise
 * scaled by each setting's <S>. The summary gives <S> +- jackknife error, the predicted width and
 * the Kolmogorov-Smirnov distance to the surmise per setting and pair.
 *
 * Run: `deno run -A scripts/dyson_fig4_rbm_wigner_learning_rate.ts` (`--full`: 7500 seeds x 100k epochs).
 *
 * @module
 */
import {
  RBM_LEARNING_RATE_SWEEP,
  RBM_QUICK_SCALE,
  type RbmFigureConfig,
  rbmFigureScript,
} from "../lib/dyson/rbm_figure_config.ts";
import { rbmWignerFigure } from "../lib/dyson/rbm_spacing_figures.ts";
import { figureMain } from "../lib/plot/figure_script.ts";

const script = rbmFigureScript({
  name: "dyson_fig4_rbm_wigner_learning_rate",
  description: "Gaussian RBM: degenerate-pair spacings over the learningRate sweep vs the GOE Wigner surmise",
  defaultConfig: { ...RBM_QUICK_SCALE, ...RBM_LEARNING_RATE_SWEEP, seeds: 300 },
  run: rbmWignerFigure,
});

/** Configuration: the scale and the sweeps (see {@linkcode RbmFigureConfig}). */
export type Config = RbmFigureConfig;
/** Quick scale (`defaultConfig`), the paper's (`fullConfig`, `--full`), tiny for tests (`testConfig`), and the run. */
export const { defaultConfig, fullConfig, testConfig, run } = script;

if (import.meta.main) await figureMain<Config>(script);
