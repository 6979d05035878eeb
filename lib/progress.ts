/**
 * Progress of long work on stderr: a bar with rate and ETA on a terminal, a periodic
 * one-line status in logs, nothing with `--quiet`.
 *
 * - On a TTY the bar is redrawn in place (at most every 100 ms):
 *   `train [##########----------]  50.0% 5000/10000 steps  1.23k steps/s  ETA 4s`
 * - When stderr is not a TTY (a log file, CI, a SLURM job), no bar: one line every
 *   `statusIntervalSeconds` (default 30) and one at the end, e.g.
 *   `train: 5000/10000 steps (50.0%), 1.23k steps/s, ETA 4s, elapsed 4s`.
 * - Quiet (`--quiet`, {@linkcode setProgressQuiet}, or `mode: "quiet"`): nothing.
 *
 * Stdout is never touched, so scripts that print data keep it machine-readable. While a bar is
 * shown, `console.log` (and `info`, `warn`, `error`, `debug`) first erase it, so printed lines never
 * glue to the bar; the next update redraws it below them. The bar is cut to the terminal's width
 * (a wrapped line could not be redrawn in place), and the final state is drawn once.
 * (`npm:cli-progress@3` runs under Deno and is silent off a TTY, but has no line mode
 * and no injectable clock for tests: this small module does both.)
 *
 * @module
 */

/** Where progress is written: `Deno.stderr` or anything with the same two methods. */
export interface ProgressSink {
  writeSync(bytes: Uint8Array): number;
  isTerminal(): boolean;
}

/** Options of {@linkcode Progress}. */
export interface ProgressOptions {
  /** Units of work in total (e.g. steps). */
  total: number;
  /** Prefix, e.g. the script's name. */
  label?: string;
  /** Name of a unit, e.g. `"steps"` (default `"it"`). */
  unit?: string;
  /** Units already done before this process started (a resumed run): not counted in the rate. */
  start?: number;
  /** `"auto"` (bar on a TTY, lines otherwise), `"bar"`, `"lines"` or `"quiet"`. */
  mode?: "auto" | "bar" | "lines" | "quiet";
  /** Seconds between status lines in line mode (default 30). */
  statusIntervalSeconds?: number;
  /** Output (default `Deno.stderr`). */
  sink?: ProgressSink;
  /** Clock in milliseconds (default `performance.now`). */
  now?: () => number;
  /** Bar width in characters (default 24). */
  barWidth?: number;
  /** Terminal width in columns (default: the console's, when known). */
  columns?: () => number;
}

const CONSOLE_METHODS = ["log", "info", "warn", "error", "debug"] as const;
const HOOKED = Symbol("progress console hook");
let activeBar: Progress | null = null;

/**
 * Makes console output erase the active bar first (see the module doc). Installed when this module
 * loads with stderr on a terminal, so that a script holding `console.log` (e.g. as a `print`
 * function) before any bar exists still goes through it; otherwise when the first bar is drawn.
 */
function hookConsole(): void {
  if ((console.log as unknown as Record<symbol, boolean>)[HOOKED]) return;
  for (const m of CONSOLE_METHODS) {
    const original = console[m];
    const hooked = (...args: unknown[]) => {
      activeBar?.clearLine();
      original.apply(console, args);
    };
    (hooked as unknown as Record<symbol, boolean>)[HOOKED] = true;
    console[m] = hooked;
  }
}

try {
  if (Deno.stderr.isTerminal()) hookConsole();
} catch { /* no permission to query: hooked when a bar is drawn */ }

/** The terminal's width, or Infinity when unknown (a pseudo-terminal may report 0 columns). */
function consoleColumns(): number {
  try {
    const columns = Deno.consoleSize().columns;
    return columns >= 20 ? columns : Infinity;
  } catch {
    return Infinity;
  }
}

let globalQuiet = false;

/** Silences every progress display of this process (what `--quiet` does). */
export function setProgressQuiet(quiet: boolean): void {
  globalQuiet = quiet;
}

/**
 * Formats seconds compactly: `"42s"`, `"3m05s"`, `"2h07m"`, `"3d04h"`, `"--"` when unknown.
 *
 * @example
 * ```ts
 * import { formatDuration } from "./progress.ts";
 * console.log(formatDuration(185)); // 3m05s
 * ```
 */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return "--";
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  const pad = (n: number) => String(n).padStart(2, "0");
  if (s < 3600) return `${Math.floor(s / 60)}m${pad(s % 60)}s`;
  if (s < 86400) return `${Math.floor(s / 3600)}h${pad(Math.floor(s / 60) % 60)}m`;
  return `${Math.floor(s / 86400)}d${pad(Math.floor(s / 3600) % 24)}h`;
}

/**
 * Formats a rate with an SI prefix and three significant digits: `"950 steps/s"`, `"1.23k steps/s"`.
 *
 * @example
 * ```ts
 * import { formatRate } from "./progress.ts";
 * console.log(formatRate(1234, "steps")); // 1.23k steps/s
 * ```
 */
export function formatRate(perSecond: number, unit: string): string {
  if (!Number.isFinite(perSecond) || perSecond <= 0) return `-- ${unit}/s`;
  for (const [scale, prefix] of [[1e9, "G"], [1e6, "M"], [1e3, "k"]] as const) {
    if (perSecond >= scale) return `${(perSecond / scale).toPrecision(3)}${prefix} ${unit}/s`;
  }
  return `${perSecond >= 100 ? Math.round(perSecond) : perSecond.toPrecision(3)} ${unit}/s`;
}

