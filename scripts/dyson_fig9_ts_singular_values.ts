/**
 * Figure 9 of the Dyson line (spec seed001 B.6, TS notebook `lbd_comp_all3`): histograms of the singular values of the final student W of the 2x2 teacher-student ensembles at |B| = 16 for (alpha, eps) = (0.5, 0.1), (0.1, 0.1) and (0.1, 0.05), with a dashed line at the teacher value 2 (the notebook labels print sqrt(alpha eps^2) without /|B|; here the labels give sqrt(alpha eps^2 / |B|)). The summary gives the mean and width of each against sqrt(alpha eps^2 / |B|).
 *
 * Run: `deno run -A scripts/dyson_fig9_ts_singular_values.ts` (`--full`: 3000 seeds per setting).
 *
 * @module
 */
import {
  TS_FIGURE_OPTIONS,
  TS_FULL,
  TS_QUICK,
  TS_TINY,
  type TsFigureConfig,
  tsSingularValueFigure,
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
  return tsSingularValueFigure(config);
}

if (import.meta.main) {
  await figureMain<Config>({
    name: "dyson_fig9_ts_singular_values",
    description: "2x2 teacher-student: singular values of W for three settings",
    options: TS_FIGURE_OPTIONS,
    defaultConfig,
    fullConfig,
    run,
  });
}
