/**
 * Figure 5 of the teacher-student line: sampler checks. For each data model, the histogram of the
 * projection x.u on the spike / teacher direction (class +1 samples of the spiked models) against its
 * exact density, and the measured skewness and excess kurtosis against the closed forms:
 *
 * - RademacherCumulant(beta): x.u = (z + sqrt(beta) g) / sqrt(1 + beta), g = +-1: variance 1 (exact
 *   whitening), skewness 0, excess kurtosis -2 (beta / (1 + beta))^2 (-1.389 at beta = 5).
 * - SkewedCumulant(beta, rho): g two-point with skewness (1 - 2 rho) / sqrt(rho (1 - rho)) and excess
 *   kurtosis (1 - 6 rho (1 - rho)) / (rho (1 - rho)), scaled by (beta / (1 + beta))^{3/2} and ^2
 *   (-0.664 and -0.860 at beta = 5, rho = 0.7).
 * - LegacySpike(snr): x.u = sqrt(1 - snr^2) z + snr g: variance 1, skewness 0, kurtosis -2 snr^4.
 * - Perceptron: x.u ~ N(0, 1).
 *
 * A direction orthogonal to u is a Gaussian control. The samples come from `model.sample(n)` (the float64
 * reference of the kernels' draws, same Philox stream).
 *
 * Run: `deno run -A scripts/teacher_student_fig5_samplers.ts`.
 *
 * @module
 */
import { type FigureResult, VEGA_LITE_SCHEMA } from "../lib/plot/figure.ts";
import { figureMain } from "../lib/plot/figure_script.ts";
import {
  type DataModel,
  LegacySpike,
  Perceptron,
  RademacherCumulant,
  SkewedCumulant,
} from "../lib/teacher_student/samplers.ts";

/** Configuration of figure 5. */
export interface Fig5Config extends Record<string, unknown> {
  /** Samples drawn per model (class models keep their label +1 half). */
  samples: number;
  /** Dimension (the projection's law does not depend on it). */
  d: number;
  beta: number;
  rho: number;
  snr: number;
  bins: number;
  seed: number;
}

/** Quick scale: about two seconds. */
export const defaultConfig: Fig5Config = {
  samples: 40000,
  d: 16,
  beta: 5,
  rho: 0.7,
  snr: 0.9,
  bins: 60,
  seed: 0,
};

/** Tiny scale for tests. */
export const testConfig: Fig5Config = { ...defaultConfig, samples: 4000, bins: 30 };

/** Paper-like scale (the notebook histogrammed 10^5 samples). */
export const fullConfig: Fig5Config = { ...defaultConfig, samples: 400000 };

const normalDensity = (x: number, mean: number, variance: number) =>
  Math.exp(-((x - mean) ** 2) / (2 * variance)) / Math.sqrt(2 * Math.PI * variance);

/** A model with its exact law along u: a two-point mixture of Gaussians, and the predicted moments. */
interface Case {
  name: string;
  model: DataModel;
  /** Keep only label +1 samples. */
  spikedOnly: boolean;
  /** x.u = scale z + sum over atoms (weight, location). */
  atoms: [number, number][];
  noiseVariance: number;
  skewness: number;
  kurtosis: number;
}

