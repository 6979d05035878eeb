/**
 * Vega-Lite building blocks of the Dyson figures: a scaling plot (points with error bars per
 * series and dashed reference lines), stacked density panels with dashed target lines, and the
 * side-by-side spacing panels (P(s) with the Wigner surmise, P(S) with the scaled surmise).
 *
 * @module
 */
import { type FigureResult, VEGA_LITE_SCHEMA } from "../plot/figure.ts";
import { densityHistogram } from "../stats/histogram.ts";
import { wignerSurmise, wignerSurmiseScaled } from "../spectral/wigner_surmise.ts";

type Spec = FigureResult["spec"];
const Q = "quantitative" as const;

/** A point of a scaling plot. */
export interface ScalingPoint {
  series: string;
  x: number;
  y: number;
  /** Error of y (0 for none). */
  error: number;
}

/** A dashed line from (0, 0) to (xMax, slope xMax). */
export interface ScalingLine {
  label: string;
  slope: number;
}

/** Options of {@linkcode scalingSpec}. */
export interface ScalingSpecOptions {
  title: string;
  xTitle: string;
  yTitle: string;
  points: ScalingPoint[];
  lines: ScalingLine[];
  /** Series colours in series order (default navy, crimson, green). */
  colours?: string[];
  /** Explicit axis domains. */
  xDomain?: [number, number];
  yDomain?: [number, number];
}

/** Points with error bars per series and dashed lines through the origin (figures 5-8, 12-14). */
export function scalingSpec(o: ScalingSpecOptions): Spec {
  const xMax = o.xDomain?.[1] ?? 1.1 * Math.max(...o.points.map((p) => p.x));
  const lineRows = o.lines.flatMap((l) => [
    { line: l.label, x: o.xDomain?.[0] ?? 0, y: l.slope * (o.xDomain?.[0] ?? 0) },
    { line: l.label, x: xMax, y: l.slope * xMax },
  ]);
  const points = o.points.map((p) => ({ ...p, low: p.y - p.error, high: p.y + p.error }));
  const series = [...new Set(o.points.map((p) => p.series))];
  const scaleX = o.xDomain ? { domain: o.xDomain } : {};
  const scaleY = o.yDomain ? { domain: o.yDomain } : {};
  return {
    $schema: VEGA_LITE_SCHEMA,
    title: o.title,
    width: 380,
    height: 300,
    layer: [
      {
        data: { values: lineRows },
        mark: { type: "line", strokeDash: [5, 3], clip: true },
        encoding: {
          x: { field: "x", type: Q, title: o.xTitle, scale: scaleX },
          y: { field: "y", type: Q, title: o.yTitle, scale: scaleY },
          color: {
            field: "line",
            type: "nominal",
            title: "line",
            scale: { range: ["black", "gray", "silver"] },
            legend: { labelLimit: 320 },
          },
        },
      },
      {
        data: { values: points },
        layer: [
          {
            mark: { type: "rule", clip: true },
            encoding: {
              x: { field: "x", type: Q },
              y: { field: "low", type: Q },
              y2: { field: "high" },
              stroke: { field: "series", type: "nominal", legend: null },
            },
          },
          {
            mark: { type: "point", filled: false, size: 50, clip: true },
            encoding: {
              x: { field: "x", type: Q },
              y: { field: "y", type: Q },
              shape: {
                field: "series",
                type: "nominal",
                title: "series",
                scale: { domain: series },
                legend: { labelLimit: 300 },
              },
              stroke: {
                field: "series",
                type: "nominal",
                title: "series",
                scale: { domain: series, range: o.colours ?? ["navy", "crimson", "green"] },
                legend: { labelLimit: 300 },
              },
            },
          },
        ],
      },
    ],
    resolve: { scale: { color: "independent", stroke: "independent" } },
  } as Spec;
}

/** One stacked density panel: a histogram and dashed vertical lines. */
export interface DensityPanel {
  title: string;
  centres: ArrayLike<number>;
  density: ArrayLike<number>;
  lines: number[];
  /** Optional fitted curve (x, y). */
  curve?: { x: number; y: number }[];
}

