/**
 * Learning-rate schedules as pure functions of the step (optax's convention): `schedule(step)` is the factor
 * that multiplies every group's base lr at step `step` (0 for the first update). The optimizer evaluates it on
 * the host into the update's group rows, so a schedule never recompiles a shader. Schedules compose with
 * {@linkcode joinSchedules} (one after another) and {@linkcode multiplySchedules}.
 *
 * @example
 * ```ts
 * import { cosineSchedule } from "./schedules.ts";
 * const s = cosineSchedule({ total: 1000, warmup: 100 });
 * s(0); // 0 (linear warmup from 0)
 * s(100); // 1
 * s(1000); // 0
 * ```
 *
 * @module
 */

/** A learning-rate factor as a function of the step (an integer >= 0). */
export type Schedule = (step: number) => number;

function check(what: string, name: string, value: number, ok: boolean, range: string): void {
  if (!(typeof value === "number" && Number.isFinite(value) && ok)) {
    throw new RangeError(`Cannot create ${what} schedule: ${name} is ${value}, must be ${range}`);
  }
}

/** The factor `value` at every step (1 by default). */
export function constantSchedule(value = 1): Schedule {
  check("constant", "value", value, value >= 0, ">= 0");
  return () => value;
}

/** `gamma^floor(step / every)` (torch's StepLR). */
export function stepSchedule(options: { every: number; gamma: number }): Schedule {
  const { every, gamma } = options;
  check("step", "every", every, Number.isInteger(every) && every >= 1, "an integer >= 1");
  check("step", "gamma", gamma, gamma >= 0, ">= 0");
  return (step) => gamma ** Math.floor(step / every);
}

/** `gamma^step` (torch's ExponentialLR). */
export function exponentialSchedule(options: { gamma: number }): Schedule {
  check("exponential", "gamma", options.gamma, options.gamma >= 0, ">= 0");
  return (step) => options.gamma ** step;
}

/**
 * Linear warmup from `warmupStart` at step 0 to 1 at step `warmup`, then cosine decay to `floor` at step
 * `total` (and `floor` after it): `floor + (1 - floor) (1 + cos(pi (step - warmup) / (total - warmup))) / 2`.
 */
export function cosineSchedule(
  options: { total: number; warmup?: number; floor?: number; warmupStart?: number },
): Schedule {
  const { total, warmup = 0, floor = 0, warmupStart = 0 } = options;
  check("cosine", "total", total, Number.isInteger(total) && total >= 1, "an integer >= 1");
  check(
    "cosine",
    "warmup",
    warmup,
    Number.isInteger(warmup) && warmup >= 0 && warmup < total,
    "an integer in [0, total)",
  );
  check("cosine", "floor", floor, floor >= 0 && floor <= 1, "in [0, 1]");
  check("cosine", "warmupStart", warmupStart, warmupStart >= 0, ">= 0");
  return (step) => {
    if (step < warmup) return warmupStart + (1 - warmupStart) * step / warmup;
    const progress = Math.min(1, (step - warmup) / (total - warmup));
    return floor + (1 - floor) * (1 + Math.cos(Math.PI * progress)) / 2;
  };
}

/**
 * torch's OneCycleLR (cosine annealing, as a factor of the maximum lr): from `1 / divFactor` up to 1 at step
 * `pctStart total - 1`, then down to `1 / (divFactor finalDivFactor)` at step `total - 1`.
 */
export function oneCycleSchedule(
  options: { total: number; pctStart?: number; divFactor?: number; finalDivFactor?: number },
): Schedule {
  const { total, pctStart = 0.3, divFactor = 25, finalDivFactor = 1e4 } = options;
  check("one-cycle", "total", total, Number.isInteger(total) && total >= 2, "an integer >= 2");
  check("one-cycle", "pctStart", pctStart, pctStart > 0 && pctStart < 1, "in (0, 1)");
  check("one-cycle", "divFactor", divFactor, divFactor >= 1, ">= 1");
  check("one-cycle", "finalDivFactor", finalDivFactor, finalDivFactor >= 1, ">= 1");
  const initial = 1 / divFactor, final = initial / finalDivFactor;
  const peak = pctStart * total - 1, end = total - 1;
  const annealCos = (start: number, stop: number, pct: number) =>
    stop + (start - stop) / 2 * (Math.cos(Math.PI * pct) + 1);
  return (step) => {
    if (step <= peak) return annealCos(initial, 1, peak <= 0 ? 1 : step / peak);
    return annealCos(1, final, Math.min(1, (step - peak) / (end - peak)));
  };
}

/**
 * Schedules one after another (optax's join_schedules): `schedules[k]` runs from `boundaries[k - 1]` on, and
 * sees the step counted from its own start.
 *
 * @param schedules The schedules.
 * @param boundaries The steps where each next schedule starts, increasing (one fewer than schedules).
 */
export function joinSchedules(schedules: readonly Schedule[], boundaries: readonly number[]): Schedule {
  if (schedules.length === 0 || boundaries.length !== schedules.length - 1) {
    throw new RangeError(
      `Cannot join schedules: ${schedules.length} schedules and ${boundaries.length} boundaries, ` +
        `must be n >= 1 and n - 1`,
    );
  }
  boundaries.forEach((b, k) =>
    check(
      "joined",
      `boundary ${k}`,
      b,
      Number.isInteger(b) && b >= 1 && (k === 0 || b > boundaries[k - 1]),
      "an increasing integer >= 1",
    )
  );
  return (step) => {
    let k = 0;
    while (k < boundaries.length && step >= boundaries[k]) k++;
    return schedules[k](step - (k === 0 ? 0 : boundaries[k - 1]));
  };
}

/** The product of schedules at each step (e.g. a warmup times a decay). */
export function multiplySchedules(...schedules: Schedule[]): Schedule {
  return (step) => schedules.reduce((product, s) => product * s(step), 1);
}

/** Schedule names of {@linkcode namedSchedule} (the script's `--schedule`). */
export const SCHEDULE_NAMES = ["constant", "cosine", "exponential", "step", "onecycle"] as const;

/**
 * A schedule by name with the settings a command line gives.
 *
 * @param name One of {@linkcode SCHEDULE_NAMES}.
 * @param options Total steps, warmup, and gamma / every for exponential and step.
 * @throws {TypeError} On an unknown name.
 */
export function namedSchedule(
  name: string,
  options: { total: number; warmup?: number; gamma?: number; every?: number },
): Schedule {
  switch (name) {
    case "constant":
      return constantSchedule();
    case "cosine":
      return cosineSchedule({ total: options.total, warmup: options.warmup ?? 0 });
    case "exponential":
      return exponentialSchedule({ gamma: options.gamma ?? 0.999 });
    case "step":
      return stepSchedule({
        every: options.every ?? Math.max(1, Math.floor(options.total / 3)),
        gamma: options.gamma ?? 0.1,
      });
    case "onecycle":
      return oneCycleSchedule({ total: options.total });
    default:
      throw new TypeError(
        `Cannot create schedule: name is "${name}", must be one of ${SCHEDULE_NAMES.join(", ")}`,
      );
  }
}
