/**
 * Labelled image datasets in memory, and what models need from them: seeded subsets,
 * per-channel normalisation, one-hot or +-1 targets, NCHW float inputs as tensors.
 *
 * Images are uint8 in NCHW order (sample, channel, row, column), labels 0..classes-1.
 *
 * @module
 */
import type { Backend } from "../backend/backend.ts";
import type { Tensor } from "../backend/tensor.ts";
import { PhiloxStream } from "../rng/philox.ts";

/** A labelled uint8 image dataset, NCHW. */
export interface ImageDataset {
  /** Name, e.g. `"fashion-mnist/train"`. */
  name: string;
  /** Pixels, row-major [count, channels, height, width]. */
  images: Uint8Array;
  /** Labels in 0..classes-1, one per image. */
  labels: Uint8Array;
  /** [count, channels, height, width]. */
  shape: [number, number, number, number];
  /** Number of classes. */
  classes: number;
}

/** Pixels per image (channels x height x width). */
export function imageSize(dataset: ImageDataset): number {
  const [, c, h, w] = dataset.shape;
  return c * h * w;
}

/**
 * Indices of `n` of `count` items without replacement, in random order: the first `n`
 * positions of a Fisher-Yates shuffle driven by the Philox stream (seed, stream 0x5eed),
 * so a seed always picks the same items.
 *
 * @param count Items to choose from.
 * @param n How many to choose (<= count).
 * @param seed An integer in [0, 2^32).
 * @returns `n` distinct indices in [0, count).
 * @throws {RangeError} When n > count or either is not a non-negative integer.
 * @example
 * ```ts
 * import { seededSubset } from "./dataset.ts";
 * seededSubset(10, 3, 1).length; // 3
 * ```
 */
