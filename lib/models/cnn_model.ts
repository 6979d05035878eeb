/**
 * A CNN with a loss on a backend: forward outputs, the loss and its exact gradient, and its exact
 * Hessian-vector product (Pearlmutter's R-operator through the backward pass, like the MLP's), on a
 * mini-batch or on a full batch accumulated over chunks, with parameters, gradients and directions as
 * flat tensors of one layout (lib/models/cnn.ts). The public API has the shape of
 * lib/models/mlp_model.ts's `Mlp`.
 *
 * On `webgpu` the passes are recorded by lib/models/cnn_gpu.ts; on `reference` they run
 * lib/models/cnn_reference.ts in float64 (the module doc there gives the R-operator's equations).
 *
 * Hessian-vector products ({@linkcode CNN_HVP_METHODS}):
 *
 * - `"r-operator"` (the default, {@linkcode CNN_HVP_METHOD}): exact, H v of the smooth piece of the
 *   loss that contains theta. ReLU has act'' = 0 and a max-pool is a fixed gather of each window's
 *   first maximum there, so H v is right for ReLU and max-pool networks too. Cost on the "cnn" preset at
 *   batch 8 (llvmpipe): H v alone ~2.5 gradients, gradient + H v ~2.9 gradients, about what the
 *   central difference costs (three gradient passes), with no host wait.
 * - `"central-difference"` (explicit opt-in, kept for comparison, lib/models/cnn_central_difference.ts):
 *   H v ~ (g(theta + eps v) - g(theta - eps v)) / (2 eps) with a relative step
 *   ({@linkcode CNN_HVP_RELATIVE_STEP} or `hvpRelativeStep`) or the absolute `hvpEpsilon`. Error ~1e-4
 *   relative in float32 on a smooth network; WRONG on ReLU and max-pool networks whenever a unit or pool
 *   window switches inside +-eps v, which no step avoids on the "cnn" preset.
 *
 * @example Loss, gradient and H v of a tiny CNN on the reference backend
 * ```ts
 * import assert from "node:assert";
 * import { ReferenceBackend } from "../backend/reference.ts";
 * import { Cnn } from "./cnn_model.ts";
 * const backend = new ReferenceBackend();
 * const cnn = new Cnn(backend, {
 *   input: { channels: 1, height: 5, width: 5 },
 *   convs: [{ outChannels: 2, kernelSize: 3, pool: true }],
 *   hidden: [],
 *   outputs: 2,
 *   activation: "relu",
 *   init: "kaiming",
 *   initScale: 1,
 * }, "squared");
 * const params = cnn.init(7);
 * const x = backend.tensor(Array.from({ length: 50 }, (_, i) => Math.sin(i)), [2, 25]);
 * const y = backend.tensor([1, 0, 0, 1], [2, 2]);
 * const { loss, gradient, hessianVector } = await cnn.evaluate(params, x, y, { gradient: true, direction: params });
 * assert.ok((await backend.read(loss))[0] > 0 && gradient!.size === 26 && hessianVector!.size === 26);
 * ```
 *
 * @module
 */
import type { Backend } from "../backend/backend.ts";
import type { Tensor } from "../backend/tensor.ts";
import { cnnForwardReference, cnnReference } from "./cnn_reference.ts";
import { checkLossName, type LossName } from "./losses.ts";
import { cnnLayout, type CnnShapes, cnnShapes, type CnnSpec } from "./cnn.ts";
import { CnnGpu } from "./cnn_gpu.ts";
import type { ParameterLayout } from "./parameters.ts";
import { initParameters } from "./init.ts";
import type { EvaluateOptions, EvaluateResult } from "./evaluate_options.ts";
import {
  evaluateBatch,
  evaluateChunks,
  evaluateOutputs,
  modelForward,
  type ModelPasses,
} from "./evaluate.ts";
import { centralDifferenceHvp, CNN_HVP_RELATIVE_STEP } from "./cnn_central_difference.ts";

export { CNN_HVP_RELATIVE_STEP } from "./cnn_central_difference.ts";

