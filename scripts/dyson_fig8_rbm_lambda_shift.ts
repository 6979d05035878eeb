/**
 * Figure 8 of the Dyson line (spec seed001 B.6, SRBM notebook `inter_mode2`): for the Gaussian
 * RBM on the N = 10, m = 2 free field (mu = 3), lambda_fit / kappa (x0 of the density fits, all six distinct kappa) against alpha / |B|: the non-universal drift shift, |B| sweep (|B| >= 16) and alpha sweep, dashed line at 1. The
 * summary holds every fitted number of figures 5-8.
 *
 * Run: `deno run -A scripts/dyson_fig8_rbm_lambda_shift.ts` (`--full`: 7500 seeds x 100k epochs per setting, over 5
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
  name: "dyson_fig8_rbm_lambda_shift",
  description: "Gaussian RBM: lambda_fit / kappa vs alpha / |B|",
  defaultConfig: {
    ...RBM_QUICK_SCALE,
    ...RBM_BATCH_SIZE_SWEEP,
    ...RBM_LEARNING_RATE_SWEEP,
    ...RBM_QUICK_DATASETS,
    seeds: 250,
    fitJackknifeBlocks: 10,
  },
  run: (config) => rbmScalingFigure(config, 8),
});

/** Configuration: the scale and the sweeps (see {@linkcode RbmFigureConfig}). */
export type Config = RbmFigureConfig;
/** Quick scale (`defaultConfig`), the paper's (`fullConfig`, `--full`), tiny for tests (`testConfig`), and the run. */
export const { defaultConfig, fullConfig, testConfig, run } = script;

if (import.meta.main) await figureMain<Config>(script);
