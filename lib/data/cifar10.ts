/**
 * CIFAR-10 in its binary version (`cifar-10-batches-bin`): files `data_batch_1.bin` ..
 * `data_batch_5.bin` (training, 10,000 images each) and `test_batch.bin`. Each record is
 * 3073 bytes: a label byte (0..9), then 1024 red, 1024 green and 1024 blue bytes of a
 * 32x32 image, rows first, which is already NCHW.
 *
 * Files are read as {@linkcode RecordFile}s: a seeded subset reads only its records, and
 * {@linkcode streamCifar10} walks a batch file in chunks without holding it.
 *
 * The directory is `dataDir`, else the `CIFAR10_DIR` environment variable (scripts pass
 * `--data-dir`).
 *
 * @module
 */
import { readEnv } from "../env.ts";
import type { ImageDataset } from "./dataset.ts";
import { DatasetFileError, joinPath } from "./files.ts";
import { checkBatchSize, RecordFile, type RecordFileOptions } from "./record_file.ts";

/** Bytes per record: a label and 3 x 32 x 32 pixels. */
export const CIFAR10_RECORD_BYTES = 1 + 3 * 32 * 32;

/** Class names, by label. */
export const CIFAR10_CLASSES = [
  "airplane",
  "automobile",
  "bird",
  "cat",
  "deer",
  "dog",
  "frog",
  "horse",
  "ship",
  "truck",
] as const;

const IMAGE_BYTES = CIFAR10_RECORD_BYTES - 1;
const HINT =
  "download cifar-10-binary.tar.gz from https://www.cs.toronto.edu/~kriz/cifar.html and extract it";
const RECORDS: RecordFileOptions = { recordBytes: CIFAR10_RECORD_BYTES, what: "CIFAR-10 batch", hint: HINT };

/** Options of {@linkcode loadCifar10}. */
export interface Cifar10Options {
  /** "train" (the 5 data batches, in order; default) or "test". */
  split?: "train" | "test";
  /** The `cifar-10-batches-bin` directory (else `CIFAR10_DIR`). */
  dataDir?: string;
  /** Read only these records of the split (in this order, duplicates allowed), e.g. a `seededSubset`. */
  indices?: ArrayLike<number>;
}

/** Copies one record's label (checked) and pixels to sample `k` of `out`. */
function decodeRecord(record: Uint8Array, out: ImageDataset, k: number, source: string, index: number): void {
  if (record[0] > 9) {
    throw new DatasetFileError(
      source,
      `Cannot parse CIFAR-10 batch "${source}": record ${index} has label ${
        record[0]
      }, not in 0..9 (a corrupt file: ${HINT} again)`,
    );
  }
  out.labels[k] = record[0];
  out.images.set(record.subarray(1), k * IMAGE_BYTES);
}

function emptyDataset(name: string, n: number): ImageDataset {
  return {
    name,
    images: new Uint8Array(n * IMAGE_BYTES),
    labels: new Uint8Array(n),
    shape: [n, 3, 32, 32],
    classes: 10,
  };
}

/**
 * Parses the records of one CIFAR-10 binary batch file held in memory.
 *
 * @param bytes The file.
 * @param source Its name, for messages.
 * @returns Images [N, 3, 32, 32] and labels.
 * @throws {DatasetFileError} When the size is not a whole number of records or a label is not in 0..9.
 */
export function parseCifar10Batch(bytes: Uint8Array, source = "CIFAR-10 batch"): ImageDataset {
  if (bytes.length === 0 || bytes.length % CIFAR10_RECORD_BYTES !== 0) {
    throw new DatasetFileError(
      source,
      `Cannot parse CIFAR-10 batch "${source}": ${bytes.length} bytes is not a positive multiple of the ${CIFAR10_RECORD_BYTES}-byte record (truncated or not a CIFAR-10 binary file)`,
    );
  }
  const n = bytes.length / CIFAR10_RECORD_BYTES, out = emptyDataset(source, n);
  for (let i = 0; i < n; i++) {
    decodeRecord(bytes.subarray(i * CIFAR10_RECORD_BYTES, (i + 1) * CIFAR10_RECORD_BYTES), out, i, source, i);
  }
  return out;
}

/**
 * The batch files of a split, in order.
 *
 * @param split "train" (5 files) or "test".
 * @param dataDir The directory, else `CIFAR10_DIR`.
 * @returns Their paths.
 * @throws {DatasetFileError} When no directory is given.
 */
