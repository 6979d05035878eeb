/**
 * The SGD SDE by Euler-Maruyama (EOSS-13): d theta = -grad L dt + sqrt(eta) (Sigma / b)^(1/2) dW, run for
 * time eta per SGD step in eta / h steps of size h:
 *
 *   theta <- theta - h grad L + sqrt(eta h) sum_i c_i grad l_i,  c = (I - 11^T/n) xi / sqrt(n b),
 *
 * i.e. the full loss weighted by w = 1/n + sqrt(eta / h) c (lib/eoss/noisy_gd_reference.ts), where
 * Sigma is the per-sample gradient covariance (1/n). With h = eta it is noisy GD with the `sgd` noise.
 * Needs the squared loss (the weights are applied through shifted targets).
 *
 * @module
 */
import type { Tensor } from "../backend/tensor.ts";
import { randomReference } from "../rng/philox.ts";
import { checkNoisyGdModel, NOISY_GD_STREAM, type NoisyGdModel, weightedGradient } from "./noisy_gd.ts";
import { sgdNoiseWeights } from "./noisy_gd_reference.ts";

/** Settings of {@linkcode SgdSde}. */
export interface SgdSdeSettings {
  /** eta: the time per SGD-equivalent step and the noise temperature. */
  learningRate: number;
  /** b, the SGD batch size whose noise is modelled. */
  batchSize: number;
  /** h, the Euler-Maruyama step; eta / h must be an integer (eta by default: one substep). */
  h?: number;
  /** Seed of the noise draws. */
  seed: number;
}

/** Euler-Maruyama for the SGD SDE on a model's squared loss over (x, y). */
export class SgdSde {
  /** eta. */
  readonly learningRate: number;
  /** b. */
  readonly batchSize: number;
  /** h. */
  readonly h: number;
  /** Euler-Maruyama steps per SGD-equivalent step, eta / h. */
  readonly substeps: number;
  /** The seed. */
  readonly seed: number;
  readonly #model: NoisyGdModel;
  readonly #x: Tensor;
  readonly #y: Tensor;
  readonly #loss: Tensor;
  readonly #gradient: Tensor;

  /**
   * @param model The model (squared loss).
   * @param x Inputs [n, inputs].
   * @param y Targets [n, outputs].
   * @param settings eta, b, h, seed.
   * @throws {RangeError} When eta or h is not positive or eta / h is not an integer.
   */
  constructor(model: NoisyGdModel, x: Tensor, y: Tensor, settings: SgdSdeSettings) {
    const eta = settings.learningRate, h = settings.h ?? eta;
    if (!(eta > 0 && h > 0)) throw new RangeError(`Cannot make the SDE: eta ${eta} and h ${h} must be > 0`);
    const substeps = Math.round(eta / h);
    if (substeps < 1 || Math.abs(substeps * h - eta) > 1e-9 * eta) {
      throw new RangeError(`Cannot make the SDE: eta / h = ${eta / h} must be an integer >= 1`);
    }
    if (!Number.isInteger(settings.batchSize) || settings.batchSize < 1) {
      throw new RangeError(`Cannot make the SDE: batch size ${settings.batchSize}, must be an integer >= 1`);
    }
    checkNoisyGdModel(model, "the SDE");
    this.learningRate = eta;
    this.batchSize = settings.batchSize;
    this.h = h;
    this.substeps = substeps;
    this.seed = settings.seed;
    this.#model = model;
    this.#x = x;
    this.#y = y;
    this.#loss = model.backend.zeros([1]);
    this.#gradient = model.backend.zeros([model.layout.count]);
  }

  /** eta / h Euler-Maruyama steps: time eta, SGD-equivalent step `step` (the index of the draws). */
  async step(params: Tensor, step: number): Promise<void> {
    const n = this.#x.shape[0], scale = Math.sqrt(this.learningRate / this.h);
    for (let k = 0; k < this.substeps; k++) {
      const xi = randomReference(1, n, { seed: this.seed, stream: NOISY_GD_STREAM + 1, step, index: k });
      const weights = sgdNoiseWeights(xi, this.batchSize, scale);
      await weightedGradient(this.#model, params, this.#x, this.#y, weights, {
        loss: this.#loss,
        gradient: this.#gradient,
      });
      await this.#model.backend.axpy(-this.h, this.#gradient, params);
    }
  }

  /** Frees the buffers. */
  dispose(): void {
    this.#model.backend.dispose(this.#loss, this.#gradient);
  }
}
