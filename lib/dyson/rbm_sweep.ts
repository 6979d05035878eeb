/**
 * The paper's Gaussian-RBM sweeps (spec seed001 B.4: |B| in {4, 8, 16, 32, 64} at alpha = 0.1,
 * alpha in {0.01, ..., 0.1} at |B| = 16, free field N = 10, m = 2, mu = 3) trained as ensembles and
 * analysed: spectra of every seed's W^T W on the batched Jacobi kernel, then
 * lib/dyson/rbm_analysis.ts per setting.
 *
 * Quick scale may start every seed at the fixed point (W0 = sqrt(mu^2 I - K) / sigma, so that
 * sigma^2 W0^T W0 = mu^2 - K) and train for a fixed time alpha * epochs, which equilibrates the
 * fluctuations in a few relaxation times 1/gamma, gamma = 2 alpha (mu^2 - kappa) / kappa^2 per epoch
 * (linearised drift); the paper starts from W ~ N(0, 0.1^2) and trains 100k epochs.
 *
 * @module
 */
import type { Backend } from "../backend/backend.ts";
import { freeFieldEigenvalues, freeFieldKernel } from "./free_field.ts";
import { runGaussianRbm } from "./rbm_trainer.ts";
import { symmetricEigen } from "../spectral/jacobi_eigen.ts";
import { analyseRbmSetting, type RbmSettingAnalysis, type RbmSpectra, rbmSpectra } from "./rbm_analysis.ts";

/** Which parameter a sweep varies. */
export type RbmSweepName = "batchSize" | "learningRate";

/** One setting and the sweep it belongs to. */
export interface RbmSweepSetting {
  sweep: RbmSweepName | "custom";
  /** The swept value. */
  value: number;
  learningRate: number;
  batchSize: number;
}

/**
 * A |B| sweep at one alpha and an alpha sweep at one |B| (the paper: |B| in {4, 8, 16, 32, 64} at
 * alpha = 0.1, alpha in {0.01, 0.02, 0.04, 0.06, 0.08, 0.1} at |B| = 16; see the figure configs).
 */
export interface RbmSweeps {
  /** Batch sizes of the |B| sweep (absent: no |B| sweep). */
  batchSizes?: number[];
  /** alpha of the |B| sweep. */
  learningRate?: number;
  /** Learning rates of the alpha sweep (absent: no alpha sweep). */
  learningRates?: number[];
  /** |B| of the alpha sweep. */
  batchSize?: number;
}

/**
 * The settings of the sweeps: the |B| sweep, then the alpha sweep.
 *
 * @param sweeps Swept and fixed values.
 * @returns Settings.
 * @throws {RangeError} When a sweep misses its fixed value.
 */
export function rbmSweepSettings(sweeps: RbmSweeps): RbmSweepSetting[] {
  const { batchSizes = [], learningRates = [], learningRate, batchSize } = sweeps;
  if (batchSizes.length > 0 && learningRate === undefined) {
    throw new RangeError("Cannot build the RBM |B| sweep: learningRate is missing");
  }
  if (learningRates.length > 0 && batchSize === undefined) {
    throw new RangeError("Cannot build the RBM alpha sweep: batchSize is missing");
  }
  return [
    ...batchSizes.map((value) => ({
      sweep: "batchSize" as const,
      value,
      learningRate: learningRate!,
      batchSize: value,
    })),
    ...learningRates.map((value) => ({
      sweep: "learningRate" as const,
      value,
      learningRate: value,
      batchSize: batchSize!,
    })),
  ];
}

/** Options of {@linkcode runRbmEnsembles}. */
export interface RbmEnsembleOptions {
  /** Seeds per setting (7500 in the paper). */
  seeds: number;
  /** Epochs of every setting (100000 in the paper); used when trainingTime is absent. */
  epochs?: number;
  /** Train each setting for ceil(trainingTime / alpha) epochs instead. */
  trainingTime?: number;
  /** Initial weights: random N(0, 0.1^2) (the paper) or the fixed point. */
  init: "random" | "fixedPoint";
  /** Base seed: setting i gets Philox key seed + i. */
  seed: number;
  /** Lattice sites N (10). */
  sites?: number;
  /** Field mass m (2). */
  mass?: number;
  /** mu (3), frozen. */
  mu?: number;
  /** Jackknife blocks of <S> (see analyseRbmSetting). */
  jackknifeBlocks?: number;
  /** Jackknife blocks of the density fits (see analyseRbmSetting). */
  fitJackknifeBlocks?: number;
}

/** One trained and analysed setting. */
export interface RbmSettingResult extends RbmSweepSetting {
  epochs: number;
  /** Seeds that went non-finite (left out of the analysis). */
  failed: number;
  /** Spectra of the healthy seeds. */
  spectra: RbmSpectra;
  analysis: RbmSettingAnalysis;
}

/** Result of {@linkcode runRbmEnsembles}. */
export interface RbmEnsembles {
  /** Target eigenvalues, ascending. */
  kappa: Float64Array;
  mu: number;
  results: RbmSettingResult[];
  trainSeconds: number;
  analysisSeconds: number;
}

/**
 * The fixed-point weights W0 = sqrt(mu^2 I - K) / sigma (symmetric square root), padded with zero
 * rows to `hidden` rows.
 *
 * @param kernel Target K, row-major n x n.
 * @param n Visible units.
 * @param mu Uniform mu (mu^2 must exceed the largest eigenvalue of K).
 * @param sigma Hidden width.
 * @param hidden Hidden units (>= n).
 * @returns W0, row-major hidden x n.
 * @throws {RangeError} When mu^2 I - K is not positive or hidden < n.
 */
