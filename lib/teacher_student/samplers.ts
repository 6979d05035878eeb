/**
 * Data models of the teacher-student line, each with `sample(n)`, drawn from the Philox stream.
 *
 * Every model produces x = z + s u with z ~ N(0, I_d), u the unit teacher / spike direction and
 * s a per-sample scalar, which is what lets the GPU kernel draw samples on the fly in O(d):
 *
 * - {@linkcode Perceptron}: s = 0, y = g(u.x) + noise eps.
 * - {@linkcode RademacherCumulant} / {@linkcode SkewedCumulant} (spiked cumulant): with probability
 *   p_spike the label is +1 and x = S (z + sqrt(beta) g u), with the exact whitening
 *   S = I - a u u^T = (I + beta u u^T)^{-1/2}, a = beta / (1 + beta + sqrt(1 + beta)), applied in its
 *   rank-1 form: s = sqrt(beta) g - a (u.z + sqrt(beta) g). Otherwise the label is -1 and x = z.
 *   g is a Rademacher sign, or the skewed two-point (Tsodyks) latent: (1 - rho) w.p. rho, else -rho,
 *   divided by sqrt(rho (1 - rho)).
 * - {@linkcode LegacySpike} (the old SpikeGenerator): label +1 w.p. pSpike, x = z + snr g u +
 *   (sqrt(1 - snr^2) - 1)(u.z) u with g = +-1, i.e. s = snr g + (sqrt(1 - snr^2) - 1) u.z.
 *
 * The model's {@linkcode DataModelParams} is what kernels need; {@linkcode drawSample} is the
 * float64 reference of a kernel's draw. Stream and counter layout: lib/teacher_student/philox_layout.ts.
 *
 * @module
 */
import type { DataModelParams } from "../../kernels/teacher_student/teacher_student_args.ts";
export type { DataModelParams } from "../../kernels/teacher_student/teacher_student_args.ts";
import { type Activation, activationCoefficients, evaluateActivation } from "../activations.ts";
import { rademacherFromU32 } from "../rng/philox.ts";
import { teacherDirection } from "./init.ts";
import {
  bernoulliFromU32,
  FRESH_STREAM,
  noiseFromWords,
  sampleNormals,
  sampleWords,
} from "./philox_layout.ts";

/** Samples: x row-major [n, d], labels y [n]. */
export interface Samples {
  x: Float64Array;
  y: Float64Array;
}

/** Which samples `sample(n)` draws: indices index .. index + n - 1 of `walker` in `stream`. */
export interface SampleOptions {
  index?: number;
  walker?: number;
  stream?: number;
}

/** Common options of the models. */
export interface ModelOptions {
  /** Dimension. */
  d: number;
  /** Seed of the Philox key. */
  seed?: number;
  /** Teacher / spike direction (unit); drawn from the teacher stream when absent. */
  direction?: ArrayLike<number>;
}

/** The whitening coefficient a = beta / (1 + beta + sqrt(1 + beta)) of S = I - a u u^T. */
export function whiteningCoefficient(beta: number): number {
  return beta / (1 + beta + Math.sqrt(1 + beta));
}

/**
 * Draws one sample into `x` (length d) and returns its label: the float64 reference of the kernels.
 *
 * @param p The model.
 * @param u Direction (unit, length d).
 * @param seed Seed.
 * @param stream Stream (fresh or dataset).
 * @param index Sample index.
 * @param walker Walker index.
 * @param x Output, length d.
 * @returns The label y.
 */
export function drawSample(
  p: DataModelParams,
  u: Float64Array,
  seed: number,
  stream: number,
  index: number,
  walker: number,
  x: Float64Array,
): number {
  const d = u.length;
  sampleNormals(d, seed, stream, index, walker, x);
  let uz = 0;
  for (let i = 0; i < d; i++) uz += u[i] * x[i];
  const q = sampleWords(seed, stream, index, walker);
  if (p.labels === "teacher") return evaluateActivation(p.teacher, uz) + p.noise * noiseFromWords(q);
  if (!bernoulliFromU32(q[0], p.pSpike)) return -1;
  const g = p.latent === "rademacher"
    ? rademacherFromU32(q[1])
    : (bernoulliFromU32(q[1], p.latentProbabilityHigh) ? p.latentHigh : p.latentLow);
  const s = p.spikeAmplitude * g + p.uzCoefficient * uz;
  for (let i = 0; i < d; i++) x[i] += s * u[i];
  return 1;
}

/** A data model with `sample(n)`. */
export abstract class DataModel {
  /** Dimension. */
  readonly d: number;
  /** Seed of the Philox key. */
  readonly seed: number;
  /** Teacher / spike direction u (unit). */
  readonly direction: Float64Array;

  /** @param o Dimension, seed, direction. */
  constructor(o: ModelOptions) {
    if (!Number.isInteger(o.d) || o.d < 1) {
      throw new RangeError(`Cannot create data model: d is ${o.d}, must be an integer >= 1`);
    }
    this.d = o.d;
    this.seed = o.seed ?? 0;
    if (o.direction && o.direction.length !== o.d) {
      throw new RangeError(
        `Cannot create data model: direction has length ${o.direction.length}, d is ${o.d}`,
      );
    }
    this.direction = o.direction ? Float64Array.from(o.direction) : teacherDirection(o.d, this.seed);
  }

  /** The model's parameters as the kernels see them. */
  abstract get params(): DataModelParams;

