/**
 * Shapes of the fused toy-neuron LPL kernel (kernels/lpl/toy_neuron.wgsl): the per-setting arguments, the
 * sweep, the Hebbian kinds and the Philox streams (the struct layouts are the wrapper's, ./toy_neuron.ts). The float64 reference
 * (lib/reference/lpl_toy_neuron.ts) imports these types, nothing else of the kernel.
 *
 * @module
 */

/** Hebbian (variance) term of a setting: `Setting.hebb_kind` in the .wgsl. */
export const HEBB_KIND = {
  /** No variance term (Hebb off, "pred only"). */
  none: 0,
  /** LPL's `-log(var(y) + 1e-8)` (spec section 3.3, the notebook's `hebbian_loss`). */
  log: 1,
  /** Naive `-var(y)` (no variance-dependent suppression, spec 3.3 / Fig. S1). */
  naive: 2,
  /** VICReg's `max(0, 1 - sqrt(var(y) + 1e-8))` (Bardes et al. 2021). */
  vicreg: 3,
} as const;

/** A Hebbian kind by name. */
export type HebbKind = keyof typeof HEBB_KIND;

/** Which past output the predictive term pulls towards (spec Errata 6). */
export type PastOutput = "recomputed" | "stored";

/**
 * One setting of the sweep, as the kernel and the reference consume it. Every repetition of the
 * setting is one sequence of 200 parallel sequences of the toy data (spec section 3.3).
 */
export interface ToyNeuronSetting {
  /** sigma_y, the standard deviation of the nuisance (y) input. */
  sigmaY: number;
  /** Probability p that a sample's cluster flips between consecutive steps. */
  flipProbability: number;
  /** SGD learning rate (Oja: its rate). */
  learningRate: number;
  /** SGD-style L2 weight decay (the gradient gets + weightDecay w). */
  weightDecay: number;
  /** Coefficient of the predictive term (c_pull; 0 = pred off). */
  predCoefficient: number;
  /** Coefficient of the Hebbian term (c_push). */
  hebbCoefficient: number;
  /** The Hebbian term's form. */
  hebb: HebbKind;
  /** Oja's rule instead of a gradient step (the Hebbian and predictive fields are then unused). */
  oja: boolean;
  /** y_past = w x_prev with the current weights ("recomputed", the toy notebook) or last step's ("stored"). */
  pastOutput: PastOutput;
}

/** Everything the kernel and the reference need to train a batch of settings x repetitions. */
export interface ToyNeuronShape {
  settings: ToyNeuronSetting[];
  /** Repetitions per setting; sequence index = setting * repetitions + repetition. */
  repetitions: number;
  /** Samples per batch (the notebook: 200). */
  batch: number;
  /** SGD steps (transitions batch k -> k + 1). */
  steps: number;
  /** The activity mean |y| is recorded after every `recordEvery` steps. */
  recordEvery: number;
  /** Seed (Philox key word 0). */
  seed: number;
}

/** Philox stream ids (key word 1) of the toy neuron: the data, the cluster flips, the initial weights, validation. */
export const TOY_STREAMS = {
  data: 0x4c504c31,
  flip: 0x4c504c32,
  init: 0x4c504c33,
  validation: 0x4c504c34,
} as const;

/** Cluster centre B (x = +-B + jitter, spec section 3.3). */
export const TOY_CLUSTER_CENTER = 1;
/** Standard deviation of the x jitter around the cluster centre. */
export const TOY_JITTER = 0.1;
/** The variance floor of the Hebbian and VICReg terms (the notebook's 1e-8). */
export const TOY_VARIANCE_EPSILON = 1e-8;
