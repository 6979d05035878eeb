/**
 * Fashion-MNIST (Zalando): 60,000 training and 10,000 test images of 28x28 grey
 * clothes in 10 classes, as IDX files (`train-images-idx3-ubyte.gz`, ...).
 *
 * The default real dataset of the toolkit: `apt-get install -y dataset-fashion-mnist`
 * puts it in {@linkcode FASHION_MNIST_DEFAULT_DIR}; another directory can be given as
 * `dataDir` or with the `FASHION_MNIST_DIR` environment variable. Where the full dataset is absent, a
 * seeded stratified subset shipped in the repository ({@linkcode FASHION_MNIST_SUBSET_DIR}: 2,500
 * training and 1,000 test images, checksummed) is read instead, through the same IDX loader; the
 * loaded dataset's `source` says which (`data: "full"` insists on the full dataset).
 *
 * @module
 */
import { readEnv } from "../env.ts";
import type { ImageDataset } from "./dataset.ts";
import { DatasetFileError, joinPath, readDatasetFile } from "./files.ts";
import { parseIdx, readIdxFile } from "./idx.ts";

/** Where the Debian package `dataset-fashion-mnist` installs the files. */
export const FASHION_MNIST_DEFAULT_DIR = "/usr/share/datasets/fashion-mnist";

/** The shipped subset's folder (lib/data/fashion_mnist_subset/, see its README.md and regenerate.ts). */
export const FASHION_MNIST_SUBSET_DIR: string = decodeURIComponent(
  new URL("./fashion_mnist_subset/", import.meta.url).pathname,
);

/**
 * The normalisation of the whole training set (60,000 images; x / 255, then (x - mean) / std), fixed
 * so every subset is normalised alike: `datasetTensors(d, backend, { normalization: FASHION_MNIST_NORMALIZATION })`.
 */
export const FASHION_MNIST_NORMALIZATION = { mean: [0.2860], std: [0.3530] } as const;

/** Which Fashion-MNIST data a load returned. */
export type FashionMnistSource = "full" | "subset";

/** A loaded Fashion-MNIST split, saying whether it is the full dataset or the shipped subset. */
export interface FashionMnistDataset extends ImageDataset {
  /** `"full"`: the 60,000/10,000 images; `"subset"`: the shipped checksummed subset. */
  source: FashionMnistSource;
}

/** Class names, by label. */
export const FASHION_MNIST_CLASSES = [
  "T-shirt/top",
  "Trouser",
  "Pullover",
  "Dress",
  "Coat",
  "Sandal",
  "Shirt",
  "Sneaker",
  "Bag",
  "Ankle boot",
] as const;

const HINT =
  `install it with "apt-get install -y dataset-fashion-mnist" (files in ${FASHION_MNIST_DEFAULT_DIR}), ` +
  "or give --data-dir (dataDir in code) or FASHION_MNIST_DIR: a directory holding the IDX files";

/** The directory used when none is given: `FASHION_MNIST_DIR`, else the Debian package's. */
export function fashionMnistDir(): string {
  return readEnv("FASHION_MNIST_DIR") ?? FASHION_MNIST_DEFAULT_DIR;
}

/** Hex SHA-256 of bytes (the subset's checksums). */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", bytes as BufferSource);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

async function hasFullData(dir: string, split: "train" | "test"): Promise<boolean> {
  const prefix = split === "train" ? "train" : "t10k";
  for (const name of [`${prefix}-images-idx3-ubyte`, `${prefix}-labels-idx1-ubyte`]) {
    const found = await Promise.any([Deno.stat(joinPath(dir, name + ".gz")), Deno.stat(joinPath(dir, name))])
      .then(() => true, () => false);
    if (!found) return false;
  }
  return true;
}

