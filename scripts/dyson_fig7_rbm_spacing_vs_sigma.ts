/**
 * Figure 7 of the Dyson line (spec seed001 B.6, SRBM notebook `sig-S`): for the Gaussian
 * RBM on the N = 10, m = 2 free field (mu = 3), the mean spacing <S> against sqrt(pi) sigma_fit with the identity line (a 2x2 GOE has <S> = sqrt(pi) sigma). The
 * summary holds every fitted number of figures 5-8.
 *
 * Run: `deno run -A scripts/dyson_fig7_rbm_spacing_vs_sigma.ts` (`--full`: 7500 seeds x 100k epochs per setting, over 5
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
  name: "dyson_fig7_rbm_spacing_vs_sigma",
  description: "Gaussian RBM: <S> vs sqrt(pi) sigma_fit against the identity",
  defaultConfig: {
    ...RBM_QUICK_SCALE,
    ...RBM_BATCH_SIZE_SWEEP,
    ...RBM_LEARNING_RATE_SWEEP,
    ...RBM_QUICK_DATASETS,
    seeds: 250,
    fitJackknifeBlocks: 10,
  },
  run: (config) => rbmScalingFigure(config, 7),
});

/** Configuration: the scale and the sweeps (see {@linkcode RbmFigureConfig}). */
export type Config = RbmFigureConfig;
/** Quick scale (`defaultConfig`), the paper's (`fullConfig`, `--full`), tiny for tests (`testConfig`), and the run. */
export const { defaultConfig, fullConfig, testConfig, run } = script;

if (import.meta.main) await figureMain<Config>(script);
