/**
 * A scaling slope measured on K independent datasets (each a full ensemble with its own data,
 * noise and initial weights) and combined with an error that includes the between-dataset spread.
 *
 * Per dataset k: the weighted slope through the origin a_k with its error e_k from the points'
 * jackknife errors. Combined: lib/stats/random_effects.ts (DerSimonian-Laird mean, Hartung-Knapp
 * error, Student t with K - 1 dof for "2 sigma"). The plotted points are per-point combinations of
 * the K datasets' values (same estimator), and the line's chi^2/dof is taken against those combined
 * errors. With K = 1 every number is the single dataset's fit, bit for bit, and the verdict says
 * that it rests on the jackknife error alone.
 *
 * @module
 */
import type { ScalingPoint } from "./dyson_plots.ts";
import { fitSlopeThroughOrigin, type SlopeFit } from "../stats/least_squares.ts";
import { combineRandomEffects } from "../stats/random_effects.ts";

/** The value a slope is compared with, and its name in verdicts ("sqrt(pi)", "1"). */
export interface SlopeTarget {
  value: number;
  name: string;
}

/** One dataset's slope. */
export interface DatasetSlope {
  slope: number;
  /** From the points' jackknife errors. */
  error: number;
  chi2PerDof: number;
}

/** Result of {@linkcode slopeAcrossDatasets}. */
export interface SlopeAcrossDatasets {
  /** K. */
  datasets: number;
  /** Combined slope (K = 1: the fit's slope). */
  slope: number;
  /** The combined slope's error from the jackknife errors alone (K = 1: the fit's error). */
  withinError: number;
  /** The part of the error from the between-dataset spread (NaN for K = 1). */
  betweenError: number;
  /** The combined error, sqrt(within^2 + between^2) (K = 1: the fit's error). */
  error: number;
  /** Spread of one dataset's slope beyond its jackknife error, tau (NaN for K = 1). */
  betweenSd: number;
  /** chi^2/dof of the K slopes against their jackknife errors (Cochran's Q / (K - 1); NaN for K = 1). */
  slopeSpreadChi2PerDof: number;
  /** The plotted line's fit to the combined points (K = 1: the dataset's fit). */
  line: SlopeFit;
  /** chi^2/dof of the combined points about the line, against their combined errors. */
  chi2PerDof: number;
  /** Each dataset's own fit. */
  perDataset: DatasetSlope[];
  target: number;
  /** (slope - target) / error. */
  pull: number;
  /** |pull| at the 2-sigma level (Student t with K - 1 dof; 2 for K = 1). */
  twoSigmaFactor: number;
  consistent: boolean;
  /** "consistent with <target> at 2 sigma: yes|no" (K = 1: says the error is the jackknife's only). */
  verdict: string;
  /** What one of the K is called ("dataset", "ensemble"). */
  unit: string;
  /** The combined points (K = 1: the dataset's points), errors including the spread. */
  points: ScalingPoint[];
}

function usable(p: ScalingPoint): boolean {
  return Number.isFinite(p.x) && Number.isFinite(p.y) && p.error > 0;
}

/** The points finite with an error in every dataset (the others are left out of every dataset). */
function usablePoints(datasets: ScalingPoint[][]): ScalingPoint[][] {
  const keep = datasets[0].map((_, j) => datasets.every((d) => usable(d[j])));
  return datasets.map((d) => d.filter((_, j) => keep[j]));
}

/**
 * Combines the same points of K datasets point by point (lib/stats/random_effects.ts: y is the
 * random-effects mean, the error includes the between-dataset spread, x is the mean x). Points that
 * are non-finite or have no error in some dataset are left out; K = 1 gives the points as they are.
 *
 * @param datasets K lists of the same points (same series and order).
 * @returns The combined points.
 * @throws {RangeError} When there are no datasets or their lengths differ.
 */
export function combinePoints(datasets: ScalingPoint[][]): ScalingPoint[] {
  if (datasets.length === 0 || datasets.some((d) => d.length !== datasets[0].length)) {
    throw new RangeError(
      `Cannot combine points: ${datasets.length} datasets of lengths ${datasets.map((d) => d.length)}`,
    );
  }
  if (datasets.length === 1) return datasets[0];
  const used = usablePoints(datasets);
  return used[0].map((p, j) => {
    const x = mean(used.map((d) => d[j].x)),
      ys = used.map((d) => d[j].y),
      errors = used.map((d) => d[j].error);
    // A point without a finite error somewhere keeps no weight (as in each dataset's own fit).
    if (!errors.every(Number.isFinite)) return { series: p.series, x, y: mean(ys), error: Infinity };
    const c = combineRandomEffects(ys, errors);
    return { series: p.series, x, y: c.mean, error: c.error };
  });
}

