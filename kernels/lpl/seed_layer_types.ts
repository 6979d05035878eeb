/**
 * Shapes of the fused seed-LPL kernel (kernels/lpl/seed_layer.wgsl): a batch of models (ablation
 * conditions x seeds) of the seed project's layer (spec 3.6, lib/reference/lpl_seed_layer.ts), one layer
 * or the hierarchical two-layer stack (LPL-11), and the Philox layout of the per-step draws the float64
 * host loops (lib/lpl/seed_training.ts, lib/lpl/hierarchical.ts) share with the kernel.
 *
 * @module
 */

/** Philox streams (key word 1; word 0 is the model's seed) of the seed layer's runs. */
export const SEED_STREAMS = {
  /** The initial W ~ N(0, 0.01^2): element k of counter (k / 4, 0, 0, 0). */
  init: 0x1a7e,
  /** The initial W of the hierarchical model's layer 2 (same layout). */
  init2: 0x1a7f,
  /** The per-step draws: image picks and the weak views. */
  training: 0x7e11,
} as const;

/**
 * Philox step word (counter word 1) of the image picks of step k (counter (0, PICK_STEP, k, 0): word 0
 * picks the image of x_t, word 1 that of x_t1 under "shuffle"). The weak views of step k are views 2k
 * and 2k + 1 of lib/lpl/seed_views.ts (counters (0, 0, view, 0) for the offsets, (pixel / 4, 1, view, 0)
 * for the noise).
 */
export const SEED_PICK_STEP = 0x70;

/** One model of the batch: its seed, its rates (0 = term off) and whether its pairs are shuffled. */
export interface SeedModelSetting {
  /** Philox key word 0 of the model's init and views. */
  seed: number;
  /** eta_h (0: Hebb off). */
  hebb: number;
  /** eta_p (0: pred off, P never changes). */
  pred: number;
  /** eta_s (0: stab off). */
  stab: number;
  /** x_t1 comes from another (randomly picked) image than x_t. */
  shuffle: boolean;
}

/** Where x_t and x_t1 of a step come from. */
export type SeedInputMode =
  /** Two weak views (lib/lpl/seed_views.ts) of a picked image: the single layer (train_lpl.py). */
  | "views"
  /** The two images of a picked pair of a fixed pair dataset: the hierarchical model. */
  | "pairs";

/** The sizes of a batch of seed-LPL models. */
export interface SeedLayerShape {
  /** Models trained together (conditions x seeds). */
  models: number;
  /** Input pixels N (= height * width), a multiple of 4. */
  inputs: number;
  height: number;
  width: number;
  /** Outputs of layer 1, a multiple of 4. */
  outputs: number;
  /** Outputs of layer 2 (0: a single layer), a multiple of 4. */
  outputs2: number;
  /** Images (views mode) or pairs (pairs mode) in the input buffer. */
  imageCount: number;
  mode: SeedInputMode;
  /** Log Var(y_t) and |W|_F after every `logEvery` steps. */
  logEvery: number;
}

/** Layers of a shape (1 or 2). */
export function seedLayerCount(shape: Pick<SeedLayerShape, "outputs2">): number {
  return shape.outputs2 > 0 ? 2 : 1;
}

/** vec4s of one model's weights: W1 [m1, n/4], P1 [m1, m1/4], then (two layers) W2 [m2, m1/4], P2 [m2, m2/4]. */
export function seedWeightQuads(shape: SeedLayerShape): number {
  const { inputs: n, outputs: m1, outputs2: m2 } = shape;
  return (m1 * n + m1 * m1 + m2 * m1 + m2 * m2) / 4;
}

/** vec4s of one model's input scratch: per layer x_t, x_t1 and u = y_c^T W, each [inputs / 4]. */
export function seedInputQuads(shape: SeedLayerShape): number {
  return (3 * shape.inputs + (shape.outputs2 > 0 ? 3 * shape.outputs : 0)) / 4;
}

/**
 * floats of one model's output scratch: per layer y_t, y_t1, yhat and the pre-activations a_t, a_t1, each
 * [outputs]; then the skip count, padded to 4.
 */
export function seedOutputFloats(shape: SeedLayerShape): number {
  return 5 * (shape.outputs + shape.outputs2) + 4;
}
