/**
 * Figure F4.4 of the LPL line (the paper's Extended Data Fig. 1, notebook E1): the shape of the LPL rule
 * for one synapse whose input co-varies with the postsynaptic rate z (lib/lpl/rule_shape.ts):
 * dw = [-dz/dt + (z - zbar) / sigma^2] f'(a). Top: dw against z, varying zbar (sigma^2 = 1, dz/dt = 0),
 * sigma^2 (zbar = 30) and dz/dt (zbar = 30, sigma^2 = 1), for a ReLU and the saturating f-I curve of
 * Rajan et al. (2010). Bottom: heatmaps of dw at a fixed rate over (dz/dt, sigma^2) and (zbar, sigma^2).
 * The summary gives the zero crossing z* = zbar + sigma^2 dz/dt of every curve (the sliding threshold).
 * No training: the figure is closed-form, so quick and full scales are the same apart from resolution.
 *
 * Run: `deno run -A scripts/lpl_fig4_rule_shape.ts`.
 *
 * @module
 */
import { parseNumberList, requireOption } from "../lib/cli.ts";
import { type FigureResult, VEGA_LITE_SCHEMA } from "../lib/plot/figure.ts";
import { figureMain } from "../lib/plot/figure_script.ts";
import { lplThreshold, lplWeightChange, RELU_RATE, SATURATING_RATE } from "../lib/lpl/rule_shape.ts";
import { linspace, round4 } from "../lib/lpl/toy_sweeps.ts";

/** Configuration of figure F4.4. */
export interface LplFig4Config extends Record<string, unknown> {
  /** Running means zbar, comma-separated. */
  zBars: string;
  /** Variances sigma^2, comma-separated. */
  variances: string;
  /** Temporal changes dz/dt, comma-separated. */
  changes: string;
  /** Rates z from 0 to zMax. */
  zMax: number;
  /** Points per curve. */
  points: number;
  /** The rate z of the heatmaps. */
  heatmapRate: number;
  /** Cells per heatmap axis. */
  heatmapCells: number;
}

/** Quick scale (also the paper's: closed form). */
export const defaultConfig: LplFig4Config = {
  zBars: "20,30,40",
  variances: "0.7,1,2",
  changes: "-10,0,10",
  zMax: 70,
  points: 141,
  heatmapRate: 35,
  heatmapCells: 21,
};

/** Full scale: finer curves and heatmaps. */
export const fullConfig: LplFig4Config = { ...defaultConfig, points: 561, heatmapCells: 61 };

/** Tiny scale for tests. */
export const testConfig: LplFig4Config = { ...defaultConfig, points: 15, heatmapCells: 5 };

/**
 * Builds the figure.
 *
 * @param config The configuration.
 * @returns The Vega-Lite spec and the summary.
 */
