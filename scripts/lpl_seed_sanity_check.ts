/**
 * The seed project's sanity check (LPL-14): a 20 -> 10 seed-LPL layer on random inputs with
 * x_t ~ N(0, I), x_t1 = x_t + N(0, 0.1^2), all rates 0.01; prints Var(y_t) (across the units of the
 * step's sample, Errata 10) and |W|_F every 500 steps, and plots both against the step.
 *
 * Run: `deno run -A scripts/lpl_seed_sanity_check.ts` (5000 steps, the seed's setting; well under a second).
 *
 * @module
 */
import { requireOption } from "../lib/cli.ts";
import { type FigureResult, VEGA_LITE_SCHEMA } from "../lib/plot/figure.ts";
import { figureMain } from "../lib/plot/figure_script.ts";
import { PhiloxStream } from "../lib/rng/philox.ts";
import {
  createSeedLayer,
  frobeniusNorm,
  SEED_LAYER_RATES,
  seedLayerUpdate,
  unitVariance,
} from "../lib/reference/lpl_seed_layer.ts";

/** Configuration of the sanity check. */
export interface SeedSanityConfig extends Record<string, unknown> {
  inputs: number;
  outputs: number;
  steps: number;
  printEvery: number;
  rate: number;
  noise: number;
  seed: number;
}

/** The seed's sanity_check.py. */
export const defaultConfig: SeedSanityConfig = {
  inputs: 20,
  outputs: 10,
  steps: 5000,
  printEvery: 500,
  rate: 0.01,
  noise: 0.1,
  seed: 42,
};

/** Tiny scale for tests. */
export const testConfig: SeedSanityConfig = { ...defaultConfig, steps: 1000 };

/** Runs the check, printing one line per `printEvery` steps. */
export async function run(config: SeedSanityConfig = defaultConfig): Promise<FigureResult> {
  requireOption("steps", config.steps, { integer: true, min: 1 });
  requireOption("printEvery", config.printEvery, { integer: true, min: 1 });
  const init = new PhiloxStream(config.seed, 1), data = new PhiloxStream(config.seed, 2);
  let k = 0;
  const layer = createSeedLayer(config.inputs, config.outputs, () => init.normal(0, 0, k++));
  const rates = { ...SEED_LAYER_RATES, hebb: config.rate, pred: config.rate, stab: config.rate };
  const rows: { step: number; quantity: string; value: number }[] = [];
  for (let t = 1; t <= config.steps; t++) {
    const xt = Array.from({ length: config.inputs }, (_, j) => data.normal(t, 0, j));
    const xt1 = xt.map((v, j) => v + config.noise * data.normal(t, 1, j));
    const y = seedLayerUpdate(layer, xt, xt1, rates);
    if (t % config.printEvery === 0) {
      const v = unitVariance(y), n = frobeniusNorm(layer.w);
      console.log(`Step ${t}: Var(y)=${v.toFixed(4)}, |W|=${n.toFixed(4)}`);
      rows.push({ step: t, quantity: "Var(y_t)", value: v }, { step: t, quantity: "|W|_F", value: n });
    }
  }
  const last = (q: string) => rows.filter((r) => r.quantity === q).at(-1)?.value ?? NaN;
  const spec: FigureResult["spec"] = {
    $schema: VEGA_LITE_SCHEMA,
    title: "Seed-LPL sanity check: Var(y) and |W| against step",
    description:
      `${config.inputs} -> ${config.outputs} seed-LPL layer, x_t1 = x_t + N(0, ${config.noise}^2), ` +
      `rates ${config.rate}, ${config.steps} steps`,
    data: { values: rows },
    mark: { type: "line", point: true },
    encoding: {
      x: { field: "step", type: "quantitative", title: "step" },
      y: { field: "value", type: "quantitative" },
      color: { field: "quantity", type: "nominal" },
    },
  };
  return {
    spec,
    summary: {
      config,
      finalVarY: last("Var(y_t)"),
      finalWeightNorm: last("|W|_F"),
      skippedUpdates: layer.skipped,
    },
  };
}

if (import.meta.main) {
  await figureMain<SeedSanityConfig>({
    name: "lpl_seed_sanity_check",
    description: "seed-LPL sanity check: Var(y) and |W| every 500 steps on random inputs",
    options: {
      inputs: { type: "number", description: "input dimension" },
      outputs: { type: "number", description: "output dimension" },
      steps: { type: "number", description: "updates" },
      printEvery: { type: "number", description: "print every this many steps" },
      rate: { type: "number", description: "eta_h = eta_p = eta_s" },
      noise: { type: "number", description: "std of x_t1 - x_t" },
    },
    defaultConfig,
    run,
  });
}
