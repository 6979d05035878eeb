/**
 * Research line 3, EnhancedSGD: SGD whose learning rate and momentum a tabular Q-learning controller
 * drives from gradient statistics computed on the GPU (pooled variance, a 100-bin histogram and its
 * entropy). A clean, well-defined version (spec seed002 section 1.6) and a faithful mode that keeps the
 * original's step order and defects; the controllers, the float64 reference.
 *
 * @module
 */
export { EnhancedSGD, type EnhancedSgdHooks, type EsgdTelemetry } from "./optimizer.ts";
export { cleanCall, faithfulDecide, faithfulLearn, makeControllers } from "./control.ts";
export { createEnhancedSgd } from "./create.ts";
export { type EnhancedSgdOptions, INERT_ARGUMENTS, resolveEnhancedSgd } from "./options.ts";
export { CLEAN_ACTIONS, QController, type QControllerSettings } from "./q_controller.ts";
export { FaithfulController, type FaithfulSettings } from "./faithful.ts";
export { type RandomSource, ScriptedRandom, SeededRandom } from "./random.ts";
export {
  enhancedSgdUpdateReference,
  type GradientStatistics,
  gradientStatisticsReference,
  histogramEntropies,
  histogramReference,
} from "../reference/enhanced_sgd.ts";