/** The ways {@linkcode Cnn.evaluate} can compute Hessian-vector products (see the module doc). */
export const CNN_HVP_METHODS = ["r-operator", "central-difference"] as const;

/** A Hessian-vector product method: the exact R-operator or central differences of gradients. */
export type CnnHvpMethod = typeof CNN_HVP_METHODS[number];

/** The default Hessian-vector product method of {@linkcode Cnn}: the exact R-operator. */
export const CNN_HVP_METHOD: CnnHvpMethod = "r-operator";

/** Default rows per chunk of {@linkcode Cnn.evaluate} (the preset keeps ~1.8 MB of activations per row). */
export const DEFAULT_CNN_CHUNK_ROWS = 128;

/** Options of {@linkcode Cnn.evaluate}: those of the MLP plus the Hessian-vector product method. */
export interface CnnEvaluateOptions extends EvaluateOptions {
  /** How H v is computed (default: the model's `hvpMethod`, {@linkcode CNN_HVP_METHOD} unless set). */
  hvpMethod?: CnnHvpMethod;
  /** Central differences only: the relative step delta (default {@linkcode CNN_HVP_RELATIVE_STEP}). */
  hvpRelativeStep?: number;
  /** Central differences only: the absolute step eps; replaces the relative one and its host wait. */
  hvpEpsilon?: number;
}

function checkHvpMethod(method: string): CnnHvpMethod {
  if (!(CNN_HVP_METHODS as readonly string[]).includes(method)) {
    throw new TypeError(
      `Cannot use Hessian-vector product method "${method}": expected one of ${CNN_HVP_METHODS.join(", ")}`,
    );
  }
  return method as CnnHvpMethod;
}

/** A CNN and a loss on one backend. */
export class Cnn {
  /** The backend. */
  readonly backend: Backend;
  /** The CNN. */
  readonly spec: CnnSpec;
  /** The loss. */
  readonly loss: LossName;
  /** The flat parameter layout. */
  readonly layout: ParameterLayout;
  /** Per-sample shapes of the blocks and dense layers. */
  readonly shapes: CnnShapes;
  /** How Hessian-vector products are computed unless evaluate's options say otherwise. */
  readonly hvpMethod: CnnHvpMethod;
  #gpu: CnnGpu | undefined;
  #passes: ModelPasses;