/**
 * Loads one split of Fashion-MNIST (IDX files, gzipped or not).
 *
 * `data` chooses the files: `"full"` the full dataset in `dataDir` (error with install hints when
 * absent); `"subset"` the shipped subset (its SHA-256 checked); `"auto"` the full dataset when
 * `dataDir` holds it, else the subset. Default: `"full"` when `dataDir` is given, else `"auto"` (with
 * `fashionMnistDir()`).
 *
 * @param options `split` ("train" by default or "test"), `dataDir`, `data`, `subsetDir` (a copy of the
 *   subset folder with its manifest.json; {@linkcode FASHION_MNIST_SUBSET_DIR} by default).
 * @returns The images [N, 1, 28, 28], labels, and `source` ("full" or "subset").
 * @throws {DatasetFileError} When a file is missing, truncated or corrupt, or images and labels disagree.
 * @example
 * ```ts ignore
 * import { loadFashionMnist } from "./fashion_mnist.ts";
 * const test = await loadFashionMnist({ split: "test" });
 * test.shape; // [10000, 1, 28, 28]
 * ```
 */
export async function loadFashionMnist(
  options: {
    split?: "train" | "test";
    dataDir?: string;
    data?: "auto" | FashionMnistSource;
    subsetDir?: string;
  } = {},
): Promise<FashionMnistDataset> {
  const split = options.split ?? "train";
  if (split !== "train" && split !== "test") {
    throw new RangeError(`Cannot load Fashion-MNIST split "${split}": expected train or test`);
  }
  const data = options.data ?? (options.dataDir === undefined ? "auto" : "full");
  if (data !== "auto" && data !== "full" && data !== "subset") {
    throw new RangeError(`Cannot load Fashion-MNIST data "${data}": expected auto, full or subset`);
  }
  const fullDir = options.dataDir ?? fashionMnistDir();
  const subset = data === "subset" || (data === "auto" && !(await hasFullData(fullDir, split)));
  const dir = subset ? options.subsetDir ?? FASHION_MNIST_SUBSET_DIR : fullDir;
  const prefix = split === "train" ? "train" : "t10k";
  const path = async (kind: string) => {
    const plain = joinPath(dir, `${prefix}-${kind}-idx${kind === "images" ? 3 : 1}-ubyte`);
    try {
      await Deno.stat(plain + ".gz");
      return plain + ".gz";
    } catch {
      return plain;
    }
  };
  const imagesPath = await path("images"), labelsPath = await path("labels");
  const read = subset
    ? (path: string, expect: { type?: string; dims?: number }, _hint: string) =>
      readSubsetIdx(dir, path, expect)
    : readIdxFile;
  const images = await read(imagesPath, { type: "uint8", dims: 3 }, HINT);
  const labels = await read(labelsPath, { type: "uint8", dims: 1 }, HINT);
  const [n, h, w] = images.shape;
  if (labels.shape[0] !== n) {
    throw new DatasetFileError(
      labelsPath,
      `Cannot load Fashion-MNIST: ${n} images but ${labels.shape[0]} labels`,
    );
  }
  const labelData = labels.data as Uint8Array;
  const bad = labelData.findIndex((v) => v >= 10);
  if (bad >= 0) {
    throw new DatasetFileError(
      labelsPath,
      `Cannot load Fashion-MNIST: label ${labelData[bad]} at ${bad} is not in 0..9`,
    );
  }
  return {
    name: subset ? `fashion-mnist-subset/${split}` : `fashion-mnist/${split}`,
    images: images.data as Uint8Array,
    labels: labelData,
    shape: [n, 1, h, w],
    classes: 10,
    source: subset ? "subset" : "full",
  };
}

/** Reads a file of the shipped subset, checking its SHA-256 against manifest.json. */
async function readSubsetIdx(dir: string, path: string, expect: { type?: string; dims?: number }) {
  const bytes = await readDatasetFile(path);
  const manifestPath = joinPath(dir, "manifest.json");
  const manifest = JSON.parse(new TextDecoder().decode(await readDatasetFile(manifestPath)));
  const name = path.slice(path.lastIndexOf("/") + 1);
  const want = manifest.files?.[name]?.sha256, got = await sha256Hex(bytes);
  if (got !== want) {
    throw new DatasetFileError(
      path,
      `Cannot load the Fashion-MNIST subset: "${path}" has SHA-256 ${got}, manifest.json says ${want}; ` +
        "regenerate it with lib/data/fashion_mnist_subset/regenerate.ts",
    );
  }
  return parseIdx(bytes, path, expect);
}
