/**
 * Streamed metrics: one JSON object per line (`metrics.jsonl`), appended as a run goes.
 *
 * Each row is written with a single `write` of a complete line, so a crash leaves at
 * most one partial last line, which {@linkcode readMetrics} drops.
 *
 * @module
 */

/** One metrics row: numbers, strings, booleans or null by name (e.g. `{ step: 100, error: 0.3 }`). */
export type MetricsRow = Record<string, number | string | boolean | null>;

/** Appends rows to a JSON-lines file. */
export class MetricsWriter {
  #file: Deno.FsFile | null;
  readonly path: string;

  private constructor(path: string, file: Deno.FsFile) {
    this.path = path;
    this.#file = file;
  }

  /**
   * Opens `path` for appending (created if missing).
   *
   * @param path The `.jsonl` file.
   * @returns The writer.
   */
  static async open(path: string): Promise<MetricsWriter> {
    const file = await Deno.open(path, { append: true, create: true });
    return new MetricsWriter(path, file);
  }

  /**
   * Appends one row as a line. Non-finite numbers are written as null (JSON has no NaN).
   *
   * @param row The row.
   * @throws {Error} After {@linkcode close}.
   */
  write(row: MetricsRow): void {
    if (!this.#file) throw new Error(`Cannot write metrics to ${this.path}: the writer is closed`);
    const bytes = new TextEncoder().encode(JSON.stringify(row) + "\n");
    let written = 0;
    while (written < bytes.length) written += this.#file.writeSync(bytes.subarray(written));
  }

  /** Flushes to disk and closes the file (idempotent). */
  close(): void {
    if (!this.#file) return;
    this.#file.syncDataSync();
    this.#file.close();
    this.#file = null;
  }
}

/**
 * Reads a JSON-lines metrics file; a partial last line (a crash mid-write) is dropped.
 *
 * @param path The `.jsonl` file.
 * @returns The rows in order; `[]` if the file does not exist.
 * @throws {TypeError} On a malformed line other than a partial last one.
 */
export async function readMetrics(path: string): Promise<MetricsRow[]> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return [];
    throw error;
  }
  // The piece after the last newline is "" or a partial row from an interrupted write.
  const complete = text.split("\n").slice(0, -1);
  return complete.filter((line) => line.trim() !== "").map((line, i) => {
    try {
      return JSON.parse(line) as MetricsRow;
    } catch {
      throw new TypeError(`Cannot read ${path}: line ${i + 1} is not JSON: ${line.slice(0, 80)}`);
    }
  });
}
