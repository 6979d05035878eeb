/**
 * BYOL baseline of the LPL line (LPL-13): a canonical small BYOL: online encoder + projector + predictor, target = EMA(encoder + projector) with the cosine tau schedule from tau_0, symmetric 2 - 2 cos loss, Adam.
 *
 * Encoder conv3x3 -> BN -> ReLU -> conv5x5 (padding 2) -> BN -> ReLU -> conv3x3 -> BN -> ReLU -> global
 * average pool, on synthetic shapes (default) or Fashion-MNIST (`--dataset fashion-mnist`; the shapes
 * when it is not installed). Views: the seed augmentation (reflect-pad 4 and crop, flip, brightness and
 * contrast) by the GPU augmentation kernels (`--augment gpu`, lib/lpl/augment_views.ts), or float64 on the
 * host (`--augment host`). Reports the logistic-regression probe (C = 1, stratified 80/20 split) on the
 * encoder features and on the projections of held-out images before and after training, with
 * participation ratio, class distances and the pixel readout; exports them as .npy with labels.
 *
 * Run: `deno run -A scripts/byol_canonical.ts` (quick: channels 16/32/64, 40 steps of batch 32, 500 held-out images),
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
export const defaultConfig: ByolScriptConfig = quickConfig("canonical");
/** The seed project's widths and steps. */
export const fullConfig: ByolScriptConfig = full("canonical");
/** Tiny scale for tests. */
export const testConfig: ByolScriptConfig = tiny("canonical");

/** The seed augmentation on the backend, seeded by (run seed, step, view). */
function gpuAugment(seed: number): Augmenter {
  return (backend, images, step, view) =>
    augmentBatch(backend, images, SEED_BYOL_AUGMENT, seed, step, { view });
}

/** Trains, analyses and exports. */
export function run(config: ByolScriptConfig = defaultConfig): Promise<FigureResult> {
  return runByolScript("canonical", config, gpuAugment(config.seed));
}

if (import.meta.main) {
  await figureMain<ByolScriptConfig>({
    name: "byol_canonical",
    description: "BYOL, canonical: projector, predictor, EMA target; probe before/after, .npy exports",
    options: byolCliOptions("canonical"),
    defaultConfig,
    fullConfig,
    run,
  });
}
