/**
 * The clean EnhancedSGD controller (spec seed002 section 1.6): a tabular Q-learning agent over a discretised
 * state, a joint action set, the next state observed after the update, and lr and momentum that never
 * compound and stay inside bounds that never cross.
 *
 * - State (no raw epoch): (bin of log10 L in half decades, bin of log10 v̄ in decades, H_norm in tenths, the
 *   loss trend since the last observation: -1 below -1%, +1 above +1%, else 0). L, v̄ and H_norm are the means
 *   over the steps since the last controller call (accumulated on the GPU).
 * - Actions: 9 joint moves {lr scale x0.95, x1, x1.05} x {momentum scale -0.005, 0, +0.005}.
 * - Exploration: with probability ε a random action: with probability mixProb any of the 9, else one of the
 *   3 that move only the momentum (mixProb keeps the original's role of biasing exploration). ε decays by
 *   `epsilonDecay` per controller call down to `epsilonMin`; mixProb follows the original's `update_mix_prob`
 *   on the observed loss at every call.
 * - Reward (documented choice): r = -(L_n - L_{n-1}) / L_{n-1} - w_v |log10 v̄_n - log10 v̄_{n-1}|
 *   - w_H |H_n - H_{n-1}|: loss decrease, plus the original's preference for stable gradient statistics.
 * - Q-update of the previous (s, a) at the next call, with the newly observed state as s'.
 * - lr = lr0 clamp(P_lr, lo, hi) phase(epoch) cooldown; momentum = clamp(m0 P_mom, m_lo, m_hi); P_lr and P_mom
 *   are kept inside their bounds so they cannot drift where the clamp would hide them. A loss spike
 *   (L > threshold x the mean of the last `spikeWindow` observed losses) halves the lr for `cooldownSteps`.
 *
 * @module
 */
import type { RandomSource } from "./random.ts";

/**
 * The original's `update_mix_prob` rule, shared by the clean and faithful controllers: when the loss
 * barely moved (|previous - loss| < threshold) the mix probability decays towards 0.1, else it grows
 * back towards its initial value `cap`.
 */
export function nextMixProb(
  mixProb: number,
  previousLoss: number,
  loss: number,
  cap: number,
  decay: number,
  threshold: number,
): number {
  return Math.abs(previousLoss - loss) < threshold
    ? Math.max(0.1, mixProb * decay)
    : Math.min(cap, mixProb * (1 + 0.05 * decay));
}

/** The joint actions: [lr factor, momentum scale delta]. */
export const CLEAN_ACTIONS: readonly (readonly [number, number])[] = [0.95, 1, 1.05].flatMap((f) =>
  [-0.005, 0, 0.005].map((d) => [f, d] as const)
);
const MOMENTUM_ONLY = [3, 4, 5];

/** Settings of {@linkcode QController}. */
export interface QControllerSettings {
  lr: number;
  momentum: number;
  lrScaleBounds: readonly [number, number];
  momentumBounds: readonly [number, number];
  adaptiveMomentum: boolean;
  alpha: number;
  gamma: number;
  epsilon: number;
  epsilonDecay: number;
  epsilonMin: number;
  mixProb: number;
  varianceWeight: number;
  entropyWeight: number;
  spikeThreshold: number;
  spikeWindow: number;
  lossCorrectionFactor: number;
  cooldownSteps: number;
  /** Epochs of the phase factor max(0.5, 1 - e / phaseEpochs) (0: no phase). */
  phaseEpochs: number;
}

/** What the clean controller observes (means since the last call). */
export interface CleanObservation {
  /** Steps completed. */
  step: number;
  /** 0-based epoch (for the optional phase). */
  epoch: number;
  loss: number;
  vbar: number;
  entropyNorm: number;
}

/** One clean decision with its telemetry. */
export interface CleanDecision {
  lr: number;
  momentum: number;
  action: number;
  reward: number | null;
  state: string;
  spike: boolean;
  explored: boolean;
}

type Previous = { state: string; action: number; obs: CleanObservation };

const clamp = (x: number, lo: number, hi: number) => Math.min(Math.max(x, lo), hi);

/** The clean tabular controller. */
export class QController {
  readonly settings: QControllerSettings;
  scales = { lr: 1, momentum: 1 };
  epsilon: number;
  mixProb: number;
  q: Map<string, number[]> = new Map();
  lossWindow: number[] = [];
  #previous?: Previous;
  #cooldownUntil = -1;
  #mixLoss: number | undefined;
  #random: RandomSource;
  /** Action indices to take instead of the ε-greedy choice, in order (tests). */
  scripted: number[] = [];
  lr: number;
  momentum: number;

  /** @param settings Validated settings. @param random The random source. */
  constructor(settings: QControllerSettings, random: RandomSource) {
    this.settings = settings;
    this.epsilon = settings.epsilon;
    this.mixProb = settings.mixProb;
    this.#random = random;
    this.lr = settings.lr;
    this.momentum = clamp(settings.momentum, ...settings.momentumBounds);
  }

  /** Multiplies the lr scale and adds to the momentum scale, keeping both within bounds (any input). */
  applyScales(lrFactor: number, momentumDelta: number): void {
    const s = this.settings;
    const [lo, hi] = s.lrScaleBounds, [mLo, mHi] = s.momentumBounds;
    if (Number.isFinite(lrFactor)) this.scales.lr = clamp(this.scales.lr * lrFactor, lo, hi);
    if (Number.isFinite(momentumDelta) && s.adaptiveMomentum) {
      this.scales.momentum = clamp(this.scales.momentum + momentumDelta, mLo / s.momentum, mHi / s.momentum);
    }
    if (!Number.isFinite(this.scales.lr)) this.scales.lr = 1;
  }

