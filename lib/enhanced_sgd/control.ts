/**
 * EnhancedSGD's controller calls, apart from the optimizer's GPU plumbing: building the controllers from the
 * settings, the faithful decision before the update and its learning step after it, the clean call on the
 * statistics accumulated since the last one, and the telemetry row each produces.
 *
 * @module
 */
import type { GradientStatistics } from "../reference/enhanced_sgd.ts";
import { FaithfulController, type FaithfulDecision } from "./faithful.ts";
import type { ResolvedEsgd } from "./options.ts";
import { CLEAN_ACTIONS, QController } from "./q_controller.ts";
import type { RandomSource } from "./random.ts";

/** One controller call's telemetry row (metrics.jsonl). */
export interface EsgdTelemetry extends Record<string, number | string | boolean | null> {
  /** Steps completed. */
  step: number;
  epoch: number;
  lr: number;
  momentum: number;
  /** Pooled gradient variance EMA v̄ (the mean since the last call in clean mode). */
  vbar: number;
  entropyRaw: number;
  entropyNorm: number;
  loss: number;
  epsilon: number;
  mixProb: number;
  qTableSize: number;
  action: string;
  reward: number | null;
  lrScale: number;
  momentumScale: number;
  spike: boolean;
}

/** The controllers of a mode (one of them is set). */
export function makeControllers(
  s: ResolvedEsgd,
  random: RandomSource,
): { faithful?: FaithfulController; clean?: QController } {
  const common = {
    lr: s.lr,
    momentum: s.momentum,
    adaptiveMomentum: s.adaptiveMomentum,
    entropyWeight: s.entropyWeight,
    lossCorrectionFactor: s.lossCorrectionFactor,
    spikeThreshold: s.spikeThreshold,
    spikeWindow: s.spikeWindow,
    alpha: s.qAlpha,
    gamma: s.qGamma,
    epsilon: s.epsilon,
    epsilonDecay: s.epsilonDecay,
    epsilonMin: s.epsilonMin,
    mixProb: s.mixProb,
  };
  if (s.mode === "faithful") {
    const faithful = new FaithfulController(common, random);
    if (s.jitterScales) {
      for (const k of ["lr", "momentum", "grad"] as const) faithful.scales[k] += 0.05 * random.normal();
    }
    return { faithful };
  }
  const clean = new QController({
    ...common,
    lrScaleBounds: s.lrScaleBounds,
    momentumBounds: s.momentumBounds,
    varianceWeight: s.varianceWeight,
    cooldownSteps: s.cooldownSteps,
    phaseEpochs: s.phaseEpochs,
  }, random);
  if (s.jitterScales) clean.applyScales(1 + 0.05 * random.normal(), 0.05 * random.normal());
  clean.lr = s.lr * clean.scales.lr;
  clean.momentum = Math.min(
    Math.max(s.momentum * clean.scales.momentum, s.momentumBounds[0]),
    s.momentumBounds[1],
  );
  return { clean };
}

/** A faithful decision with the observation it was made on. */
export type FaithfulDecided = Omit<FaithfulDecision, "reward">;

function faithfulObservation(observed: GradientStatistics, epoch: number) {
  return {
    loss: observed.loss,
    vbar: observed.vbar,
    vbarPrev: observed.vbarPrev,
    entropy: observed.entropyRaw,
    epoch,
  };
}

/** Section 1.2 step 3 on this step's statistics (`epoch` 1-based). */
export function faithfulDecide(
  c: FaithfulController,
  observed: GradientStatistics,
  epoch: number,
): FaithfulDecided {
  return c.decide(faithfulObservation(observed, epoch));
}

/** Section 1.2 step 5 after the update, and the step's telemetry row. */
export function faithfulLearn(
  c: FaithfulController,
  decided: FaithfulDecided,
  observed: GradientStatistics,
  step: number,
  epoch: number,
): EsgdTelemetry {
  const reward = c.learn(faithfulObservation(observed, epoch), decided.state, decided.action);
  const a = decided.action;
  return {
    step,
    epoch,
    lr: decided.lr,
    momentum: decided.momentum,
    vbar: observed.vbar,
    loss: observed.loss,
    entropyRaw: observed.entropyRaw,
    entropyNorm: observed.entropyNorm,
    epsilon: c.epsilon,
    mixProb: c.mixProb,
    qTableSize: c.q.size,
    action: `lr ${a.lr} momentum ${a.momentum} grad ${a.grad}`,
    reward,
    lrScale: c.scales.lr,
    momentumScale: c.scales.momentum,
    spike: decided.spike,
  };
}

/** One clean controller call on the means of the statistics accumulated since the last call. */
export function cleanCall(
  c: QController,
  st: GradientStatistics,
  step: number,
  epoch: number,
): EsgdTelemetry {
  const n = st.accSteps;
  const mean = { loss: st.accLoss / n, vbar: st.accVbar / n, entropyNorm: st.accEntropyNorm / n };
  const d = c.observe({ step, epoch, ...mean });
  const [f, dm] = CLEAN_ACTIONS[d.action];
  return {
    step,
    epoch,
    lr: d.lr,
    momentum: d.momentum,
    vbar: mean.vbar,
    loss: mean.loss,
    entropyRaw: st.accEntropyRaw / n,
    entropyNorm: mean.entropyNorm,
    epsilon: c.epsilon,
    mixProb: c.mixProb,
    qTableSize: c.q.size,
    action: `lr x${f} momentum ${dm >= 0 ? "+" : ""}${dm}`,
    reward: d.reward,
    lrScale: c.scales.lr,
    momentumScale: c.scales.momentum,
    spike: d.spike,
  };
}
