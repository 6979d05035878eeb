/**
 * BYOL baselines of the LPL line (specs/seed004 section 3.7): the seed project's variant (only conv1
 * trained, no predictor) and a canonical small BYOL (projector, predictor, EMA target with the cosine tau
 * schedule, symmetric 2 - 2 cos loss), on synthetic shapes and Fashion-MNIST, with seeded augmented views,
 * encoder features and projections for the probes and the `.npy` export.
 *
 * @module
 */
export { BYOL_VARIANTS, type ByolOptions, ByolTrainer, type ByolVariant } from "./trainer.ts";
export {
  type ByolWidths,
  canonicalOnlineLayers,
  canonicalTargetLayers,
  ENCODER_OUTPUT_LAYER,
  encoderLayers,
  mlpHeadLayers,
  QUICK_WIDTHS,
  SEED_WIDTHS,
  seedEmaParameters,
  seedNetworkLayers,
  seedTrainable,
} from "./networks.ts";
export {
  canonicalDirectionLoss,
  canonicalLossReference,
  type DirectionLoss,
  seedDirectionLoss,
  seedLossReference,
} from "./loss.ts";
export { cosineTau, emaUpdate } from "./ema.ts";
export {
  AUGMENT_STREAM,
  type Augmenter,
  augmentImage,
  BATCH_STREAM,
  imageViewSource,
  SEED_AUGMENTATION,
  type SeedAugmentation,
  shapesViewSource,
  type ViewAugmentation,
  type ViewSource,
} from "./views.ts";
export {
  analyseFeatures,
  type ByolExperimentOptions,
  type ByolExperimentResult,
  runByolExperiment,
} from "./experiment.ts";
