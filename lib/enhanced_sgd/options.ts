/**
 * EnhancedSGD's settings: defaults (the original's where it defines them), validation, and the refusal of
 * arguments that are inert in the original (spec seed002 section 1.1, ESGD-15).
 *
 * @module
 */

/** Settings of `EnhancedSGD` (lib/enhanced_sgd/optimizer.ts). Every field is optional. */
export interface EnhancedSgdOptions {
  /** "clean" (spec section 1.6, default) or "faithful" (the original's step with its defects, section 1.2). */
  mode?: "clean" | "faithful";
  /** Initial lr (0.01). */
  lr?: number;
  /** Initial momentum (0.9). */
  momentum?: number;
  /** EMA weight of the current gradient variance (0.1). */
  smoothingFactor?: number;
  /** Variance jump guard: threshold and weight of the previous v̄ (0.9). */
  stabilizingFactor?: number;
  /** Add N(0, noiseScale²) to every gradient element (true). */
  applyNoise?: boolean;
  noiseScale?: number;
  /** Let the controller drive the momentum (true). */
  adaptiveMomentum?: boolean;
  /** Subtract each parameter tensor's mean gradient (true). */
  gradientCentering?: boolean;
  /** Clip elementwise at clamp(clipKappa sqrt(v̄), clipMin, clipMax) (true). */
  gradientClipping?: boolean;
  /** Clip bound factor (2). */
  clipKappa?: number;
  /** Smallest clip bound (clean 0, faithful 0.5 fixed). */
  clipMin?: number;
  /** Largest clip bound (10). */
  clipMax?: number;
  /** Weight of the entropy change in the reward (0.1). */
  entropyWeight?: number;
  /** Clean: weight of |Δ log10 v̄| in the reward (0.1). */
  varianceWeight?: number;
  /** lr factor during a spike cooldown (0.5; in faithful mode it is overwritten, as in the original). */
  lossCorrectionFactor?: number;
  /** Spike when L > spikeThreshold x the window mean (1.5). */
  spikeThreshold?: number;
  /** Losses in the spike window (100). */
  spikeWindow?: number;
  /** Clean: steps the spike lr cut lasts (100). */
  cooldownSteps?: number;
  /** Q-learning rate α (0.1), discount γ (0.9), ε₀ (0.5), its decay (0.995) and floor (0.01). */
  qAlpha?: number;
  qGamma?: number;
  epsilon?: number;
  epsilonDecay?: number;
  epsilonMin?: number;
  /** Initial probability of a multiplicative (clean: lr-moving) exploration (0.8). */
  mixProb?: number;
  /** Clean: bounds of the lr scale ([0.5, 1.5]). */
  lrScaleBounds?: readonly [number, number];
  /** Clean: bounds of the momentum ([0.5, 0.99]); the lower must not exceed the upper. */
  momentumBounds?: readonly [number, number];
  /** Clean: epochs of the phase factor max(0.5, 1 - e / phaseEpochs) (0: none, the default). */
  phaseEpochs?: number;
  /** Steps per epoch (faithful: needed for the 1-based current_epoch; clean: for the phase). */
  stepsPerEpoch?: number;
  /** Clean: controller calls every k steps (1); faithful runs every step. */
  controllerEvery?: number;
  /** Clean: decoupled weight decay (0). The original never applies its weight_decay: faithful refuses it. */
  weightDecay?: number;
  /** Jitter the controller scales by N(0, 0.05²) at creation, the original's "Bayesian init" (false). */
  jitterScales?: boolean;
  /** Seed of the noise and the controller's draws (0). */
  seed?: number;
}

/** Arguments of the original that do nothing there and are refused here, with the reason. */
export const INERT_ARGUMENTS: Record<string, string> = {
  decay: "stored in the original's param-group defaults and never read",
  usageCase: "never read by the original",
  maxSteps: "never read by the original",
  model: "never read by the original",
  layerTypeScaling: "never read by the original",
  gradCamScaling: "never read by the original",
  gradScale: "the original's controller scale grad_scale is updated but never applied",
  gradientBufferSize:
    "the original fills a retention buffer it never reads; it is removed (a read rule would keep 100 gradient " +
    "copies, 100x the parameters in memory, for a rule the original never defined)",
  lookaheadK: "wrap EnhancedSGD in Lookahead (createEnhancedSgd's `lookahead` option)",
  lookaheadAlpha: "wrap EnhancedSGD in Lookahead (createEnhancedSgd's `lookahead` option)",
  closure: "pass the loss tensor to step(params, gradient, loss)",
};

/** Validated settings with every default filled in. */
export type ResolvedEsgd = Required<EnhancedSgdOptions>;

