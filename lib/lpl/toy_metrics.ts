/**
 * Measurements of trained toy neurons (spec section 3.3): x-selectivity on a validation set,
 * alignment |w1| / |w|, and mean / std over repetitions.
 *
 * @module
 */
import { normalPairFromU32, philox4x32_10 } from "../rng/philox.ts";
import { TOY_CLUSTER_CENTER, TOY_JITTER, TOY_STREAMS } from "../../kernels/lpl/toy_neuron_types.ts";

/** Validation samples of the notebook (`sample_data(10000, sigma)`). */
export const TOY_VALIDATION_SAMPLES = 10000;

/**
 * The standard normals (z1, z2) of a validation set: the first half is cluster 0 (x1 = +1 + 0.1 z1),
 * the rest cluster 1; x2 = sigma_y z2. Philox key (seed, TOY_STREAMS.validation), counter
 * (floor(b / 2), 0, repetition, 0), Box-Muller pair (0, 1) / (2, 3) for b even / odd. The set does not
 * depend on sigma_y except through the x2 scale, so one set per repetition serves every setting.
 *
 * @param seed Seed.
 * @param repetition Repetition index.
 * @param samples Number of samples (even).
 * @returns [samples, 2] normals.
 */
export function toyValidationNormals(
  seed: number,
  repetition: number,
  samples = TOY_VALIDATION_SAMPLES,
): Float64Array {
  const z = new Float64Array(2 * samples);
  for (let pair = 0; 2 * pair < samples; pair++) {
    const w = philox4x32_10(seed, TOY_STREAMS.validation, pair, 0, repetition, 0);
    z.set(normalPairFromU32(w[0], w[1]), 4 * pair);
    if (2 * pair + 1 < samples) z.set(normalPairFromU32(w[2], w[3]), 4 * pair + 2);
  }
  return z;
}

/**
 * x-selectivity |mean(y | c0) - mean(y | c1)| / (max y - min y) of y = w.x on a validation set (the
 * notebook's metric; its ceiling is ~0.73 at w = (1, 0) because the range includes the jitter tails,
 * spec Errata 3). NaN when w is not finite (a diverged run).
 *
 * @param w [w1, w2].
 * @param normals From {@linkcode toyValidationNormals}.
 * @param sigmaY sigma_y of the setting.
 * @returns The selectivity in [0, 1], or NaN.
 */
export function xSelectivity(w: ArrayLike<number>, normals: Float64Array, sigmaY: number): number {
  if (!Number.isFinite(w[0]) || !Number.isFinite(w[1])) return NaN;
  const n = normals.length / 2, half = Math.floor(n / 2);
  let sum0 = 0, sum1 = 0, max = -Infinity, min = Infinity;
  for (let b = 0; b < n; b++) {
    const x1 = (b < half ? TOY_CLUSTER_CENTER : -TOY_CLUSTER_CENTER) + TOY_JITTER * normals[2 * b];
    const y = w[0] * x1 + w[1] * sigmaY * normals[2 * b + 1];
    if (b < half) sum0 += y;
    else sum1 += y;
    if (y > max) max = y;
    if (y < min) min = y;
  }
  const range = max - min;
  return range > 0 ? Math.abs(sum0 / half - sum1 / (n - half)) / range : 0;
}

/** Alignment |w1| / |w| with the x axis (the notebook's "cosine"); NaN for w = 0 or non-finite. */
export function xAlignment(w: ArrayLike<number>): number {
  const norm = Math.hypot(w[0], w[1]);
  return norm > 0 && Number.isFinite(norm) ? Math.abs(w[0]) / norm : NaN;
}

/** Mean and sample standard deviation of the finite values, and how many were not finite. */
export interface RepetitionSummary {
  mean: number;
  std: number;
  /** Finite values used. */
  count: number;
  /** Non-finite values left out (diverged runs). */
  diverged: number;
}

/** Mean, std (n - 1) and counts of `values` over repetitions, non-finite values left out. */
export function summarizeRepetitions(values: readonly number[]): RepetitionSummary {
  const finite = values.filter(Number.isFinite);
  const count = finite.length;
  const mean = count ? finite.reduce((a, b) => a + b, 0) / count : NaN;
  const std = count > 1 ? Math.sqrt(finite.reduce((a, v) => a + (v - mean) ** 2, 0) / (count - 1)) : 0;
  return { mean, std, count, diverged: values.length - count };
}

/**
 * Per setting, the selectivity and alignment of every repetition (sequence = setting * reps + rep).
 *
 * @param weights [sequences, 2] trained weights.
 * @param sigmas sigma_y per setting.
 * @param repetitions Repetitions per setting.
 * @param seed The sweep's seed (validation sets per repetition).
 * @param samples Validation samples.
 * @returns [setting][repetition] selectivity and alignment.
 */
export function toyNeuronMetrics(
  weights: ArrayLike<number>,
  sigmas: readonly number[],
  repetitions: number,
  seed: number,
  samples = TOY_VALIDATION_SAMPLES,
): { selectivity: number[][]; alignment: number[][] } {
  const sets = Array.from({ length: repetitions }, (_, r) => toyValidationNormals(seed, r, samples));
  const selectivity: number[][] = [], alignment: number[][] = [];
  sigmas.forEach((sigma, s) => {
    selectivity.push([]);
    alignment.push([]);
    for (let r = 0; r < repetitions; r++) {
      const q = s * repetitions + r, w = [weights[2 * q], weights[2 * q + 1]];
      selectivity[s].push(xSelectivity(w, sets[r], sigma));
      alignment[s].push(xAlignment(w));
    }
  });
  return { selectivity, alignment };
}