  /**
   * Draws n samples: sample i is index + i of `walker` in `stream` (defaults 0, 0, the fresh stream).
   *
   * @param n Number of samples.
   * @param options Where in the stream.
   * @returns x [n, d] and y [n].
   */
  sample(n: number, options: SampleOptions = {}): Samples {
    if (!Number.isInteger(n) || n < 0) {
      throw new RangeError(`Cannot sample: n is ${n}, must be an integer >= 0`);
    }
    const { index = 0, walker = 0, stream = FRESH_STREAM } = options;
    const d = this.d, p = this.params;
    const x = new Float64Array(n * d), y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      y[i] = drawSample(
        p,
        this.direction,
        this.seed,
        stream,
        index + i,
        walker,
        x.subarray(i * d, (i + 1) * d),
      );
    }
    return { x, y };
  }
}

function classParams(pSpike: number, amplitude: number, uzCoefficient: number): DataModelParams {
  if (!(pSpike >= 0 && pSpike <= 1)) {
    throw new RangeError(`Cannot create spiked model: pSpike is ${pSpike}, must be in [0, 1]`);
  }
  return {
    labels: "class",
    teacher: new Float64Array(12),
    noise: 0,
    pSpike,
    spikeAmplitude: amplitude,
    uzCoefficient,
    latent: "rademacher",
    latentProbabilityHigh: 0.5,
    latentLow: -1,
    latentHigh: 1,
  };
}

/** Perceptron teacher: x ~ N(0, I_d), y = g(u.x) + noise eps. */
export class Perceptron extends DataModel {
  /** Teacher activation g. */
  readonly activation: Activation;
  /** Output noise standard deviation. */
  readonly noise: number;
  readonly #params: DataModelParams;

  /** @param o Options; `activation` defaults to the normalised He3 (use {@linkcode HE3_UNNORMALISED} for x^3 - 3x). */
  constructor(o: ModelOptions & { activation?: Activation; noise?: number }) {
    super(o);
    this.activation = o.activation ?? "he3";
    this.noise = o.noise ?? 0;
    if (!(this.noise >= 0)) {
      throw new RangeError(`Cannot create Perceptron: noise is ${this.noise}, must be >= 0`);
    }
    this.#params = {
      ...classParams(0, 0, 0),
      labels: "teacher",
      teacher: activationCoefficients(this.activation),
      noise: this.noise,
    };
  }

  get params(): DataModelParams {
    return this.#params;
  }
}

/** The original's latest-commit He3, x^3 - 3x (= sqrt(6) times the normalised He3, the default). */
export const HE3_UNNORMALISED: Activation = { he3: Math.sqrt(6) };

/** Options of the spiked-cumulant models. */
export interface SpikedOptions extends ModelOptions {
  /** Signal-to-noise ratio beta (default 5). */
  beta?: number;
  /** Probability of a spiked sample (label +1), default 0.5. */
  pSpike?: number;
  /** Apply the exact whitening S (default true). */
  whiten?: boolean;
}

function spikedParams(o: SpikedOptions): DataModelParams {
  const beta = o.beta ?? 5;
  if (!(beta >= 0)) {
    throw new RangeError(`Cannot create spiked-cumulant model: beta is ${beta}, must be >= 0`);
  }
  const a = o.whiten === false ? 0 : whiteningCoefficient(beta);
  // s = sqrt(beta) g - a (u.z + sqrt(beta) g) = (1 - a) sqrt(beta) g - a u.z
  return classParams(o.pSpike ?? 0.5, (1 - a) * Math.sqrt(beta), -a);
}

/** Spiked cumulant with a Rademacher latent: along u, excess kurtosis -2 beta^2 / (1 + beta)^2. */
export class RademacherCumulant extends DataModel {
  readonly #params: DataModelParams;
  /** @param o Options (beta = 5, pSpike = 0.5, whiten = true by default). */
  constructor(o: SpikedOptions) {
    super(o);
    this.#params = spikedParams(o);
  }
  get params(): DataModelParams {
    return this.#params;
  }
}

/** Spiked cumulant with the skewed two-point latent: skewness along u (beta / (1 + beta))^{3/2} (1 - 2 rho) / sqrt(rho (1 - rho)). */
export class SkewedCumulant extends DataModel {
  readonly #params: DataModelParams;
  /** @param o Options; rho in (0, 1), default 0.7. */
  constructor(o: SpikedOptions & { rho?: number }) {
    super(o);
    const rho = o.rho ?? 0.7;
    if (!(rho > 0 && rho < 1)) {
      throw new RangeError(`Cannot create SkewedCumulant: rho is ${rho}, must be in (0, 1)`);
    }
    const scale = Math.sqrt(rho * (1 - rho));
    this.#params = {
      ...spikedParams(o),
      latent: "two-point",
      latentProbabilityHigh: rho,
      latentHigh: (1 - rho) / scale,
      latentLow: -rho / scale,
    };
  }
  get params(): DataModelParams {
    return this.#params;
  }
}

/** The legacy SpikeGenerator: label +1 w.p. pSpike with x = z + snr g u + (sqrt(1 - snr^2) - 1)(u.z) u. */
export class LegacySpike extends DataModel {
  readonly #params: DataModelParams;
  /** @param o Options; snr in [0, 1] (default 0.9), pSpike default 0.5. */
  constructor(o: ModelOptions & { snr?: number; pSpike?: number }) {
    super(o);
    const snr = o.snr ?? 0.9;
    if (!(snr >= 0 && snr <= 1)) {
      throw new RangeError(`Cannot create LegacySpike: snr is ${snr}, must be in [0, 1]`);
    }
    this.#params = classParams(o.pSpike ?? 0.5, snr, Math.sqrt(1 - snr * snr) - 1);
  }
  get params(): DataModelParams {
    return this.#params;
  }
}
