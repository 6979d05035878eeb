/**
 * A layer-local stack of dense paper-LPL layers (LPL-02, 07): the input of layer l + 1 is layer l's
 * output z_l as a plain tensor (stop-gradient by construction: no gradient is ever propagated between
 * layers), each layer takes one step on its own objective; the ablations and the stale-estimates and
 * shuffled-positives options.
 *
 * @module
 */
import type { Backend } from "../backend/backend.ts";
import type { Tensor } from "../backend/tensor.ts";
import { LPL_DEFAULT_COEFFICIENTS, type LplCoefficients } from "../../kernels/lpl/dense_types.ts";
import { lplDenseStep, type LplDenseStepOptions } from "./dense_rule.ts";
import { PhiloxStream } from "../rng/philox.ts";

/** The ablations of Fig. 3 (and the full rule). */
export const LPL_ABLATIONS = ["lpl", "pred-off", "hebb-off", "decorr-off", "shuffled"] as const;
/** One of {@linkcode LPL_ABLATIONS}. */
export type LplAblation = typeof LPL_ABLATIONS[number];

/** The coefficients and positive-pairing of an ablation: one coefficient set to 0, or shuffled pairs. */
export function lplAblation(
  ablation: LplAblation,
): { coefficients: LplCoefficients; shufflePositives: boolean } {
  const c = { ...LPL_DEFAULT_COEFFICIENTS };
  if (ablation === "pred-off") c.pull = 0;
  else if (ablation === "hebb-off") c.push = 0;
  else if (ablation === "decorr-off") c.decorr = 0;
  else if (ablation !== "lpl" && ablation !== "shuffled") {
    throw new TypeError(`Unknown LPL ablation "${ablation}": expected one of ${LPL_ABLATIONS.join(", ")}`);
  }
  return { coefficients: c, shufflePositives: ablation === "shuffled" };
}

/** Options of {@linkcode LplDenseStack}. */
export interface LplDenseStackOptions extends LplDenseStepOptions {
  /** Seed of the initial weights and the shuffles. */
  seed: number;
  /** Use the previous batch's mean and variance in the Hebbian term (from the second step on). */
  staleEstimates?: boolean;
  /** Pair z1[b] with the current view of another sample (a seeded permutation per step). */
  shufflePositives?: boolean;
}

/**
 * Draws W [outputs, inputs] ~ U(-1/sqrt(inputs), 1/sqrt(inputs)) (PyTorch's Linear default) on the backend.
 */
export async function lplInitWeights(
  backend: Backend,
  inputs: number,
  outputs: number,
  seed: number,
  stream: number,
): Promise<Tensor> {
  const w = await backend.random([outputs, inputs], { seed, stream, distribution: "uniform" });
  const bound = 1 / Math.sqrt(inputs), shift = backend.zeros([outputs, inputs]);
  await backend.scale(w, 2 * bound);
  await backend.fill(shift, -bound);
  await backend.axpy(1, shift, w);
  backend.dispose(shift);
  return w;
}

/** Dense layers sizes[0] -> sizes[1] -> ... trained layer-locally with LPL. */
export class LplDenseStack {
  /** W_l [sizes[l + 1], sizes[l]]. */
  readonly weights: Tensor[] = [];
  #stale: (Tensor | undefined)[] = [];
  #steps = 0;

  private constructor(
    readonly backend: Backend,
    readonly sizes: readonly number[],
    readonly options: LplDenseStackOptions,
  ) {}

  /** A stack with freshly drawn weights (stream l for layer l). */
  static async create(
    backend: Backend,
    sizes: readonly number[],
    options: LplDenseStackOptions,
  ): Promise<LplDenseStack> {
    if (sizes.length < 2) {
      throw new RangeError(`Cannot build an LPL stack: sizes [${sizes}] need >= 2 entries`);
    }
    const s = new LplDenseStack(backend, sizes, options);
    for (let l = 0; l + 1 < sizes.length; l++) {
      s.weights.push(await lplInitWeights(backend, sizes[l], sizes[l + 1], options.seed, l));
    }
    return s;
  }

  /** A stack on given weights (copied in). */
  static fromWeights(
    backend: Backend,
    sizes: readonly number[],
    weights: Tensor[],
    options: LplDenseStackOptions,
  ): LplDenseStack {
    const s = new LplDenseStack(backend, sizes, options);
    s.weights.push(...weights);
    return s;
  }

  /** Steps taken. */
  get steps(): number {
    return this.#steps;
  }

  /**
   * One local step of every layer on a batch of (past, current) input pairs [batch, sizes[0]]. Layer l
   * trains on layer l - 1's outputs computed with its pre-update weights (simultaneous, local updates).
   */
  async step(x1: Tensor, x2: Tensor, batch: number): Promise<void> {
    const { backend } = this;
    let in1 = x1, in2 = x2;
    if (this.options.shufflePositives) {
      const rng = new PhiloxStream(this.options.seed, 0x5f1e);
      const perm = Array.from({ length: batch }, (_, i) => i);
      for (let i = batch - 1; i > 0; i--) {
        const j = Math.floor(rng.uniform(this.#steps, 0, i) * (i + 1));
        [perm[i], perm[j]] = [perm[j], perm[i]];
      }
      in1 = await backend.gatherRows(x1, perm);
    }
    for (let l = 0; l < this.weights.length; l++) {
      const shape = { batch, inputs: this.sizes[l], outputs: this.sizes[l + 1] };
      const stale = this.options.staleEstimates ? this.#stale[l] : undefined;
      const r = await lplDenseStep(backend, shape, this.weights[l], in1, in2, this.options, stale);
      if (stale) backend.dispose(stale);
      if (this.options.staleEstimates) this.#stale[l] = r.currentStats;
      else backend.dispose(r.currentStats);
      if (in1 !== x1) backend.dispose(in1);
      if (in2 !== x2) backend.dispose(in2);
      in1 = r.z1;
      in2 = r.z2;
    }
    backend.dispose(in1, in2);
    this.#steps++;
  }

  /** Every layer's output for inputs x [rows, sizes[0]] (the caller disposes them). */
  async forward(x: Tensor): Promise<Tensor[]> {
    const act = this.options.activation ?? "relu";
    const outs: Tensor[] = [];
    let h = x;
    for (const w of this.weights) {
      const a = await this.backend.matmul(h, w, { transposeB: true });
      h = await this.backend.activation(a, act, 0);
      this.backend.dispose(a);
      outs.push(h);
    }
    return outs;
  }

  /** Frees the weights and stale estimates. */
  dispose(): void {
    this.backend.dispose(...this.weights, ...this.#stale.filter((t): t is Tensor => t !== undefined));
  }
}
