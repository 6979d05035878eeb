/**
 * The measurement cadence scheduler (specs/seed003 EOSS-14, section 2.4): each measurement runs at the
 * steps s with s % period(s) == 0, where the period starts at `every` and is multiplied by each
 * `factor` once s reaches its `after` step (the original doubles batch sharpness' 128 after 10k, 50k and
 * 100k steps, lambda_max's 256 after 10k and 30k...). Heavy measurements can be spaced out together
 * (`--rare-measure` multiplies their periods by 4).
 *
 * @module
 */

/** The measurements a run can take. */
export type MeasurementName =
  | "fullLoss"
  | "lambdaMax"
  | "batchSharpness"
  | "stepSharpness"
  | "gni"
  | "trace"
  | "secondMoment";

/** Every measurement, in the order a row is filled. */
export const MEASUREMENT_NAMES: readonly MeasurementName[] = [
  "fullLoss",
  "lambdaMax",
  "batchSharpness",
  "stepSharpness",
  "gni",
  "trace",
  "secondMoment",
];

/** The measurements `rareMeasure` spaces out. */
export const HEAVY_MEASUREMENTS: ReadonlySet<MeasurementName> = new Set([
  "lambdaMax",
  "batchSharpness",
  "gni",
  "trace",
  "secondMoment",
]);

/** A period that grows at given steps. */
export interface CadenceSpec {
  /** The period at step 0 (>= 1). */
  every: number;
  /** From step `after` on, the period is multiplied by `factor` (cumulative, any order). */
  growth?: readonly { after: number; factor: number }[];
}

/**
 * The original's cadences (section 2.4): full loss 32, lambda_max 256, batch sharpness 128, step sharpness
 * 16, GNI 2500, Hessian trace 256 (the original uses 64 when b >= 33: see {@linkcode traceCadence}); the
 * second-moment contraction (EOSS-17, not in the original) is off unless given a period.
 */
export const DEFAULT_CADENCES: Readonly<Record<MeasurementName, CadenceSpec | null>> = {
  fullLoss: { every: 32, growth: [{ after: 10000, factor: 2 }, { after: 50000, factor: 2 }] },
  lambdaMax: { every: 256, growth: [{ after: 10000, factor: 2 }, { after: 30000, factor: 2 }] },
  batchSharpness: {
    every: 128,
    growth: [{ after: 10000, factor: 2 }, { after: 50000, factor: 2 }, { after: 100000, factor: 2 }],
  },
  stepSharpness: { every: 16 },
  gni: null,
  trace: null,
  secondMoment: null,
};

/** The original's GNI cadence: 2500, x4 after 10k, x2 after 50k. */
export const GNI_CADENCE: CadenceSpec = {
  every: 2500,
  growth: [{ after: 10000, factor: 4 }, { after: 50000, factor: 2 }],
};

/** The original's Hessian-trace cadence: 256 for b < 33, else 64; x2 after 10k and 50k (errata 6). */
export function traceCadence(batchSize: number): CadenceSpec {
  return {
    every: batchSize < 33 ? 256 : 64,
    growth: [{ after: 10000, factor: 2 }, { after: 50000, factor: 2 }],
  };
}

/**
 * Checks a cadence.
 *
 * @throws {RangeError} On a period or factor that is not an integer >= 1, or a negative `after`.
 */
export function checkCadence(cadence: CadenceSpec, name = "cadence"): void {
  if (!(Number.isInteger(cadence.every) && cadence.every >= 1)) {
    throw new RangeError(`Cannot use ${name}: every is ${cadence.every}, must be an integer >= 1`);
  }
  for (const g of cadence.growth ?? []) {
    if (!(Number.isInteger(g.after) && g.after >= 0 && Number.isInteger(g.factor) && g.factor >= 1)) {
      throw new RangeError(
        `Cannot use ${name}: growth {after: ${g.after}, factor: ${g.factor}} needs integers after >= 0, factor >= 1`,
      );
    }
  }
}

/** The period of a cadence at step `step` (`scale` multiplies it, rounded to an integer >= 1). */
export function cadencePeriod(cadence: CadenceSpec, step: number, scale = 1): number {
  let period = cadence.every;
  for (const g of cadence.growth ?? []) if (step >= g.after) period *= g.factor;
  return Math.max(1, Math.round(period * scale));
}

/** Whether a measurement with this cadence runs at `step` (before that step's update). */
export function cadenceDue(cadence: CadenceSpec | null | undefined, step: number, scale = 1): boolean {
  return cadence != null && step % cadencePeriod(cadence, step, scale) === 0;
}

/**
 * The measurements due at `step`.
 *
 * @param cadences A cadence (or null) per measurement.
 * @param step The step.
 * @param rareMeasure Multiplier of the heavy measurements' periods (1).
 * @returns The names, in {@linkcode MEASUREMENT_NAMES} order.
 */
export function measurementsDue(
  cadences: Readonly<Record<MeasurementName, CadenceSpec | null>>,
  step: number,
  rareMeasure = 1,
): MeasurementName[] {
  return MEASUREMENT_NAMES.filter((name) =>
    cadenceDue(cadences[name], step, HEAVY_MEASUREMENTS.has(name) ? rareMeasure : 1)
  );
}

/** Every step in [0, steps) at which a cadence is due (for plots and tests). */
export function cadenceSteps(cadence: CadenceSpec, steps: number, scale = 1): number[] {
  const out: number[] = [];
  for (let s = 0; s < steps; s++) if (cadenceDue(cadence, s, scale)) out.push(s);
  return out;
}
