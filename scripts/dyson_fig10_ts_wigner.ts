/**
 * Figure 10 of the Dyson line (spec seed001 B.6, TS notebook `wigner_{n,lr,bs}`): the
 * distribution of normalised spacings s = S/<S> of the 2x2 teacher-student ensembles, one
 * panel per sweep (noise eps, learning rate alpha, batch size |B|), against the GOE Wigner
 * surmise (pi/2) s e^{-pi s^2/4}. The summary gives each setting's <S> and the Kolmogorov-Smirnov
 * distance of its s to the surmise.
 *
 * Run: `deno run -A scripts/dyson_fig10_ts_wigner.ts` (`--full`: 3000 seeds per setting).
 *
 * @module
 */
import { getBackend } from "../lib/backend/select.ts";
import type { BackendChoice } from "../lib/backend/select.ts";
import { runTsSweeps, type TsSweepName } from "../lib/dyson/ts_sweep.ts";
import { wignerSurmise } from "../lib/spectral/wigner_surmise.ts";
import { normaliseSpacings } from "../lib/spectral/level_spacing.ts";
import { densityHistogram } from "../lib/stats/histogram.ts";
import { type FigureResult, VEGA_LITE_SCHEMA } from "../lib/plot/figure.ts";
import { figureMain } from "../lib/plot/figure_script.ts";

/** Configuration. */
export interface Config extends Record<string, unknown> {
  /** Seeds per setting (3000 in the paper). */
  seeds: number;
  /** Epochs (10 in the paper). */
  epochs: number;
  /** Minibatches per epoch (500 in the paper). */
  batchesPerEpoch: number;
  seed: number;
  backend: BackendChoice;
}

/** Quick scale: 400 seeds per setting, the paper's 10 x 500 steps (~10 s on the CPU adapter). */
export const defaultConfig: Config = {
  seeds: 400,
  epochs: 10,
  batchesPerEpoch: 500,
  seed: 1,
  backend: "auto",
};
/** The paper's scale. */
export const fullConfig: Config = { ...defaultConfig, seeds: 3000 };
/** Tiny: for smoke and schema tests (under a second). */
export const testConfig: Config = { ...defaultConfig, seeds: 120, epochs: 2, batchesPerEpoch: 100, seed: 3 };

const TITLES: Record<TsSweepName, string> = { noise: "eps", learningRate: "alpha", batchSize: "|B|" };

/** Kolmogorov-Smirnov distance of a sample to the GOE surmise CDF 1 - e^{-pi s^2/4}. */
export function ksDistanceToSurmise(s: ArrayLike<number>): number {
  const sorted = Float64Array.from(s).sort();
  let d = 0;
  sorted.forEach((v, i) => {
    const cdf = 1 - Math.exp(-Math.PI * v * v / 4);
    d = Math.max(d, Math.abs(cdf - i / sorted.length), Math.abs(cdf - (i + 1) / sorted.length));
  });
  return d;
}

/** Runs the sweeps and builds the figure. */
export async function run(config: Config = defaultConfig): Promise<FigureResult> {
  const backend = await getBackend(config.backend);
  const stats = await runTsSweeps(backend, config);
  const histogramRows: Record<string, unknown>[] = [], settings: Record<string, unknown>[] = [];
  for (const st of stats) {
    const s = normaliseSpacings(st.spacings, st.meanSpacing);
    const h = densityHistogram(s, { range: [0, 4], bins: 32 });
    h.centres.forEach((c, i) =>
      histogramRows.push({ sweep: TITLES[st.sweep], setting: st.value, s: c, density: h.density[i] })
    );
    settings.push({
      sweep: st.sweep,
      value: st.value,
      meanSpacing: st.meanSpacing,
      meanSpacingError: st.meanSpacingError,
      ksDistance: ksDistanceToSurmise(s),
      ksCritical5: 1.358 / Math.sqrt(s.length),
    });
  }
  const surmise = Array.from({ length: 161 }, (_, i) => ({ s: i / 40, density: wignerSurmise(i / 40) }));
  const panel = (sweep: TsSweepName) => ({
    title: `sweep over ${TITLES[sweep]}`,
    width: 220,
    height: 180,
    layer: [
      {
        data: { values: histogramRows.filter((r) => r.sweep === TITLES[sweep]) },
        mark: { type: "line" as const, interpolate: "step" as const, opacity: 0.7 },
        encoding: {
          x: { field: "s", type: "quantitative" as const, title: "s = S / <S>", scale: { domain: [0, 4] } },
          y: { field: "density", type: "quantitative" as const, title: "P(s)", scale: { domain: [0, 1.5] } },
          color: { field: "setting", type: "ordinal" as const, title: TITLES[sweep] },
        },
      },
      {
        data: { values: surmise },
        mark: { type: "line" as const, color: "black", strokeDash: [4, 3] },
        encoding: {
          x: { field: "s", type: "quantitative" as const },
          y: { field: "density", type: "quantitative" as const },
        },
      },
    ],
    resolve: { scale: { color: "independent" as const } },
  });
  const spec: FigureResult["spec"] = {
    $schema: VEGA_LITE_SCHEMA,
    title: `2x2 teacher-student: spacings vs the GOE Wigner surmise (${config.seeds} seeds per setting)`,
    hconcat: (["noise", "learningRate", "batchSize"] as const).map(panel),
    resolve: { scale: { color: "independent" } },
  };
  const ks = settings.map((r) => r.ksDistance as number);
  return {
    spec,
    summary: {
      config,
      backend: backend.description,
      settings,
      maxKsDistance: Math.max(...ks),
      ksCritical5: 1.358 / Math.sqrt(config.seeds),
    },
  };
}

if (import.meta.main) {
  await figureMain<Config>({
    name: "dyson_fig10_ts_wigner",
    description: "2x2 teacher-student spacing distributions per sweep vs the GOE Wigner surmise",
    options: {
      seeds: { type: "number", description: "seeds per setting" },
      epochs: { type: "number", description: "epochs" },
      batchesPerEpoch: { type: "number", description: "minibatches per epoch" },
    },
    defaultConfig,
    fullConfig,
    run,
  });
}
