/**
 * BYOL training on a backend, two variants (lib/byol/networks.ts):
 *
 * - `"seed"`: the seed project's `train_byol.py` as implemented: no predictor, only conv1 and bn1 trained
 *   (the gradient still flows back through the frozen layers above them), the target's conv1 an EMA of the
 *   online conv1 with a constant tau (0.99), the rest of the target its random init; loss
 *   (MSE(q1, z2) + MSE(q2, z1)) / 2 of L2-normalised projections. The target starts equal to the online
 *   network (the seed's shapes path re-initialised conv1 separately in the two networks, a bug not copied).
 * - `"canonical"`: online encoder + projector + predictor, target = EMA(encoder + projector) with the
 *   BYOL paper's cosine tau schedule from tau_0 to 1, loss mean (2 - 2 cos) summed over the two directions.
 *
 * Both use Adam. The target network runs in train mode (batch statistics), as torch's target does without
 * `.eval()`; features for probes come from the online network in eval mode (running statistics).
 *
 * @module
 */
import type { Backend } from "../backend/backend.ts";
import type { Tensor } from "../backend/tensor.ts";
import { LayerStack, type StackTrace } from "../models/layer_stack.ts";
import { Optimizer } from "../optim/optimizer.ts";
import {
  type ByolWidths,
  canonicalOnlineLayers,
  canonicalTargetLayers,
  ENCODER_OUTPUT_LAYER,
  seedEmaParameters,
  seedNetworkLayers,
  seedTrainable,
} from "./networks.ts";
import { canonicalDirectionLoss, type DirectionLoss, seedDirectionLoss } from "./loss.ts";
import { cosineTau, emaUpdate } from "./ema.ts";

/** The BYOL variants. */
export const BYOL_VARIANTS = ["seed", "canonical"] as const;
/** A BYOL variant. */
export type ByolVariant = typeof BYOL_VARIANTS[number];

/** Settings of a {@linkcode ByolTrainer}. */
export interface ByolOptions {
  variant: ByolVariant;
  widths: ByolWidths;
  /** Per-sample input shape (NCHW). */
  input: { channels: number; height: number; width: number };
  /** Adam's learning rate (the seed: 1e-3). */
  lr: number;
  /** The target momentum (seed: constant 0.99; canonical: tau_0 of the cosine schedule). */
  tau: number;
  /** Steps of the run (the canonical tau schedule reaches 1 there). */
  steps: number;
  /** Parameter init seed. */
  seed: number;
}

/** BYOL's online and target networks, optimizer and step. */
export class ByolTrainer {
  readonly backend: Backend;
  readonly options: ByolOptions;
  /** The online network (seed: encoder + projector + L2 norm; canonical: + predictor). */
  readonly online: LayerStack;
  /** The target network (its layout a prefix of the online one). */
  readonly target: LayerStack;
  /** Online flat parameters. */
  readonly onlineParams: Tensor;
  /** Target flat parameters. */
  readonly targetParams: Tensor;
  #onlineState: Map<number, Tensor>;
  #targetState: Map<number, Tensor>;
  #optimizer: Optimizer;
  #step = 0;

  /**
   * @param backend Where the networks live.
   * @param options Variant, widths, input shape, lr, tau, steps, seed.
   * @throws {RangeError} On a bad option.
   */
  constructor(backend: Backend, options: ByolOptions) {
    if (!(BYOL_VARIANTS as readonly string[]).includes(options.variant)) {
      throw new RangeError(
        `Cannot make BYOL: variant "${options.variant}", expected ${BYOL_VARIANTS.join(" or ")}`,
      );
    }
    if (!(options.tau >= 0 && options.tau <= 1)) {
      throw new RangeError(`Cannot make BYOL: tau is ${options.tau}, must be in [0, 1]`);
    }
    this.backend = backend;
    this.options = options;
    const seed = options.variant === "seed";
    this.online = new LayerStack(
      options.input,
      seed ? seedNetworkLayers(options.widths) : canonicalOnlineLayers(options.widths),
    );
    this.target = new LayerStack(
      options.input,
      seed ? seedNetworkLayers(options.widths) : canonicalTargetLayers(options.widths),
    );
    const init = this.online.initialValues(options.seed);
    this.onlineParams = backend.tensor(init, [this.online.layout.count]);
    this.targetParams = backend.tensor(init.subarray(0, this.target.layout.count), [
      this.target.layout.count,
    ]);
    this.#onlineState = this.online.createState(backend);
    this.#targetState = this.target.createState(backend);
    this.#optimizer = new Optimizer(backend, this.online.layout, { kind: "adam", lr: options.lr });
  }

  /** Steps taken. */
  get stepCount(): number {
    return this.#step;
  }

