/**
 * A tour of the toolkit in one page: data generated on the GPU -> a kernel -> a fused
 * multi-walker trainer -> a spectrum -> a Vega-Lite figure.
 *
 * 1. Draw X ~ N(0, 1) of shape [n, d] from the Philox stream on the backend.
 * 2. Form the sample covariance C = X^T X / n with the matmul kernel (A^T B variant).
 * 3. Diagonalise C (float64 Jacobi) and compare its eigenvalue histogram with the
 *    Marchenko-Pastur law for q = d / n.
 * 4. Train many walkers of online SGD on a linear teacher, many steps per dispatch,
 *    and reduce their error curves to mean +- standard error on the backend.
 * 5. Write out/00_tour.vl.json, .svg and .summary.json.
 *
 * Run: `deno task tour` (or `deno run -A scripts/00_tour.ts --help`).
 *
 * @module
 */
import { getBackend } from "../lib/backend/select.ts";
import type { BackendChoice } from "../lib/backend/select.ts";
import { symmetricEigen } from "../lib/spectral/jacobi_eigen.ts";
import { marchenkoPasturDensity, marchenkoPasturEdges } from "../lib/spectral/marchenko_pastur.ts";
import { runLinearRegressionSgd } from "../lib/trainers/linear_regression_sgd.ts";
import { type FigureResult, VEGA_LITE_SCHEMA } from "../lib/plot/figure.ts";
import { figureMain } from "../lib/plot/figure_script.ts";
import { UsageError } from "../lib/cli.ts";

/** The tour's configuration. */
export interface TourConfig extends Record<string, unknown> {
  /** Samples of the covariance estimate. */
  samples: number;
  /** Dimension of the covariance and of the SGD problem. */
  dimension: number;
  /** SGD walkers. */
  walkers: number;
  /** SGD steps per walker. */
  steps: number;
  /** SGD learning rate. */
  learningRate: number;
  /** Seed. */
  seed: number;
  /** Backend. */
  backend: BackendChoice;
}

/** Defaults: seconds on a CPU adapter. */
export const defaultConfig: TourConfig = {
  samples: 2048,
  dimension: 256,
  walkers: 256,
  steps: 2000,
  learningRate: 0.5,
  seed: 0,
  backend: "auto",
};

/** Tiny scale for tests (schema and gallery): well under a second. */
export const testConfig: TourConfig = {
  ...defaultConfig,
  samples: 64,
  dimension: 8,
  walkers: 4,
  steps: 40,
  seed: 1,
};

/**
 * Runs the tour and returns the figure (spec + summary).
 *
 * @param config The configuration.
 * @returns The Vega-Lite spec and the numbers it shows.
 */
