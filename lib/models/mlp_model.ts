/**
 * An MLP with a loss on a backend: forward outputs, the loss and its gradient, and the
 * exact Hessian-vector product, on a mini-batch or on a full batch accumulated over
 * chunks, with parameters, gradients and directions as flat tensors of one layout.
 *
 * On `webgpu` the work is recorded by lib/models/mlp_gpu.ts and submitted once per
 * call; nothing is read back (results are tensors) unless you `read` them. On
 * `reference` it runs lib/reference/mlp.ts in float64.
 *
 * @example Loss, gradient and H v of a small MLP on the reference backend
 * ```ts
 * import { ReferenceBackend } from "../backend/reference.ts";
 * import { Mlp } from "./mlp_model.ts";
 * const backend = new ReferenceBackend();
 * const mlp = new Mlp(backend, { sizes: [3, 4, 2], activation: "tanh", init: "kaiming", initScale: 1 }, "squared");
 * const params = mlp.init(7);
 * const x = backend.tensor([1, 2, 3, -1, 0, 1], [2, 3]);
 * const y = backend.tensor([1, 0, 0, 1], [2, 2]);
 * const { loss, gradient, hessianVector } = await mlp.evaluate(params, x, y, { gradient: true, direction: params });
 * console.assert((await backend.read(loss))[0] > 0 && gradient!.size === 22 && hessianVector!.size === 22);
 * ```
 *
 * @module
 */
