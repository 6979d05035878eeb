/**
 * Figure F2.2 of EnhancedSGD (spec seed002): momentum against step, faithful vs clean, on the runs of F2.1.
 * The faithful momentum is clamped by min(max(m P_mom, 0.85), 0.99 D) with D = max(0.5, 1 - e/20): the bounds
 * cross for e >= 3, so it is forced to 0.99 (1 - e/20) whatever the controller does. The summary lists the
 * faithful momentum at each epoch's end, the forced value, and the largest deviation from it for e >= 3.
 *
 * Run: `deno run -A scripts/enhanced_sgd_fig2_momentum.ts` (shares F2.1's runs in one process).
 *
 * @module
 */
import { type FigureResult, VEGA_LITE_SCHEMA } from "../lib/plot/figure.ts";
import { figureMain } from "../lib/plot/figure_script.ts";
import {
  CONTROLLER_RUN_OPTIONS,
  type ControllerRunConfig,
  controllerRuns,
  defaultConfig,
  epochRules,
  fullConfig,
  testConfig,
} from "./enhanced_sgd_fig1_lr.ts";

export { defaultConfig, fullConfig, testConfig };

/** Runs the figure. */
export async function run(config: ControllerRunConfig = defaultConfig): Promise<FigureResult> {
  const { backend, faithful, clean } = await controllerRuns(config);
  const rows = [
    ...faithful.map((r) => ({ series: "ESGD faithful", step: r.step, momentum: r.momentum })),
    ...clean.map((r) => ({ series: "ESGD clean", step: r.step, momentum: r.momentum })),
    ...faithful.map((r) => ({
      series: "0.99 (1 - e/20)",
      step: r.step,
      momentum: 0.99 * Math.max(0.5, 1 - r.epoch / 20),
    })),
  ];
  const perEpoch = Array.from({ length: config.epochs }, (_, e) => {
    const r = faithful.find((row) => row.step === (e + 1) * config.stepsPerEpoch);
    return { epoch: e + 1, momentum: r?.momentum ?? null, forced: 0.99 * Math.max(0.5, 1 - (e + 1) / 20) };
  });
  const late = faithful.filter((r) => r.epoch >= 3);
  const deviation = late.length
    ? Math.max(...late.map((r) => Math.abs(r.momentum - 0.99 * Math.max(0.5, 1 - r.epoch / 20))))
    : null;
  const cleanM = clean.map((r) => r.momentum);
  const spec: FigureResult["spec"] = {
    $schema: VEGA_LITE_SCHEMA,
    title: "EnhancedSGD momentum against step: faithful is forced to 0.99 (1 - e/20) from epoch 3",
    description:
      "F2.2: momentum of EnhancedSGD faithful (crossed clamp) and clean (bounds [0.5, 0.99]); epochs as rules",
    width: 460,
    height: 240,
    layer: [
      {
        data: { values: epochRules(config) },
        mark: { type: "rule", color: "#ccc" },
        encoding: { x: { field: "step", type: "quantitative" } },
      },
      {
        data: { values: rows },
        mark: { type: "line" },
        encoding: {
          x: { field: "step", type: "quantitative", title: "step" },
          y: { field: "momentum", type: "quantitative", scale: { zero: false }, title: "momentum" },
          color: { field: "series", type: "nominal", title: null },
          strokeDash: { field: "series", type: "nominal", legend: null },
        },
      },
    ],
  };
  return {
    spec,
    summary: {
      config,
      backend: backend.name,
      faithfulMomentumAtEpochEnd: perEpoch,
      faithfulMaxDeviationFromForcedFromEpoch3: deviation,
      cleanMomentumMin: Math.min(...cleanM),
      cleanMomentumMax: Math.max(...cleanM),
    },
  };
}

if (import.meta.main) {
  await figureMain<ControllerRunConfig>({
    name: "enhanced_sgd_fig2_momentum",
    description: "EnhancedSGD momentum against step: faithful (forced 0.99 (1 - e/20)) vs clean",
    options: CONTROLLER_RUN_OPTIONS,
    defaultConfig,
    fullConfig,
    testConfig,
    run,
  });
}