export function seededSubset(count: number, n: number, seed: number): Uint32Array {
  if (!Number.isInteger(count) || !Number.isInteger(n) || n < 0 || n > count) {
    throw new RangeError(`Cannot draw a subset of ${n} from ${count} items: need integers 0 <= n <= count`);
  }
  const rng = new PhiloxStream(seed, 0x5eed);
  const order = new Uint32Array(count);
  for (let i = 0; i < count; i++) order[i] = i;
  for (let i = 0; i < n; i++) {
    // Uniform j in [i, count) from 32 random bits (bias < count / 2^32, negligible here).
    const j = i + Math.floor((rng.u32(0, 0, i) / 2 ** 32) * (count - i));
    const t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
  return order.slice(0, n);
}

/**
 * The dataset restricted to `indices`, in that order.
 *
 * @param dataset The dataset.
 * @param indices Which samples.
 * @returns A new dataset (copies).
 * @throws {RangeError} On an index out of range.
 */
export function selectSamples(dataset: ImageDataset, indices: ArrayLike<number>): ImageDataset {
  const size = imageSize(dataset), count = dataset.shape[0];
  const images = new Uint8Array(indices.length * size), labels = new Uint8Array(indices.length);
  for (let k = 0; k < indices.length; k++) {
    const i = indices[k];
    if (!Number.isInteger(i) || i < 0 || i >= count) {
      throw new RangeError(`Cannot select sample ${i} of "${dataset.name}": it has ${count}`);
    }
    images.set(dataset.images.subarray(i * size, (i + 1) * size), k * size);
    labels[k] = dataset.labels[i];
  }
  const [, c, h, w] = dataset.shape;
  return { ...dataset, images, labels, shape: [indices.length, c, h, w] };
}

/**
 * Concatenates datasets of equal image shape and classes (e.g. the CIFAR-10 training batches).
 *
 * @throws {RangeError} When image shapes or class counts differ.
 */
export function concatDatasets(parts: ImageDataset[], name: string): ImageDataset {
  const [, c, h, w] = parts[0].shape;
  const n = parts.reduce((s, p) => s + p.shape[0], 0);
  const images = new Uint8Array(n * c * h * w), labels = new Uint8Array(n);
  let at = 0;
  for (const p of parts) {
    if (p.shape[1] !== c || p.shape[2] !== h || p.shape[3] !== w || p.classes !== parts[0].classes) {
      throw new RangeError(
        `Cannot concatenate "${p.name}": its image shape or classes differ from "${parts[0].name}"`,
      );
    }
    images.set(p.images, at * c * h * w);
    labels.set(p.labels, at);
    at += p.shape[0];
  }
  return { name, images, labels, shape: [n, c, h, w], classes: parts[0].classes };
}

/** Per-channel mean and standard deviation of pixel values scaled to [0, 1]. */
export function channelStatistics(dataset: ImageDataset): { mean: number[]; std: number[] } {
  const [n, c, h, w] = dataset.shape, plane = h * w;
  const mean: number[] = [], std: number[] = [];
  for (let ch = 0; ch < c; ch++) {
    let s = 0, s2 = 0;
    for (let i = 0; i < n; i++) {
      const base = (i * c + ch) * plane;
      for (let p = 0; p < plane; p++) {
        const v = dataset.images[base + p] / 255;
        s += v;
        s2 += v * v;
      }
    }
    const m = s / (n * plane);
    mean.push(m);
    std.push(Math.sqrt(Math.max(0, s2 / (n * plane) - m * m)));
  }
  return { mean, std };
}

/** CIFAR-10 channel statistics used by specs/seed003 section 2.3. */
export const CIFAR10_NORMALIZATION = { mean: [0.4914, 0.4822, 0.4465], std: [0.2023, 0.1994, 0.2010] };

/**
 * Pixels as floats: x / 255, minus the channel mean, divided by the channel std; NCHW.
 *
 * @param dataset The dataset.
 * @param normalization Per-channel `mean` and `std` (of x / 255); none: just x / 255.
 * @returns Row-major [count, channels * height * width].
 * @throws {RangeError} When the lists do not have one entry per channel or a std is not positive.
 */
export function normalizedImages(
  dataset: ImageDataset,
  normalization?: { mean: readonly number[]; std: readonly number[] },
): Float64Array {
  const [n, c, h, w] = dataset.shape, plane = h * w;
  const mean = normalization?.mean ?? Array(c).fill(0), std = normalization?.std ?? Array(c).fill(1);
  if (mean.length !== c || std.length !== c || !std.every((s) => s > 0)) {
    throw new RangeError(
      `Cannot normalise "${dataset.name}": ${c} channels, given ${mean.length} means and ${std.length} stds (all > 0)`,
    );
  }
  const out = new Float64Array(n * c * plane);
  for (let i = 0; i < n * c; i++) {
    const ch = i % c, base = i * plane;
    for (let p = 0; p < plane; p++) out[base + p] = (dataset.images[base + p] / 255 - mean[ch]) / std[ch];
  }
  return out;
}

/** How labels become regression targets. */
export type TargetEncoding = "oneHot" | "plusMinusOne";

/**
 * Targets of labels: `"oneHot"` rows of {0, 1}, `"plusMinusOne"` rows of {-1, +1} (2 one-hot - 1).
 *
 * @param labels Labels in 0..classes-1.
 * @param classes Number of classes (columns).
 * @param encoding The encoding.
 * @returns Row-major [labels.length, classes].
 * @throws {RangeError} On a label out of range.
 */
export function labelTargets(
  labels: ArrayLike<number>,
  classes: number,
  encoding: TargetEncoding = "oneHot",
): Float64Array {
  const off = encoding === "plusMinusOne" ? -1 : 0;
  const out = new Float64Array(labels.length * classes).fill(off);
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i];
    if (!Number.isInteger(label) || label < 0 || label >= classes) {
      throw new RangeError(`Cannot encode label ${label} at ${i}: must be an integer in [0, ${classes})`);
    }
    out[i * classes + label] = 1;
  }
  return out;
}

/**
 * Targets of a two-class problem with one output: +1 for `positive`, -1 for `negative`
 * (the `cifar10_2cls` variant, classes 1 and 9). Samples of other classes are an error:
 * select them out first with {@linkcode selectSamples}.
 *
 * @throws {RangeError} On a label that is neither.
 */
export function binaryTargets(labels: ArrayLike<number>, positive: number, negative: number): Float64Array {
  return Float64Array.from({ length: labels.length }, (_, i) => {
    if (labels[i] === positive) return 1;
    if (labels[i] === negative) return -1;
    throw new RangeError(
      `Cannot make binary targets: label ${labels[i]} at ${i} is neither ${positive} nor ${negative}`,
    );
  });
}

/**
 * Inputs and targets of a dataset as tensors on a backend: x [count, C*H*W], y [count, classes].
 *
 * @param backend The backend.
 * @param dataset The dataset (use {@linkcode selectSamples} for a subset).
 * @param options Normalisation and target encoding (one-hot by default).
 * @returns The tensors.
 */
export function datasetTensors(
  backend: Backend,
  dataset: ImageDataset,
  options: { normalization?: { mean: readonly number[]; std: readonly number[] }; targets?: TargetEncoding } =
    {},
): { x: Tensor; y: Tensor } {
  const n = dataset.shape[0];
  return {
    x: backend.tensor(normalizedImages(dataset, options.normalization), [n, imageSize(dataset)]),
    y: backend.tensor(labelTargets(dataset.labels, dataset.classes, options.targets), [n, dataset.classes]),
  };
}