export function run(config: LplFig4Config = defaultConfig): Promise<FigureResult> {
  const zBars = parseNumberList("zBars", config.zBars);
  const variances = parseNumberList("variances", config.variances, { min: Number.MIN_VALUE });
  const changes = parseNumberList("changes", config.changes);
  requireOption("points", config.points, { integer: true, min: 2 });
  requireOption("heatmapCells", config.heatmapCells, { integer: true, min: 2 });
  const zs = linspace(0, config.zMax, config.points);
  const lines: Record<string, unknown>[] = [];
  const thresholds: Record<string, unknown>[] = [];
  const mid = { zBar: zBars[Math.floor(zBars.length / 2)], variance: 1, change: 0 };
  const families = [
    ...zBars.map((zBar) => ({ varied: "zbar", value: zBar, ...mid, zBar })),
    ...variances.map((variance) => ({ varied: "sigma^2", value: variance, ...mid, variance })),
    ...changes.map((change) => ({ varied: "dz/dt", value: change, ...mid, change })),
  ];
  for (const f of [RELU_RATE, SATURATING_RATE]) {
    for (const c of families) {
      for (const z of zs) {
        if (z >= f.maxRate) continue;
        lines.push({
          rate: f.name,
          varied: c.varied,
          value: String(c.value),
          z,
          dw: lplWeightChange(z, c.zBar, c.variance, c.change, f),
        });
      }
      if (f === RELU_RATE) {
        thresholds.push({
          varied: c.varied,
          zBar: c.zBar,
          variance: c.variance,
          dzdt: c.change,
          zStar: round4(lplThreshold(c.zBar, c.variance, c.change)),
        });
      }
    }
  }
  const heat: Record<string, unknown>[] = [];
  const varianceAxis = linspace(Math.min(...variances), Math.max(...variances), config.heatmapCells);
  const changeAxis = linspace(Math.min(...changes), Math.max(...changes), config.heatmapCells);
  const zBarAxis = linspace(Math.min(...zBars), Math.max(...zBars), config.heatmapCells);
  for (const variance of varianceAxis) {
    for (const change of changeAxis) {
      heat.push({
        map: "dz/dt",
        x: change,
        variance,
        dw: lplWeightChange(config.heatmapRate, mid.zBar, variance, change, RELU_RATE),
      });
    }
    for (const zBar of zBarAxis) {
      heat.push({
        map: "zbar",
        x: zBar,
        variance,
        dw: lplWeightChange(config.heatmapRate, zBar, variance, 0, RELU_RATE),
      });
    }
  }
  const heatmap = (map: string) => ({
    title: `dw at z = ${config.heatmapRate} over (${map}, sigma^2), ReLU`,
    width: 220,
    height: 180,
    data: { values: heat },
    transform: [{ filter: `datum.map === '${map}'` }],
    mark: { type: "rect" as const },
    encoding: {
      x: { field: "x", type: "ordinal" as const, title: map, axis: { format: ".3~g" } },
      y: {
        field: "variance",
        type: "ordinal" as const,
        title: "sigma^2",
        sort: "descending" as const,
        axis: { format: ".2~g" },
      },
      color: {
        field: "dw",
        type: "quantitative" as const,
        scale: { scheme: "redblue", domainMid: 0, reverse: true },
      },
    },
  });
  const spec: FigureResult["spec"] = {
    $schema: VEGA_LITE_SCHEMA,
    title: "The LPL rule for one synapse: dw = [-dz/dt + (z - zbar) / sigma^2] f'(a)",
    description: "F4.4 (Extended Data Fig. 1): weight change against the postsynaptic rate, and heatmaps " +
      `at z = ${config.heatmapRate} (ReLU); zero crossing z* = zbar + sigma^2 dz/dt`,
    vconcat: [
      {
        data: { values: lines },
        facet: {
          row: { field: "rate", type: "nominal", title: "f" },
          column: { field: "varied", type: "nominal", title: "varied" },
        },
        spec: {
          width: 200,
          height: 150,
          layer: [
            { mark: { type: "rule", color: "#999" }, encoding: { y: { datum: 0 } } },
            {
              mark: { type: "line" },
              encoding: {
                x: { field: "z", type: "quantitative", title: "postsynaptic rate z" },
                y: { field: "dw", type: "quantitative", title: "dw" },
                color: { field: "value", type: "nominal", title: "value" },
              },
            },
          ],
        },
        resolve: { scale: { y: "independent" } },
      },
      { hconcat: [heatmap("dz/dt"), heatmap("zbar")] },
    ],
  };
  return Promise.resolve({
    spec,
    summary: {
      config,
      thresholds,
      note:
        "dw < 0 below z* (depression), > 0 above (potentiation), ReLU; the saturating curve scales dw by f'(a) = 1 - (z / 78)^2",
    },
  });
}

if (import.meta.main) {
  await figureMain<LplFig4Config>({
    name: "lpl_fig4_rule_shape",
    description: "shape of the LPL rule: dw against the postsynaptic rate for several zbar, sigma^2, dz/dt",
    options: {
      zBars: { type: "string", description: "running means zbar, comma-separated" },
      variances: { type: "string", description: "variances sigma^2, comma-separated" },
      changes: { type: "string", description: "temporal changes dz/dt, comma-separated" },
      zMax: { type: "number", description: "largest rate plotted" },
      points: { type: "number", description: "points per curve" },
      heatmapRate: { type: "number", description: "rate z of the heatmaps" },
      heatmapCells: { type: "number", description: "cells per heatmap axis" },
    },
    defaultConfig,
    fullConfig,
    run,
  });
}
