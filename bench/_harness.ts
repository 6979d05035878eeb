/**
 * The benchmark row format and timing helpers shared by every `bench/<name>.ts`.
 *
 * A benchmark module exports `run(options)`, an async generator of
 * {@linkcode BenchRow}s. `bench/main.ts` prints them as a table, or with `--json`
 * as one JSON object per line. Rows compared with a baseline measured in the same
 * run carry `baseline` (the baseline's variant) and `ratio` (value / baseline's
 * value, higher is better).
 *
 * @module
 */

/** One measured number. */
export interface BenchRow {
  /** The benchmark's name (the file's), e.g. `"matmul"`. */
  bench: string;
  /** What was measured, e.g. `"blocked"`, `"tfjs-webgpu"`, `"reference"`. */
  variant: string;
  /** The measured value. */
  value: number;
  /** Its unit, e.g. `"GFLOP/s"`, `"us/dispatch"`, `"walker-steps/s"`. */
  unit: string;
  /** The baseline's variant, on rows compared with one. */
  baseline?: string;
  /** value / baseline value (higher is better), on rows compared with one. */
  ratio?: number;
  /** Case parameters (`n`, `d`, `walkers`, ...) and notes. */
  [parameter: string]: unknown;
}

/** Options every benchmark accepts. */
export interface BenchOptions {
  /** Smaller sizes and fewer repeats (for smoke tests). */
  quick: boolean;
  /** Extra `--key=value` arguments. */
  args: Record<string, string | boolean>;
}

/** A benchmark module. */
export interface BenchModule {
  /** One-line description for `--help`. */
  description: string;
  /** Yields rows as they are measured. */
  run(options: BenchOptions): AsyncGenerator<BenchRow>;
}

/**
 * Times an async function: runs it `warmup` times, then repeatedly until `minSeconds`
 * have passed (at least `minRepeats` times), and returns the median seconds per call.
 */
export async function timeAsync(
  fn: () => Promise<unknown>,
  { warmup = 1, minRepeats = 3, minSeconds = 0.5 }: {
    warmup?: number;
    minRepeats?: number;
    minSeconds?: number;
  } = {},
): Promise<number> {
  for (let i = 0; i < warmup; i++) await fn();
  const times: number[] = [];
  const start = performance.now();
  while (times.length < minRepeats || (performance.now() - start) / 1000 < minSeconds) {
    const t0 = performance.now();
    await fn();
    times.push((performance.now() - t0) / 1000);
    if (times.length >= 1000) break;
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

/** Adds `baseline` and `ratio` fields to `row` against `base`. */
export function compared(row: BenchRow, base: BenchRow): BenchRow {
  return { ...row, baseline: base.variant, ratio: row.value / base.value };
}