import type { Backend } from "../backend/backend.ts";
import { formatShape, type Tensor } from "../backend/tensor.ts";
import { type ReferenceBackend, ReferenceTensor } from "../backend/reference.ts";
import { GpuTensor, type WebGpuBackend } from "../backend/webgpu.ts";
import { mlpForwardReference, mlpReference } from "../reference/mlp.ts";
import { checkLoss, type LossName } from "./losses.ts";
import { checkMlpSpec, mlpLayout, type MlpSpec } from "./mlp.ts";
import { MlpGpu } from "./mlp_gpu.ts";
import type { ParameterLayout } from "./parameters.ts";
import { initParameters } from "./init.ts";
import type { EvaluateOptions, EvaluateResult } from "./evaluate_options.ts";

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

  /**
   * @param backend Where parameters and data live.
   * @param spec The MLP (e.g. `mlpPreset("mlp", { inputs: 784 })`).
   * @param loss `"squared"` or `"crossEntropy"`.
   */
  constructor(backend: Backend, spec: MlpSpec, loss: LossName) {
    checkMlpSpec(spec);
    this.backend = backend;
    this.spec = spec;
    this.loss = checkLoss(loss);
    this.layout = mlpLayout(spec);
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

  #checkData(x: Tensor, y: Tensor | undefined): number {
    const rows = x.shape[0];
    if (x.shape.length !== 2 || x.shape[1] !== this.inputs || x.dtype !== "f32" || rows < 1) {
      throw new RangeError(
        `Cannot run the MLP on x of shape ${formatShape(x.shape)}: expected f32 [rows >= 1, ${this.inputs}]`,
      );
    }
    if (
      y && (y.shape.length !== 2 || y.shape[0] !== rows || y.shape[1] !== this.outputs || y.dtype !== "f32")
    ) {
      throw new RangeError(
        `Cannot run the MLP on y of shape ${formatShape(y.shape)}: expected f32 [${rows}, ${this.outputs}]`,
      );
    }
    return rows;
  }

  #gpuPasses(): MlpGpu {
    this.#gpu ??= new MlpGpu((this.backend as WebGpuBackend).gpu, this.spec, this.loss);
    return this.#gpu;
  }

  /**
   * The outputs f(x) of the MLP.
   *
   * @param params Flat parameters.
   * @param x Inputs `[rows, inputs]`.
   * @returns Outputs `[rows, outputs]`.
   */
  async forward(params: Tensor, x: Tensor): Promise<Tensor> {
    this.layout.check(params);
    const rows = this.#checkData(x, undefined);
    const backend = this.backend;
    if (backend.name === "reference") {
      const trace = mlpForwardReference(this.spec, data(params), data(x), rows);
      return (backend as ReferenceBackend).tensor(trace.output, [rows, this.outputs]);
    }
    const out = backend.zeros([rows, this.outputs]);
    // The loss of zero targets is computed and discarded: forward shares the evaluate path.
    const y = backend.zeros([rows, this.outputs]), loss = backend.zeros([1]);
    const rec = (backend as WebGpuBackend).recorder;
    const chunk = DEFAULT_CHUNK_ROWS;
    for (let first = 0; first < rows; first += chunk) {
      const n = Math.min(chunk, rows - first);
      await this.#gpuPasses().encode(rec, {
        params: buffer(params),
        x: buffer(x),
        y: buffer(y),
        firstRow: first,
        rows: n,
        scale: 1,
        accumulate: false,
        loss: buffer(loss),
        outputs: buffer(out),
        outputsOffset: first * this.outputs,
      });
    }
    backend.dispose(y, loss);
    return out;
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
    this.layout.check(params);
    const total = this.#checkData(x, y);
    if (options.indices) {
      if (options.rows) throw new RangeError("Cannot evaluate the MLP: give rows or indices, not both");
      if (options.indices.length === 0) {
        throw new RangeError("Cannot evaluate the MLP on an empty index list");
      }
      const xs = await this.backend.gatherRows(x, options.indices);
      const ys = await this.backend.gatherRows(y, options.indices);
      try {
        return await this.evaluate(params, xs, ys, { ...options, indices: undefined });
      } finally {
        this.backend.dispose(xs, ys);
      }
    }
    const begin = options.rows?.begin ?? 0, end = options.rows?.end ?? total;
    if (!Number.isInteger(begin) || !Number.isInteger(end) || begin < 0 || end > total || end <= begin) {
      throw new RangeError(`Cannot evaluate the MLP on rows [${begin}, ${end}): x has ${total} rows`);
    }
    const rows = end - begin;
    if (options.direction) this.layout.check(options.direction, "direction");
    const chunkRows = options.chunkRows ?? DEFAULT_CHUNK_ROWS;
    if (!Number.isInteger(chunkRows) || chunkRows < 1) {
      throw new RangeError(`Cannot evaluate the MLP: chunkRows is ${chunkRows}, must be a positive integer`);
    }
    const backend = this.backend, into = options.into ?? {};
    const loss = into.loss ?? backend.zeros([1]);
    const gradient = options.gradient ? into.gradient ?? backend.zeros([this.layout.count]) : undefined;
    const hessianVector = options.direction
      ? into.hessianVector ?? backend.zeros([this.layout.count])
      : undefined;
    if (gradient) this.layout.check(gradient, "gradient output");
    if (hessianVector) this.layout.check(hessianVector, "Hessian-vector output");
    for (let first = begin; first < end; first += chunkRows) {
      const n = Math.min(chunkRows, end - first);
      const accumulate = first > begin;
      if (backend.name === "reference") {
        this.#referenceChunk(
          params,
          x,
          y,
          first,
          n,
          rows,
          accumulate,
          options.direction,
          loss,
          gradient,
          hessianVector,
        );
        continue;
      }
      await this.#gpuPasses().encode((backend as WebGpuBackend).recorder, {
        params: buffer(params),
        x: buffer(x),
        y: buffer(y),
        firstRow: first,
        rows: n,
        scale: 1 / rows,
        accumulate,
        loss: buffer(loss),
        gradient: gradient ? buffer(gradient) : undefined,
        hvp: options.direction
          ? { direction: buffer(options.direction), out: buffer(hessianVector!) }
          : undefined,
      });
    }
    backend.flush();
    return { loss, gradient, hessianVector };
  }

  #referenceChunk(
    params: Tensor,
    x: Tensor,
    y: Tensor,
    first: number,
    n: number,
    rows: number,
    accumulate: boolean,
    direction: Tensor | undefined,
    loss: Tensor,
    gradient: Tensor | undefined,
    hessianVector: Tensor | undefined,
  ): void {
    const nIn = this.inputs, nOut = this.outputs;
    const r = mlpReference(
      this.spec,
      this.loss,
      data(params),
      data(x).subarray(first * nIn, (first + n) * nIn),
      data(y).subarray(first * nOut, (first + n) * nOut),
      n,
      { scale: 1 / rows, direction: direction ? data(direction) : undefined },
    );
    const add = (out: Tensor, values: Float64Array | number[]) => {
      const target = data(out);
      for (let i = 0; i < values.length; i++) target[i] = (accumulate ? target[i] : 0) + values[i];
    };
    add(loss, [r.loss]);
    if (gradient) add(gradient, r.gradient);
    if (hessianVector) add(hessianVector, r.hessianVector!);
  }

  /** Frees the GPU scratch buffers (the model can still be used; they are made again). */
  dispose(): void {
    this.backend.flush();
    this.#gpu?.destroy();
    this.#gpu = undefined;
  }
}

function data(t: Tensor): Float64Array {
  if (!(t instanceof ReferenceTensor) || t.dtype !== "f32") {
    throw new TypeError(`Cannot run the MLP on the reference backend: got a ${t.backend} ${t.dtype} tensor`);
  }
  return t.data as Float64Array;
}

function buffer(t: Tensor): GPUBuffer {
  if (!(t instanceof GpuTensor) || t.dtype !== "f32") {
    throw new TypeError(`Cannot run the MLP on the webgpu backend: got a ${t.backend} ${t.dtype} tensor`);
  }
  return t.buffer;
}
