/**
 * Save times and summaries of teacher-student runs: log-spaced or linear save times, mean |m| +- SEM
 * over walkers, and escape times (first save time with |m| outside a band such as +-c / sqrt(d)).
 *
 * @module
 */

/**
 * Log-spaced save times in [1, steps]: the distinct values of floor(10^(i log10(steps) / (count - 1))),
 * always ending at `steps` (the original's `unique(logspace(..., N_steps, 500).astype(int))`).
 *
 * @param steps Total steps (>= 1).
 * @param count Requested number of points (fewer come back after removing duplicates).
 * @returns Sorted distinct save times.
 * @throws {RangeError} When steps or count is not a positive integer.
 */
export function logSaveTimes(steps: number, count: number): number[] {
  check(steps, count);
  const out = new Set<number>();
  for (let i = 0; i < count; i++) {
    const t = count === 1 ? steps : Math.floor(10 ** (i * Math.log10(steps) / (count - 1)) + 1e-9);
    out.add(Math.min(Math.max(t, 1), steps));
  }
  out.add(steps);
  return [...out].sort((a, b) => a - b);
}

/**
 * Linear save times: round(i steps / count) for i = 1..count (distinct, ending at `steps`).
 *
 * @param steps Total steps.
 * @param count Number of points.
 * @returns Sorted distinct save times.
 */
export function linearSaveTimes(steps: number, count: number): number[] {
  check(steps, count);
  const out = new Set<number>();
  for (let i = 1; i <= count; i++) out.add(Math.max(1, Math.round((i * steps) / count)));
  return [...out].sort((a, b) => a - b);
}

function check(steps: number, count: number): void {
  for (const [name, v] of [["steps", steps], ["count", count]] as const) {
    if (!Number.isInteger(v) || v < 1) {
      throw new RangeError(`Cannot make save times: ${name} is ${v}, must be an integer >= 1`);
    }
  }
}

/**
 * Mean of |m| over walkers and its standard error, per save time.
 *
 * @param overlap Overlaps [times, walkers].
 * @param walkers Number of walkers.
 * @returns mean[t] and sem[t] (sample standard deviation / sqrt(walkers); 0 for one walker).
 */
export function meanAbsOverlap(
  overlap: ArrayLike<number>,
  walkers: number,
): { mean: Float64Array; sem: Float64Array } {
  const times = overlap.length / walkers;
  const mean = new Float64Array(times), sem = new Float64Array(times);
  for (let t = 0; t < times; t++) {
    let s = 0, s2 = 0;
    for (let k = 0; k < walkers; k++) {
      const a = Math.abs(overlap[t * walkers + k]);
      s += a;
      s2 += a * a;
    }
    const m = s / walkers;
    mean[t] = m;
    sem[t] = walkers > 1 ? Math.sqrt(Math.max(0, (s2 - walkers * m * m) / (walkers - 1)) / walkers) : 0;
  }
  return { mean, sem };
}

/**
 * The first save time at which each walker's |m| reaches `threshold` (Infinity if never).
 *
 * @param overlap Overlaps [times, walkers].
 * @param times The save times.
 * @param walkers Number of walkers.
 * @param threshold The escape level (e.g. 0.5, or c / sqrt(d)).
 * @returns Escape time per walker.
 */
export function escapeTimes(
  overlap: ArrayLike<number>,
  times: readonly number[],
  walkers: number,
  threshold: number,
): number[] {
  return Array.from({ length: walkers }, (_, k) => {
    for (let t = 0; t < times.length; t++) {
      if (Math.abs(overlap[t * walkers + k]) >= threshold) return times[t];
    }
    return Infinity;
  });
}
