/**
 * Fashion-MNIST (Zalando): 60,000 training and 10,000 test images of 28x28 grey
 * clothes in 10 classes, as IDX files (`train-images-idx3-ubyte.gz`, ...).
 *
 * The default real dataset of the toolkit: `apt-get install -y dataset-fashion-mnist`
 * puts it in {@linkcode FASHION_MNIST_DEFAULT_DIR}; another directory can be given as
 * `dataDir` or with the `FASHION_MNIST_DIR` environment variable.
 *
 * @module
 */
import { readEnv } from "../env.ts";
import type { ImageDataset } from "./dataset.ts";
import { DatasetFileError, joinPath } from "./files.ts";
import { readIdxFile } from "./idx.ts";

/** Where the Debian package `dataset-fashion-mnist` installs the files. */
export const FASHION_MNIST_DEFAULT_DIR = "/usr/share/datasets/fashion-mnist";

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

/**
 * Loads one split of Fashion-MNIST (IDX files, gzipped or not).
 *
 * @param options `split` ("train" by default or "test"), `dataDir`.
 * @returns The images [N, 1, 28, 28] and labels.
 * @throws {DatasetFileError} When a file is missing, truncated or corrupt, or images and labels disagree.
 * @example
 * ```ts ignore
 * import { loadFashionMnist } from "./fashion_mnist.ts";
 * const test = await loadFashionMnist({ split: "test" });
 * test.shape; // [10000, 1, 28, 28]
 * ```
 */
export async function loadFashionMnist(
  options: { split?: "train" | "test"; dataDir?: string } = {},
): Promise<ImageDataset> {
  const split = options.split ?? "train";
  if (split !== "train" && split !== "test") {
    throw new RangeError(`Cannot load Fashion-MNIST split "${split}": expected train or test`);
  }
  const dir = options.dataDir ?? fashionMnistDir();
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
  const images = await readIdxFile(imagesPath, { type: "uint8", dims: 3 }, HINT);
  const labels = await readIdxFile(labelsPath, { type: "uint8", dims: 1 }, HINT);
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
    name: `fashion-mnist/${split}`,
    images: images.data as Uint8Array,
    labels: labelData,
    shape: [n, 1, h, w],
    classes: 10,
  };
}
