/**
 * Training the seed project's single "LPL" layer (LPL-10, 14) on a set of images, per sample, with its
 * ablations (use_hebb / use_pred / use_stab off, and the "shuffle" condition pairing x_t with a view
 * of another image), logging Var(y), std of y and |W|_F. The update is the float64 rule of
 * lib/reference/lpl_seed_layer.ts (a per-sample host loop: fast enough at 784 -> 128; running
 * ablations x seeds as a batch axis on the GPU is not done yet).
 *
 * @module
 */
import { PhiloxStream } from "../rng/philox.ts";
import {
  createSeedLayer,
  frobeniusNorm,
  SEED_LAYER_RATES,
  type SeedLayer,
  seedLayerForward,
  type SeedLayerRates,
  seedLayerUpdate,
  unitVariance,
} from "../reference/lpl_seed_layer.ts";
import { seedWeakView } from "./seed_views.ts";

/** The seed's ablation conditions (run_ablations.py, Errata 10). */
export const SEED_CONDITIONS = ["full", "no-hebb", "no-pred", "no-stab", "shuffle"] as const;
/** One of {@linkcode SEED_CONDITIONS}. */
export type SeedCondition = typeof SEED_CONDITIONS[number];

/** The rates of a condition. */
export function seedConditionRates(
  condition: SeedCondition,
  base: SeedLayerRates = SEED_LAYER_RATES,
): SeedLayerRates {
  return {
    ...base,
    useHebb: condition !== "no-hebb",
    usePred: condition !== "no-pred",
    useStab: condition !== "no-stab",
  };
}

/** Images, row-major [count, height * width], pixels in [0, 1]. */
export interface SeedImages {
  pixels: Float64Array;
  labels: Uint8Array;
  count: number;
  height: number;
  width: number;
}

/** One log row. */
export interface SeedLogRow {
  step: number;
  /** Var(y_t) across units of the step's sample. */
  varY: number;
  /** |W|_F after the step. */
  weightNorm: number;
}

/** Options of {@linkcode trainSeedLayer}. */
export interface SeedTrainingOptions {
  outputs: number;
  steps: number;
  seed: number;
  condition: SeedCondition;
  rates?: SeedLayerRates;
  logEvery: number;
}

/** Outputs [rows, outputs] of the first `rows` images (no augmentation). */
export function seedLayerActivations(layer: SeedLayer, images: SeedImages, rows: number): Float64Array {
  const n = images.height * images.width, out = new Float64Array(rows * layer.outputs);
  for (let r = 0; r < rows; r++) {
    seedLayerForward(layer, images.pixels.subarray(r * n, (r + 1) * n), out.subarray(r * layer.outputs));
  }
  return out;
}

/**
 * Trains a fresh layer: each step picks a random image and two weak views (x_t, x_t1) of it (of two
 * different images under "shuffle").
 *
 * @returns The initial and trained layers and the log.
 */
export function trainSeedLayer(
  images: SeedImages,
  options: SeedTrainingOptions,
): { before: SeedLayer; after: SeedLayer; log: SeedLogRow[] } {
  const n = images.height * images.width;
  const init = new PhiloxStream(options.seed, 0x1a7e);
  let k = 0;
  const layer = createSeedLayer(n, options.outputs, () => init.normal(0, 0, k++));
  const before: SeedLayer = { ...layer, w: Float64Array.from(layer.w), p: Float64Array.from(layer.p) };
  const rng = new PhiloxStream(options.seed, 0x7e11);
  const rates = seedConditionRates(options.condition, options.rates);
  const log: SeedLogRow[] = [];
  const image = (r: number) => images.pixels.subarray(r * n, (r + 1) * n);
  for (let step = 1; step <= options.steps; step++) {
    const a = Math.floor(rng.uniform(step, 0x70, 0) * images.count);
    const b = options.condition === "shuffle" ? Math.floor(rng.uniform(step, 0x70, 1) * images.count) : a;
    const xt = seedWeakView(image(a), images.height, images.width, rng, 2 * step);
    const xt1 = seedWeakView(image(b), images.height, images.width, rng, 2 * step + 1);
    const yt = seedLayerUpdate(layer, xt, xt1, rates);
    if (step % options.logEvery === 0) {
      log.push({ step, varY: unitVariance(yt), weightNorm: frobeniusNorm(layer.w) });
    }
  }
  return { before, after: layer, log };
}