/**
 * Fits the slope through the origin on each dataset and combines them.
 *
 * @param datasets K lists of the same points (same series and order), one per dataset; a point is
 *   left out everywhere when it is non-finite or has no error in any dataset.
 * @param target The predicted slope.
 * @param unit What one of the K is called in the verdict ("dataset"; the RBM's: "ensemble").
 * @returns The combination, its verdict and the combined points.
 * @throws {RangeError} When there are no datasets, their lengths differ, or no usable point is left.
 */
export function slopeAcrossDatasets(
  datasets: ScalingPoint[][],
  target: SlopeTarget,
  unit = "dataset",
): SlopeAcrossDatasets {
  const k = datasets.length;
  if (k === 0 || datasets.some((d) => d.length !== datasets[0].length)) {
    throw new RangeError(`Cannot combine slopes: ${k} datasets of lengths ${datasets.map((d) => d.length)}`);
  }
  const used = usablePoints(datasets);
  if (used[0].length === 0) throw new RangeError("Cannot combine slopes: no point is finite with an error");
  const fits = used.map((p) =>
    fitSlopeThroughOrigin(p.map((q) => q.x), p.map((q) => q.y), p.map((q) => q.error))
  );
  const points = combinePoints(used);
  const line = k === 1
    ? fits[0]
    : fitSlopeThroughOrigin(points.map((q) => q.x), points.map((q) => q.y), points.map((q) => q.error));
  const c = combineRandomEffects(fits.map((f) => f.slope), fits.map((f) => f.error));
  const pull = (c.mean - target.value) / c.error;
  const consistent = Math.abs(pull) <= c.twoSigmaFactor;
  return {
    datasets: k,
    slope: c.mean,
    withinError: c.withinError,
    betweenError: c.betweenError,
    error: c.error,
    betweenSd: c.betweenSd,
    slopeSpreadChi2PerDof: c.qPerDof,
    line,
    chi2PerDof: line.chi2PerDof,
    perDataset: fits.map((f) => ({ slope: f.slope, error: f.error, chi2PerDof: f.chi2PerDof })),
    target: target.value,
    pull,
    twoSigmaFactor: c.twoSigmaFactor,
    consistent,
    verdict: `consistent with ${target.name} at 2 sigma: ${consistent ? "yes" : "no"}` +
      (k === 1 ? ` (jackknife error only: one ${unit} cannot show the between-${unit} spread)` : ""),
    unit,
    points,
  };
}

/**
 * One sentence for a caption: the slope with both errors, the target and the verdict.
 *
 * @param what The slope's name, e.g. "a_fit of <S>".
 * @param s The combination.
 * @returns E.g. "a_fit of <S> = 1.842 +- 0.008 (jackknife) +- 0.031 (between 3 datasets), combined
 *   +- 0.032; consistent with sqrt(pi) at 2 sigma: no (Student t, 2 dof)."
 */
export function slopeSentence(what: string, s: SlopeAcrossDatasets): string {
  const f = (v: number) => v.toFixed(3);
  if (s.datasets === 1) {
    return `${what} = ${f(s.slope)} +- ${f(s.error)} (jackknife, 1 ${s.unit}); ${s.verdict}.`;
  }
  return `${what} = ${f(s.slope)} +- ${f(s.withinError)} (jackknife) +- ${f(s.betweenError)} ` +
    `(between ${s.datasets} ${s.unit}s), combined +- ${f(s.error)}; ${s.verdict} ` +
    `(Student t, ${s.datasets - 1} dof: within ${s.twoSigmaFactor.toFixed(2)} combined errors).`;
}

/**
 * The summary fields of a combination, for figure summaries: the fit's own numbers first (as a
 * single dataset's summary had them), then the between-dataset ones.
 *
 * @param s The combination.
 * @returns A JSON-ready record.
 */
export function slopeSummary(s: SlopeAcrossDatasets): Record<string, unknown> {
  return {
    slope: s.slope,
    error: s.withinError,
    scaledError: s.line.scaledError,
    chi2PerDof: s.chi2PerDof,
    betweenError: s.betweenError,
    combinedError: s.error,
    verdict: s.verdict,
    pull: s.pull,
    datasets: s.datasets,
    betweenSd: s.betweenSd,
    slopeSpreadChi2PerDof: s.slopeSpreadChi2PerDof,
    perDataset: s.perDataset,
  };
}

function mean(values: number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}