export async function run(config: TourConfig = defaultConfig): Promise<FigureResult> {
  const { samples: n, dimension: d, seed } = config;
  if (!(Number.isInteger(n) && Number.isInteger(d) && d >= 2 && n >= d)) {
    throw new UsageError(`Cannot run the tour: need integers samples >= dimension >= 2, got ${n} and ${d}`);
  }
  const backend = await getBackend(config.backend);
  const started = performance.now();

  // 1-2. Data on the backend, covariance by matmul.
  const x = await backend.random([n, d], { seed, stream: 10, distribution: "normal" });
  const covariance = await backend.matmul(x, x, { transposeA: true });
  await backend.scale(covariance, 1 / n);
  const c = await backend.read(covariance);
  backend.dispose(x, covariance);

  // 3. Spectrum against Marchenko-Pastur.
  const { values } = symmetricEigen(c, d, { tolerance: 1e-10 });
  const q = d / n;
  const [lo, hi] = marchenkoPasturEdges(q);
  const bins = 40, width = (hi - lo) * 1.2 / bins, left = lo - 0.1 * (hi - lo);
  const histogram = await backend.histogram(backend.tensor(values), {
    low: left,
    high: left + bins * width,
    bins,
  });
  const spectrumRows = Array.from(histogram.counts, (count, i) => ({
    eigenvalue: left + (i + 0.5) * width,
    density: count / (d * width),
  }));
  const theoryRows = Array.from({ length: 200 }, (_, i) => {
    const e = lo + (hi - lo) * (i + 0.5) / 200;
    return { eigenvalue: e, density: marchenkoPasturDensity(e, q) };
  });

  // 4. Fused multi-walker SGD, reduced to mean +- SEM over walkers on the backend.
  const sgdStart = performance.now();
  const sgd = await runLinearRegressionSgd(backend, {
    d,
    walkers: config.walkers,
    steps: config.steps,
    learningRate: config.learningRate,
    seed,
  });
  const sgdSeconds = (performance.now() - sgdStart) / 1000;
  const records = sgd.recordSteps.length;
  const errors = backend.tensor(sgd.errors, [config.walkers, records]);
  const [mean, variance] = await Promise.all([
    backend.reduce(errors, "mean", { axis: 0 }).then((t) => backend.read(t)),
    backend.reduce(errors, "variance", { axis: 0, ddof: 1 }).then((t) => backend.read(t)),
  ]);
  const sgdRows = sgd.recordSteps.map((step, i) => {
    const sem = Math.sqrt(Math.max(variance[i], 0) / config.walkers);
    return { step, mean: mean[i], low: Math.max(mean[i] - sem, 1e-12), high: mean[i] + sem };
  });

  // 5. The figure.
  const spec: FigureResult["spec"] = {
    $schema: VEGA_LITE_SCHEMA,
    title: `Tour on ${backend.description}`,
    hconcat: [
      {
        title: `Spectrum of X^T X / n (n = ${n}, d = ${d}) vs Marchenko-Pastur`,
        width: 320,
        height: 220,
        layer: [
          {
            data: { values: spectrumRows },
            mark: { type: "bar", opacity: 0.6 },
            encoding: {
              x: {
                field: "eigenvalue",
                type: "quantitative",
                bin: { binned: true, step: width },
                title: "eigenvalue",
              },
              y: { field: "density", type: "quantitative", title: "density" },
            },
          },
          {
            data: { values: theoryRows },
            mark: { type: "line", color: "firebrick" },
            encoding: {
              x: { field: "eigenvalue", type: "quantitative", title: "eigenvalue" },
              y: { field: "density", type: "quantitative", title: "density" },
            },
          },
        ],
      },
      {
        title: `Online SGD, ${config.walkers} walkers (mean +- SEM)`,
        width: 320,
        height: 220,
        data: { values: sgdRows },
        layer: [
          {
            mark: { type: "area", opacity: 0.3 },
            encoding: {
              x: { field: "step", type: "quantitative", title: "step" },
              y: { field: "low", type: "quantitative", scale: { type: "log" }, title: "|w - w*|^2 / d" },
              y2: { field: "high" },
            },
          },
          {
            mark: "line",
            encoding: {
              x: { field: "step", type: "quantitative" },
              y: { field: "mean", type: "quantitative" },
            },
          },
        ],
      },
    ],
  };
  const summary = {
    config,
    backend: backend.description,
    spectrum: {
      q,
      marchenkoPasturEdges: [lo, hi],
      smallestEigenvalue: values[0],
      largestEigenvalue: values[d - 1],
      meanEigenvalue: values.reduce((s, v) => s + v, 0) / d,
      outsideHistogram: histogram.underflow + histogram.overflow,
    },
    sgd: {
      initialError: sgdRows[0]?.mean,
      finalError: sgdRows.at(-1)?.mean,
      walkerStepsPerSecond: (config.walkers * config.steps) / sgdSeconds,
      dispatches: sgd.dispatches,
      stepsPerDispatch: sgd.stepsPerDispatch,
    },
    seconds: (performance.now() - started) / 1000,
  };
  return { spec, summary };
}

if (import.meta.main) {
  await figureMain<TourConfig>({
    name: "00_tour",
    description:
      "Tour: GPU data -> covariance spectrum vs Marchenko-Pastur -> fused multi-walker SGD -> Vega-Lite figure",
    options: {
      samples: { type: "number", description: "samples n of the covariance" },
      dimension: { type: "number", description: "dimension d" },
      walkers: { type: "number", description: "SGD walkers" },
      steps: { type: "number", description: "SGD steps per walker" },
      learningRate: { type: "number", description: "SGD learning rate" },
    },
    defaultConfig,
    run,
  });
}
