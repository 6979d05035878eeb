/**
 * Two augmented views per sample for BYOL, on the host in float64 (seeded, deterministic per step, sample
 * and view), uploaded to the backend as NCHW batches.
 *
 * The seed project's augmentation (specs/seed004 section 3.7), per grey image: reflect-pad 4 -> crop back
 * to H x W at an offset (dy, dx) in 0..7 -> horizontal flip with probability 0.5 -> brightness x U(0.8, 1.2)
 * -> contrast x U(0.8, 1.2) about the image mean -> clamp to [0, 1]. The draws are Philox words of key
 * (seed, {@linkcode AUGMENT_STREAM}) at counter (sample, step, view, block).
 *
 * Or any {@linkcode Augmenter} on the backend, e.g. the GPU augmentation kernels through
 * `augmentBatch(backend, images, SEED_BYOL_AUGMENT, seed, step, { view })` of lib/lpl/augment_views.ts
 * (a line does not import another line: the scripts pass it in).
 *
 * Sources: synthetic shapes (each sample's two views are the generator's pair, view seeds 2 i and 2 i + 1,
 * then augmented) and a labelled image array (Fashion-MNIST: the same image augmented twice).
 *
 * @module
 */
import type { Backend } from "../backend/backend.ts";
import type { Tensor } from "../backend/tensor.ts";
import { philox4x32_10, uniformFromU32 } from "../rng/philox.ts";
import { SHAPE_SIZE, shapeLabel, shapeView } from "../data/synthetic_shapes.ts";

/** Philox stream (key word 1) of the augmentation draws. */
export const AUGMENT_STREAM = 0xb101;
/** Philox stream of the training batches' sample indices. */
export const BATCH_STREAM = 0xb102;

/** The seed augmentation's settings. */
export interface SeedAugmentation {
  /** Reflect padding before the crop (4). */
  pad: number;
  /** Brightness and contrast factors are drawn from U(1 - jitter, 1 + jitter) (0.2). */
  jitter: number;
  /** Probability of the horizontal flip (0.5). */
  flip: number;
}

/** The seed project's augmentation. */
export const SEED_AUGMENTATION: SeedAugmentation = { pad: 4, jitter: 0.2, flip: 0.5 };

/** Reflect (without repeating the edge, like torch's "reflect") an index into [0, n). */
function reflect(i: number, n: number): number {
  if (n === 1) return 0;
  while (i < 0 || i >= n) i = i < 0 ? -i : 2 * (n - 1) - i;
  return i;
}

/**
 * Augments one grey H x W image (float64, returns a new image).
 *
 * @param image Row-major pixels in [0, 1].
 * @param height H.
 * @param width W.
 * @param seed The run seed.
 * @param counter (sample, step, view): which draw.
 * @param settings The augmentation.
 */
export function augmentImage(
  image: ArrayLike<number>,
  height: number,
  width: number,
  seed: number,
  counter: [number, number, number],
  settings: SeedAugmentation = SEED_AUGMENTATION,
): Float64Array {
  const [a, b, c, d] = philox4x32_10(seed, AUGMENT_STREAM, counter[0], counter[1], counter[2], 0);
  const [e] = philox4x32_10(seed, AUGMENT_STREAM, counter[0], counter[1], counter[2], 1);
  const offsets = 2 * settings.pad;
  const dy = Math.floor(uniformFromU32(a) * offsets), dx = Math.floor(uniformFromU32(b) * offsets);
  const flip = uniformFromU32(c) < settings.flip;
  const brightness = 1 + settings.jitter * (2 * uniformFromU32(d) - 1);
  const contrast = 1 + settings.jitter * (2 * uniformFromU32(e) - 1);
  const out = new Float64Array(height * width);
  let mean = 0;
  for (let i = 0; i < height; i++) {
    for (let j = 0; j < width; j++) {
      const col = flip ? width - 1 - j : j;
      const source = reflect(i + dy - settings.pad, height) * width + reflect(col + dx - settings.pad, width);
      const v = image[source] * brightness;
      out[i * width + j] = v;
      mean += v;
    }
  }
  mean /= height * width;
  for (let p = 0; p < out.length; p++) out[p] = Math.min(1, Math.max(0, (out[p] - mean) * contrast + mean));
  return out;
}

/** An augmentation on the backend: a new NCHW batch from `images` for (step, view). */
export type Augmenter = (backend: Backend, images: Tensor, step: number, view: 0 | 1) => Promise<Tensor>;

/** How views are augmented: the host float64 seed augmentation, none, or an {@linkcode Augmenter}. */
export type ViewAugmentation = "host" | "none" | Augmenter;

