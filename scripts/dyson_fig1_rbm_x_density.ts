/**
 * Figure 1 of the Dyson line (spec seed001 B.6, SRBM notebook `x_comp_all3-density-r`): the
 * pooled density of all ten eigenvalues x of W^T W of the Gaussian RBM trained on the N = 10,
 * m = 2 free field (mu = 3, |B| = 16), one panel per learning rate alpha in {0.01, 0.04, 0.08},
 * with dashed lines at the fixed point x* = mu^2 - kappa. The summary gives the mean x per mode
 * against x*.
 *
 * Run: `deno run -A scripts/dyson_fig1_rbm_x_density.ts` (`--full`: 7500 seeds x 100k epochs from
 * random W, the paper's scale).
 *
 * @module
 */
import { RBM_QUICK_SCALE, type RbmFigureConfig, rbmFigureScript } from "../lib/dyson/rbm_figure_config.ts";
import { rbmDensityFigure } from "../lib/dyson/rbm_density_figures.ts";
import { figureMain } from "../lib/plot/figure_script.ts";

const script = rbmFigureScript({
  name: "dyson_fig1_rbm_x_density",
  description:
    "Gaussian RBM: pooled eigenvalues x of W^T W per learning rate vs the fixed point mu^2 - kappa",
  defaultConfig: { ...RBM_QUICK_SCALE, seeds: 400, learningRates: "0.01,0.04,0.08", batchSize: 16 },
  run: (config) => rbmDensityFigure(config, "x"),
});

/** Configuration: the scale and the sweeps (see {@linkcode RbmFigureConfig}). */
export type Config = RbmFigureConfig;
/** Quick scale (`defaultConfig`), the paper's (`fullConfig`, `--full`), tiny for tests (`testConfig`), and the run. */
export const { defaultConfig, fullConfig, testConfig, run } = script;

if (import.meta.main) await figureMain<Config>(script);
