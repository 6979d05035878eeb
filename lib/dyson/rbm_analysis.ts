/**
 * Spectral analysis of Gaussian-RBM ensembles (spec seed001 B.1, B.5, figures 1-8): the
 * eigenvalues x of sigma^2 W^T W of every seed (batched Jacobi on the GPU), lambda = mu^2 - x
 * (the spectrum of K_RBM), spacings within degenerate pairs with their FD-histogram mean and
 * jackknife error, the 2x2-GOE one-point fit rho(x0, sigma) of each pair and a Gaussian fit of
 * each non-degenerate mode, lambda_fit / kappa, and the predicted width
 * sigma_pred = sqrt(alpha (mu^2 - kappa) / |B|).
 *
 * @module
 */
import type { Backend } from "../backend/backend.ts";
import { batchedSymmetricEigen, gramMatrices } from "./batched_eigen.ts";
import { fdMean, fitPairDensity } from "./ts_sweep.ts";
import { type DensityHistogram, densityHistogram, freedmanDiaconisWidth } from "../stats/histogram.ts";
import { jackknife, jackknifeVector } from "../stats/jackknife.ts";
import { fitCurve } from "../stats/curve_fit.ts";
import { gaussianDensity } from "../spectral/goe2_density.ts";
import type { DensityFit } from "./ts_sweep.ts";
export { type DensityFit } from "./ts_sweep.ts";

/** Spectra of an ensemble of RBMs. */
export interface RbmSpectra {
  /** Eigenvalues x of sigma^2 W^T W, descending per seed, [count, N_v]. */
  x: Float64Array;
  /** Eigenvalues lambda of K_RBM = diag(mu^2) - sigma^2 W^T W, ascending per seed, [count, N_v]. */
  lambda: Float64Array;
}

/**
 * x and lambda of every seed. With a mu that is uniform within each seed, lambda = mu^2 - x
 * (mapped, not diagonalised again); otherwise K_RBM is diagonalised too.
 *
 * @param backend webgpu (batched float32 Jacobi, N_v <= 16) or reference (float64).
 * @param weights W per seed, [count, N_h N_v] row-major.
 * @param hidden N_h.
 * @param visible N_v.
 * @param mu A uniform mu, or mu per seed [count, N_v].
 * @param sigma Hidden width (1 in the paper).
 * @returns x (descending) and lambda (ascending) per seed.
 * @throws {RangeError} On mismatched sizes.
 */
export async function rbmSpectra(
  backend: Backend,
  weights: ArrayLike<number>,
  hidden: number,
  visible: number,
  mu: number | ArrayLike<number>,
  sigma = 1,
): Promise<RbmSpectra> {
  const count = weights.length / (hidden * visible);
  if (!Number.isInteger(count)) {
    throw new RangeError(`Cannot take RBM spectra: ${weights.length} weights for ${hidden} x ${visible}`);
  }
  const muAt = typeof mu === "number" ? () => mu : (m: number, i: number) => mu[m * visible + i];
  if (typeof mu !== "number" && mu.length !== count * visible) {
    throw new RangeError(`Cannot take RBM spectra: ${mu.length} mu values for ${count} seeds of ${visible}`);
  }
  const gram = gramMatrices(weights, hidden, visible, sigma * sigma);
  const ascending = (await batchedSymmetricEigen(backend, gram, visible)).values;
  const x = new Float64Array(count * visible), lambda = new Float64Array(count * visible);
  let uniform = true;
  for (let m = 0; m < count; m++) {
    for (let i = 0; i < visible; i++) {
      x[m * visible + i] = ascending[m * visible + visible - 1 - i];
      if (muAt(m, i) !== muAt(m, 0)) uniform = false;
    }
  }
  if (uniform) {
    for (let m = 0; m < count; m++) {
      const mu2 = muAt(m, 0) ** 2;
      for (let i = 0; i < visible; i++) lambda[m * visible + i] = mu2 - x[m * visible + i];
    }
  } else {
    const kernels = Float64Array.from(gram, (g, e) => {
      const m = Math.floor(e / (visible * visible)), r = e % (visible * visible);
      return (r % (visible + 1) === 0 ? muAt(m, r / (visible + 1)) ** 2 : 0) - g;
    });
    lambda.set((await batchedSymmetricEigen(backend, kernels, visible)).values);
  }
  return { x, lambda };
}

