/**
 * Binary files of fixed-size records (a CIFAR-10 batch, STL-10's `*_X.bin` and `*_y.bin`)
 * read without holding the whole file: the size is checked when the file is opened, then
 * only the requested records are read (sorted, coalesced seeks and reads, results in the
 * caller's order), or consecutive records stream in batches.
 *
 * @module
 */
import { DatasetFileError } from "./files.ts";

/** How the records of a file are laid out, and what to tell the user when it is bad. */
export interface RecordFileOptions {
  /** Bytes per record (>= 1). */
  recordBytes: number;
  /** Bytes before the first record (0 by default). */
  headerBytes?: number;
  /** What the file is, for messages, e.g. `"CIFAR-10 batch"` (default `"dataset file"`). */
  what?: string;
  /** How to get the file, appended to messages, e.g. `"download x.tar.gz from URL and extract it"`. */
  hint?: string;
}

/** One batch of consecutive records. */
export interface RecordBatch {
  /** Index of the first record. */
  start: number;
  /** Number of records. */
  count: number;
  /** Their bytes, `count * recordBytes`: a fresh array the caller may keep, unless batches were asked to reuse one. */
  bytes: Uint8Array;
}

/** Largest single read: runs of consecutive records are read in pieces of at most this size. */
const MAX_READ_BYTES = 8 * 2 ** 20;

/**
 * An open file of fixed-size records. Open it with {@linkcode RecordFile.open} and close it
 * in a `finally` (or with `using`); {@linkcode withRecordFile} and {@linkcode streamRecords}
 * do both.
 */
export class RecordFile {
  /** The file. */
  readonly path: string;
  /** Bytes per record. */
  readonly recordBytes: number;
  /** Bytes before the first record. */
  readonly headerBytes: number;
  /** Number of records. */
  readonly count: number;
  /** What the file is, for messages. */
  readonly what: string;
  #file: Deno.FsFile | undefined;

  private constructor(path: string, file: Deno.FsFile, count: number, options: RecordFileOptions) {
    this.path = path;
    this.#file = file;
    this.count = count;
    this.recordBytes = options.recordBytes;
    this.headerBytes = options.headerBytes ?? 0;
    this.what = options.what ?? "dataset file";
  }

  /**
   * Opens a record file and checks that its length is the header plus a positive whole
   * number of records (the file is closed again when it is not).
   *
   * @param path The file.
   * @param options Record and header sizes, and words for messages.
   * @returns The open file.
   * @throws {RangeError} When recordBytes or headerBytes is not a valid size.
   * @throws {DatasetFileError} When the file is missing or unreadable, or its size is not whole records.
   */
  static async open(path: string, options: RecordFileOptions): Promise<RecordFile> {
    const { recordBytes, headerBytes = 0, hint = "" } = options;
    if (!Number.isInteger(recordBytes) || recordBytes < 1) {
      throw new RangeError(`Cannot open record file "${path}": recordBytes is ${recordBytes}, must be >= 1`);
    }
    if (!Number.isInteger(headerBytes) || headerBytes < 0) {
      throw new RangeError(`Cannot open record file "${path}": headerBytes is ${headerBytes}, must be >= 0`);
    }
    let file: Deno.FsFile;
    try {
      file = await Deno.open(path, { read: true });
    } catch (error) {
      const why = error instanceof Deno.errors.NotFound ? "it does not exist" : (error as Error).message;
      throw new DatasetFileError(
        path,
        `Cannot read dataset file "${path}": ${why}${hint ? `; ${hint}` : ""}`,
      );
    }
    try {
      const info = await file.stat();
      if (!info.isFile) {
        throw new DatasetFileError(path, `Cannot read dataset file "${path}": it is not a regular file`);
      }
      const size = info.size, body = size - headerBytes;
      if (body <= 0 || body % recordBytes !== 0) {
        const what = options.what ?? "dataset file";
        const layout = headerBytes > 0
          ? `the ${headerBytes}-byte header plus a positive multiple of the ${recordBytes}-byte record`
          : `a positive multiple of the ${recordBytes}-byte record`;
        const whole = Math.max(0, Math.floor(body / recordBytes));
        const over = body < 0
          ? `${-body} bytes short of the header`
          : `${body - whole * recordBytes} bytes over`;
        throw new DatasetFileError(
          path,
          `Cannot read ${what} "${path}": ${size} bytes is not ${layout} (${whole} whole records and ${over}); the file is truncated or not a ${what}: download it again${
            hint ? ` (${hint})` : ""
          }`,
        );
      }
      return new RecordFile(path, file, body / recordBytes, options);
    } catch (error) {
      file.close();
      throw error;
    }
  }

