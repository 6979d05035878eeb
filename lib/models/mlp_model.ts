/**
 * An MLP with a loss on a backend: forward outputs, the loss and its gradient, and the
 * exact Hessian-vector product, on a mini-batch or on a full batch accumulated over
 * chunks, with parameters, gradients and directions as flat tensors of one layout.
 *
 * On `webgpu` the work is recorded by lib/models/mlp_gpu.ts and submitted once per
 * call; nothing is read back (results are tensors) unless you `read` them. On
 * `reference` it runs lib/models/mlp_reference.ts in float64.
 *
 * @example Loss, gradient and H v of a small MLP on the reference backend
 * ```ts
 * import assert from "node:assert";
 * import { ReferenceBackend } from "../backend/reference.ts";
 * import { Mlp } from "./mlp_model.ts";
 * const backend = new ReferenceBackend();
 * const mlp = new Mlp(backend, { sizes: [3, 4, 2], activation: "tanh", init: "kaiming", initScale: 1 }, "squared");
 * const params = mlp.init(7);
 * const x = backend.tensor([1, 2, 3, -1, 0, 1], [2, 3]);
 * const y = backend.tensor([1, 0, 0, 1], [2, 2]);
 * const { loss, gradient, hessianVector } = await mlp.evaluate(params, x, y, { gradient: true, direction: params });
 * assert.ok((await backend.read(loss))[0] > 0 && gradient!.size === 26 && hessianVector!.size === 26);
 * ```
 *
 * @module
 */
import type { Backend } from "../backend/backend.ts";
import type { Tensor } from "../backend/tensor.ts";
import { mlpForwardReference, mlpReference } from "./mlp_reference.ts";
import { checkLossName, type LossName } from "./losses.ts";
import { checkMlpSpec, mlpLayout, type MlpSpec } from "./mlp.ts";
import { MlpGpu } from "./mlp_gpu.ts";
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

// The evaluation types are shared with the CNN; kept importable from here.
export type { EvaluateOptions, EvaluateResult } from "./evaluate_options.ts";

/** Default rows per chunk of {@linkcode Mlp.evaluate}. */
export const DEFAULT_CHUNK_ROWS = 1024;

/** An MLP and a loss on one backend. */
export class Mlp {
  /** The backend. */
  readonly backend: Backend;
  /** The MLP. */
  readonly spec: MlpSpec;
  /** The loss. */
  readonly loss: LossName;
  /** The flat parameter layout. */
  readonly layout: ParameterLayout;
  #gpu: MlpGpu | undefined;
  #passes: ModelPasses;

  /**
   * @param backend Where parameters and data live.
   * @param spec The MLP (e.g. `mlpPreset("mlp", { inputs: 784 })`).
   * @param loss `"squared"` or `"crossEntropy"`.
   */
  constructor(backend: Backend, spec: MlpSpec, loss: LossName) {
    checkMlpSpec(spec);
    this.backend = backend;
    this.spec = spec;
    this.loss = checkLossName(loss);
    this.layout = mlpLayout(spec);
    this.#passes = {
      name: "MLP",
      backend,
      layout: this.layout,
      inputs: this.inputs,
      outputs: this.outputs,
      forwardReference: (params, x, rows) => mlpForwardReference(spec, params, x, rows).output,
      reference: (params, x, y, rows, options) => mlpReference(spec, this.loss, params, x, y, rows, options),
      gpu: () => this.#gpuPasses(),
    };
  }

  /** Number of inputs per sample. */
  get inputs(): number {
    return this.spec.sizes[0];
  }

  /** Number of outputs per sample. */
  get outputs(): number {
    return this.spec.sizes[this.spec.sizes.length - 1];
  }

  /** Seeded initial parameters (lib/models/init.ts), a flat `[layout.count]` tensor. */
  init(seed: number): Tensor {
    return initParameters(this.backend, this.layout, seed);
  }

  #gpuPasses(): MlpGpu {
    this.#gpu ??= new MlpGpu(this.backend.gpuTarget!.gpu, this.spec, this.loss);
    return this.#gpu;
  }

  /**
   * The outputs f(x) of the MLP.
   *
   * @param params Flat parameters.
   * @param x Inputs `[rows, inputs]`.
   * @returns Outputs `[rows, outputs]`.
   */
  forward(params: Tensor, x: Tensor): Promise<Tensor> {
    return modelForward(this.#passes, params, x, DEFAULT_CHUNK_ROWS);
  }

  /**
   * The mean loss over the rows of (x, y), and as asked its gradient and its exact Hessian
   * times a direction, accumulated over chunks of `chunkRows` rows.
   *
   * @param params Flat parameters.
   * @param x Inputs `[rows, inputs]`.
   * @param y Targets `[rows, outputs]` (one-hot or +-1 for squared, one-hot for cross-entropy).
   * @param options Gradient, direction, chunk size, output tensors.
   * @returns Loss, gradient and H v as tensors.
   * @throws {RangeError} On shape mismatches.
   */
  async evaluate(
    params: Tensor,
    x: Tensor,
    y: Tensor,
    options: EvaluateOptions = {},
  ): Promise<EvaluateResult> {
    const evaluate = (xs: Tensor, ys: Tensor, o: EvaluateOptions) => this.evaluate(params, xs, ys, o);
    const batch = await evaluateBatch(this.#passes, params, x, y, options, DEFAULT_CHUNK_ROWS, evaluate);
    if ("result" in batch) return batch.result;
    const result = evaluateOutputs(this.#passes, options);
    const { direction } = options, hvp = direction ? { direction, out: result.hessianVector! } : undefined;
    await evaluateChunks(this.#passes, params, batch, result.loss, result.gradient, hvp);
    this.backend.flush();
    return result;
  }

  /** Frees the GPU scratch buffers (the model can still be used; they are made again). */
  dispose(): void {
    this.backend.flush();
    this.#gpu?.destroy();
    this.#gpu = undefined;
  }
}
