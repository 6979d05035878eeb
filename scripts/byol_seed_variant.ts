/**
 * BYOL baseline of the LPL line (LPL-13): the seed project's BYOL (train_byol.py as implemented): only conv1 and bn1 trained, no predictor, EMA tau 0.99 on conv1, loss (MSE(q1, z2) + MSE(q2, z1)) / 2 of L2-normalised projections.
 *
 * Encoder conv3x3 -> BN -> ReLU -> conv5x5 (padding 2) -> BN -> ReLU -> conv3x3 -> BN -> ReLU -> global
 * average pool, on synthetic shapes (default) or Fashion-MNIST (`--dataset fashion-mnist`; the shapes
 * when it is not installed). Views: the seed augmentation (reflect-pad 4 and crop, flip, brightness and
 * contrast) by the GPU augmentation kernels (`--augment gpu`, lib/lpl/augment_views.ts), or float64 on the
 * host (`--augment host`). Reports the logistic-regression probe (C = 1, stratified 80/20 split) on the
 * encoder features and on the projections of held-out images before and after training, with
 * participation ratio, class distances and the pixel readout; exports them as .npy with labels.
 *
 * Run: `deno run -A scripts/byol_seed_variant.ts` (quick: channels 16/32/64, 40 steps of batch 32, 500 held-out images),
 * `--full` (the seed project's 64/128/256 channels, projector 512 -> 128, 1000 steps, 1000 exported).
 *
 * @module
 */
import { figureMain } from "../lib/plot/figure_script.ts";
import { augmentBatch, SEED_BYOL_AUGMENT } from "../lib/lpl/augment_views.ts";
import type { Augmenter } from "../lib/byol/views.ts";
import {
  byolCliOptions,
  type ByolScriptConfig,
  fullConfig as full,
  quickConfig,
  runByolScript,
  testConfig as tiny,
} from "../lib/byol/script.ts";
import type { FigureResult } from "../lib/plot/figure.ts";

/** Quick scale (narrow channels). */
export const defaultConfig: ByolScriptConfig = quickConfig("seed");
/** The seed project's widths and steps. */
export const fullConfig: ByolScriptConfig = full("seed");
/** Tiny scale for tests. */
export const testConfig: ByolScriptConfig = tiny("seed");

/** The seed augmentation on the backend, seeded by (run seed, step, view). */
function gpuAugment(seed: number): Augmenter {
  return (backend, images, step, view) =>
    augmentBatch(backend, images, SEED_BYOL_AUGMENT, seed, step, { view });
}

/** Trains, analyses and exports. */
export function run(config: ByolScriptConfig = defaultConfig): Promise<FigureResult> {
  return runByolScript("seed", config, gpuAugment(config.seed));
}

if (import.meta.main) {
  await figureMain<ByolScriptConfig>({
    name: "byol_seed_variant",
    description: "BYOL, seed variant: only conv1 trained, no predictor; probe before/after, .npy exports",
    options: byolCliOptions("seed"),
    defaultConfig,
    fullConfig,
    run,
  });
}
