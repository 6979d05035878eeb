/**
 * STL-10 in its binary version (`stl10_binary`): `train_X.bin` / `test_X.bin` /
 * `unlabeled_X.bin` hold 96x96 colour images, 27,648 bytes each, every channel stored
 * column-major (MATLAB order: pixel (row r, column c) of a channel at byte c * 96 + r);
 * `train_y.bin` / `test_y.bin` hold one label byte per image, 1..10.
 *
 * The loader transposes images to row-major NCHW and maps labels to 0..9. Files are read
 * as {@linkcode RecordFile}s: a subset reads only its records (`unlabeled_X.bin` is 2.7 GB)
 * and {@linkcode streamStl10} walks a split in chunks. The directory is `dataDir`, else the
 * `STL10_DIR` environment variable (scripts pass `--data-dir`).
 *
 * @module
 */
import { readEnv } from "../env.ts";
import type { ImageDataset } from "./dataset.ts";
import { DatasetFileError, joinPath } from "./files.ts";
import { checkBatchSize, RecordFile } from "./record_file.ts";

/** Image side. */
export const STL10_SIZE = 96;
/** Bytes per image: 3 x 96 x 96. */
export const STL10_IMAGE_BYTES = 3 * STL10_SIZE * STL10_SIZE;

/** A split of STL-10 binary. */
export type Stl10Split = "train" | "test" | "unlabeled";

const HINT = "download stl10_binary.tar.gz from https://cs.stanford.edu/~acoates/stl10/ and extract it";

/** Transposes one image's three column-major planes into row-major planes at `out[at..]`. */
function transposeImage(image: Uint8Array, out: Uint8Array, at: number): void {
  const s = STL10_SIZE;
  for (let plane = 0; plane < 3; plane++) {
    const base = plane * s * s;
    for (let col = 0; col < s; col++) {
      const from = base + col * s, to = at + base + col;
      for (let row = 0; row < s; row++) out[to + row * s] = image[from + row];
    }
  }
}

/** Maps labels 1..10 to 0..9 in place; `index(k)` names the record of `labels[k]` in messages. */
function shiftLabels(labels: Uint8Array, source: string, index: (k: number) => number): Uint8Array {
  for (let k = 0; k < labels.length; k++) {
    if (labels[k] < 1 || labels[k] > 10) {
      throw new DatasetFileError(
        source,
        `Cannot parse STL-10 labels "${source}": label ${labels[k]} at ${index(k)} is not in 1..10`,
      );
    }
    labels[k] -= 1;
  }
  return labels;
}

function dataset(name: string, images: Uint8Array, labels: Uint8Array): ImageDataset {
  return { name, images, labels, shape: [labels.length, 3, STL10_SIZE, STL10_SIZE], classes: 10 };
}

/**
 * Parses STL-10 image bytes (and optionally labels) held in memory into a row-major NCHW dataset.
 *
 * @param imageBytes The `*_X.bin` file.
 * @param labelBytes The `*_y.bin` file (labels 1..10), or undefined for `unlabeled` (labels 0).
 * @param source The name, for messages.
 * @returns Images [N, 3, 96, 96] and labels 0..9.
 * @throws {DatasetFileError} On a size that is not whole images, a label count mismatch or a label outside 1..10.
 */
export function parseStl10(
  imageBytes: Uint8Array,
  labelBytes: Uint8Array | undefined,
  source = "STL-10",
): ImageDataset {
  if (imageBytes.length === 0 || imageBytes.length % STL10_IMAGE_BYTES !== 0) {
    throw new DatasetFileError(
      source,
      `Cannot parse STL-10 images "${source}": ${imageBytes.length} bytes is not a positive multiple of ${STL10_IMAGE_BYTES} (truncated or not STL-10 binary)`,
    );
  }
  const n = imageBytes.length / STL10_IMAGE_BYTES;
  if (labelBytes && labelBytes.length !== n) {
    throw new DatasetFileError(
      source,
      `Cannot parse STL-10 "${source}": ${n} images but ${labelBytes.length} labels`,
    );
  }
  const images = new Uint8Array(imageBytes.length);
  for (let i = 0; i < n; i++) {
    transposeImage(
      imageBytes.subarray(i * STL10_IMAGE_BYTES, (i + 1) * STL10_IMAGE_BYTES),
      images,
      i * STL10_IMAGE_BYTES,
    );
  }
  const labels = labelBytes ? shiftLabels(labelBytes.slice(), source, (k) => k) : new Uint8Array(n);
  return dataset(source, images, labels);
}

