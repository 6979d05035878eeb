/**
 * Figure F2.4 of EnhancedSGD (spec seed002 section 1.4): the original's histogram "entropy" (numpy density,
 * -sum h ln h) against the normalised Shannon entropy of the same 100-bin histogram, for N standard normals
 * scaled by a std from 1e-4 to 10, both as EnhancedSGD's GPU statistics compute them. No training. The raw
 * value depends on the scale through the bin width (the spec measured -8.5e5 at std 1e-4, +15 at std 1); the
 * normalised one does not.
 *
 * Run: `deno run -A scripts/enhanced_sgd_fig4_entropy_scale.ts` (seconds).
 *
 * @module
 */
import { type FigureResult, VEGA_LITE_SCHEMA } from "../lib/plot/figure.ts";
import { figureMain } from "../lib/plot/figure_script.ts";
import { type BackendChoice, getBackend } from "../lib/backend/select.ts";
import { entropyAgainstScale } from "../lib/enhanced_sgd/experiments.ts";

/** Configuration. */
export interface EntropyConfig extends Record<string, unknown> {
  /** Gradient elements. */
  n: number;
  /** Scales per decade. */
  perDecade: number;
  seed: number;
  backend: BackendChoice;
}

/** Quick scale (the spec's N = 1e5). */
export const defaultConfig: EntropyConfig = { n: 100_000, perDecade: 2, seed: 1, backend: "auto" };
/** Finer scales, a million elements. */
export const fullConfig: EntropyConfig = { ...defaultConfig, n: 1_000_000, perDecade: 4 };
/** Tiny scale for tests. */
export const testConfig: EntropyConfig = { ...defaultConfig, n: 2000, perDecade: 1 };

/** Runs the figure. */
export async function run(config: EntropyConfig = defaultConfig): Promise<FigureResult> {
  const backend = await getBackend(config.backend);
  const stds = Array.from({ length: 5 * config.perDecade + 1 }, (_, k) => 10 ** (-4 + k / config.perDecade));
  const points = await entropyAgainstScale(backend, stds, config.n, config.seed);
  const rows = points.flatMap((p) => [
    { std: p.std, measure: "raw density 'entropy' (original)", value: p.raw },
    { std: p.std, measure: "normalised Shannon entropy (clean)", value: p.normalised },
  ]);
  const norms = points.map((p) => p.normalised);
  const at = (std: number) =>
    points.reduce((a, b) => Math.abs(Math.log(b.std / std)) < Math.abs(Math.log(a.std / std)) ? b : a);
  const spec: FigureResult["spec"] = {
    $schema: VEGA_LITE_SCHEMA,
    title: "Histogram entropy of Gaussian gradients against their std",
    description:
      `F2.4: raw (original) vs normalised Shannon entropy of the 100-bin histogram of ${config.n} normals`,
    data: { values: rows },
    facet: { row: { field: "measure", type: "nominal", title: null } },
    resolve: { scale: { y: "independent" } },
    spec: {
      width: 420,
      height: 160,
      mark: { type: "line", point: true },
      encoding: {
        x: { field: "std", type: "quantitative", scale: { type: "log" }, title: "gradient std" },
        y: { field: "value", type: "quantitative", scale: { zero: false }, title: "entropy" },
      },
    },
  };
  return {
    spec,
    summary: {
      config,
      backend: backend.name,
      rawAtStd1e4: at(1e-4).raw,
      rawAtStd1: at(1).raw,
      normalisedMin: Math.min(...norms),
      normalisedMax: Math.max(...norms),
      normalisedNats: norms[0] * Math.log(100),
      points,
    },
  };
}

if (import.meta.main) {
  await figureMain<EntropyConfig>({
    name: "enhanced_sgd_fig4_entropy_scale",
    description: "raw vs normalised histogram entropy against gradient scale",
    options: {
      n: { type: "number", description: "gradient elements" },
      perDecade: { type: "number", description: "scales per decade from 1e-4 to 10" },
    },
    defaultConfig,
    fullConfig,
    testConfig,
    run,
  });
}