function cases(c: Fig5Config): Case[] {
  const { d, beta, rho, snr, seed } = c;
  const r = beta / (1 + beta), s = 1 / Math.sqrt(1 + beta);
  const pq = rho * (1 - rho);
  const high = (1 - rho) / Math.sqrt(pq), low = -rho / Math.sqrt(pq);
  return [
    {
      name: "Perceptron",
      model: new Perceptron({ d, seed }),
      spikedOnly: false,
      atoms: [[1, 0]],
      noiseVariance: 1,
      skewness: 0,
      kurtosis: 0,
    },
    {
      name: `RademacherCumulant (beta ${beta})`,
      model: new RademacherCumulant({ d, seed, beta, pSpike: 0.5 }),
      spikedOnly: true,
      atoms: [[0.5, Math.sqrt(beta) * s], [0.5, -Math.sqrt(beta) * s]],
      noiseVariance: s * s,
      skewness: 0,
      kurtosis: -2 * r * r,
    },
    {
      name: `SkewedCumulant (beta ${beta}, rho ${rho})`,
      model: new SkewedCumulant({ d, seed, beta, rho, pSpike: 0.5 }),
      spikedOnly: true,
      atoms: [[rho, Math.sqrt(beta) * s * high], [1 - rho, Math.sqrt(beta) * s * low]],
      noiseVariance: s * s,
      skewness: r ** 1.5 * (1 - 2 * rho) / Math.sqrt(pq),
      kurtosis: r * r * (1 - 6 * pq) / pq,
    },
    {
      name: `LegacySpike (snr ${snr})`,
      model: new LegacySpike({ d, seed, snr, pSpike: 0.5 }),
      spikedOnly: true,
      atoms: [[0.5, snr], [0.5, -snr]],
      noiseVariance: 1 - snr * snr,
      skewness: 0,
      kurtosis: -2 * snr ** 4,
    },
  ];
}

/** Mean, variance, skewness and excess kurtosis of a sample. */
export function moments(
  v: ArrayLike<number>,
): { mean: number; variance: number; skewness: number; kurtosis: number } {
  const n = v.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += v[i];
  mean /= n;
  let m2 = 0, m3 = 0, m4 = 0;
  for (let i = 0; i < n; i++) {
    const e = v[i] - mean, e2 = e * e;
    m2 += e2;
    m3 += e2 * e;
    m4 += e2 * e2;
  }
  m2 /= n;
  m3 /= n;
  m4 /= n;
  return { mean, variance: m2, skewness: m3 / m2 ** 1.5, kurtosis: m4 / (m2 * m2) - 3 };
}

/**
 * Draws the samples, measures the moments and builds the figure.
 *
 * @param config The configuration.
 * @returns The Vega-Lite spec and the summary.
 */