/**
 * Groups ascending target eigenvalues into degenerate pairs (consecutive values within
 * `tolerance` relative) and single modes.
 *
 * @param kappa Ascending target eigenvalues.
 * @param tolerance Relative tolerance (default 1e-9).
 * @returns Index pairs and single indices (for the N = 10 free field: pairs (1,2),(3,4),(5,6),(7,8), singles 0 and 9).
 */
export function degenerateModes(
  kappa: ArrayLike<number>,
  tolerance = 1e-9,
): { pairs: [number, number][]; singles: number[] } {
  const pairs: [number, number][] = [], singles: number[] = [];
  const scale = Math.max(...Array.from(kappa, Math.abs), 1e-300);
  for (let i = 0; i < kappa.length; i++) {
    if (i + 1 < kappa.length && Math.abs(kappa[i + 1] - kappa[i]) <= tolerance * scale) {
      pairs.push([i, i + 1]);
      i++;
    } else singles.push(i);
  }
  return { pairs, singles };
}

/** Statistics of one degenerate pair of one setting. */
export interface RbmPairStatistics {
  /** Indices in the ascending lambda. */
  index: [number, number];
  kappa: number;
  /** sqrt(alpha (mu^2 - kappa) / |B|). */
  predictedWidth: number;
  /** S = |lambda_i - lambda_j| per seed. */
  spacings: Float64Array;
  /** <S> (FD-histogram mean) and its jackknife error. */
  meanSpacing: number;
  meanSpacingError: number;
  /** rho(x0, sigma) fit of the pooled pair values, with errors. */
  x0: number;
  x0Error: number;
  sigma: number;
  sigmaError: number;
}

/** Fit of one distinct target eigenvalue (a pair's rho fit or a single mode's Gaussian fit). */
export interface RbmModeFit {
  kappa: number;
  kind: "pair" | "single";
  /** Sample mean of the lambda values of the mode. */
  mean: number;
  x0: number;
  x0Error: number;
  sigma: number;
  sigmaError: number;
  /** x0 / kappa (figure 8). */
  ratio: number;
  ratioError: number;
}

/** Analysis of one setting. */
export interface RbmSettingAnalysis {
  pairs: RbmPairStatistics[];
  /** One per distinct kappa, ascending. */
  modes: RbmModeFit[];
  /** Mean lambda per index, [N_v]. */
  meanLambda: Float64Array;
  /** Mean x per index (descending), [N_v]. */
  meanX: Float64Array;
}

/** Options of {@linkcode analyseRbmSetting}. */
export interface RbmAnalysisOptions {
  learningRate: number;
  batchSize: number;
  /** Uniform mu (3 in the paper). */
  mu: number;
  /** Jackknife blocks of <S> (default: leave-one-out up to 1000 seeds, else 100 blocks). */
  jackknifeBlocks?: number;
  /** Jackknife blocks of the density fits (default 0: the fits' own covariance errors). */
  fitJackknifeBlocks?: number;
}

function column(values: ArrayLike<number>, n: number, indices: number[]): Float64Array {
  const count = values.length / n, out = new Float64Array(count * indices.length);
  for (let m = 0; m < count; m++) {
    indices.forEach((i, k) => (out[m * indices.length + k] = values[m * n + i]));
  }
  return out;
}

/** Gaussian fit N(x0, sigma^2) of an FD density histogram. */
export function fitGaussianDensity(
  values: ArrayLike<number>,
  x0Guess: number,
  sigmaGuess: number,
): DensityFit {
  const h = densityHistogram(values);
  const fit = fitCurve(
    h.centres,
    h.density,
    ([x0, s]) => (x) => gaussianDensity(x, x0, Math.abs(s) || 1e-300),
    {
      initial: [x0Guess, sigmaGuess],
    },
  );
  return {
    x0: fit.params[0],
    sigma: Math.abs(fit.params[1]),
    x0Error: fit.errors[0],
    sigmaError: fit.errors[1],
  };
}

/** A fit with errors from a blocked jackknife over seeds (values are seed-major groups of `per`). */
function fitWithErrors(
  values: Float64Array,
  per: number,
  fit: (v: ArrayLike<number>) => { x0: number; sigma: number; x0Error: number; sigmaError: number },
  blocks: number,
) {
  const safe = (v: ArrayLike<number>) => {
    try {
      return fit(v);
    } catch {
      return { x0: NaN, sigma: NaN, x0Error: NaN, sigmaError: NaN };
    }
  };
  const seeds = values.length / per;
  if (blocks < 2 || seeds < blocks) return safe(values);
  const seedIndex = Float64Array.from({ length: seeds }, (_, m) => m);
  const jk = jackknifeVector(seedIndex, (kept) => {
    const v = new Float64Array(kept.length * per);
    kept.forEach((m, k) => v.set(values.subarray(m * per, (m + 1) * per), k * per));
    const f = safe(v);
    return [f.x0, f.sigma];
  }, { blocks });
  return { x0: jk.estimate[0], sigma: jk.estimate[1], x0Error: jk.error[0], sigmaError: jk.error[1] };
}

