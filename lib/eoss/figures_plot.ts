/**
 * The plots shared by the EoSS figure scripts: long-format points of a run's rows and the spec's standard
 * plot (F3.1, EOSS-16). Re-exported by lib/eoss/figures.ts.
 *
 * @module
 */
import type { TopLevelSpec } from "../plot/figure.ts";
import { VEGA_LITE_SCHEMA } from "../plot/figure.ts";
import type { EossRow } from "./metrics.ts";

/** Long-format points of the sharpness quantities of rows: {series, quantity, step, value}. */
export function sharpnessPoints(
  rows: readonly EossRow[],
  series: string,
  quantities: readonly ("batch_sharpness" | "lambda_max" | "step_sharpness" | "gni")[] = [
    "batch_sharpness",
    "lambda_max",
  ],
): Record<string, unknown>[] {
  const label = {
    batch_sharpness: "batch sharpness",
    lambda_max: "lambda_max",
    step_sharpness: "step sharpness",
    gni: "GNI",
  };
  const out: Record<string, unknown>[] = [];
  for (const q of quantities) {
    for (const r of rows) {
      if (Number.isFinite(r[q])) out.push({ series, quantity: label[q], step: r.step, value: r[q] });
    }
  }
  return out;
}

/** Long-format full-loss points {series, step, loss} (finite, positive). */
export function lossPoints(rows: readonly EossRow[], series: string): Record<string, unknown>[] {
  return rows.filter((r) => Number.isFinite(r.full_loss) && r.full_loss > 0)
    .map((r) => ({ series, step: r.step, loss: r.full_loss }));
}

/** Colours of the standard plot (the original's: BS green, lambda_max blue, step sharpness red, loss grey). */
export const EOSS_COLORS = {
  "batch sharpness": "#2ca02c",
  lambda_max: "#1f77b4",
  "step sharpness": "#d62728",
  GNI: "#9467bd",
} as const;

/**
 * The standard EoSS plot (F3.1, EOSS-16): batch sharpness and lambda_max lines, a step-sharpness scatter
 * and the 2/eta line (dashed) on the left axis (0 to 2 (2/eta) unless the data go higher), the full loss
 * (grey) on a log right axis.
 *
 * @param rows The run's rows.
 * @param eta The step size.
 * @param text Title and description (the gallery caption).
 * @param size Width and height (460 x 260).
 */
export function standardEossPlot(
  rows: readonly EossRow[],
  eta: number,
  text: { title: string; description: string },
  size: { width?: number; height?: number } = {},
): TopLevelSpec {
  const threshold = 2 / eta;
  const lines = sharpnessPoints(rows, "run"), scatter = sharpnessPoints(rows, "run", ["step_sharpness"]);
  const top = Math.max(2 * threshold, ...lines.map((p) => p.value as number));
  const domain = Object.keys(EOSS_COLORS).slice(0, 3), range = domain.map((k) => EOSS_COLORS[k as "GNI"]);
  const color = {
    field: "quantity",
    type: "nominal",
    title: null,
    scale: { domain, range },
    legend: { orient: "bottom" },
  } as const;
  const x = { field: "step", type: "quantitative", title: "step" } as const;
  const y = {
    field: "value",
    type: "quantitative",
    title: "sharpness",
    scale: { domain: [0, top], clamp: true },
  } as const;
  return {
    $schema: VEGA_LITE_SCHEMA,
    title: text.title,
    description: text.description,
    width: size.width ?? 460,
    height: size.height ?? 260,
    layer: [
      {
        layer: [
          {
            data: { values: scatter },
            mark: { type: "point", size: 8, opacity: 0.35, filled: true },
            encoding: { x, y, color },
          },
          { data: { values: lines }, mark: { type: "line", point: { size: 14 } }, encoding: { x, y, color } },
          {
            data: { values: [{ threshold, label: `2/eta = ${threshold.toPrecision(3)}` }] },
            mark: { type: "rule", strokeDash: [6, 4], color: "black" },
            encoding: { y: { field: "threshold", type: "quantitative" } },
          },
        ],
      },
      {
        data: { values: lossPoints(rows, "run") },
        mark: { type: "line", color: "#999", strokeWidth: 1 },
        encoding: {
          x,
          y: {
            field: "loss",
            type: "quantitative",
            scale: { type: "log" },
            axis: { orient: "right", titleColor: "#777" },
            title: "full loss (log)",
          },
        },
      },
    ],
    resolve: { scale: { y: "independent" } },
  } as TopLevelSpec;
}
