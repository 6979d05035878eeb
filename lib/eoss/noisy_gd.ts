/**
 * Noisy gradient descent, the baselines of "SGD = GD + noise?" (EOSS-13): the full-batch gradient step plus
 * a Gaussian noise of a chosen covariance, with the scale of SGD's noise at batch size b.
 *
 * | noise | update noise (before the factor eta) | how |
 * |---|---|---|
 * | `sgd` | N(0, Sigma / b) | the full loss with per-sample weights 1/n + (I - 11^T/n) xi / sqrt(n b) |
 * | `diag` | N(0, diag(Sigma) / b) | per-parameter variances of the per-sample gradients, every 30 steps |
 * | `iso` | N(0, tr(Sigma) / (P b) I) | the same statistics |
 * | `const` | N(0, sigma^2 / b I) | a fixed sigma |
 *
 * Sigma = (1/n) sum_i (grad l_i - g)(grad l_i - g)^T, the covariance of the per-sample gradients (1/n, the
 * with-replacement approximation the weights give exactly). The weighted gradient needs the squared loss:
 * with targets t_i = f_i - n w_i (f_i - y_i) the plain mean loss has gradient sum_i w_i grad l_i (one extra
 * forward pass, no per-sample gradients). The random draws are seeded by (seed, step): a run replays.
 *
 * @module
 */
import type { Backend } from "../backend/backend.ts";
import type { Tensor } from "../backend/tensor.ts";
import { ReferenceTensor } from "../backend/reference.ts";
import { randomReference } from "../rng/philox.ts";
import { encodeRowScaledAxpy } from "../../kernels/eoss/row_scaled_axpy.ts";
import type { EossModel } from "./hvp_operator.ts";
import { rowScaledAxpyReference, sgdNoiseWeights } from "./noisy_gd_reference.ts";

/** Random stream of the noise draws (separate from the training and measurement streams). */
export const NOISY_GD_STREAM = 0x6e6f6973;

/** The noise kinds of {@linkcode NoisyGd}. */
export type GdNoise = "sgd" | "diag" | "iso" | "const";

/** The kinds, for option parsing. */
export const GD_NOISES: readonly GdNoise[] = ["sgd", "diag", "iso", "const"];

/** What noisy GD needs of a model: `Mlp` and `Cnn` with the squared loss. */
export interface NoisyGdModel extends EossModel {
  /** The loss name; must be `"squared"`. */
  readonly loss: string;
  /** Outputs per sample. */
  readonly outputs: number;
  /** The outputs f(x), [rows, outputs]. */
  forward(params: Tensor, x: Tensor): Promise<Tensor>;
}

/** Settings of {@linkcode NoisyGd}. */
export interface NoisyGdSettings {
  /** The noise kind. */
  noise: GdNoise;
  /** eta. */
  learningRate: number;
  /** b, the SGD batch size whose noise is modelled. */
  batchSize: number;
  /** Seed of the noise draws. */
  seed: number;
  /** sigma of `const` (required there). */
  sigma?: number;
  /** Steps between recomputations of the per-sample statistics of `diag` and `iso` (30). */
  statisticsEvery?: number;
}

/**
 * y[r, c] <- alpha s[r] x[r, c] + y[r, c] on flat f32 tensors (the kernels/eoss kernel on webgpu, its float64
 * reference on the reference backend).
 */