/** Stacked density panels sharing an x axis (figures 1, 2, 9, 11). */
export function densityPanelsSpec(
  title: string,
  panels: DensityPanel[],
  x: { title: string; domain?: [number, number] },
  y: { title: string; domain?: [number, number] },
  columns = 1,
): Spec {
  const one = (p: DensityPanel) => ({
    title: p.title,
    width: columns > 1 ? 180 : 420,
    height: columns > 1 ? 110 : 130,
    layer: [
      {
        data: { values: Array.from(p.centres, (c, i) => ({ x: c, density: p.density[i] })) },
        mark: { type: "bar" as const, color: "steelblue", opacity: 0.7, clip: true },
        encoding: {
          x: { field: "x", type: Q, title: x.title, ...(x.domain ? { scale: { domain: x.domain } } : {}) },
          y: {
            field: "density",
            type: Q,
            title: y.title,
            ...(y.domain ? { scale: { domain: y.domain } } : {}),
          },
        },
      },
      {
        data: { values: p.lines.map((v) => ({ at: v })) },
        mark: { type: "rule" as const, strokeDash: [4, 3], color: "black", clip: true },
        encoding: { x: { field: "at", type: Q } },
      },
      ...(p.curve
        ? [{
          data: { values: p.curve },
          mark: { type: "line" as const, color: "crimson", clip: true },
          encoding: { x: { field: "x", type: Q }, y: { field: "y", type: Q } },
        }]
        : []),
    ],
  });
  return { $schema: VEGA_LITE_SCHEMA, title, columns, concat: panels.map(one) } as Spec;
}

/** Spacings of one setting for the side-by-side panels. */
export interface SpacingSeries {
  /** The swept value (colour). */
  setting: number;
  spacings: ArrayLike<number>;
  meanSpacing: number;
}

/**
 * One row of figures 3/4: left P(s), s = S/<S>, of every setting with the GOE surmise; right
 * P(S) with the surmise scaled by each setting's <S>.
 */
export function spacingRowSpec(
  label: string,
  settingTitle: string,
  series: SpacingSeries[],
  sMax: number,
): { hconcat: unknown[] } {
  const scaled: Record<string, unknown>[] = [], raw: Record<string, unknown>[] = [];
  const theory: Record<string, unknown>[] = [];
  for (const st of series) {
    const hs = densityHistogram(Array.from(st.spacings, (v) => v / st.meanSpacing), {
      range: [0, 4],
      bins: 24,
    });
    hs.centres.forEach((c, i) => scaled.push({ setting: st.setting, s: c, density: hs.density[i] }));
    const hS = densityHistogram(st.spacings, { range: [0, sMax], bins: 30 });
    hS.centres.forEach((c, i) => raw.push({ setting: st.setting, s: c, density: hS.density[i] }));
    for (let i = 0; i <= 60; i++) {
      const S = sMax * i / 60;
      theory.push({ setting: st.setting, s: S, density: wignerSurmiseScaled(S, st.meanSpacing) });
    }
  }
  const surmise = Array.from({ length: 81 }, (_, i) => ({ s: i / 20, density: wignerSurmise(i / 20) }));
  const colour = {
    field: "setting",
    type: "ordinal" as const,
    title: `${settingTitle} (${label})`,
    scale: { scheme: "viridis" },
  };
  const left = {
    title: `${label}: P(s)`,
    width: 220,
    height: 150,
    layer: [
      {
        data: { values: scaled },
        mark: { type: "line" as const, interpolate: "step" as const, opacity: 0.6, clip: true },
        encoding: {
          x: { field: "s", type: Q, title: "s = S / <S>", scale: { domain: [0, 4] } },
          y: { field: "density", type: Q, title: "P(s)", scale: { domain: [0, 1.5] } },
          color: colour,
        },
      },
      {
        data: { values: surmise },
        mark: { type: "line" as const, color: "black", strokeDash: [4, 3] },
        encoding: { x: { field: "s", type: Q }, y: { field: "density", type: Q } },
      },
    ],
  };
  const right = {
    title: `${label}: P(S)`,
    width: 220,
    height: 150,
    layer: [
      {
        data: { values: raw },
        mark: { type: "line" as const, interpolate: "step" as const, opacity: 0.6, clip: true },
        encoding: {
          x: { field: "s", type: Q, title: "S", scale: { domain: [0, sMax] } },
          y: { field: "density", type: Q, title: "P(S)" },
          color: colour,
        },
      },
      {
        data: { values: theory },
        mark: { type: "line" as const, strokeDash: [4, 3], clip: true },
        encoding: { x: { field: "s", type: Q }, y: { field: "density", type: Q }, color: colour },
      },
    ],
  };
  return { hconcat: [left, right] };
}
