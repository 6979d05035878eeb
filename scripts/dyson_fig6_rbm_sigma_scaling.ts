/**
 * Figure 6 of the Dyson line (spec seed001 B.6, SRBM notebook `pred_comp-all_sig-fit2-k2_no_off`): for the Gaussian
 * RBM on the N = 10, m = 2 free field (mu = 3), sqrt(pi) sigma_fit from the 2x2-GOE one-point density fits rho(x0, sigma) of every degenerate pair against the predicted width sqrt(alpha (mu^2 - kappa) / |B|), both sweeps, with a_fit. The
 * summary holds every fitted number of figures 5-8.
 *
 * Run: `deno run -A scripts/dyson_fig6_rbm_sigma_scaling.ts` (`--full`: 7500 seeds x 100k epochs per setting, over 5
 * independent ensembles; `--datasets 1` for the paper's one). `--datasets K` combines the slopes of K
 * ensembles with the between-ensemble spread in their error (1 at quick scale).
 *
 * @module
 */
import {
  RBM_BATCH_SIZE_SWEEP,
  RBM_LEARNING_RATE_SWEEP,
  RBM_QUICK_DATASETS,
  RBM_QUICK_SCALE,
  type RbmFigureConfig,
  rbmFigureScript,
} from "../lib/dyson/rbm_figure_config.ts";
import { rbmScalingFigure } from "../lib/dyson/rbm_scaling_figures.ts";
import { figureMain } from "../lib/plot/figure_script.ts";

const script = rbmFigureScript({
  name: "dyson_fig6_rbm_sigma_scaling",
  description: "Gaussian RBM: sqrt(pi) sigma_fit vs sqrt(alpha (mu^2 - kappa) / |B|) for both sweeps, a_fit",
  defaultConfig: {
    ...RBM_QUICK_SCALE,
    ...RBM_BATCH_SIZE_SWEEP,
    ...RBM_LEARNING_RATE_SWEEP,
    ...RBM_QUICK_DATASETS,
    seeds: 250,
    fitJackknifeBlocks: 10,
  },
  run: (config) => rbmScalingFigure(config, 6),
});

/** Configuration: the scale and the sweeps (see {@linkcode RbmFigureConfig}). */
export type Config = RbmFigureConfig;
/** Quick scale (`defaultConfig`), the paper's (`fullConfig`, `--full`), tiny for tests (`testConfig`), and the run. */
export const { defaultConfig, fullConfig, testConfig, run } = script;

if (import.meta.main) await figureMain<Config>(script);