/**
 * Analyses the spectra of one setting (the paper: sigma = 1, mu frozen and uniform).
 *
 * @param lambda Ascending lambda per seed, [seeds, n].
 * @param kappa Ascending target eigenvalues (n).
 * @param options Learning rate, batch size, mu, jackknife blocks.
 * @returns Pair statistics, per-kappa fits and mean spectra.
 * @throws {RangeError} When the sizes do not match or there are fewer than 2 seeds.
 */
export function analyseRbmSetting(
  lambda: ArrayLike<number>,
  kappa: ArrayLike<number>,
  options: RbmAnalysisOptions,
): RbmSettingAnalysis {
  const n = kappa.length, seeds = lambda.length / n;
  if (!Number.isInteger(seeds) || seeds < 2) {
    throw new RangeError(`Cannot analyse RBM spectra: ${lambda.length} values are not >= 2 spectra of ${n}`);
  }
  const { learningRate: lr, batchSize, mu } = options;
  const blocks = options.jackknifeBlocks ?? (seeds <= 1000 ? seeds : 100);
  const fitBlocks = options.fitJackknifeBlocks ?? 0;
  const { pairs, singles } = degenerateModes(kappa);
  const meanLambda = new Float64Array(n), meanX = new Float64Array(n);
  for (let m = 0; m < seeds; m++) {
    for (let i = 0; i < n; i++) meanLambda[i] += lambda[m * n + i] / seeds;
  }
  meanLambda.forEach((v, i) => (meanX[i] = mu * mu - v)); // x descending <-> lambda ascending
  const width = (k: number) => Math.sqrt(Math.max(0, lr * (mu * mu - k) / batchSize));
  const modes: RbmModeFit[] = [];
  const pairStats = pairs.map(([i, j]): RbmPairStatistics => {
    const k = 0.5 * (kappa[i] + kappa[j]), values = column(lambda, n, [i, j]);
    const spacings = Float64Array.from(
      { length: seeds },
      (_, m) => Math.abs(values[2 * m] - values[2 * m + 1]),
    );
    const jk = jackknife(spacings, fdMean, { blocks });
    const predictedWidth = width(k);
    const fit = fitWithErrors(values, 2, (v) => fitPairDensity(v, k, predictedWidth || 0.1), fitBlocks);
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    modes.push({ kappa: k, kind: "pair", mean, ...fit, ratio: fit.x0 / k, ratioError: fit.x0Error / k });
    return {
      index: [i, j],
      kappa: k,
      predictedWidth,
      spacings,
      meanSpacing: jk.estimate,
      meanSpacingError: jk.error,
      ...fit,
    };
  });
  for (const i of singles) {
    const values = column(lambda, n, [i]);
    const fit = fitWithErrors(
      values,
      1,
      (v) => fitGaussianDensity(v, kappa[i], width(kappa[i]) || 0.1),
      fitBlocks,
    );
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    modes.push({
      kappa: kappa[i],
      kind: "single",
      mean,
      ...fit,
      ratio: fit.x0 / kappa[i],
      ratioError: fit.x0Error / kappa[i],
    });
  }
  modes.sort((a, b) => a.kappa - b.kappa);
  return { pairs: pairStats, modes, meanLambda, meanX };
}

/**
 * The pooled density of all eigenvalues of a setting (figures 1 and 2): the FD bin width of one
 * mode (the notebooks use mode 0) reused over the pooled range.
 *
 * @param values [seeds, n] spectra.
 * @param n Levels per seed.
 * @param widthMode The mode whose FD width sets the bins (default 0).
 * @returns The density histogram.
 */
export function pooledDensity(values: ArrayLike<number>, n: number, widthMode = 0): DensityHistogram {
  const binWidth = freedmanDiaconisWidth(column(values, n, [widthMode]));
  return densityHistogram(values, binWidth > 0 ? { binWidth } : { bins: 20 });
}
