/**
 * Sweeps of the 2x2 teacher-student ensembles (spec seed001 B.4) run in one ensemble call, and
 * the spacing statistics the figures show: S = |sv1 - sv2| of the final W per seed, <S> as the
 * Freedman-Diaconis histogram mean with a (blocked) jackknife error, the predicted width
 * sigma_pred = sqrt(alpha eps^2 / |B|), and the 2x2-GOE one-point fit of the pooled singular values.
 * The swept values come from the caller (the figure scripts' configs).
 *
 * @module
 */
import type { Backend } from "../backend/backend.ts";
import { ensembleSingularValues, runTeacherStudentEnsemble } from "./ts_trainer.ts";
import type { TsSetting } from "./teacher_student.ts";
import { jackknife } from "../stats/jackknife.ts";
import { fdMean, fitPairDensity } from "./spacing_statistics.ts";

/** Which parameter a sweep varies: the noise eps, the learning rate alpha or the batch size |B|. */
export type TeacherStudentSweepName = "noise" | "learningRate" | "batchSize";

/**
 * Up to three sweeps, each varying one parameter with the other two at their fixed values (the
 * paper: eps in {0.05, ..., 0.1}, alpha in {0.1, ..., 0.5}, |B| in {4, ..., 64}, fixed at
 * alpha = 0.1, |B| = 16, eps = 0.1).
 */
export interface TeacherStudentSweeps {
  /** Noise strengths eps of the noise sweep. */
  noises?: number[];
  /** Learning rates alpha of the learning-rate sweep. */
  learningRates?: number[];
  /** Batch sizes |B| of the batch-size sweep. */
  batchSizes?: number[];
  /** alpha where another parameter is swept. */
  learningRate: number;
  /** |B| where another parameter is swept. */
  batchSize: number;
  /** eps where another parameter is swept. */
  noise: number;
}

/** One setting and the sweep it belongs to. */
export interface TeacherStudentSweepSetting extends TsSetting {
  sweep: TeacherStudentSweepName;
  /** The swept value. */
  value: number;
}

/**
 * The settings of the sweeps, in order noise, learning rate, batch size.
 *
 * @param sweeps Swept values and fixed values.
 * @returns Settings.
 */
export function teacherStudentSweepSettings(sweeps: TeacherStudentSweeps): TeacherStudentSweepSetting[] {
  const { learningRate, batchSize, noise } = sweeps;
  return [
    ...(sweeps.noises ?? []).map((v) => ({
      sweep: "noise" as const,
      value: v,
      learningRate,
      batchSize,
      noise: v,
    })),
    ...(sweeps.learningRates ?? []).map((v) => ({
      sweep: "learningRate" as const,
      value: v,
      learningRate: v,
      batchSize,
      noise,
    })),
    ...(sweeps.batchSizes ?? []).map((v) => ({
      sweep: "batchSize" as const,
      value: v,
      learningRate,
      batchSize: v,
      noise,
    })),
  ];
}

/** One analysed setting. */
export interface TeacherStudentSettingStatistics {
  sweep: TeacherStudentSweepName;
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

/** Options of {@linkcode runTeacherStudentSweeps}. */
export interface TeacherStudentSweepOptions {
  seeds: number;
  epochs: number;
  batchesPerEpoch: number;
  /** Base seed: setting i gets Philox key seed + i. */
  seed: number;
  /** Seed of the shared inputs (default: seed). */
  dataSeed?: number;
  /** Jackknife blocks (default: leave-one-out when seeds <= 1000, else 100 blocks). */
  jackknifeBlocks?: number;
}

/**
 * Runs all settings in one ensemble call and analyses each.
 *
 * @param backend Backend.
 * @param settings Settings (see teacherStudentSweepSettings).
 * @param options Seeds, epochs, seed.
 * @returns One entry per setting, in order.
 */
export async function runTeacherStudentSweeps(
  backend: Backend,
  settings: TeacherStudentSweepSetting[],
  options: TeacherStudentSweepOptions,
): Promise<TeacherStudentSettingStatistics[]> {
  const result = await runTeacherStudentEnsemble(backend, {
    settings,
    seeds: options.seeds,
    epochs: options.epochs,
    batchesPerEpoch: options.batchesPerEpoch,
    saveEvery: options.epochs,
    seed: options.seed,
    dataSeed: options.dataSeed,
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
