/**
 * The training subset of an EoSS run as host arrays: a seeded subset (or replayed indices) of Fashion-MNIST
 * or CIFAR-10 normalised with the dataset's fixed constants (not the subset's own statistics: issue 16
 * point 1), one-hot targets; or seeded synthetic data (Gaussian inputs labelled by a random linear teacher)
 * that needs no files: a pool of `pool` samples (row i a pure function of i), of which a seeded subset of n is used.
 *
 * @module
 */
import { loadCifar10 } from "../data/cifar10.ts";
import {
  CIFAR10_NORMALIZATION,
  type ImageDataset,
  labelTargets,
  normalizedImages,
  seededSubset,
  selectSamples,
} from "../data/dataset.ts";
import { FASHION_MNIST_NORMALIZATION, loadFashionMnist } from "../data/fashion_mnist.ts";
import { randomReference } from "../rng/philox.ts";
import type { EossDataConfig } from "./training_config.ts";

/** The training samples of a run. */
export interface EossData {
  /** Row-major [n, inputs], normalised. */
  x: Float64Array;
  /** Row-major [n, classes] one-hot. */
  y: Float64Array;
  labels: Uint8Array;
  n: number;
  inputs: number;
  classes: number;
  /** Which data: "full", "subset" (the shipped Fashion-MNIST subset) or "synthetic". */
  source: string;
  /** Indices of the samples in the training split (empty for synthetic). */
  indices: Uint32Array;
}

/** The seed of the synthetic pool's contents (fixed, like a dataset's files; `seeds.data` picks the subset). */
export const SYNTHETIC_SEED = 0x5717;

/** The number of training images of a dataset split as loaded. */
export const TRAINING_SPLIT_SIZE = { "fashion-mnist": 60000, cifar10: 50000 } as const;

/**
 * Loads the training subset.
 *
 * @param config The data settings.
 * @param seed The subset seed.
 * @param check Validates replayed indices against the split's size (returns them), when given.
 * @returns Normalised inputs, one-hot targets, labels and provenance.
 * @throws {DatasetFileError} When a dataset file is missing or corrupt (exit 3).
 */
export async function loadEossData(
  config: EossDataConfig,
  seed: number,
  check?: (count: number) => Uint32Array,
): Promise<EossData> {
  const n = config.n;
  if (config.dataset === "synthetic") {
    const inputs = config.inputs ?? 16, classes = config.classes ?? 10, pool = config.pool ?? n;
    const indices = check
      ? check(pool)
      : pool === n
      ? Uint32Array.from({ length: n }, (_, i) => i)
      : seededSubset(pool, n, seed);
    const x = new Float64Array(n * inputs);
    indices.forEach((idx, i) =>
      x.set(randomReference(1, inputs, { seed: SYNTHETIC_SEED, stream: 0xda7a, index: idx }), i * inputs)
    );
    const w = randomReference(inputs, classes, { seed: SYNTHETIC_SEED, stream: 0x7eac }) as Float64Array;
    const labels = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      let best = 0, bestValue = -Infinity;
      for (let c = 0; c < classes; c++) {
        let s = 0;
        for (let k = 0; k < inputs; k++) s += x[i * inputs + k] * w[k * classes + c];
        if (s > bestValue) [best, bestValue] = [c, s];
      }
      labels[i] = best;
    }
    return { x, y: labelTargets(labels, classes), labels, n, inputs, classes, source: "synthetic", indices };
  }
  let images: ImageDataset, indices: Uint32Array, source: string;
  const dataDir = config.dataDir || undefined;
  if (config.dataset === "cifar10") {
    indices = check ? check(50000) : seededSubset(50000, n, seed);
    images = await loadCifar10({ dataDir, indices });
    source = "full";
  } else {
    const all = await loadFashionMnist({ dataDir, data: config.source ?? "auto" });
    indices = check ? check(all.shape[0]) : seededSubset(all.shape[0], n, seed);
    images = selectSamples(all, indices);
    source = all.source;
  }
  const normalization = config.dataset === "cifar10" ? CIFAR10_NORMALIZATION : FASHION_MNIST_NORMALIZATION;
  const [, c, h, w] = images.shape;
  return {
    x: normalizedImages(images, normalization),
    y: labelTargets(images.labels, images.classes),
    labels: images.labels,
    n,
    inputs: c * h * w,
    classes: images.classes,
    source,
    indices,
  };
}
