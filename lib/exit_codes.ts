/**
 * The exit statuses of every script and the error classes that choose them (README, "Exit codes").
 * `lib/cli.ts` re-exports everything here; lower layers (lib/io, lib/sweep) import it from here.
 *
 * @module
 */

/**
 * Exit statuses of every script (README, "Exit codes"):
 *
 * - `ok` 0: done (a run directory holds `done.json`).
 * - `failure` 1: the machine failed (GPU or adapter error, a file system refusing a write, a bug).
 * - `usage` 2: the command is wrong: unknown option, malformed or out-of-range value, options that do
 *   not go together, a `--config` or sweep spec with bad content, an `--out` that holds another run.
 * - `data` 3: an input file on disk is missing, truncated or corrupt (dataset files, a checkpoint).
 * - `runFailed` 4: the run produced nothing meaningful (it diverged to NaN or infinity and was stopped,
 *   or recorded nothing); its partial results are kept, labelled by `failed.json`, without `done.json`.
 * - `interrupted` 130 / `terminated` 143: stopped by SIGINT / SIGTERM after writing a checkpoint
 *   (continue with `--resume`).
 */
export const EXIT_CODES = {
  ok: 0,
  failure: 1,
  usage: 2,
  data: 3,
  runFailed: 4,
  interrupted: 130,
  terminated: 143,
} as const;

/** Thrown on bad command-line input; scripts print its message and exit with status 2. */
export class UsageError extends Error {
  /** @param message What is wrong and how to fix it. */
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/**
 * Thrown when an input file on disk is unreadable or corrupt (a run directory's config.json, a
 * spec); scripts print its message and exit with status 3. Dataset and checkpoint errors have their
 * own classes (`DatasetFileError`, `CheckpointError`) with the same status.
 */
export class DataError extends Error {
  /** @param message Which file, what is wrong, how to fix it. */
  constructor(message: string) {
    super(message);
    this.name = "DataError";
  }
}

/**
 * Thrown when a run reached its end without a meaningful result (diverged, recorded nothing);
 * scripts print its message and exit with status 4. Its partial results are kept and labelled.
 */
export class RunFailedError extends Error {
  /** @param message What went wrong, where the partial results are, and what to change. */
  constructor(message: string) {
    super(message);
    this.name = "RunFailedError";
  }
}

/**
 * The exit status for an error (see {@linkcode EXIT_CODES}).
 *
 * A `RangeError` or `TypeError` in the toolkit's own form (`Cannot <do what>: <why>`) is a value the
 * toolkit's checks refused, so a usage error; other errors (the engine's, the GPU's) are failures.
 *
 * @param error What was thrown.
 * @returns 1, 2, 3 or 4.
 */
export function exitCodeOf(error: unknown): number {
  if (error instanceof UsageError) return EXIT_CODES.usage;
  if (error instanceof RunFailedError) return EXIT_CODES.runFailed;
  const name = (error as Error | undefined)?.name;
  if (name === "DataError" || name === "DatasetFileError" || name === "CheckpointError") {
    return EXIT_CODES.data;
  }
  if (
    (error instanceof RangeError || error instanceof TypeError) && /^Cannot [^\n]*?: /.test(error.message)
  ) {
    return EXIT_CODES.usage;
  }
  return EXIT_CODES.failure;
}
