/**
 * Figure 11 of the Dyson line (spec seed001 B.6, TS notebook `rhofit1_{n|lr|bs}{value}`): for each of the 16 settings of the three sweeps, the density of the pooled singular values of the 2x2 teacher-student ensemble with the fitted 2x2-GOE one-point density rho(x0, sigma), sigma_pred = sqrt(alpha eps^2 / |B|) in the title and a line at kappa = 2. The summary gives x0_fit, sigma_fit and sigma_fit / sigma_pred per setting.
 *
 * Run: `deno run -A scripts/dyson_fig11_ts_rho_fits.ts` (`--full`: 3000 seeds per setting).
 *
 * @module
 */
import {
  TS_FIGURE_OPTIONS,
  TS_FULL,
  TS_QUICK,
  TS_TINY,
  type TsFigureConfig,
  tsRhoFitFigure,
} from "../lib/dyson/ts_figures.ts";
import type { FigureResult } from "../lib/plot/figure.ts";
import { figureMain } from "../lib/plot/figure_script.ts";

/** Configuration. */
export type Config = TsFigureConfig;

/** Quick scale: 400 seeds per setting, the paper's 10 epochs x 500 minibatches. */
export const defaultConfig: Config = { ...TS_QUICK };
/** The paper's scale. */
export const fullConfig: Config = { ...TS_FULL };
/** Tiny, for smoke and schema tests. */
export const testConfig: Config = { ...TS_TINY };

/** Runs the ensembles and builds the figure. */
export function run(config: Config = defaultConfig): Promise<FigureResult> {
  return tsRhoFitFigure(config);
}

if (import.meta.main) {
  await figureMain<Config>({
    name: "dyson_fig11_ts_rho_fits",
    description: "2x2 teacher-student: singular-value densities with the 2x2-GOE rho fits, per setting",
    options: TS_FIGURE_OPTIONS,
    defaultConfig,
    fullConfig,
    run,
  });
}
