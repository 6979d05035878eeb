/**
 * Probes and representation statistics: a multinomial logistic-regression probe with L2 penalty
 * 1/(C n) fitted on the backend (checked against a float64 Newton solution), stratified splits,
 * participation ratio, PCA, intra/inter-class distances, activation statistics, and activations
 * exported as `.npy` with their labels.
 *
 * @module
 */
export {
  fitLogisticProbe,
  type LogisticProbeFit,
  type LogisticProbeOptions,
  probeAccuracy,
  probePredict,
} from "./logistic_probe.ts";
export { fitLogisticProbeReference } from "../reference/lpl_logistic_probe.ts";
export { splitProbe, type SplitProbeResult } from "./split_probe.ts";
export { stratifiedSplit } from "./stratified_split.ts";
export { participationRatio } from "./participation_ratio.ts";
export { pca } from "./pca.ts";
export { classDistances } from "./class_distances.ts";
export { activationStats, beforeAfterCosine } from "./activation_stats.ts";
export { exportActivations, importActivations } from "./activation_export.ts";