export async function rowScaledAxpy(
  backend: Backend,
  alpha: number,
  scales: Tensor,
  x: Tensor,
  y: Tensor,
  cols: number,
): Promise<void> {
  if (x.size !== y.size || scales.size * cols !== y.size) {
    throw new RangeError(
      `Cannot run "eoss_row_scaled_axpy": ${scales.size} scales x ${cols} cols for x of ${x.size} and y of ${y.size}`,
    );
  }
  const target = backend.gpuTarget;
  if (!target) {
    const data = (t: Tensor) => (t as ReferenceTensor).data as Float64Array;
    if (!(y instanceof ReferenceTensor)) {
      throw new TypeError(`Cannot run "eoss_row_scaled_axpy": y is not a reference tensor`);
    }
    rowScaledAxpyReference(alpha, data(scales), data(x), data(y), cols);
    return;
  }
  const buffer = (t: Tensor) => {
    if (!t.buffer) throw new TypeError(`Cannot run "eoss_row_scaled_axpy": a tensor is not on webgpu`);
    return t.buffer;
  };
  await encodeRowScaledAxpy(target.recorder, {
    scales: buffer(scales),
    x: buffer(x),
    y: buffer(y),
    rows: scales.size,
    cols,
    alpha,
  });
}

/** Checks a model for noisy GD. @throws {TypeError} When its loss is not the squared loss. */
export function checkNoisyGdModel(model: NoisyGdModel, what: string): void {
  if (model.loss !== "squared") {
    throw new TypeError(
      `Cannot run ${what}: the loss is "${model.loss}", the per-sample weights need "squared"`,
    );
  }
}

/**
 * The gradient of sum_i w_i l_i (per-sample losses l_i on the rows of x, y) into `gradient`, by the
 * shifted targets t = f - n w (f - y) of the squared loss.
 */
export async function weightedGradient(
  model: NoisyGdModel,
  params: Tensor,
  x: Tensor,
  y: Tensor,
  weights: ArrayLike<number>,
  into: { loss: Tensor; gradient: Tensor },
): Promise<void> {
  const backend = model.backend, n = x.shape[0];
  if (weights.length !== n) {
    throw new RangeError(`Cannot weight the loss: ${weights.length} weights for ${n} samples`);
  }
  const targets = await model.forward(params, x), residual = backend.zeros(targets.shape);
  const w = backend.tensor(weights, [n]);
  try {
    await backend.copy(targets, residual);
    await backend.axpy(-1, y, residual);
    await rowScaledAxpy(backend, -n, w, residual, targets, model.outputs);
    await model.evaluate(params, x, targets, { gradient: true, into });
  } finally {
    backend.dispose(targets, residual, w);
  }
}

/**
 * The per-parameter variances of the per-sample gradients, (1/n) sum_i (grad l_i - g)_j^2 (n gradients on
 * one row each; one read-back).
 */
export async function perSampleGradientVariance(
  model: EossModel,
  params: Tensor,
  x: Tensor,
  y: Tensor,
): Promise<Float64Array> {
  const backend = model.backend, n = x.shape[0], p = model.layout.count;
  const loss = backend.zeros([1]),
    mean = backend.zeros([p]),
    gi = backend.zeros([p]),
    sum = backend.zeros([p]);
  try {
    await model.evaluate(params, x, y, { gradient: true, into: { loss, gradient: mean } });
    for (let i = 0; i < n; i++) {
      await model.evaluate(params, x, y, {
        rows: { begin: i, end: i + 1 },
        gradient: true,
        into: { loss, gradient: gi },
      });
      await backend.axpy(-1, mean, gi);
      await rowScaledAxpy(backend, 1, gi, gi, sum, 1);
    }
    return Float64Array.from(await backend.read(sum), (v) => v / n);
  } finally {
    backend.dispose(loss, mean, gi, sum);
  }
}

/** Noisy full-batch GD on a model's loss over (x, y): one `step` per SGD-equivalent step. */
export class NoisyGd {
  /** The settings. */
  readonly settings: Readonly<Required<Omit<NoisyGdSettings, "sigma">> & { sigma?: number }>;
  readonly #model: NoisyGdModel;
  readonly #x: Tensor;
  readonly #y: Tensor;
  readonly #loss: Tensor;
  readonly #gradient: Tensor;
  #std: Tensor | undefined;
  #isoStd = NaN;

