/**
 * The original EnhancedSGD's controller, reproduced with its defects (spec seed002 sections 1.2, 1.3, 1.5;
 * "faithful mode", ESGD-16): the lr compounds (each step multiplies the previous step's lr), the epoch phase
 * `D = max(0.5, 1 - e/20)` with the 1-based `current_epoch` caps the lr factor at 1.5 D and the momentum at
 * 0.99 D (below the 0.85 floor for e >= 3, so momentum is forced to 0.99 D), the spike's lr cut is overwritten,
 * the state has continuous components and the epoch, the next state is the same state (s' = s), greedy
 * actions reuse Q-values as magnitudes and are classified by value, and the entropy is the raw density one.
 * Its random choices come from a seeded stream (they cannot match Python's `random`), so tests script them.
 *
 * Assumptions where the spec is silent: `round(x, 2)` is `Math.round(100 x) / 100` (Python rounds half to
 * even on the decimal value; states differ only at exact ties); in the Q-update the maximum over Q[s'] is
 * taken afresh for each scale (the table is live while the loop over the three scales updates it).
 *
 * @module
 */
import type { RandomSource } from "./random.ts";
import { nextMixProb } from "./q_controller.ts";

/** The three controller scales of the original. */
export const SCALES = ["lr", "momentum", "grad"] as const;
/** One scale's name. */
export type ScaleName = (typeof SCALES)[number];
/** An action of the original: one value per scale, applied by value (x for 0.95/1/1.05, + otherwise). */
export type FaithfulAction = Record<ScaleName, number>;

const MULTIPLICATIVE = [0.95, 1.0, 1.05];
const ADDITIVE = [-0.005, 0, 0.005];

/** What the faithful controller observes at a step (after the statistics, before the update). */
export interface FaithfulObservation {
  loss: number;
  /** v̄ after this step's EMA and jump guard. */
  vbar: number;
  /** v̄ of the previous step (the reward's |Δv̄|). */
  vbarPrev: number;
  /** The raw density "entropy" of this step's gradient. */
  entropy: number;
  /** The 1-based `current_epoch`. */
  epoch: number;
}

/** One faithful step's decisions and telemetry. */
export interface FaithfulDecision {
  lr: number;
  momentum: number;
  action: FaithfulAction;
  reward: number;
  state: string;
  spike: boolean;
  explored: boolean;
}

/** Settings of {@linkcode FaithfulController} (the original's values by default). */
export interface FaithfulSettings {
  lr: number;
  momentum: number;
  adaptiveMomentum: boolean;
  entropyWeight: number;
  lossCorrectionFactor: number;
  spikeThreshold: number;
  spikeWindow: number;
  alpha: number;
  gamma: number;
  epsilon: number;
  epsilonDecay: number;
  epsilonMin: number;
  mixProb: number;
}

/** The original's controller state and step logic (section 1.2 steps 3 and 5). */
export class FaithfulController {
  readonly settings: FaithfulSettings;
  /** param_groups[0].lr: the lr the next step starts from (compounds). */
  lr: number;
  /** current_momentum. */
  momentum: number;
  /** The controller scales P_k. */
  scales: Record<ScaleName, number> = { lr: 1, momentum: 1, grad: 1 };
  epsilon: number;
  mixProb: number;
  /** state -> [lr_mult, lr_add, momentum_mult, momentum_add, grad_mult, grad_add]. */
  q: Map<string, number[]> = new Map();
  losses: number[] = [];
  #lastEntropy: number | undefined;
  #random: RandomSource;
  /** Actions to take instead of the ε-greedy choice, in order (tests); undefined entries choose normally. */
  scripted: (FaithfulAction | undefined)[] = [];

  /** @param settings The original's settings. @param random The random source. */
  constructor(settings: FaithfulSettings, random: RandomSource) {
    this.settings = settings;
    this.lr = settings.lr;
    this.momentum = settings.momentum;
    this.epsilon = settings.epsilon;
    this.mixProb = settings.mixProb;
    this.#random = random;
  }

  /** The original's state key: (round(L,2), round(v̄,2), round(H,2), epoch, 1). */
  static stateKey(o: Pick<FaithfulObservation, "loss" | "vbar" | "entropy" | "epoch">): string {
    const r = (x: number) => Math.round(x * 100) / 100 + 0;
    return `${r(o.loss)}|${r(o.vbar)}|${r(o.entropy)}|${o.epoch}|1`;
  }

