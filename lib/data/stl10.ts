/**
 * STL-10 in its binary version (`stl10_binary`): `train_X.bin` / `test_X.bin` /
 * `unlabeled_X.bin` hold 96x96 colour images, 27,648 bytes each, every channel stored
 * column-major (MATLAB order: pixel (row r, column c) of a channel at byte c * 96 + r);
 * `train_y.bin` / `test_y.bin` hold one label byte per image, 1..10.
 *
 * The loader transposes images to row-major NCHW and maps labels to 0..9. The directory
 * is `dataDir`, else the `STL10_DIR` environment variable (scripts pass `--data-dir`).
 *
 * @module
 */
import { readEnv } from "../env.ts";
import type { ImageDataset } from "./dataset.ts";
import { DatasetFileError, joinPath, readDatasetFile } from "./files.ts";

/** Image side. */
export const STL10_SIZE = 96;
/** Bytes per image: 3 x 96 x 96. */
export const STL10_IMAGE_BYTES = 3 * STL10_SIZE * STL10_SIZE;

/**
 * Parses STL-10 image bytes (and optionally labels) into a row-major NCHW dataset.
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
  const n = imageBytes.length / STL10_IMAGE_BYTES, s = STL10_SIZE;
  if (labelBytes && labelBytes.length !== n) {
    throw new DatasetFileError(
      source,
      `Cannot parse STL-10 "${source}": ${n} images but ${labelBytes.length} labels`,
    );
  }
  const images = new Uint8Array(imageBytes.length), labels = new Uint8Array(n);
  for (let plane = 0; plane < 3 * n; plane++) {
    const base = plane * s * s;
    for (let col = 0; col < s; col++) {
      for (let row = 0; row < s; row++) images[base + row * s + col] = imageBytes[base + col * s + row];
    }
  }
  if (labelBytes) {
    for (let i = 0; i < n; i++) {
      if (labelBytes[i] < 1 || labelBytes[i] > 10) {
        throw new DatasetFileError(
          source,
          `Cannot parse STL-10 labels "${source}": label ${labelBytes[i]} at ${i} is not in 1..10`,
        );
      }
      labels[i] = labelBytes[i] - 1;
    }
  }
  return { name: source, images, labels, shape: [n, 3, s, s], classes: 10 };
}

/**
 * Loads one split of STL-10 binary.
 *
 * @param options `split` ("train" by default, "test" or "unlabeled"), `dataDir` (else `STL10_DIR`).
 * @returns Images [N, 3, 96, 96] and labels 0..9 (all 0 for unlabeled).
 * @throws {DatasetFileError} When no directory is given, or a file is missing, truncated or corrupt.
 */
export async function loadStl10(
  options: { split?: "train" | "test" | "unlabeled"; dataDir?: string } = {},
): Promise<ImageDataset> {
  const split = options.split ?? "train";
  const dir = options.dataDir ?? readEnv("STL10_DIR");
  if (!dir) {
    throw new DatasetFileError(
      "",
      "Cannot load STL-10: no directory given; pass --data-dir (dataDir) or set STL10_DIR to the stl10_binary directory",
    );
  }
  const hint = "download stl10_binary.tar.gz from https://cs.stanford.edu/~acoates/stl10/ and extract it";
  const images = await readDatasetFile(joinPath(dir, `${split}_X.bin`), hint);
  const labels = split === "unlabeled"
    ? undefined
    : await readDatasetFile(joinPath(dir, `${split}_y.bin`), hint);
  const dataset = parseStl10(images, labels, joinPath(dir, `${split}_X.bin`));
  return { ...dataset, name: `stl10/${split}` };
}
