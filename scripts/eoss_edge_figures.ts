/**
 * The figures of scripts/eoss_edge.ts: BS / (2/eta) and lambda_max / (2/eta) against the step (one panel per
 * setting, one line per seed), and the fork's full loss and batch sharpness over each branch's own 2/eta.
 *
 * @module
 */
import type { EossRow } from "../lib/eoss/metrics.ts";
import { type FigureResult, VEGA_LITE_SCHEMA } from "../lib/plot/figure.ts";

/** The dashed line at 1 (= 2/eta) of both figures. */
const UNIT_RULE = {
  data: { values: [{ one: 1 }] },
  mark: { type: "rule", strokeDash: [6, 4], color: "black" },
  encoding: { y: { field: "one", type: "quantitative" } },
};

/** Points {panel, seed, quantity, step, ratio} of BS and lambda_max over 2/eta. */
export function ratioPoints(rows: EossRow[], panel: string, seed: string, threshold: number) {
  const out: Record<string, unknown>[] = [];
  for (const [key, label] of [["batch_sharpness", "BS / (2/eta)"], ["lambda_max", "lambda_max / (2/eta)"]]) {
    for (const r of rows) {
      const v = r[key as "batch_sharpness" | "lambda_max"];
      if (Number.isFinite(v)) out.push({ panel, seed, quantity: label, step: r.step, ratio: v / threshold });
    }
  }
  return out;
}

/** The physics figure: BS and lambda_max over 2/eta per setting, the 1 +- 10% band shaded. */
export function edgeFigure(points: Record<string, unknown>[], title: string): FigureResult["spec"] {
  return {
    $schema: VEGA_LITE_SCHEMA,
    title,
    description:
      "BS / (2/eta) (green) and lambda_max / (2/eta) (blue) against the step, one line per seed; the band is 1 +- 10%",
    data: { values: points },
    facet: { field: "panel", type: "nominal", title: null },
    columns: 2,
    spec: {
      width: 320,
      height: 200,
      layer: [
        {
          data: { values: [{ lo: 0.9, hi: 1.1 }] },
          mark: { type: "rect", color: "#ddd", opacity: 0.6 },
          encoding: { y: { field: "lo", type: "quantitative" }, y2: { field: "hi" } },
        },
        {
          mark: { type: "line", strokeWidth: 1.2 },
          encoding: {
            x: { field: "step", type: "quantitative", title: "step" },
            y: { field: "ratio", type: "quantitative", title: "value / (2/eta)" },
            color: {
              field: "quantity",
              type: "nominal",
              title: null,
              scale: { range: ["#2ca02c", "#1f77b4"] },
              legend: { orient: "bottom" },
            },
            detail: { field: "seed" },
          },
        },
        UNIT_RULE,
      ],
    },
  } as unknown as FigureResult["spec"];
}

/** The fork figure: full loss (log) and batch sharpness over each branch's own 2/eta, the fork step marked. */
export function forkFigure(
  points: Record<string, unknown>[],
  forkStep: number,
  factor: number,
): FigureResult["spec"] {
  const x = { field: "step", type: "quantitative", title: "step" };
  const color = { field: "branch", type: "nominal", title: null, legend: { orient: "bottom" } };
  /** One panel: a line per branch and seed of the rows `filter` keeps, then the extra layers. */
  const panel = (height: number, filter: string, y: Record<string, unknown>, extra: unknown[]) => ({
    width: 460,
    height,
    transform: [{ filter }],
    layer: [{ mark: { type: "line" }, encoding: { x, y, color, detail: { field: "seed" } } }, ...extra],
  });
  const rule = {
    data: { values: [{ step: forkStep }] },
    mark: { type: "rule", color: "#888" },
    encoding: { x: { field: "step", type: "quantitative" } },
  };
  return {
    $schema: VEGA_LITE_SCHEMA,
    title: `Fork at step ${forkStep}: eta x ${factor}`,
    description:
      "Full loss (log, top) and batch sharpness over each branch's own 2/eta (bottom) of the control and the fork, one line per seed; the fork step is grey",
    data: { values: points },
    vconcat: [
      panel(130, "datum.quantity === 'full loss'", {
        field: "value",
        type: "quantitative",
        scale: { type: "log" },
        title: "full loss (log)",
      }, [rule]),
      panel(200, "datum.quantity !== 'full loss'", {
        field: "value",
        type: "quantitative",
        title: "BS / (own 2/eta)",
      }, [UNIT_RULE, rule]),
    ],
  } as unknown as FigureResult["spec"];
}