export function fixedPointWeights(
  kernel: ArrayLike<number>,
  n: number,
  mu: number,
  sigma = 1,
  hidden: number = n,
): Float64Array {
  if (hidden < n) throw new RangeError(`Cannot place W at the fixed point: hidden ${hidden} < visible ${n}`);
  const e = symmetricEigen(Float64Array.from(kernel, (k, i) => (i % (n + 1) === 0 ? mu * mu : 0) - k), n);
  if (!(e.values[0] > 0)) {
    throw new RangeError(`Cannot place W at the fixed point: mu^2 - K has ${e.values[0]}`);
  }
  const w = new Float64Array(hidden * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += e.vectors[i * n + k] * Math.sqrt(e.values[k]) * e.vectors[j * n + k];
      w[i * n + j] = s / sigma;
    }
  }
  return w;
}

/** A trained setting's healthy spectra, kept for the rest of the process. */
interface TrainedSetting {
  epochs: number;
  failed: number;
  spectra: RbmSpectra;
}

/**
 * Settings already trained in this process, by everything their training depends on: figures 5-8,
 * which train the same list, train it once in a `deno task figures` run. Only spectra are kept (2 N_v floats per
 * seed), and analyses are redone per call since their options may differ.
 */
const trained = new Map<string, TrainedSetting>();

/** Forgets the settings trained so far (tests; long-lived processes). */
export function clearRbmEnsembleCache(): void {
  trained.clear();
}

/**
 * Trains every setting not trained before in this process with the same options (settings with the
 * same epoch count share one ensemble call), and analyses each.
 *
 * @param backend Backend (webgpu: fused trainer and batched Jacobi).
 * @param settings Settings.
 * @param options Seeds, epochs or training time, init.
 * @returns Per-setting spectra and analyses.
 * @throws {RangeError} On a bad config, or when a setting has fewer than 2 healthy seeds.
 */
export async function runRbmEnsembles(
  backend: Backend,
  settings: RbmSweepSetting[],
  options: RbmEnsembleOptions,
): Promise<RbmEnsembles> {
  const sites = options.sites ?? 10, mass = options.mass ?? 2, mu = options.mu ?? 3;
  const kernel = freeFieldKernel(sites, mass), kappa = freeFieldEigenvalues(sites, mass);
  const epochsOf = (s: RbmSweepSetting) =>
    options.trainingTime !== undefined
      ? Math.max(1, Math.ceil(options.trainingTime / s.learningRate - 1e-9))
      : options.epochs ?? 100000;
  // Setting i of the list gets Philox key0 = seed + i, so figures that train the same list (5-8)
  // share their ensembles, bit for bit.
  const seedOf = (i: number) => options.seed + i;
  const keyOf = (s: RbmSweepSetting, i: number) =>
    JSON.stringify([
      backend.description,
      s.learningRate,
      s.batchSize,
      seedOf(i),
      options.seeds,
      epochsOf(s),
      options.init,
      sites,
      mass,
      mu,
    ]);
  const initialWeights = options.init === "fixedPoint" ? fixedPointWeights(kernel, sites, mu) : undefined;
  const groups = new Map<number, number[]>();
  settings.forEach((s, i) => {
    if (!trained.has(keyOf(s, i))) groups.set(epochsOf(s), [...(groups.get(epochsOf(s)) ?? []), i]);
  });
  let trainSeconds = 0;
  for (const [epochs, members] of groups) {
    const t0 = performance.now();
    const run = await runGaussianRbm(backend, {
      visible: sites,
      hidden: sites,
      targetKernel: kernel,
      settings: members.map((i) => ({
        learningRate: settings[i].learningRate,
        batchSize: settings[i].batchSize,
        seed: seedOf(i),
      })),
      seeds: options.seeds,
      epochs,
      mu0: mu,
      initialWeights,
      seed: options.seed,
    });
    const nn = sites * sites, healthy: number[] = [];
    run.failedAt.forEach((f, seed) => f === 0 && healthy.push(seed));
    const weights = new Float64Array(healthy.length * nn);
    healthy.forEach((seed, k) => weights.set(run.weights.subarray(seed * nn, (seed + 1) * nn), k * nn));
    const spectra = await rbmSpectra(backend, weights, sites, sites, mu);
    members.forEach((i, g) => {
      const mine = healthy.map((seed, k) => [seed, k]).filter(([seed]) =>
        Math.floor(seed / options.seeds) === g
      );
      const pick = (a: Float64Array) => {
        const out = new Float64Array(mine.length * sites);
        mine.forEach(([, k], r) => out.set(a.subarray(k * sites, (k + 1) * sites), r * sites));
        return out;
      };
      trained.set(keyOf(settings[i], i), {
        epochs,
        failed: options.seeds - mine.length,
        spectra: { x: pick(spectra.x), lambda: pick(spectra.lambda) },
      });
    });
    trainSeconds += (performance.now() - t0) / 1000;
  }
  const t1 = performance.now();
  const results = settings.map((s, i): RbmSettingResult => {
    const { epochs, failed, spectra } = trained.get(keyOf(s, i))!;
    if (options.seeds - failed < 2) {
      throw new RangeError(
        `Cannot analyse setting ${i}: ${options.seeds - failed} of ${options.seeds} seeds stayed finite`,
      );
    }
    return {
      ...s,
      epochs,
      failed,
      spectra: { x: spectra.x.slice(), lambda: spectra.lambda.slice() }, // the cache keeps its own
      analysis: analyseRbmSetting(spectra.lambda, kappa, {
        learningRate: s.learningRate,
        batchSize: s.batchSize,
        mu,
        jackknifeBlocks: options.jackknifeBlocks,
        fitJackknifeBlocks: options.fitJackknifeBlocks,
      }),
    };
  });
  return { kappa, mu, results, trainSeconds, analysisSeconds: (performance.now() - t1) / 1000 };
}