/** Progress of one piece of work (see the module doc). */
export class Progress {
  readonly total: number;
  #label: string;
  #unit: string;
  #mode: "bar" | "lines" | "quiet";
  #sink: ProgressSink;
  #now: () => number;
  #interval: number;
  #width: number;
  #startUnits: number;
  #startTime: number;
  #done: number;
  #lastDraw = -Infinity;
  #finished = false;
  #columns: () => number;
  /** The bar text on screen now ("" when none). */
  #shown = "";

  /** @param options Total, label, unit, mode and output (see {@linkcode ProgressOptions}). */
  constructor(options: ProgressOptions) {
    if (!(options.total >= 0)) {
      throw new RangeError(`Cannot show progress: total is ${options.total}, must be >= 0`);
    }
    this.total = options.total;
    this.#label = options.label ?? "";
    this.#unit = options.unit ?? "it";
    this.#sink = options.sink ?? Deno.stderr;
    this.#now = options.now ?? (() => performance.now());
    this.#interval = (options.statusIntervalSeconds ?? 30) * 1000;
    this.#width = options.barWidth ?? 24;
    this.#columns = options.columns ?? (options.sink ? () => Infinity : consoleColumns);
    const mode = options.mode ?? "auto";
    this.#mode = globalQuiet || mode === "quiet"
      ? "quiet"
      : mode === "auto"
      ? (this.#sink.isTerminal() ? "bar" : "lines")
      : mode;
    this.#startUnits = this.#done = options.start ?? 0;
    this.#startTime = this.#now();
    // Line mode: the first status line comes after one interval, not at once.
    if (this.#mode === "lines") this.#lastDraw = this.#startTime;
  }

  /** What is displayed: `"bar"`, `"lines"` or `"quiet"`. */
  get mode(): "bar" | "lines" | "quiet" {
    return this.#mode;
  }

  /** Units per second since this process started (excluding `start`). */
  get rate(): number {
    const seconds = (this.#now() - this.#startTime) / 1000;
    return seconds > 0 ? (this.#done - this.#startUnits) / seconds : NaN;
  }

  /** Seconds left at the current rate (NaN when unknown). */
  get etaSeconds(): number {
    const rate = this.rate;
    return rate > 0 ? (this.total - this.#done) / rate : NaN;
  }

  /** Sets the units done so far. */
  update(done: number): void {
    this.#done = Math.min(done, this.total);
    this.#maybeDraw(false);
  }

  /** Adds `units` (default 1) to the units done. */
  tick(units = 1): void {
    this.update(this.#done + units);
  }

  /** Draws the final state (a newline ends the bar); idempotent. */
  finish(): void {
    if (this.#finished) return;
    this.#finished = true;
    this.#maybeDraw(true);
    if (activeBar === this) activeBar = null;
  }

  /** Erases the bar from the terminal (before other output); the next update draws it again. */
  clearLine(): void {
    if (this.#mode !== "bar" || this.#shown === "") return;
    this.#write("\r\x1b[2K");
    this.#shown = "";
    this.#lastDraw = -Infinity;
  }

  /** The status as one line (what line mode prints). */
  statusLine(): string {
    const percent = this.total > 0 ? (100 * this.#done / this.total).toFixed(1) : "100.0";
    const elapsed = (this.#now() - this.#startTime) / 1000;
    const prefix = this.#label ? `${this.#label}: ` : "";
    return `${prefix}${this.#done}/${this.total} ${this.#unit} (${percent}%), ${
      formatRate(this.rate, this.#unit)
    }, ` +
      `ETA ${this.#done >= this.total ? "0s" : formatDuration(this.etaSeconds)}, elapsed ${
        formatDuration(elapsed)
      }`;
  }

  /** The bar as one line (what a TTY shows). */
  barLine(): string {
    const fraction = this.total > 0 ? this.#done / this.total : 1;
    const filled = Math.round(fraction * this.#width);
    const bar = "#".repeat(filled) + "-".repeat(this.#width - filled);
    const eta = this.#done >= this.total ? "0s" : formatDuration(this.etaSeconds);
    const prefix = this.#label ? `${this.#label} ` : "";
    return `${prefix}[${bar}] ${
      (100 * fraction).toFixed(1).padStart(5)
    }% ${this.#done}/${this.total} ${this.#unit}` +
      `  ${formatRate(this.rate, this.#unit)}  ETA ${eta}`;
  }

  #maybeDraw(final: boolean): void {
    if (this.#mode === "quiet") return;
    const now = this.#now();
    if (this.#mode === "bar") {
      if (!final && now - this.#lastDraw < 100) return;
      this.#lastDraw = now;
      const columns = this.#columns();
      const line = Number.isFinite(columns)
        ? this.barLine().slice(0, Math.max(1, columns - 1))
        : this.barLine();
      if (final) {
        // The final state once: when it is on screen already, only end its line.
        this.#write(line === this.#shown ? "\n" : `\r\x1b[2K${line}\n`);
        this.#shown = "";
        return;
      }
      this.#write(`\r\x1b[2K${line}`);
      this.#shown = line;
      hookConsole();
      activeBar = this;
      return;
    }
    if (!final && now - this.#lastDraw < this.#interval) return;
    this.#lastDraw = now;
    this.#write(`${this.statusLine()}\n`);
  }

  #write(text: string): void {
    const bytes = new TextEncoder().encode(text);
    let written = 0;
    while (written < bytes.length) written += this.#sink.writeSync(bytes.subarray(written));
  }
}