  #row(state: string): number[] {
    let row = this.q.get(state);
    if (!row) this.q.set(state, row = [0, 0, 0, 0, 0, 0]);
    return row;
  }

  /** ε-greedy choice of section 1.3 (greedy: 1 + Q_mult if Q_mult >= Q_add, else Q_add). */
  choose(state: string): { action: FaithfulAction; explored: boolean } {
    const row = this.#row(state);
    if (this.#random.uniform() < this.epsilon) {
      const set = this.#random.uniform() < this.mixProb ? MULTIPLICATIVE : ADDITIVE;
      const pick = () => set[Math.min(2, Math.floor(this.#random.uniform() * 3))];
      return { action: { lr: pick(), momentum: pick(), grad: pick() }, explored: true };
    }
    const greedy = (k: number) => row[2 * k] >= row[2 * k + 1] ? 1 + row[2 * k] : row[2 * k + 1];
    return { action: { lr: greedy(0), momentum: greedy(1), grad: greedy(2) }, explored: false };
  }

  /** True when a value is one of the multiplicative actions (the original's classification by value). */
  static isMultiplicative(a: number): boolean {
    return MULTIPLICATIVE.includes(a);
  }

  /**
   * Section 1.2 step 3 (spike, state, action, scales, lr and momentum) for one step with a loss.
   *
   * @returns The lr and momentum of this step's update and what was decided.
   */
  decide(o: FaithfulObservation): Omit<FaithfulDecision, "reward"> {
    const s = this.settings;
    const lrBase = this.lr;
    this.losses.push(o.loss);
    if (this.losses.length > s.spikeWindow) this.losses.shift();
    const average = this.losses.reduce((a, b) => a + b, 0) / this.losses.length;
    const spike = o.loss > s.spikeThreshold * average;
    if (spike) this.momentum *= 0.9; // the lr cut (lossCorrectionFactor lr_base) is overwritten below
    const state = FaithfulController.stateKey(o);
    const scripted = this.scripted.shift();
    const chosen = scripted ? { action: scripted, explored: false } : this.choose(state);
    this.epsilon = Math.max(s.epsilonMin, this.epsilon * s.epsilonDecay);
    for (const k of SCALES) {
      const a = chosen.action[k];
      this.scales[k] = FaithfulController.isMultiplicative(a) ? this.scales[k] * a : this.scales[k] + a;
    }
    const d = Math.max(0.5, 1 - o.epoch / 20);
    this.lr = lrBase * Math.min(Math.max(this.scales.lr, 0.5), 1.5 * d);
    if (s.adaptiveMomentum) {
      this.momentum = Math.min(Math.max(this.momentum * this.scales.momentum, 0.85), 0.99 * d);
    }
    return {
      lr: this.lr,
      momentum: this.momentum,
      action: chosen.action,
      state,
      spike,
      explored: chosen.explored,
    };
  }

  /**
   * Section 1.2 step 5: the reward -(|v̄ - v̄_prev| + w |H - H_prev|) and the Q-update with s' = s.
   *
   * @returns The reward.
   */
  learn(o: FaithfulObservation, state: string, action: FaithfulAction): number {
    const s = this.settings;
    const dH = this.#lastEntropy === undefined ? 0 : Math.abs(o.entropy - this.#lastEntropy);
    this.#lastEntropy = o.entropy;
    const reward = -(Math.abs(o.vbar - o.vbarPrev) + s.entropyWeight * dH);
    const row = this.#row(state), next = this.#row(state); // s' = s
    SCALES.forEach((k, j) => {
      const index = 2 * j + (FaithfulController.isMultiplicative(action[k]) ? 0 : 1);
      row[index] += s.alpha * (reward + s.gamma * Math.max(...next) - row[index]);
    });
    return reward;
  }

  /** The original's `update_mix_prob(L)` (never called by its step; exposed as in the original). */
  #mixLoss: number | undefined;
  updateMixProb(loss: number, decay = 0.98, threshold = 0.01): void {
    if (this.#mixLoss !== undefined) {
      this.mixProb = nextMixProb(this.mixProb, this.#mixLoss, loss, this.settings.mixProb, decay, threshold);
    }
    this.#mixLoss = loss;
  }

  /** A plain-data copy of the controller (checkpoints). */
  toJSON(): Record<string, unknown> {
    return {
      lr: this.lr,
      momentum: this.momentum,
      scales: this.scales,
      epsilon: this.epsilon,
      mixProb: this.mixProb,
      q: [...this.q],
      losses: this.losses,
      lastEntropy: this.#lastEntropy ?? null,
      mixLoss: this.#mixLoss ?? null,
    };
  }

  /** Restores {@linkcode toJSON}'s data. */
  restore(data: Record<string, unknown>): void {
    this.lr = data.lr as number;
    this.momentum = data.momentum as number;
    this.scales = { ...(data.scales as Record<ScaleName, number>) };
    this.epsilon = data.epsilon as number;
    this.mixProb = data.mixProb as number;
    this.q = new Map(data.q as [string, number[]][]);
    this.losses = [...(data.losses as number[])];
    this.#lastEntropy = (data.lastEntropy as number | null) ?? undefined;
    this.#mixLoss = (data.mixLoss as number | null) ?? undefined;
  }
}
