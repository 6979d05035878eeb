/**
 * Figure 13 of the Dyson line (spec seed001 B.6, TS notebook `TS-pred_comp-all_sig-fit`): sqrt(pi) sigma_fit (2x2-GOE one-point fits of the pooled singular values) of the 2x2 teacher-student ensembles against sqrt(alpha A / |B|), A = eps^2, for the three sweeps, with the weighted slope through the origin a_fit (sqrt(pi) for a 2x2 GOE of width sigma_pred).
 *
 * Run: `deno run -A scripts/dyson_fig13_ts_sigma_scaling.ts` (`--full`: 3000 seeds per setting).
 *
 * @module
 */
import {
  TS_FIGURE_OPTIONS,
  TS_FULL,
  TS_QUICK,
  TS_TINY,
  type TsFigureConfig,
  tsScalingFigure,
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
  return tsScalingFigure(config, 13);
}

if (import.meta.main) {
  await figureMain<Config>({
    name: "dyson_fig13_ts_sigma_scaling",
    description: "2x2 teacher-student: sqrt(pi) sigma_fit vs sqrt(alpha A / |B|) for three sweeps, a_fit",
    options: TS_FIGURE_OPTIONS,
    defaultConfig,
    fullConfig,
    run,
  });
}
