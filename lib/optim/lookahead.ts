/**
 * Lookahead (Zhang, Lucas, Hinton & Ba 2019, "Lookahead Optimizer: k steps forward, 1 step back") around any
 * {@linkcode Optimizer}: the inner optimizer moves the fast weights (the model's parameters) for `k` steps,
 * then the slow weights move `alpha` of the way toward them and the fast weights restart from the slow ones.
 * `resetMomentum` zeroes the inner optimizer's momentum/moments at each synchronisation (the paper's
 * "reset" option); by default it is kept. On webgpu the synchronisation is one dispatch (no host wait).
 *
 * @module
 */
import type { Backend } from "../backend/backend.ts";
import type { Tensor } from "../backend/tensor.ts";
import type { ReferenceTensor } from "../backend/reference.ts";
import { encodeLookaheadSync } from "../../kernels/optim/companions.ts";
import { lookaheadSyncReference } from "../reference/optim.ts";
import type { ParameterLayout } from "../models/parameters.ts";
import type { OptimizerState, ParameterOptimizer } from "./optimizer.ts";

/** What Lookahead needs of its inner optimizer ({@linkcode Optimizer}, EnhancedSGD). */
export interface LookaheadInner extends ParameterOptimizer {
  readonly backend: Backend;
  /** Zeroes the momentum/moment state (the reset option). */
  resetState(): Promise<void>;
}

/** Settings of {@linkcode Lookahead}. */
export interface LookaheadOptions {
  /** Inner steps between synchronisations (an integer >= 1). */
  k: number;
  /** Slow step size, in [0, 1]. */
  alpha: number;
  /** Zero the inner optimizer's state at each synchronisation (false: keep it). */
  resetMomentum?: boolean;
}

/** Lookahead around an optimizer. */
export class Lookahead implements ParameterOptimizer {
  /** The optimizer of the fast weights. */
  readonly inner: LookaheadInner;
  /** k, alpha and resetMomentum. */
  readonly options: Required<LookaheadOptions>;
  #slow?: Tensor;
  #step = 0;

  /**
   * @param inner The optimizer of the fast weights (Lookahead owns it from now on).
   * @param options k, alpha, resetMomentum.
   * @throws {RangeError} On k not an integer >= 1 or alpha outside [0, 1].
   */
  constructor(inner: LookaheadInner, options: LookaheadOptions) {
    if (!(Number.isInteger(options.k) && options.k >= 1)) {
      throw new RangeError(`Cannot create Lookahead: k is ${options.k}, must be an integer >= 1`);
    }
    if (!(Number.isFinite(options.alpha) && options.alpha >= 0 && options.alpha <= 1)) {
      throw new RangeError(`Cannot create Lookahead: alpha is ${options.alpha}, must be in [0, 1]`);
    }
    this.inner = inner;
    this.options = { resetMomentum: false, ...options };
  }

  get layout(): ParameterLayout {
    return this.inner.layout;
  }

  get backend(): Backend {
    return this.inner.backend;
  }

  get stepCount(): number {
    return this.#step;
  }

  /** One inner step; every k-th step also synchronises (the slow weights start as the first step's input). */
  async step(params: Tensor, gradient: Tensor, loss?: Tensor): Promise<void> {
    if (!this.#slow) {
      this.layout.check(params);
      this.#slow = this.backend.zeros([this.layout.count]);
      await this.backend.copy(params, this.#slow);
    }
    await this.inner.step(params, gradient, loss);
    this.#step++;
    if (this.#step % this.options.k === 0) {
      const target = this.backend.gpuTarget;
      if (!target) {
        lookaheadSyncReference(
          (params as ReferenceTensor).data as Float64Array,
          (this.#slow as ReferenceTensor).data as Float64Array,
          this.options.alpha,
        );
      } else {
        await encodeLookaheadSync(target.recorder, {
          fast: params.buffer!,
          slow: this.#slow.buffer!,
          size: this.layout.count,
          alpha: this.options.alpha,
        });
      }
      if (this.options.resetMomentum) await this.inner.resetState();
    }
  }

  /** The slow weights' values (a host wait on webgpu), or undefined before the first step. */
  async slowWeights(): Promise<Float32Array | Float64Array | undefined> {
    return this.#slow ? (await this.backend.read(this.#slow)) as Float32Array | Float64Array : undefined;
  }

  async exportState(): Promise<OptimizerState> {
    const inner = await this.inner.exportState();
    const arrays = { ...inner.arrays };
    if (this.#slow) {
      arrays.slow = ((await this.backend.read(this.#slow)) as Float32Array | Float64Array).slice();
    }
    return { step: this.#step, arrays: { ...arrays, innerStep: Float64Array.of(inner.step) } };
  }

  importState(state: OptimizerState): void {
    const { slow, innerStep, ...innerArrays } = state.arrays;
    if (!innerStep) throw new RangeError(`Cannot import Lookahead state: it has no "innerStep"`);
    this.inner.importState({ step: innerStep[0], arrays: innerArrays });
    if (this.#slow) this.backend.dispose(this.#slow);
    this.#slow = undefined;
    if (slow) {
      if (slow.length !== this.layout.count) {
        throw new RangeError(
          `Cannot import Lookahead state: "slow" has ${slow.length} values, not ${this.layout.count}`,
        );
      }
      this.#slow = this.backend.tensor(slow, [this.layout.count]);
    }
    this.#step = state.step;
  }

  describe(): Record<string, string | number | boolean | null> {
    return {
      ...this.inner.describe(),
      lookaheadK: this.options.k,
      lookaheadAlpha: this.options.alpha,
      lookaheadReset: this.options.resetMomentum,
    };
  }

  dispose(): void {
    if (this.#slow) this.backend.dispose(this.#slow);
    this.inner.dispose();
  }
}