  /** Whether {@linkcode RecordFile.close} has been called. */
  get closed(): boolean {
    return this.#file === undefined;
  }

  /** Closes the file (again: nothing happens). */
  close(): void {
    const file = this.#file;
    this.#file = undefined;
    file?.close();
  }

  /** Closes the file at the end of a `using` block. */
  [Symbol.dispose](): void {
    this.close();
  }

  /**
   * Calls `visit(record, k)` for every `indices[k]`, reading each distinct record once:
   * indices are sorted and runs of consecutive records read with one seek and read (in
   * pieces of at most 8 MiB), so memory beyond the caller's is one such piece. Records
   * are visited in file order; `record` is only valid during the call.
   *
   * @param indices Record indices, in any order, duplicates allowed.
   * @param visit Receives the record's bytes and the position `k` in `indices`.
   * @throws {RangeError} On an index that is not an integer in [0, count).
   * @throws {DatasetFileError} When a read fails or the file ends early.
   */
  async forEachRecord(
    indices: ArrayLike<number>,
    visit: (record: Uint8Array, position: number) => void,
  ): Promise<void> {
    this.#checkIndices(indices);
    const n = indices.length, rb = this.recordBytes;
    if (n === 0) return;
    const order = Uint32Array.from({ length: n }, (_, k) => k).sort((a, b) =>
      indices[a] - indices[b] || a - b
    );
    const span = (indices[order[n - 1]] - indices[order[0]] + 1) * rb;
    const pieceRecords = Math.max(1, Math.floor(MAX_READ_BYTES / rb));
    const scratch = new Uint8Array(Math.min(span, pieceRecords * rb));
    for (let g = 0; g < n;) {
      const first = indices[order[g]];
      let last = first, h = g + 1;
      for (; h < n; h++) {
        const i = indices[order[h]];
        if (i === last) continue;
        if (i !== last + 1 || i - first >= pieceRecords) break;
        last = i;
      }
      const run = scratch.subarray(0, (last - first + 1) * rb);
      await this.#readAt(this.headerBytes + first * rb, run);
      for (let k = g; k < h; k++) {
        const at = (indices[order[k]] - first) * rb;
        visit(run.subarray(at, at + rb), order[k]);
      }
      g = h;
    }
  }

  /**
   * Reads the records `indices`, in that order.
   *
   * @param indices Record indices, in any order, duplicates allowed.
   * @returns `indices.length * recordBytes` bytes: record `indices[k]` at `k * recordBytes`.
   * @throws {RangeError} On an index that is not an integer in [0, count).
   * @throws {DatasetFileError} When a read fails or the file ends early.
   */
  async readRecords(indices: ArrayLike<number>): Promise<Uint8Array> {
    const rb = this.recordBytes, out = new Uint8Array(indices.length * rb);
    await this.forEachRecord(indices, (record, k) => out.set(record, k * rb));
    return out;
  }

  /**
   * Reads `count` consecutive records from `start`.
   *
   * @param start The first record.
   * @param count How many.
   * @param target Where to read them (at its start; at least `count * recordBytes` long), else a new array.
   * @returns The `count * recordBytes` bytes (a view of `target` when given).
   * @throws {RangeError} When [start, start + count) is not inside [0, this.count) or target is too short.
   * @throws {DatasetFileError} When a read fails or the file ends early.
   */
  async readRange(start: number, count: number, target?: Uint8Array): Promise<Uint8Array> {
    if (!Number.isInteger(start) || !Number.isInteger(count) || start < 0 || count < 0) {
      throw new RangeError(
        `Cannot read records [${start}, ${start} + ${count}) of "${this.path}": need integers >= 0`,
      );
    }
    if (start + count > this.count) {
      throw new RangeError(
        `Cannot read records [${start}, ${start + count}) of "${this.path}": it has ${this.count}`,
      );
    }
    const bytes = count * this.recordBytes;
    if (target && target.length < bytes) {
      throw new RangeError(
        `Cannot read ${count} records of "${this.path}" into ${target.length} bytes: need ${bytes}`,
      );
    }
    const out = target ? target.subarray(0, bytes) : new Uint8Array(bytes);
    await this.#readAt(this.headerBytes + start * this.recordBytes, out);
    return out;
  }