const DEFAULTS: ResolvedEsgd = {
  mode: "clean",
  lr: 0.01,
  momentum: 0.9,
  smoothingFactor: 0.1,
  stabilizingFactor: 0.9,
  applyNoise: true,
  noiseScale: 1e-4,
  adaptiveMomentum: true,
  gradientCentering: true,
  gradientClipping: true,
  clipKappa: 2,
  clipMin: 0,
  clipMax: 10,
  entropyWeight: 0.1,
  varianceWeight: 0.1,
  lossCorrectionFactor: 0.5,
  spikeThreshold: 1.5,
  spikeWindow: 100,
  cooldownSteps: 100,
  qAlpha: 0.1,
  qGamma: 0.9,
  epsilon: 0.5,
  epsilonDecay: 0.995,
  epsilonMin: 0.01,
  mixProb: 0.8,
  lrScaleBounds: [0.5, 1.5],
  momentumBounds: [0.5, 0.99],
  phaseEpochs: 0,
  stepsPerEpoch: 0,
  controllerEvery: 1,
  weightDecay: 0,
  jitterScales: false,
  seed: 0,
};

/**
 * Fills defaults and validates.
 *
 * @throws {TypeError} On an unknown or inert argument (with the reason it is refused).
 * @throws {RangeError} On a value out of range, crossed bounds, or a faithful setting the original lacks.
 */
export function resolveEnhancedSgd(options: EnhancedSgdOptions): ResolvedEsgd {
  for (const key of Object.keys(options)) {
    if (key in INERT_ARGUMENTS) {
      throw new TypeError(`Cannot create EnhancedSGD: "${key}" is refused: ${INERT_ARGUMENTS[key]}`);
    }
    if (!(key in DEFAULTS)) throw new TypeError(`Cannot create EnhancedSGD: unknown option "${key}"`);
  }
  const faithful = options.mode === "faithful";
  const o: ResolvedEsgd = { ...DEFAULTS, ...(faithful ? { clipMin: 0.5 } : {}), ...options } as ResolvedEsgd;
  const fail = (what: string) => {
    throw new RangeError(`Cannot create EnhancedSGD: ${what}`);
  };
  if (o.mode !== "clean" && o.mode !== "faithful") fail(`mode is "${o.mode}", must be "clean" or "faithful"`);
  const inRange = (name: keyof ResolvedEsgd, lo: number, hi: number, open = false) => {
    const v = o[name] as number;
    if (!(Number.isFinite(v) && (open ? v > lo : v >= lo) && v <= hi)) {
      fail(`${name} is ${v}, must be in ${open ? "(" : "["}${lo}, ${hi}]`);
    }
  };
  inRange("lr", 0, Infinity);
  inRange("momentum", 0, 1);
  inRange("smoothingFactor", 0, 1, true);
  inRange("stabilizingFactor", 0, 1);
  inRange("noiseScale", 0, Infinity);
  inRange("clipKappa", 0, Infinity, true);
  inRange("clipMin", 0, Infinity);
  inRange("clipMax", o.clipMin, Infinity);
  inRange("entropyWeight", 0, Infinity);
  inRange("varianceWeight", 0, Infinity);
  inRange("lossCorrectionFactor", 0, 1);
  inRange("spikeThreshold", 0, Infinity, true);
  inRange("qAlpha", 0, 1);
  inRange("qGamma", 0, 1);
  inRange("epsilon", 0, 1);
  inRange("epsilonDecay", 0, 1);
  inRange("epsilonMin", 0, 1);
  inRange("mixProb", 0, 1);
  inRange("phaseEpochs", 0, Infinity);
  inRange("weightDecay", 0, Infinity);
  for (const name of ["spikeWindow", "controllerEvery", "stepsPerEpoch", "cooldownSteps", "seed"] as const) {
    const v = o[name];
    const min = name === "spikeWindow" || name === "controllerEvery" ? 1 : 0;
    if (!(Number.isInteger(v) && v >= min && v <= 0xffffffff)) {
      fail(`${name} is ${v}, must be an integer >= ${min}`);
    }
  }
  const [lo, hi] = o.lrScaleBounds, [mLo, mHi] = o.momentumBounds;
  if (!(lo > 0 && lo <= 1 && hi >= 1 && Number.isFinite(hi))) {
    fail(`lrScaleBounds are [${lo}, ${hi}], must satisfy 0 < low <= 1 <= high`);
  }
  if (!(mLo >= 0 && mLo <= mHi && mHi < 1)) {
    fail(`momentumBounds are [${mLo}, ${mHi}], must satisfy 0 <= low <= high < 1 (bounds that never cross)`);
  }
  if (!(o.momentum > 0)) fail(`momentum is ${o.momentum}, must be > 0 (the controller scales it)`);
  if (faithful) {
    if (o.stepsPerEpoch < 1) fail(`faithful mode needs stepsPerEpoch >= 1 (the original's current_epoch)`);
    if (o.controllerEvery !== 1) {
      fail(`controllerEvery is ${o.controllerEvery}; the original's controller runs every step`);
    }
    if (o.weightDecay !== 0) fail(`weightDecay is ${o.weightDecay}; the original never applies weight_decay`);
    if (options.clipMin !== undefined && options.clipMin !== 0.5) {
      fail(`the original's clipMin is fixed at 0.5`);
    }
  } else if (o.phaseEpochs > 0 && o.stepsPerEpoch < 1) {
    fail(`phaseEpochs ${o.phaseEpochs} needs stepsPerEpoch >= 1`);
  }
  return o;
}