export function run(config: Fig5Config = defaultConfig): Promise<FigureResult> {
  const lo = -4, hi = 4, width = (hi - lo) / config.bins;
  const histogram: Record<string, unknown>[] = [], density: Record<string, unknown>[] = [];
  const checks: Record<string, unknown>[] = [], models: Record<string, unknown>[] = [];
  for (const c of cases(config)) {
    const d = c.model.d, u = c.model.direction;
    // The control direction: e_0 made orthogonal to u.
    const v = Float64Array.from(u, (ui, i) => (i === 0 ? 1 : 0) - u[0] * ui);
    const vn = Math.hypot(...v);
    const { x, y } = c.model.sample(config.samples);
    const along: number[] = [], across: number[] = [];
    for (let i = 0; i < config.samples; i++) {
      if (c.spikedOnly && y[i] !== 1) continue;
      let a = 0, b = 0;
      for (let j = 0; j < d; j++) {
        a += x[i * d + j] * u[j];
        b += x[i * d + j] * v[j];
      }
      along.push(a);
      across.push(b / vn);
    }
    const n = along.length;
    const counts = new Float64Array(config.bins);
    for (const a of along) {
      const bin = Math.floor((a - lo) / width);
      if (bin >= 0 && bin < config.bins) counts[bin]++;
    }
    counts.forEach((count, b) =>
      histogram.push({
        model: c.name,
        x0: lo + b * width,
        x1: lo + (b + 1) * width,
        density: count / (n * width),
      })
    );
    for (let i = 0; i <= 200; i++) {
      const t = lo + ((hi - lo) * i) / 200;
      const p = c.atoms.reduce((s, [w, at]) => s + w * normalDensity(t, at, c.noiseVariance), 0);
      density.push({ model: c.name, x: t, density: p });
    }
    const m = moments(along), control = moments(across);
    const se = { skewness: Math.sqrt(6 / n), kurtosis: Math.sqrt(24 / n) };
    for (const q of ["skewness", "kurtosis"] as const) {
      checks.push({
        model: c.name,
        moment: q === "kurtosis" ? "excess kurtosis" : "skewness",
        predicted: c[q],
        measured: m[q],
        low: m[q] - 2 * se[q],
        high: m[q] + 2 * se[q],
      });
    }
    models.push({
      model: c.name,
      samples: n,
      variance: m.variance,
      skewness: { measured: m.skewness, predicted: c.skewness, standardError: se.skewness },
      excessKurtosis: { measured: m.kurtosis, predicted: c.kurtosis, standardError: se.kurtosis },
      orthogonalControl: {
        variance: control.variance,
        skewness: control.skewness,
        kurtosis: control.kurtosis,
      },
    });
  }
  const spec: FigureResult["spec"] = {
    $schema: VEGA_LITE_SCHEMA,
    title: "Sampler checks: x.u of class +1 samples (bars) against the exact density (line)",
    description:
      "Histograms of x.u per data model vs exact densities; measured vs predicted skewness and kurtosis",
    vconcat: [
      {
        facet: { column: { field: "model", type: "nominal", title: null } },
        spec: {
          width: 200,
          height: 150,
          layer: [
            {
              transform: [{ filter: "datum.kind === 'histogram'" }],
              mark: { type: "rect", color: "#9ecae1" },
              encoding: {
                x: { field: "x0", type: "quantitative", title: "x.u" },
                x2: { field: "x1" },
                y: { field: "density", type: "quantitative", title: "density" },
                y2: { datum: 0 },
              },
            },
            {
              transform: [{ filter: "datum.kind === 'density'" }],
              mark: { type: "line", color: "black" },
              encoding: {
                x: { field: "x", type: "quantitative" },
                y: { field: "density", type: "quantitative" },
              },
            },
          ],
        },
        data: {
          values: [
            ...histogram.map((r) => ({ ...r, kind: "histogram" })),
            ...density.map((r) => ({ ...r, kind: "density" })),
          ],
        },
      },
      {
        data: { values: checks },
        width: 260,
        height: 200,
        title: "measured (+- 2 SE) vs predicted moments along u",
        layer: [
          {
            data: { values: [{ v: -1.6 }, { v: 0.3 }] },
            mark: { type: "line", color: "#999", strokeDash: [4, 4] },
            encoding: { x: { field: "v", type: "quantitative" }, y: { field: "v", type: "quantitative" } },
          },
          {
            mark: { type: "rule" },
            encoding: {
              x: { field: "predicted", type: "quantitative", title: "predicted" },
              y: { field: "low", type: "quantitative", title: "measured" },
              y2: { field: "high" },
              color: { field: "model", type: "nominal" },
            },
          },
          {
            mark: { type: "point", filled: true },
            encoding: {
              x: { field: "predicted", type: "quantitative" },
              y: { field: "measured", type: "quantitative" },
              color: { field: "model", type: "nominal" },
              shape: { field: "moment", type: "nominal" },
            },
          },
        ],
      },
    ],
  };
  return Promise.resolve({ spec, summary: { config, models } });
}

if (import.meta.main) {
  await figureMain<Fig5Config>({
    name: "teacher_student_fig5_samplers",
    description: "sampler checks: histograms of x.u, measured vs predicted skewness and excess kurtosis",
    options: {
      samples: { type: "number", description: "samples per model" },
      d: { type: "number", description: "dimension" },
      beta: { type: "number", description: "spiked-cumulant snr beta" },
      rho: { type: "number", description: "skewed latent rho" },
      snr: { type: "number", description: "legacy spike snr" },
      bins: { type: "number", description: "histogram bins" },
    },
    defaultConfig,
    fullConfig,
    testConfig,
    run,
  });
}