export function cifar10Files(split: "train" | "test" = "train", dataDir?: string): string[] {
  const dir = dataDir ?? readEnv("CIFAR10_DIR");
  if (!dir) {
    throw new DatasetFileError(
      "",
      "Cannot load CIFAR-10: no directory given; pass --data-dir (dataDir) or set CIFAR10_DIR to the cifar-10-batches-bin directory",
    );
  }
  const names = split === "test" ? ["test_batch.bin"] : [1, 2, 3, 4, 5].map((k) => `data_batch_${k}.bin`);
  return names.map((name) => joinPath(dir, name));
}

/**
 * Loads the CIFAR-10 training set (the 5 data batches, in order) or the test batch, or
 * only the records `indices` of it: then only those records are read from disk (and only
 * their labels checked), so `loadCifar10({ indices: seededSubset(50000, 2000, seed) })`
 * equals `selectSamples(loadCifar10(), ...)` at a fraction of the memory and time.
 *
 * @param options `split`, `dataDir`, `indices`.
 * @returns Images [N, 3, 32, 32] and labels.
 * @throws {DatasetFileError} When no directory is given, or a file is missing, truncated or corrupt.
 * @throws {RangeError} On an index that is not an integer in [0, number of records).
 */
export async function loadCifar10(options: Cifar10Options = {}): Promise<ImageDataset> {
  const split = options.split ?? "train";
  const name = `cifar10/${split}`;
  const files: RecordFile[] = [];
  try {
    for (const path of cifar10Files(split, options.dataDir)) files.push(await RecordFile.open(path, RECORDS));
    const total = files.reduce((s, f) => s + f.count, 0);
    const indices = options.indices ?? Uint32Array.from({ length: total }, (_, i) => i);
    for (let k = 0; k < indices.length; k++) {
      const i = indices[k];
      if (!Number.isInteger(i) || i < 0 || i >= total) {
        throw new RangeError(
          `Cannot load record ${i} (position ${k}) of ${name}: it has ${total} records, indices must be integers in [0, ${total})`,
        );
      }
    }
    const out = emptyDataset(name, indices.length);
    let offset = 0;
    for (const file of files) {
      // The requested records that live in this file, and where they go.
      const local: number[] = [], positions: number[] = [];
      for (let k = 0; k < indices.length; k++) {
        const i = indices[k] - offset;
        if (i >= 0 && i < file.count) {
          local.push(i);
          positions.push(k);
        }
      }
      await file.forEachRecord(
        local,
        (record, j) => decodeRecord(record, out, positions[j], file.path, local[j]),
      );
      offset += file.count;
    }
    return out;
  } finally {
    for (const file of files) file.close();
  }
}

/**
 * Streams one CIFAR-10 batch file in chunks of consecutive records, holding one chunk at a
 * time; the file is opened on the first `next()` and closed at the end, on an error, or
 * when the loop stops early.
 *
 * @param path A batch file, e.g. `cifar10Files("train")[0]`.
 * @param batchSize Records per chunk (>= 1; the last chunk may be shorter).
 * @returns Chunks named `cifar10:<path>[start:end]`, images [count, 3, 32, 32] and labels.
 * @throws {RangeError} When batchSize is not an integer >= 1 (at once).
 * @throws {DatasetFileError} When the file is missing, truncated or has a label outside 0..9.
 * @example
 * ```ts ignore
 * import { cifar10Files, streamCifar10 } from "./cifar10.ts";
 * for await (const chunk of streamCifar10(cifar10Files("test")[0], 1000)) console.log(chunk.shape);
 * ```
 */
export function streamCifar10(path: string, batchSize: number): AsyncGenerator<ImageDataset> {
  checkBatchSize(batchSize, path);
  return (async function* () {
    const file = await RecordFile.open(path, RECORDS);
    try {
      for await (const batch of file.batches(batchSize, { reuse: true })) {
        const chunk = emptyDataset(
          `cifar10:${path}[${batch.start}:${batch.start + batch.count}]`,
          batch.count,
        );
        for (let k = 0; k < batch.count; k++) {
          const record = batch.bytes.subarray(k * CIFAR10_RECORD_BYTES, (k + 1) * CIFAR10_RECORD_BYTES);
          decodeRecord(record, chunk, k, path, batch.start + k);
        }
        yield chunk;
      }
    } finally {
      file.close();
    }
  })();
}