  /** The target momentum used at step k. */
  tauAt(step: number): number {
    return this.options.variant === "seed"
      ? this.options.tau
      : cosineTau(this.options.tau, step, this.options.steps);
  }

  #trainable(): ((name: string) => boolean) | undefined {
    return this.options.variant === "seed" ? seedTrainable : undefined;
  }

  async #directionLoss(online: Tensor, target: Tensor): Promise<DirectionLoss> {
    return this.options.variant === "seed"
      ? await seedDirectionLoss(this.backend, online, target)
      : await canonicalDirectionLoss(this.backend, online, target);
  }

  /**
   * The loss and the online gradient for two views, without updating anything.
   *
   * @param v1 View 1, [B, C, H, W].
   * @param v2 View 2.
   * @returns The symmetric loss (one element) and the flat online gradient.
   */
  async lossAndGradient(v1: Tensor, v2: Tensor): Promise<{ loss: Tensor; gradient: Tensor }> {
    const b = this.backend, train = { mode: "train" as const };
    const o1 = await this.online.forward(b, this.onlineParams, v1, { ...train, state: this.#onlineState });
    const o2 = await this.online.forward(b, this.onlineParams, v2, { ...train, state: this.#onlineState });
    const t1 = await this.target.forward(b, this.targetParams, v1, { ...train, state: this.#targetState });
    const t2 = await this.target.forward(b, this.targetParams, v2, { ...train, state: this.#targetState });
    const last = (t: StackTrace) => t.outputs[t.outputs.length - 1];
    const d1 = await this.#directionLoss(last(o1), last(t2));
    const d2 = await this.#directionLoss(last(o2), last(t1));
    const trainable = this.#trainable();
    const g1 = await this.online.backward(b, o1, d1.grad, { trainable });
    const g2 = await this.online.backward(b, o2, d2.grad, { trainable });
    await b.axpy(1, g2.gradient, g1.gradient);
    await b.axpy(1, d2.loss, d1.loss);
    for (const t of [o1, o2]) this.online.dispose(b, t);
    for (const t of [t1, t2]) this.target.dispose(b, t);
    b.dispose(d1.grad, d2.grad, d2.loss, g2.gradient);
    return { loss: d1.loss, gradient: g1.gradient };
  }

  /**
   * One BYOL step: loss and gradient, an Adam step of the online network, the target's EMA.
   *
   * @param v1 View 1, [B, C, H, W].
   * @param v2 View 2.
   * @returns The loss before the update (one element; the caller reads and disposes it).
   */
  async step(v1: Tensor, v2: Tensor): Promise<Tensor> {
    const { loss, gradient } = await this.lossAndGradient(v1, v2);
    await this.#optimizer.step(this.onlineParams, gradient);
    this.backend.dispose(gradient);
    const which = this.options.variant === "seed" ? seedEmaParameters : undefined;
    await emaUpdate(
      this.backend,
      this.targetParams,
      this.onlineParams,
      this.target.layout,
      this.tauAt(this.#step),
      which,
    );
    this.#step++;
    return loss;
  }

  /**
   * The online network's features of images in eval mode (running statistics), in chunks.
   *
   * @param images NCHW pixels (host values), rows x C H W.
   * @param rows Images.
   * @returns `encoder`: the global-average-pooled encoder features [rows, c3]; `projection`: the
   *   projections [rows, D] (the seed: L2-normalised, its exported "embeddings"; canonical: the projector's
   *   output).
   */
  async features(
    images: ArrayLike<number>,
    rows: number,
    chunk = 100,
  ): Promise<
    { encoder: Float64Array; projection: Float64Array; encoderDims: number; projectionDims: number }
  > {
    const b = this.backend, { channels, height, width } = this.options.input, n = channels * height * width;
    const encoderDims = this.options.widths.channels[2], projectionDims = this.options.widths.projection;
    const projectionLayer = this.options.variant === "seed"
      ? this.online.layers.length - 1
      : ENCODER_OUTPUT_LAYER + 4;
    const encoder = new Float64Array(rows * encoderDims),
      projection = new Float64Array(rows * projectionDims);
    for (let begin = 0; begin < rows; begin += chunk) {
      const count = Math.min(chunk, rows - begin);
      const x = b.tensor(Array.from({ length: count * n }, (_, e) => images[begin * n + e]), [
        count,
        channels,
        height,
        width,
      ]);
      const trace = await this.online.forward(b, this.onlineParams, x, {
        mode: "eval",
        state: this.#onlineState,
      });
      encoder.set(await b.read(trace.outputs[ENCODER_OUTPUT_LAYER]), begin * encoderDims);
      projection.set(await b.read(trace.outputs[projectionLayer]), begin * projectionDims);
      this.online.dispose(b, trace);
      b.dispose(x);
    }
    return { encoder, projection, encoderDims, projectionDims };
  }
}
