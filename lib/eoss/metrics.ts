/**
 * The rows of an EoSS run (specs/seed003 EOSS-16, section 2.4's log row): one per step at which any
 * measurement ran, with the spec's columns (epoch, step, batch_loss, full_loss, lambda_max,
 * step_sharpness, batch_sharpness, gni, accuracy) and the estimators' diagnostics. In memory an unmeasured
 * value is NaN; in `metrics.jsonl` it is null (JSON has no NaN).
 *
 * @module
 */
import type { MetricsRow } from "../io/metrics.ts";

/** One measurement row, taken on the parameters before update `step`. */
export interface EossRow {
  /** Epoch of `step` (steps per epoch = floor(m / b)). */
  epoch: number;
  /** The global step (0-based): the row's values are measured before its update. */
  step: number;
  /** The loss of the live batch of `step` (the batch its update uses). */
  batch_loss: number;
  /** Loss on all n training samples. */
  full_loss: number;
  /** Top Hessian eigenvalue (on at most `settings.lambdaMaxRows` rows). */
  lambda_max: number;
  /** g_B^T H_B g_B / |g_B|^2 on the live batch. */
  step_sharpness: number;
  /** E_B[g_B^T H_B g_B / |g_B|^2] over fresh batches. */
  batch_sharpness: number;
  /** E_B[g_B^T H g_B] / |g|^2. */
  gni: number;
  /** Training accuracy on the n samples (with `full_loss`). */
  accuracy: number;
  /** Standard error of `batch_sharpness`, its Monte-Carlo batches, and the expectation-inside variant. */
  batch_sharpness_se: number;
  batch_sharpness_samples: number;
  batch_sharpness_inside: number;
  /** E_B[|g_B|^2] (from the batch-sharpness samples). */
  mean_gradient_norm_squared: number;
  /** Power iterations of `lambda_max` and its relative residual. */
  lambda_max_iterations: number;
  lambda_max_residual: number;
  /** Hutchinson trace of the Hessian. */
  trace: number;
  /** Momentum batch sharpness E_B[s^T H_B s / s^T g_B] (momentum runs, with batch sharpness). */
  momentum_batch_sharpness: number;
  /** lambda_max(E_B[(I - eta H_B)^2]) over `settings.secondMomentBatches` batches (> 1: unstable in mean square). */
  second_moment_contraction: number;
}

/** The column names of a row, in order. */
export const EOSS_COLUMNS: readonly (keyof EossRow)[] = [
  "epoch",
  "step",
  "batch_loss",
  "full_loss",
  "lambda_max",
  "step_sharpness",
  "batch_sharpness",
  "gni",
  "accuracy",
  "batch_sharpness_se",
  "batch_sharpness_samples",
  "batch_sharpness_inside",
  "mean_gradient_norm_squared",
  "lambda_max_iterations",
  "lambda_max_residual",
  "trace",
  "momentum_batch_sharpness",
  "second_moment_contraction",
];

/** An empty row at a step (every value NaN). */
export function emptyRow(epoch: number, step: number): EossRow {
  const row = Object.fromEntries(EOSS_COLUMNS.map((c) => [c, NaN])) as unknown as EossRow;
  row.epoch = epoch;
  row.step = step;
  return row;
}

/** A row for metrics.jsonl: NaN (not measured) becomes null. */
export function rowToJson(row: EossRow): MetricsRow {
  return Object.fromEntries(EOSS_COLUMNS.map((c) => [c, Number.isNaN(row[c]) ? null : row[c]]));
}

/** A row read back from metrics.jsonl (null becomes NaN, missing columns NaN). */
export function rowFromJson(json: MetricsRow): EossRow {
  return Object.fromEntries(
    EOSS_COLUMNS.map((c) => [c, typeof json[c] === "number" ? json[c] as number : NaN]),
  ) as unknown as EossRow;
}