  /** The state key of an observation given the previous one. */
  stateKey(o: CleanObservation, previous?: CleanObservation): string {
    const bin = (x: number, width: number) => Number.isFinite(x) ? Math.floor(x / width) : -99;
    const change = previous ? (o.loss - previous.loss) / Math.max(Math.abs(previous.loss), 1e-12) : 0;
    const trend = change < -0.01 ? -1 : change > 0.01 ? 1 : 0;
    const h = Math.min(9, Math.max(0, Math.floor(o.entropyNorm * 10)));
    return `${bin(Math.log10(o.loss), 0.5)}|${bin(Math.log10(o.vbar), 1)}|${h}|${trend}`;
  }

  #row(state: string): number[] {
    let row = this.q.get(state);
    if (!row) this.q.set(state, row = new Array(CLEAN_ACTIONS.length).fill(0));
    return row;
  }

  /** The reward of moving from `a` to `b` (see the module doc). */
  reward(a: CleanObservation, b: CleanObservation): number {
    const s = this.settings;
    const dLoss = (b.loss - a.loss) / Math.max(Math.abs(a.loss), 1e-12);
    const logV = (v: number) => Math.log10(Math.max(v, 1e-30));
    return -dLoss - s.varianceWeight * Math.abs(logV(b.vbar) - logV(a.vbar)) -
      s.entropyWeight * Math.abs(b.entropyNorm - a.entropyNorm);
  }

  /** The Q-learning update of (state, action) toward reward + γ max Q[next]. */
  learn(state: string, action: number, reward: number, next: string): void {
    const row = this.#row(state);
    const target = reward + this.settings.gamma * Math.max(...this.#row(next));
    row[action] += this.settings.alpha * (target - row[action]);
  }

  /** ε-greedy choice (ties: the first best action). */
  choose(state: string): { action: number; explored: boolean } {
    const row = this.#row(state);
    if (this.#random.uniform() < this.epsilon) {
      const pool = this.#random.uniform() < this.mixProb ? CLEAN_ACTIONS.map((_, k) => k) : MOMENTUM_ONLY;
      return {
        action: pool[Math.min(pool.length - 1, Math.floor(this.#random.uniform() * pool.length))],
        explored: true,
      };
    }
    return { action: row.indexOf(Math.max(...row)), explored: false };
  }

  /**
   * One controller call: learn from the previous decision with this observation as s', then choose and apply
   * the next action.
   *
   * @returns The lr and momentum for the steps until the next call, and telemetry.
   */
  observe(o: CleanObservation): CleanDecision {
    const s = this.settings;
    const state = this.stateKey(o, this.#previous?.obs);
    let reward: number | null = null;
    if (this.#previous) {
      reward = this.reward(this.#previous.obs, o);
      this.learn(this.#previous.state, this.#previous.action, reward, state);
    }
    this.lossWindow.push(o.loss);
    if (this.lossWindow.length > s.spikeWindow) this.lossWindow.shift();
    const average = this.lossWindow.reduce((a, b) => a + b, 0) / this.lossWindow.length;
    const spike = o.loss > s.spikeThreshold * average;
    if (spike) this.#cooldownUntil = o.step + s.cooldownSteps;
    const scripted = this.scripted.shift();
    const chosen = scripted !== undefined ? { action: scripted, explored: false } : this.choose(state);
    this.epsilon = Math.max(s.epsilonMin, this.epsilon * s.epsilonDecay);
    this.updateMixProb(o.loss);
    const [factor, delta] = CLEAN_ACTIONS[chosen.action];
    this.applyScales(factor, delta);
    const phase = s.phaseEpochs > 0 ? Math.max(0.5, 1 - o.epoch / s.phaseEpochs) : 1;
    const cooldown = o.step < this.#cooldownUntil ? s.lossCorrectionFactor : 1;
    this.lr = s.lr * this.scales.lr * phase * cooldown;
    this.momentum = clamp(s.momentum * this.scales.momentum, ...s.momentumBounds);
    this.#previous = { state, action: chosen.action, obs: o };
    return {
      lr: this.lr,
      momentum: this.momentum,
      action: chosen.action,
      reward,
      state,
      spike,
      explored: chosen.explored,
    };
  }

  /** The original's update_mix_prob, called with each observed loss. */
  updateMixProb(loss: number, decay = 0.98, threshold = 0.01): void {
    if (this.#mixLoss !== undefined) {
      this.mixProb = nextMixProb(this.mixProb, this.#mixLoss, loss, this.settings.mixProb, decay, threshold);
    }
    this.#mixLoss = loss;
  }

  /** A plain-data copy (checkpoints). */
  toJSON(): Record<string, unknown> {
    return {
      scales: this.scales,
      epsilon: this.epsilon,
      mixProb: this.mixProb,
      q: [...this.q],
      lossWindow: this.lossWindow,
      previous: this.#previous ?? null,
      cooldownUntil: this.#cooldownUntil,
      mixLoss: this.#mixLoss ?? null,
      lr: this.lr,
      momentum: this.momentum,
    };
  }

  /** Restores {@linkcode toJSON}'s data. */
  restore(d: Record<string, unknown>): void {
    this.scales = { ...(d.scales as { lr: number; momentum: number }) };
    this.epsilon = d.epsilon as number;
    this.mixProb = d.mixProb as number;
    this.q = new Map(d.q as [string, number[]][]);
    this.lossWindow = [...(d.lossWindow as number[])];
    this.#previous = (d.previous as Previous | null) ?? undefined;
    this.#cooldownUntil = d.cooldownUntil as number;
    this.#mixLoss = (d.mixLoss as number | null) ?? undefined;
    this.lr = d.lr as number;
    this.momentum = d.momentum as number;
  }
}
