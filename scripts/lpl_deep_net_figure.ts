/**
 * The Vega-Lite spec of figure F4.5 (scripts/lpl_fig5_deep_net.ts).
 *
 * @module
 */
import { type FigureResult, VEGA_LITE_SCHEMA } from "../lib/plot/figure.ts";
import type { LplFig5Config } from "./lpl_deep_net_config.ts";

/** The four panels: last-block accuracy per rule, accuracy, participation ratio and mean activity per block. */
export function fig5Spec(
  results: Record<string, unknown>[],
  last: number,
  pixel: number,
  chance: number,
  dataset: string,
  config: LplFig5Config,
): FigureResult["spec"] {
  const size = { width: 200, height: 180 };
  const byLayer = (field: string, title: string, log = false) => ({
    mark: { type: "line" as const, point: true },
    encoding: {
      x: { field: "layer", type: "ordinal" as const, title: "block" },
      y: {
        field,
        aggregate: "mean" as const,
        type: "quantitative" as const,
        title: config.seeds > 1 ? `${title} (mean of ${config.seeds} seeds)` : title,
        ...(log ? { scale: { type: "log" as const } } : {}),
      },
      color: { field: "rule", type: "nominal" as const },
    },
  });
  const lines = [
    { mark: { type: "rule" as const, strokeDash: [6, 3] }, encoding: { y: { datum: pixel } } },
    { mark: { type: "rule" as const, strokeDash: [1, 3] }, encoding: { y: { datum: chance } } },
  ];
  return {
    $schema: VEGA_LITE_SCHEMA,
    title: `Layer-local LPL conv net on ${dataset} (F4.5): readout, dimensionality, activity`,
    description: `${config.steps} steps of ${config.batch} view pairs, Adam lr ${config.learningRate} ` +
      `(scaling ${config.lrScaling}), seeds ${config.seed}..${
        config.seed + config.seeds - 1
      }; probe fitted on ` +
      `${config.probeRows} training images, tested on ${config.probeRows} test images; bars: mean over seeds, ` +
      `points: each seed; dashed: pixel readout ${pixel}, dotted: chance ${chance}`,
    data: { values: results },
    hconcat: [
      {
        ...size,
        layer: [
          {
            transform: [{ filter: `datum.layer == ${last}` }],
            mark: "bar",
            encoding: {
              x: { field: "rule", type: "nominal", title: `rule (block ${last})` },
              y: {
                field: "probeTestAccuracy",
                aggregate: "mean",
                type: "quantitative",
                title: "linear readout accuracy",
                scale: { domain: [0, 1] },
              },
              color: { field: "rule", type: "nominal" },
            },
          },
          {
            transform: [{ filter: `datum.layer == ${last}` }],
            mark: { type: "point", color: "black", filled: true },
            encoding: {
              x: { field: "rule", type: "nominal" },
              y: { field: "probeTestAccuracy", type: "quantitative" },
            },
          },
          ...lines,
        ],
      },
      { ...size, layer: [byLayer("probeTestAccuracy", "linear readout accuracy"), ...lines] },
      // a block whose features are all 0 has PR 0: left off the log axis
      {
        ...size,
        transform: [{ filter: "datum.participationRatio > 0" }],
        ...byLayer("participationRatio", "participation ratio", true),
      },
      { ...size, ...byLayer("meanActivity", "mean activity") },
    ],
  };
}