/** The image and (for labelled splits) label files of a split, opened and checked against each other. */
async function openSplit(
  dir: string,
  split: Stl10Split,
): Promise<{ images: RecordFile; labels?: RecordFile }> {
  const xPath = joinPath(dir, `${split}_X.bin`), yPath = joinPath(dir, `${split}_y.bin`);
  const images = await RecordFile.open(xPath, {
    recordBytes: STL10_IMAGE_BYTES,
    what: "STL-10 image file",
    hint: HINT,
  });
  if (split === "unlabeled") return { images };
  try {
    const labels = await RecordFile.open(yPath, { recordBytes: 1, what: "STL-10 label file", hint: HINT });
    if (labels.count !== images.count) {
      labels.close();
      throw new DatasetFileError(
        yPath,
        `Cannot load STL-10 ${split}: "${xPath}" has ${images.count} images but "${yPath}" has ${labels.count} labels; one of them is truncated: ${HINT} again`,
      );
    }
    return { images, labels };
  } catch (error) {
    images.close();
    throw error;
  }
}

function stl10Dir(dataDir: string | undefined): string {
  const dir = dataDir ?? readEnv("STL10_DIR");
  if (!dir) {
    throw new DatasetFileError(
      "",
      "Cannot load STL-10: no directory given; pass --data-dir (dataDir) or set STL10_DIR to the stl10_binary directory",
    );
  }
  return dir;
}

/**
 * Loads one split of STL-10 binary, or only the records `indices` of it: then only those
 * images and labels are read from disk (and only those labels checked), so a seeded subset
 * of `unlabeled_X.bin` (2.7 GB) costs its own size.
 *
 * @param options `split` ("train" by default, "test" or "unlabeled"), `dataDir` (else
 *   `STL10_DIR`), `indices` (records to read, in this order, duplicates allowed).
 * @returns Images [N, 3, 96, 96] and labels 0..9 (all 0 for unlabeled).
 * @throws {DatasetFileError} When no directory is given, or a file is missing, truncated or corrupt.
 * @throws {RangeError} On an index that is not an integer in [0, number of images).
 */
export async function loadStl10(
  options: { split?: Stl10Split; dataDir?: string; indices?: ArrayLike<number> } = {},
): Promise<ImageDataset> {
  const split = options.split ?? "train";
  const files = await openSplit(stl10Dir(options.dataDir), split);
  try {
    const indices = options.indices ?? Uint32Array.from({ length: files.images.count }, (_, i) => i);
    // Labels first: the small file, and a corrupt one fails before the images are read.
    const labels = files.labels
      ? shiftLabels(await files.labels.readRecords(indices), files.labels.path, (k) => indices[k])
      : new Uint8Array(indices.length);
    const images = new Uint8Array(indices.length * STL10_IMAGE_BYTES);
    await files.images.forEachRecord(
      indices,
      (record, k) => transposeImage(record, images, k * STL10_IMAGE_BYTES),
    );
    return dataset(`stl10/${split}`, images, labels);
  } finally {
    files.images.close();
    files.labels?.close();
  }
}

/**
 * Streams one split of STL-10 binary in chunks of consecutive images (transposed to NCHW,
 * labels 0..9), holding one chunk at a time; the files are opened on the first `next()`
 * and closed at the end, on an error, or when the loop stops early.
 *
 * @param dir The `stl10_binary` directory.
 * @param split "train", "test" or "unlabeled" (labels all 0).
 * @param batchSize Images per chunk (>= 1; the last chunk may be shorter).
 * @returns Chunks named `stl10/<split>[start:end]`.
 * @throws {RangeError} When batchSize is not an integer >= 1 (at once).
 * @throws {DatasetFileError} When a file is missing, truncated or has a label outside 1..10.
 * @example
 * ```ts ignore
 * import { streamStl10 } from "./stl10.ts";
 * for await (const chunk of streamStl10("data/stl10_binary", "unlabeled", 500)) console.log(chunk.name);
 * ```
 */
export function streamStl10(dir: string, split: Stl10Split, batchSize: number): AsyncGenerator<ImageDataset> {
  checkBatchSize(batchSize, joinPath(dir, `${split}_X.bin`));
  return (async function* () {
    const files = await openSplit(dir, split);
    try {
      for await (const batch of files.images.batches(batchSize, { reuse: true })) {
        const { start, count } = batch;
        const labels = files.labels
          ? shiftLabels(await files.labels.readRange(start, count), files.labels.path, (k) => start + k)
          : new Uint8Array(count);
        const images = new Uint8Array(count * STL10_IMAGE_BYTES);
        for (let k = 0; k < count; k++) {
          const at = k * STL10_IMAGE_BYTES;
          transposeImage(batch.bytes.subarray(at, at + STL10_IMAGE_BYTES), images, at);
        }
        yield dataset(`stl10/${split}[${start}:${start + count}]`, images, labels);
      }
    } finally {
      files.images.close();
      files.labels?.close();
    }
  })();
}
