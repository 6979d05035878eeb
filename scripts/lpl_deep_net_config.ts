/**
 * The configuration of figure F4.5 (scripts/lpl_fig5_deep_net.ts), in a module of its own so the script's
 * helper modules (images, figure) can use it without importing the script.
 *
 * @module
 */
import type { BackendChoice } from "../lib/backend/select.ts";

/** Configuration. */
export interface LplFig5Config extends Record<string, unknown> {
  /** fashion-mnist, shapes or cifar10. */
  dataset: string;
  /** The CIFAR-10 directory (cifar-10-batches-bin), else CIFAR10_DIR. */
  dataDir: string;
  /** Output channels per block, comma-separated. */
  channels: string;
  /** 1 (pool) or 0 per block, comma-separated. */
  pool: string;
  rules: string;
  steps: number;
  batch: number;
  /** Adam's learning rate (of block 1 with `lrScaling` fan-in). */
  learningRate: number;
  /** "fan-in" (block l's rate times sqrt(fanIn_1 / fanIn_l): the same relative step in every block) or "none". */
  lrScaling: string;
  /** Feed (x - mean) / std with the training images' pixel mean and std (the paper's views end so). */
  normalize: boolean;
  /** On the weights (the paper: 1.5e-6). */
  weightDecay: number;
  /** "symmetric" (the deep-net code's mse(z1, z2)) or "past-detached". */
  predictive: string;
  /** Smallest area fraction of the random resized crop. */
  cropScale: number;
  /** Brightness and contrast jitter strength. */
  jitter: number;
  /** Probability of the Gaussian blur. */
  blur: number;
  trainImages: number;
  /** Rows of the probe's training set (the end of the training split) and of its test set (test split). */
  probeRows: number;
  seed: number;
  /** Seeds seed, seed + 1, ...: each trains every rule (init, batches and views all change). */
  seeds: number;
  /**
   * Each seed also draws its own data: LPL's training images and the probe's training and test sets (a
   * seeded permutation of each split; CIFAR-10 and shapes: subsets seeded by the seed). Off: one draw, seed's.
   */
  varyData: boolean;
  backend: BackendChoice;
}