  /**
   * @param model The model (squared loss for `sgd`).
   * @param x Inputs [n, inputs] (all the training data: GD).
   * @param y Targets [n, outputs].
   * @param settings Noise kind, eta, b, seed.
   * @throws {RangeError} On a bad setting.
   */
  constructor(model: NoisyGdModel, x: Tensor, y: Tensor, settings: NoisyGdSettings) {
    const s = { ...settings, statisticsEvery: settings.statisticsEvery ?? 30 };
    if (!GD_NOISES.includes(s.noise)) {
      throw new RangeError(
        `Cannot make noisy GD: noise "${s.noise}", expected one of ${GD_NOISES.join(", ")}`,
      );
    }
    if (!(s.learningRate > 0) || !Number.isInteger(s.batchSize) || s.batchSize < 1) {
      throw new RangeError(
        `Cannot make noisy GD: learning rate ${s.learningRate} must be > 0 and batch size ${s.batchSize} an integer >= 1`,
      );
    }
    if (s.noise === "const" && !(s.sigma !== undefined && s.sigma >= 0)) {
      throw new RangeError(`Cannot make noisy GD: noise "const" needs sigma >= 0, got ${s.sigma}`);
    }
    if (!Number.isInteger(s.statisticsEvery) || s.statisticsEvery < 1) {
      throw new RangeError(
        `Cannot make noisy GD: statisticsEvery ${s.statisticsEvery}, must be an integer >= 1`,
      );
    }
    if (s.noise === "sgd") checkNoisyGdModel(model, `noisy GD "sgd"`);
    this.settings = s;
    this.#model = model;
    this.#x = x;
    this.#y = y;
    this.#loss = model.backend.zeros([1]);
    this.#gradient = model.backend.zeros([model.layout.count]);
  }

  /** The standard deviation of `iso`'s noise per coordinate at the last statistics (NaN before). */
  get isotropicStd(): number {
    return this.#isoStd;
  }

  /**
   * theta <- theta - eta (g + noise) for SGD-equivalent step `step` (the index of the noise draws; the
   * statistics of `diag` and `iso` are recomputed when step % statisticsEvery == 0 or never made).
   */
  async step(params: Tensor, step: number): Promise<void> {
    const { noise, learningRate, batchSize, seed } = this.settings, backend = this.#model.backend;
    const into = { loss: this.#loss, gradient: this.#gradient },
      n = this.#x.shape[0],
      p = this.#model.layout.count;
    if (noise === "sgd") {
      const xi = randomReference(1, n, { seed, stream: NOISY_GD_STREAM, step });
      await weightedGradient(this.#model, params, this.#x, this.#y, sgdNoiseWeights(xi, batchSize), into);
    } else {
      if (noise !== "const" && (step % this.settings.statisticsEvery === 0 || Number.isNaN(this.#isoStd))) {
        await this.#statistics(params);
      }
      await this.#model.evaluate(params, this.#x, this.#y, { gradient: true, into });
      const z = await backend.random([p], { seed, stream: NOISY_GD_STREAM, step });
      if (noise === "diag") await rowScaledAxpy(backend, 1, this.#std!, z, this.#gradient, 1);
      else {
        const std = noise === "iso" ? this.#isoStd : this.settings.sigma! / Math.sqrt(batchSize);
        await backend.axpy(std, z, this.#gradient);
      }
      backend.dispose(z);
    }
    await backend.axpy(-learningRate, this.#gradient, params);
  }

  async #statistics(params: Tensor): Promise<void> {
    const backend = this.#model.backend, b = this.settings.batchSize;
    const variance = await perSampleGradientVariance(this.#model, params, this.#x, this.#y);
    this.#isoStd = Math.sqrt(variance.reduce((s, v) => s + v, 0) / (variance.length * b));
    if (this.settings.noise === "diag") {
      if (this.#std) backend.dispose(this.#std);
      this.#std = backend.tensor(variance.map((v) => Math.sqrt(v / b)));
    }
  }

  /** Frees the buffers. */
  dispose(): void {
    this.#model.backend.dispose(this.#loss, this.#gradient);
    if (this.#std) this.#model.backend.dispose(this.#std);
    this.#std = undefined;
  }
}
