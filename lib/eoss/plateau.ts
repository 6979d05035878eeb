/**
 * Plateau summaries of a run (issue 16 point 6): batch sharpness and lambda_max over the last third of
 * their measurements, mean and spread, next to the threshold 2 / eta (2 (1 + beta) / eta with momentum) and
 * as fractions of it. An EoSS run has BS / (2 / eta) near 1 and lambda_max / (2 / eta) below it.
 *
 * @module
 */
import type { EossRow } from "./metrics.ts";
import { edgeOfStabilityThreshold, momentumThreshold } from "./momentum.ts";

/** Mean and spread of one quantity over a window of measurements. */
export interface PlateauStatistics {
  /** Mean over the window (NaN when empty). */
  mean: number;
  /** Sample standard deviation over the window (the spread; NaN with fewer than 2). */
  std: number;
  /** Smallest and largest value in the window. */
  min: number;
  max: number;
  /** Measurements in the window. */
  count: number;
  /** mean / threshold. */
  ratio: number;
}

/** The plateau summary of a run. */
export interface PlateauSummary {
  /** 2 / eta, or 2 (1 + beta) / eta with momentum (derived: errata 3). */
  threshold: number;
  /** Fraction of the measurements the window keeps (the last third). */
  fraction: number;
  batchSharpness: PlateauStatistics;
  lambdaMax: PlateauStatistics;
  /** Steps of the first and last measurement in the batch-sharpness window. */
  window: { first: number; last: number };
}

/**
 * Mean, spread and range of the last `fraction` of the finite values (at least one value when any).
 *
 * @param values Measurements in step order (NaN: not measured, skipped).
 * @param threshold Divides the mean into `ratio`.
 */
export function plateauStatistics(
  values: readonly number[],
  threshold: number,
  fraction = 1 / 3,
): PlateauStatistics {
  const finite = values.filter((v) => Number.isFinite(v));
  const keep = finite.length === 0 ? 0 : Math.max(1, Math.ceil(finite.length * fraction));
  const w = finite.slice(finite.length - keep);
  const mean = w.length ? w.reduce((s, v) => s + v, 0) / w.length : NaN;
  const std = w.length > 1 ? Math.sqrt(w.reduce((s, v) => s + (v - mean) ** 2, 0) / (w.length - 1)) : NaN;
  return {
    mean,
    std,
    min: w.length ? Math.min(...w) : NaN,
    max: w.length ? Math.max(...w) : NaN,
    count: w.length,
    ratio: mean / threshold,
  };
}

/**
 * The plateau summary of a run's rows.
 *
 * @param rows The run's measurement rows.
 * @param learningRate eta.
 * @param options `momentum` beta (0) and `fraction` (1/3).
 */
export function plateauSummary(
  rows: readonly EossRow[],
  learningRate: number,
  options: { momentum?: number; fraction?: number } = {},
): PlateauSummary {
  const beta = options.momentum ?? 0, fraction = options.fraction ?? 1 / 3;
  const threshold = beta > 0 ? momentumThreshold(learningRate, beta) : edgeOfStabilityThreshold(learningRate);
  const measured = rows.filter((r) => Number.isFinite(r.batch_sharpness));
  const keep = measured.length === 0 ? 0 : Math.max(1, Math.ceil(measured.length * fraction));
  const window = measured.slice(measured.length - keep);
  return {
    threshold,
    fraction,
    batchSharpness: plateauStatistics(rows.map((r) => r.batch_sharpness), threshold, fraction),
    lambdaMax: plateauStatistics(rows.map((r) => r.lambda_max), threshold, fraction),
    window: { first: window[0]?.step ?? NaN, last: window[window.length - 1]?.step ?? NaN },
  };
}
