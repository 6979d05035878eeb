/**
 * Figure 14 of the Dyson line (spec seed001 B.6, TS notebook `sig-S (TS)`): the mean spacing <S> of the 2x2 teacher-student ensembles against sqrt(pi) sigma_fit with the identity line (a 2x2 GOE has <S> = sqrt(pi) sigma).
 *
 * Run: `deno run -A scripts/dyson_fig14_ts_spacing_vs_sigma.ts` (`--full`: 3000 seeds per setting).
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
  return tsScalingFigure(config, 14);
}

if (import.meta.main) {
  await figureMain<Config>({
    name: "dyson_fig14_ts_spacing_vs_sigma",
    description: "2x2 teacher-student: <S> vs sqrt(pi) sigma_fit against the identity",
    options: TS_FIGURE_OPTIONS,
    defaultConfig,
    fullConfig,
    run,
  });
}