  /**
   * Streams all records in order, `batchSize` at a time (the last batch may be shorter).
   * The file stays open: close it in the caller's `finally`, or use {@linkcode streamRecords}.
   *
   * @param batchSize Records per batch (>= 1).
   * @param options `reuse`: read every batch into one buffer, so `bytes` is only valid until
   *   the next batch (for callers that decode each batch at once; saves garbage).
   * @throws {RangeError} When batchSize is not an integer >= 1 (on the first `next()`).
   */
  async *batches(batchSize: number, options: { reuse?: boolean } = {}): AsyncGenerator<RecordBatch> {
    checkBatchSize(batchSize, this.path);
    const buffer = options.reuse
      ? new Uint8Array(Math.min(batchSize, this.count) * this.recordBytes)
      : undefined;
    for (let start = 0; start < this.count; start += batchSize) {
      const count = Math.min(batchSize, this.count - start);
      yield { start, count, bytes: await this.readRange(start, count, buffer) };
    }
  }

  #checkIndices(indices: ArrayLike<number>): void {
    for (let k = 0; k < indices.length; k++) {
      const i = indices[k];
      if (!Number.isInteger(i) || i < 0 || i >= this.count) {
        throw new RangeError(
          `Cannot read record ${i} (position ${k}) of "${this.path}": it has ${this.count} records, indices must be integers in [0, ${this.count})`,
        );
      }
    }
  }

  async #readAt(offset: number, target: Uint8Array): Promise<void> {
    const file = this.#file;
    if (!file) throw new TypeError(`Cannot read "${this.path}": the record file is closed`);
    let got = 0;
    try {
      await file.seek(offset, Deno.SeekMode.Start);
      while (got < target.length) {
        const read = await file.read(target.subarray(got));
        if (read === null) break;
        got += read;
      }
    } catch (error) {
      throw new DatasetFileError(
        this.path,
        `Cannot read ${this.what} "${this.path}": ${(error as Error).message}`,
      );
    }
    if (got < target.length) {
      const now = await file.stat().then((info) => `${info.size} bytes`, () => "unreadable");
      throw new DatasetFileError(
        this.path,
        `Cannot read ${this.what} "${this.path}": it ended at byte ${
          offset + got
        } while reading bytes [${offset}, ${offset + target.length}); it is now ${now}, was ${
          this.headerBytes + this.count * this.recordBytes
        } bytes when opened (the file shrank after it was opened)`,
      );
    }
  }
}

/**
 * Checks a batch size before a stream starts, so a bad one fails at the call, not at the first `next()`.
 *
 * @param batchSize Records per batch.
 * @param source The file, for the message.
 * @throws {RangeError} When batchSize is not an integer >= 1.
 */
export function checkBatchSize(batchSize: number, source: string): void {
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new RangeError(`Cannot stream "${source}": batchSize is ${batchSize}, must be an integer >= 1`);
  }
}

/**
 * Opens a record file, runs `fn` on it and closes it, also when `fn` throws.
 *
 * @param path The file.
 * @param options Its layout.
 * @param fn What to do with it.
 * @returns What `fn` returns.
 * @throws {DatasetFileError} As {@linkcode RecordFile.open}, and whatever `fn` throws.
 * @example
 * ```ts
 * import { withRecordFile } from "./record_file.ts";
 * const path = await Deno.makeTempFile();
 * await Deno.writeFile(path, new Uint8Array([10, 11, 20, 21, 30, 31]));
 * const bytes = await withRecordFile(path, { recordBytes: 2 }, (file) => file.readRecords([2, 0]));
 * console.log(bytes); // Uint8Array [30, 31, 10, 11]
 * await Deno.remove(path);
 * ```
 */
export async function withRecordFile<T>(
  path: string,
  options: RecordFileOptions,
  fn: (file: RecordFile) => Promise<T>,
): Promise<T> {
  const file = await RecordFile.open(path, options);
  try {
    return await fn(file);
  } finally {
    file.close();
  }
}

/**
 * Streams a record file in batches of consecutive records; the file is opened on the first
 * `next()` and closed after the last batch, on an error, or when the loop stops early.
 *
 * @param path The file.
 * @param options Its layout.
 * @param batchSize Records per batch (>= 1).
 * @returns The batches.
 * @throws {RangeError} When batchSize is not an integer >= 1 (at once).
 */
export function streamRecords(
  path: string,
  options: RecordFileOptions,
  batchSize: number,
): AsyncGenerator<RecordBatch> {
  checkBatchSize(batchSize, path);
  return (async function* () {
    const file = await RecordFile.open(path, options);
    try {
      yield* file.batches(batchSize);
    } finally {
      file.close();
    }
  })();
}