/** Where BYOL's training views and evaluation images come from. */
export interface ViewSource {
  /** Dataset name for summaries. */
  readonly name: string;
  /** Per-sample image shape (grey images: one channel). */
  readonly shape: { channels: 1; height: number; width: number };
  /** Number of classes. */
  readonly classes: number;
  /** Two augmented views of `batch` samples drawn for `step`, as NCHW tensors. */
  views(backend: Backend, step: number, batch: number): Promise<{ v1: Tensor; v2: Tensor }>;
  /** The first `rows` evaluation images (not augmented) and labels. */
  evaluation(rows: number): { images: Float64Array; labels: Uint8Array };
}

/** Uploads two host view batches and applies a backend augmenter to each. */
async function upload(
  backend: Backend,
  v1: Float64Array,
  v2: Float64Array,
  shape: number[],
  augment: ViewAugmentation,
  step: number,
): Promise<{ v1: Tensor; v2: Tensor }> {
  const t1 = backend.tensor(v1, shape), t2 = backend.tensor(v2, shape);
  if (typeof augment !== "function") return { v1: t1, v2: t2 };
  const a1 = await augment(backend, t1, step, 0), a2 = await augment(backend, t2, step, 1);
  backend.dispose(t1, t2);
  return { v1: a1, v2: a2 };
}

function batchIndices(seed: number, step: number, batch: number, size: number): number[] {
  return Array.from({ length: batch }, (_, k) => {
    const [w] = philox4x32_10(seed, BATCH_STREAM, step, k, 0, 0);
    return Math.floor(uniformFromU32(w) * size);
  });
}

/**
 * Synthetic shapes: `size` training samples (indices 0..size-1, the seed project's 5000), each view the
 * generator's view (2 i or 2 i + 1) augmented when `augment` is set. Evaluation images are single views of
 * indices from `size` on (samples never trained on).
 */
export function shapesViewSource(
  options: { size: number; seed: number; augment: ViewAugmentation; dataSeed?: number },
): ViewSource {
  const n = SHAPE_SIZE, dataSeed = options.dataSeed ?? 0;
  const view = (index: number, which: 0 | 1, step: number) => {
    const image = shapeView(shapeLabel(index, dataSeed), 2 * index + which, { seed: dataSeed });
    return options.augment === "host" ? augmentImage(image, n, n, options.seed, [index, step, which]) : image;
  };
  return {
    name: "synthetic shapes",
    shape: { channels: 1, height: n, width: n },
    classes: 4,
    views(backend, step, batch) {
      const idx = batchIndices(options.seed, step, batch, options.size);
      const v1 = new Float64Array(batch * n * n), v2 = new Float64Array(batch * n * n);
      idx.forEach((index, k) => {
        v1.set(view(index, 0, step), k * n * n);
        v2.set(view(index, 1, step), k * n * n);
      });
      return upload(backend, v1, v2, [batch, 1, n, n], options.augment, step);
    },
    evaluation(rows) {
      const images = new Float64Array(rows * n * n), labels = new Uint8Array(rows);
      for (let r = 0; r < rows; r++) {
        const index = options.size + r;
        labels[r] = shapeLabel(index, dataSeed);
        images.set(shapeView(labels[r], 2 * index, { seed: dataSeed }), r * n * n);
      }
      return { images, labels };
    },
  };
}

/**
 * A labelled grey image array (e.g. Fashion-MNIST scaled to [0, 1]): training batches drawn from the
 * `train` images, each sample augmented twice; evaluation images from `test`.
 */
export function imageViewSource(options: {
  name: string;
  height: number;
  width: number;
  classes: number;
  train: { images: Float64Array; count: number };
  test: { images: Float64Array; labels: ArrayLike<number>; count: number };
  seed: number;
  augment: ViewAugmentation;
}): ViewSource {
  const { height: h, width: w } = options, pixels = h * w;
  return {
    name: options.name,
    shape: { channels: 1, height: h, width: w },
    classes: options.classes,
    views(backend, step, batch) {
      const idx = batchIndices(options.seed, step, batch, options.train.count);
      const v1 = new Float64Array(batch * pixels), v2 = new Float64Array(batch * pixels);
      const host = options.augment === "host";
      idx.forEach((index, k) => {
        const image = options.train.images.subarray(index * pixels, (index + 1) * pixels);
        v1.set(host ? augmentImage(image, h, w, options.seed, [index, step, 0]) : image, k * pixels);
        v2.set(host ? augmentImage(image, h, w, options.seed, [index, step, 1]) : image, k * pixels);
      });
      return upload(backend, v1, v2, [batch, 1, h, w], options.augment, step);
    },
    evaluation(rows) {
      const count = Math.min(rows, options.test.count);
      return {
        images: options.test.images.slice(0, count * pixels),
        labels: Uint8Array.from(Array.from(options.test.labels).slice(0, count)),
      };
    },
  };
}
