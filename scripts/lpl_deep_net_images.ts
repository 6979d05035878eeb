/**
 * The images of scripts/lpl_fig5_deep_net.ts: LPL's unlabelled training images and the probe's training and
 * test sets, from Fashion-MNIST, CIFAR-10 or the synthetic shapes.
 *
 * @module
 */
import { loadFashionMnist } from "../lib/data/fashion_mnist.ts";
import { loadCifar10 } from "../lib/data/cifar10.ts";
import { seededSubset } from "../lib/data/dataset.ts";
import { SHAPE_SIZE, syntheticShapes } from "../lib/data/synthetic_shapes.ts";
import type { LplFig5Config } from "./lpl_fig5_deep_net.ts";

/** Images of one part, in [0, 1]. */
export interface Images {
  name: string;
  /** [count, C, H, W] in [0, 1]. */
  pixels: Float32Array;
  labels: Uint8Array;
  count: number;
  channels: number;
  side: number;
}

/** Which images: LPL's (unlabelled) training images, the probe's training set, or its test set. */
export type Part = "train" | "probe-fit" | "probe-test";

/**
 * Loads a part of the config's dataset: Fashion-MNIST (LPL's images from the start of the training split, the
 * probe's from its end, the probe's test images from the test split), CIFAR-10 (seeded subsets) or synthetic shapes.
 */
export async function load(config: LplFig5Config, part: Part): Promise<Images> {
  const split = part === "probe-test" ? "test" : "train";
  const count = part === "train" ? config.trainImages : config.probeRows;
  if (config.dataset === "fashion-mnist") {
    const d = await loadFashionMnist({ split });
    const n = Math.min(count, d.shape[0]);
    // the probe's training rows are the end of the training split (apart from LPL's when it is large enough)
    const first = part === "probe-fit" ? d.shape[0] - n : 0;
    const pixels = Float32Array.from(d.images.subarray(first * 784, (first + n) * 784), (v) => v / 255);
    return {
      name: d.name,
      pixels,
      labels: d.labels.slice(first, first + n),
      count: n,
      channels: 1,
      side: 28,
    };
  }
  if (config.dataset === "cifar10") {
    const total = split === "train" ? 50000 : 10000, n = Math.min(count, total);
    const d = await loadCifar10({
      split,
      dataDir: config.dataDir || undefined,
      indices: seededSubset(total, n, config.seed + (part === "probe-fit" ? 1 : 0)),
    });
    const pixels = Float32Array.from(d.images, (v) => v / 255);
    return { name: d.name, pixels, labels: d.labels, count: n, channels: 3, side: 32 };
  }
  if (config.dataset !== "shapes") {
    throw new RangeError(
      `Cannot load dataset "${config.dataset}": expected fashion-mnist, shapes or cifar10`,
    );
  }
  const offset = { "train": 0, "probe-fit": 2_000_000, "probe-test": 1_000_000 }[part];
  const s = syntheticShapes(offset, count, { seed: config.seed });
  return {
    name: "synthetic shapes",
    pixels: Float32Array.from(s.images),
    labels: s.labels,
    count,
    channels: 1,
    side: SHAPE_SIZE,
  };
}
