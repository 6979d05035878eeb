/**
 * Figure 5 of the Dyson line (spec seed001 B.6, SRBM notebook `pred_comp-all_wig-fit-k2_no_off`): for the Gaussian
 * RBM on the N = 10, m = 2 free field (mu = 3), the mean spacing <S> (FD-histogram mean, jackknife errors) of every degenerate pair against the predicted width sqrt(alpha (mu^2 - kappa) / |B|), |B| sweep (navy) and alpha sweep (crimson) on one line, with the weighted slope through the origin a_fit. The
 * summary holds every fitted number of figures 5-8.
 *
 * Run: `deno run -A scripts/dyson_fig5_rbm_spacing_scaling.ts` (`--full`: 7500 seeds x 100k epochs per setting, over 5
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
  name: "dyson_fig5_rbm_spacing_scaling",
  description: "Gaussian RBM: <S> vs sqrt(alpha (mu^2 - kappa) / |B|) for both sweeps, a_fit",
  defaultConfig: {
    ...RBM_QUICK_SCALE,
    ...RBM_BATCH_SIZE_SWEEP,
    ...RBM_LEARNING_RATE_SWEEP,
    ...RBM_QUICK_DATASETS,
    seeds: 250,
    fitJackknifeBlocks: 10,
  },
  run: (config) => rbmScalingFigure(config, 5),
});

/** Configuration: the scale and the sweeps (see {@linkcode RbmFigureConfig}). */
export type Config = RbmFigureConfig;
/** Quick scale (`defaultConfig`), the paper's (`fullConfig`, `--full`), tiny for tests (`testConfig`), and the run. */
export const { defaultConfig, fullConfig, testConfig, run } = script;

if (import.meta.main) await figureMain<Config>(script);
