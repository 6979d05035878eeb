/**
 * The paper's teacher-student sweeps (spec seed001 B.4) run in one ensemble call, and the
 * spacing statistics the figures show: S = |sv1 - sv2| of the final W per seed, <S> as the
 * Freedman-Diaconis histogram mean with a (blocked) jackknife error, the predicted width
 * sigma_pred = sqrt(alpha eps^2 / |B|), and the 2x2-GOE one-point fit of the pooled singular values.
 *
 * @module
 */
import type { Backend } from "../backend/backend.ts";
import { ensembleSingularValues, runTeacherStudent } from "./ts_trainer.ts";
import type { TsSetting } from "./teacher_student.ts";
import { densityHistogram, histogramMean } from "../stats/histogram.ts";
import { jackknife } from "../stats/jackknife.ts";
import { fitCurve } from "../stats/curve_fit.ts";
import { goe2Density } from "../spectral/goe2_density.ts";

/** Which parameter a sweep varies. */
export type TsSweepName = "noise" | "learningRate" | "batchSize";

/** The paper's sweeps: eps at alpha = 0.1, |B| = 16; alpha at eps = 0.1, |B| = 16; |B| at 0.1, 0.1. */
export const TS_SWEEPS: Record<TsSweepName, number[]> = {
  noise: [0.05, 0.06, 0.07, 0.08, 0.09, 0.1],
  learningRate: [0.1, 0.2, 0.3, 0.4, 0.5],
  batchSize: [4, 8, 16, 32, 64],
};

/** One analysed setting. */
export interface TsSettingStatistics {
  sweep: TsSweepName;
  value: number;
  learningRate: number;
  batchSize: number;
  noise: number;
  /** sqrt(alpha eps^2 / |B|). */
  predictedWidth: number;
  /** Spacings S per seed. */
  spacings: Float64Array;
  /** Both singular values of every seed, pooled. */
  singularValues: Float64Array;
  /** <S>: FD-histogram mean. */
  meanSpacing: number;
  /** Jackknife error of <S>. */
  meanSpacingError: number;
  /** 2x2-GOE fit of the pooled singular values: centre, width and their errors. */
  x0: number;
  sigma: number;
  x0Error: number;
  sigmaError: number;
}

/** Options of {@linkcode runTsSweeps}. */
export interface TsSweepOptions {
  seeds: number;
  epochs: number;
  batchesPerEpoch: number;
  seed: number;
  /** Jackknife blocks (default: leave-one-out when seeds <= 1000, else 100 blocks). */
  jackknifeBlocks?: number;
}

/** The FD-histogram mean of spacings (the notebooks' <S>). */
export function fdMean(sample: ArrayLike<number>): number {
  return histogramMean(densityHistogram(sample));
}

/**
 * Fits the 2x2-GOE one-point density to an FD density histogram of pooled pair values.
 *
 * @returns `{ x0, sigma, x0Error, sigmaError }`.
 */
export function fitPairDensity(values: ArrayLike<number>, x0Guess: number, sigmaGuess: number): DensityFit {
  const h = densityHistogram(values);
  const fit = fitCurve(h.centres, h.density, ([x0, s]) => (x) => goe2Density(x, x0, Math.abs(s)), {
    initial: [x0Guess, sigmaGuess],
  });
  return {
    x0: fit.params[0],
    sigma: Math.abs(fit.params[1]),
    x0Error: fit.errors[0],
    sigmaError: fit.errors[1],
  };
}

/**
 * Runs all settings of the three sweeps in one ensemble call and analyses each.
 *
 * @param backend Backend.
 * @param options Seeds, epochs, seed.
 * @returns One entry per setting (sweep order: noise, learningRate, batchSize).
 */
export async function runTsSweeps(backend: Backend, options: TsSweepOptions): Promise<TsSettingStatistics[]> {
  const settings: (TsSetting & { sweep: TsSweepName; value: number })[] = [
    ...TS_SWEEPS.noise.map((v) => ({
      sweep: "noise" as const,
      value: v,
      learningRate: 0.1,
      batchSize: 16,
      noise: v,
    })),
    ...TS_SWEEPS.learningRate.map((v) => ({
      sweep: "learningRate" as const,
      value: v,
      learningRate: v,
      batchSize: 16,
      noise: 0.1,
    })),
    ...TS_SWEEPS.batchSize.map((v) => ({
      sweep: "batchSize" as const,
      value: v,
      learningRate: 0.1,
      batchSize: v,
      noise: 0.1,
    })),
  ];
  const result = await runTeacherStudent(backend, {
    settings,
    seeds: options.seeds,
    epochs: options.epochs,
    batchesPerEpoch: options.batchesPerEpoch,
    saveEvery: options.epochs,
    seed: options.seed,
  });
  const sv = ensembleSingularValues(result.weights, 2);
  const blocks = options.jackknifeBlocks ?? (options.seeds <= 1000 ? options.seeds : 100);
  return settings.map((s, i) => {
    const own = sv.subarray(2 * i * options.seeds, 2 * (i + 1) * options.seeds);
    const spacings = Float64Array.from(
      { length: options.seeds },
      (_, m) => Math.abs(own[2 * m] - own[2 * m + 1]),
    );
    const jk = jackknife(spacings, fdMean, { blocks });
    const predictedWidth = Math.sqrt(s.learningRate * s.noise * s.noise / s.batchSize);
    const fit = fitPairDensity(own, 2, predictedWidth);
    return {
      sweep: s.sweep,
      value: s.value,
      learningRate: s.learningRate,
      batchSize: s.batchSize,
      noise: s.noise,
      predictedWidth,
      spacings,
      singularValues: Float64Array.from(own),
      meanSpacing: jk.estimate,
      meanSpacingError: jk.error,
      ...fit,
    };
  });
}

/** A density fit's location and width with their errors. */
export interface DensityFit {
  x0: number;
  sigma: number;
  x0Error: number;
  sigmaError: number;
}