  /**
   * @param backend Where parameters and data live.
   * @param spec The CNN (e.g. `cnnPreset("cnn", { channels: 1, size: 28 })`).
   * @param loss `"squared"` or `"crossEntropy"`.
   * @param options `hvpMethod`: the default Hessian-vector product method ({@linkcode CNN_HVP_METHOD}).
   * @throws {RangeError} On a bad spec.
   * @throws {TypeError} On an unknown loss or method.
   */
  constructor(backend: Backend, spec: CnnSpec, loss: LossName, options: { hvpMethod?: CnnHvpMethod } = {}) {
    this.shapes = cnnShapes(spec);
    this.backend = backend;
    this.spec = spec;
    this.loss = checkLossName(loss);
    this.layout = cnnLayout(spec);
    this.hvpMethod = checkHvpMethod(options.hvpMethod ?? CNN_HVP_METHOD);
    const { channels, height, width } = spec.input;
    this.#passes = {
      name: "CNN",
      backend,
      layout: this.layout,
      inputs: this.inputs,
      outputs: this.outputs,
      inputsDetail: ` (NCHW rows of ${channels}x${height}x${width})`,
      forwardReference: (params, x, rows) => cnnForwardReference(spec, params, x, rows).output,
      reference: (params, x, y, rows, options) => cnnReference(spec, this.loss, params, x, y, rows, options),
      gpu: () => this.#gpuPasses(),
    };
  }

  /** Number of inputs per sample, C H W. */
  get inputs(): number {
    return this.shapes.inputs;
  }

  /** Number of outputs per sample. */
  get outputs(): number {
    return this.spec.outputs;
  }

  /** Seeded initial parameters (lib/models/init.ts), a flat `[layout.count]` tensor. */
  init(seed: number): Tensor {
    return initParameters(this.backend, this.layout, seed);
  }

  #gpuPasses(): CnnGpu {
    this.#gpu ??= new CnnGpu(this.backend.gpuTarget!.gpu, this.spec, this.loss);
    return this.#gpu;
  }

  /**
   * The outputs f(x) of the CNN.
   *
   * @param params Flat parameters.
   * @param x Inputs `[rows, C H W]` (NCHW rows).
   * @param chunkRows Rows per GPU pass ({@linkcode DEFAULT_CNN_CHUNK_ROWS}).
   * @returns Outputs `[rows, outputs]`.
   * @throws {RangeError} On shape mismatches.
   */
  forward(params: Tensor, x: Tensor, chunkRows = DEFAULT_CNN_CHUNK_ROWS): Promise<Tensor> {
    return modelForward(this.#passes, params, x, chunkRows);
  }

  /**
   * The mean loss over the rows of (x, y), and as asked its exact gradient and its Hessian times a
   * direction (exact by default; see the module doc), accumulated over chunks.
   *
   * @param params Flat parameters.
   * @param x Inputs `[rows, C H W]`.
   * @param y Targets `[rows, outputs]` (one-hot or +-1 for squared, one-hot for cross-entropy).
   * @param options Gradient, direction, H v method (and finite-difference step), chunk size, rows or
   *   row indices (gathered with `Backend.gatherRows`), output tensors.
   * @returns Loss, gradient and H v as tensors.
   * @throws {RangeError} On shape mismatches or a bad step.
   * @throws {TypeError} On an unknown H v method.
   */
  async evaluate(
    params: Tensor,
    x: Tensor,
    y: Tensor,
    options: CnnEvaluateOptions = {},
  ): Promise<EvaluateResult> {
    const evaluate = (xs: Tensor, ys: Tensor, o: CnnEvaluateOptions) => this.evaluate(params, xs, ys, o);
    const batch = await evaluateBatch(this.#passes, params, x, y, options, DEFAULT_CNN_CHUNK_ROWS, evaluate);
    if ("result" in batch) return batch.result;
    const direction = options.direction;
    const method = checkHvpMethod(options.hvpMethod ?? this.hvpMethod);
    const relativeStep = options.hvpRelativeStep ?? CNN_HVP_RELATIVE_STEP[this.backend.name];
    if (!(relativeStep > 0 && Number.isFinite(relativeStep))) {
      throw new RangeError(`Cannot evaluate the CNN: hvpRelativeStep is ${relativeStep}, must be > 0`);
    }
    if (
      options.hvpEpsilon !== undefined && !(options.hvpEpsilon > 0 && Number.isFinite(options.hvpEpsilon))
    ) {
      throw new RangeError(`Cannot evaluate the CNN: hvpEpsilon is ${options.hvpEpsilon}, must be > 0`);
    }
    const backend = this.backend;
    const { loss, gradient, hessianVector } = evaluateOutputs(this.#passes, options);
    if (method === "r-operator") {
      const hvp = direction && hessianVector ? { direction, out: hessianVector } : undefined;
      await evaluateChunks(this.#passes, params, batch, loss, gradient, hvp);
    } else {
      await evaluateChunks(this.#passes, params, batch, loss, gradient);
    }
    if (method === "central-difference" && direction && hessianVector) {
      const scratchLoss = backend.zeros([1]);
      await centralDifferenceHvp(
        backend,
        params,
        direction,
        (theta, into) => evaluateChunks(this.#passes, theta, batch, scratchLoss, into),
        hessianVector,
        { epsilon: options.hvpEpsilon, relativeStep },
      );
      backend.dispose(scratchLoss);
    }
    backend.flush();
    return { loss, gradient, hessianVector };
  }

  /** Frees the GPU scratch buffers (the model can still be used; they are made again). */
  dispose(): void {
    this.backend.flush();
    this.#gpu?.destroy();
    this.#gpu = undefined;
  }
}
