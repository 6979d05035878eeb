/**
 * CIFAR-10 in its binary version (`cifar-10-batches-bin`): files `data_batch_1.bin` ..
 * `data_batch_5.bin` (training, 10,000 images each) and `test_batch.bin`. Each record is
 * 3073 bytes: a label byte (0..9), then 1024 red, 1024 green and 1024 blue bytes of a
 * 32x32 image, rows first, which is already NCHW.
 *
 * The directory is `dataDir`, else the `CIFAR10_DIR` environment variable (scripts pass
 * `--data-dir`).
 *
 * @module
 */
import { readEnv } from "../env.ts";
import { concatDatasets, type ImageDataset } from "./dataset.ts";
import { DatasetFileError, joinPath, readDatasetFile } from "./files.ts";

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

/**
 * Parses the records of one CIFAR-10 binary batch file.
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
  const n = bytes.length / CIFAR10_RECORD_BYTES, size = CIFAR10_RECORD_BYTES - 1;
  const images = new Uint8Array(n * size), labels = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const at = i * CIFAR10_RECORD_BYTES;
    if (bytes[at] > 9) {
      throw new DatasetFileError(
        source,
        `Cannot parse CIFAR-10 batch "${source}": record ${i} has label ${bytes[at]}, not in 0..9`,
      );
    }
    labels[i] = bytes[at];
    images.set(bytes.subarray(at + 1, at + CIFAR10_RECORD_BYTES), i * size);
  }
  return { name: source, images, labels, shape: [n, 3, 32, 32], classes: 10 };
}

/**
 * Loads the CIFAR-10 training set (the 5 data batches, in order) or the test batch.
 *
 * @param options `split` ("train" by default or "test"), `dataDir` (else `CIFAR10_DIR`).
 * @returns Images [N, 3, 32, 32] and labels.
 * @throws {DatasetFileError} When no directory is given, or a file is missing, truncated or corrupt.
 */
export async function loadCifar10(
  options: { split?: "train" | "test"; dataDir?: string } = {},
): Promise<ImageDataset> {
  const split = options.split ?? "train";
  const dir = options.dataDir ?? readEnv("CIFAR10_DIR");
  if (!dir) {
    throw new DatasetFileError(
      "",
      "Cannot load CIFAR-10: no directory given; pass --data-dir (dataDir) or set CIFAR10_DIR to the cifar-10-batches-bin directory",
    );
  }
  const files = split === "test" ? ["test_batch.bin"] : [1, 2, 3, 4, 5].map((k) => `data_batch_${k}.bin`);
  const hint =
    "download cifar-10-binary.tar.gz from https://www.cs.toronto.edu/~kriz/cifar.html and extract it";
  const parts: ImageDataset[] = [];
  for (const file of files) {
    const path = joinPath(dir, file);
    parts.push(parseCifar10Batch(await readDatasetFile(path, hint), path));
  }
  return concatDatasets(parts, `cifar10/${split}`);
}
