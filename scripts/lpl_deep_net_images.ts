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
import type { LplFig5Config } from "./lpl_deep_net_config.ts";

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
 * probe's from its end, the probe's test images from the start of the test split; with `varyData` the same
 * from a permutation of each split seeded by `seed`), CIFAR-10 (subsets seeded by `seed`) or synthetic shapes
 * (seeded by `seed`).
 *
 * @param seed The data draw's seed (config.seed unless `varyData` gives each training seed its own draw).
 */
export async function load(config: LplFig5Config, part: Part, seed = config.seed): Promise<Images> {
  const split = part === "probe-test" ? "test" : "train";
  const count = part === "train" ? config.trainImages : config.probeRows;
  if (config.dataset === "fashion-mnist") {
    const d = await loadFashionMnist({ split });
    const total = d.shape[0], n = Math.min(count, total);
    // the probe's training rows are the end of the training split (apart from LPL's when it is large enough)
    const first = part === "probe-fit" ? total - n : 0;
    // the split's order: as stored, or a seeded permutation of it (the test split's drawn with another stream)
    const order = config.varyData ? seededSubset(total, total, seed + (split === "test" ? 0x7e57 : 0)) : null;
    const rows = Array.from({ length: n }, (_, i) => order ? order[first + i] : first + i);
    const pixels = new Float32Array(n * 784), labels = new Uint8Array(n);
    rows.forEach((row, i) => {
      for (let j = 0; j < 784; j++) pixels[i * 784 + j] = d.images[row * 784 + j] / 255;
      labels[i] = d.labels[row];
    });
    return {
      name: d.name,
      pixels,
      labels,
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
      indices: seededSubset(total, n, seed + (part === "probe-fit" ? 1 : 0)),
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
  const s = syntheticShapes(offset, count, { seed });
  return {
    name: "synthetic shapes",
    pixels: Float32Array.from(s.images),
    labels: s.labels,
    count,
    channels: 1,
    side: SHAPE_SIZE,
  };
}
