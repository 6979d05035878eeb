/**
 * A CNN with a loss on a backend: forward outputs, the loss and its exact gradient, and a
 * Hessian-vector product by CENTRAL DIFFERENCES of exact gradients, on a mini-batch or on a full batch
 * accumulated over chunks, with parameters, gradients and directions as flat tensors of one layout
 * (lib/models/cnn.ts). The public API has the shape of lib/models/mlp_model.ts's `Mlp`.
 *
 * On `webgpu` the gradient passes are recorded by lib/models/cnn_gpu.ts; on `reference` they run
 * lib/reference/cnn.ts in float64.
 *
 * The Hessian-vector product is NOT exact (unlike the MLP's R-operator; see
 * {@linkcode CNN_HVP_METHOD}): H v ~ (g(theta + eps v) - g(theta - eps v)) / (2 eps), with
 * eps = delta max(|theta|, 1) / |v| (Euclidean norms of the flat vectors), so the perturbation eps v has
 * norm delta max(|theta|, 1): a relative step delta of the parameters. delta defaults to
 * {@linkcode CNN_HVP_RELATIVE_STEP} (1e-3 in float32 on webgpu, 1e-7 in float64 on reference). The norms
 * cost one host wait per call unless `hvpEpsilon` is given.
 *
 * Accuracy. On a smooth network (tanh or SiLU, no max-pool) the error is truncation ~ delta^2 plus
 * roundoff ~ u / delta: ~1e-4 relative in float32 at delta 1e-3, ~1e-9 in float64 at delta 1e-7.
 * WARNING: ReLU and max-pool make the gradient discontinuous; when a unit or a pool window switches
 * inside the +-eps v segment, the difference quotient picks up (jump) / (2 eps), an error that grows as
 * the step shrinks. Measured on a 4,386-parameter ReLU CNN with two max-pools (16 samples, float64):
 * relative errors of 4x to 17x for delta in [1e-4, 1e-2], ~1e-9 for delta <= 1e-5; a tanh CNN with
 * max-pools still failed at delta 1e-5 (~160x) and agreed at 1e-6. The number of switching units grows
 * with delta x units x samples, so no step is safe for the "cnn" preset on thousands of samples, and in
 * float32 (which needs delta ~1e-3) not even for small ones. Use these products on ReLU/max-pool CNNs
 * only knowing this; an exact R-operator (as lib/reference/mlp.ts) is the fix.
 *
 * @example Loss, gradient and H v of a tiny CNN on the reference backend
 * ```ts
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
 * console.assert((await backend.read(loss))[0] > 0 && gradient!.size === 26 && hessianVector!.size === 26);
 * ```
 *
 * @module
 */
import type { Backend } from "../backend/backend.ts";
import { formatShape, type Tensor } from "../backend/tensor.ts";
import { type ReferenceBackend, ReferenceTensor } from "../backend/reference.ts";
import { GpuTensor, type WebGpuBackend } from "../backend/webgpu.ts";
import { cnnForwardReference, cnnReference } from "../reference/cnn.ts";
import { checkLoss, type LossName } from "./losses.ts";
import { cnnLayout, type CnnShapes, cnnShapes, type CnnSpec } from "./cnn.ts";
import { CnnGpu } from "./cnn_gpu.ts";
import type { ParameterLayout } from "./parameters.ts";
import { initParameters } from "./init.ts";
import type { EvaluateOptions, EvaluateResult } from "./mlp_model.ts";

/** How {@linkcode Cnn.evaluate} computes Hessian-vector products: central differences of exact gradients. */
export const CNN_HVP_METHOD = "central-difference" as const;

/** Default relative step delta of the central-difference Hessian-vector product, per backend. */
export const CNN_HVP_RELATIVE_STEP: Readonly<Record<"webgpu" | "reference", number>> = {
  webgpu: 1e-3,
  reference: 1e-7,
};

/** Default rows per chunk of {@linkcode Cnn.evaluate} (the preset keeps ~1.8 MB of activations per row). */
export const DEFAULT_CNN_CHUNK_ROWS = 128;

/** Options of {@linkcode Cnn.evaluate}: those of the MLP plus the finite-difference step. */
export interface CnnEvaluateOptions extends EvaluateOptions {
  /** The relative step delta of the central-difference H v (default {@linkcode CNN_HVP_RELATIVE_STEP}). */
  hvpRelativeStep?: number;
  /** The absolute step eps of the central-difference H v; replaces the relative one and its host wait. */
  hvpEpsilon?: number;
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
  /** How Hessian-vector products are computed: {@linkcode CNN_HVP_METHOD}. */
  readonly hvpMethod = CNN_HVP_METHOD;
  #gpu: CnnGpu | undefined;

  /**
   * @param backend Where parameters and data live.
   * @param spec The CNN (e.g. `cnnPreset("cnn", { channels: 1, size: 28 })`).
   * @param loss `"squared"` or `"crossEntropy"`.
   * @throws {RangeError} On a bad spec.
   * @throws {TypeError} On an unknown loss.
   */
  constructor(backend: Backend, spec: CnnSpec, loss: LossName) {
    this.shapes = cnnShapes(spec);
    this.backend = backend;
    this.spec = spec;
    this.loss = checkLoss(loss);
    this.layout = cnnLayout(spec);
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

  #checkData(x: Tensor, y: Tensor | undefined): number {
    const rows = x.shape[0];
    if (x.shape.length !== 2 || x.shape[1] !== this.inputs || x.dtype !== "f32" || rows < 1) {
      const { channels, height, width } = this.spec.input;
      throw new RangeError(
        `Cannot run the CNN on x of shape ${
          formatShape(x.shape)
        }: expected f32 [rows >= 1, ${this.inputs}] (NCHW rows of ${channels}x${height}x${width})`,
      );
    }
    if (
      y && (y.shape.length !== 2 || y.shape[0] !== rows || y.shape[1] !== this.outputs || y.dtype !== "f32")
    ) {
      throw new RangeError(
        `Cannot run the CNN on y of shape ${formatShape(y.shape)}: expected f32 [${rows}, ${this.outputs}]`,
      );
    }
    return rows;
  }

  #gpuPasses(): CnnGpu {
    this.#gpu ??= new CnnGpu((this.backend as WebGpuBackend).gpu, this.spec, this.loss);
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
  async forward(params: Tensor, x: Tensor, chunkRows = DEFAULT_CNN_CHUNK_ROWS): Promise<Tensor> {
    this.layout.check(params);
    const rows = this.#checkData(x, undefined);
    checkChunkRows(chunkRows);
    const backend = this.backend;
    if (backend.name === "reference") {
      const trace = cnnForwardReference(this.spec, data(params), data(x), rows);
      return (backend as ReferenceBackend).tensor(trace.output, [rows, this.outputs]);
    }
    const out = backend.zeros([rows, this.outputs]);
    // The loss of zero targets is computed and discarded: forward shares the evaluate path.
    const y = backend.zeros([rows, this.outputs]), loss = backend.zeros([1]);
    for (let first = 0; first < rows; first += chunkRows) {
      await this.#gpuPasses().encode((backend as WebGpuBackend).recorder, {
        params: buffer(params),
        x: buffer(x),
        y: buffer(y),
        firstRow: first,
        rows: Math.min(chunkRows, rows - first),
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
   * The mean loss over the rows of (x, y), and as asked its exact gradient and its Hessian times a
   * direction by central differences of gradients (see the module doc), accumulated over chunks.
   *
   * @param params Flat parameters.
   * @param x Inputs `[rows, C H W]`.
   * @param y Targets `[rows, outputs]` (one-hot or +-1 for squared, one-hot for cross-entropy).
   * @param options Gradient, direction, finite-difference step, chunk size, rows, output tensors.
   * @returns Loss, gradient and H v as tensors.
   * @throws {RangeError} On shape mismatches or a bad step.
   */
  async evaluate(
    params: Tensor,
    x: Tensor,
    y: Tensor,
    options: CnnEvaluateOptions = {},
  ): Promise<EvaluateResult> {
    this.layout.check(params);
    const total = this.#checkData(x, y);
    const begin = options.rows?.begin ?? 0, end = options.rows?.end ?? total;
    if (!Number.isInteger(begin) || !Number.isInteger(end) || begin < 0 || end > total || end <= begin) {
      throw new RangeError(`Cannot evaluate the CNN on rows [${begin}, ${end}): x has ${total} rows`);
    }
    const direction = options.direction;
    if (direction) this.layout.check(direction, "direction");
    const chunkRows = checkChunkRows(options.chunkRows ?? DEFAULT_CNN_CHUNK_ROWS);
    const relativeStep = options.hvpRelativeStep ?? CNN_HVP_RELATIVE_STEP[this.backend.name];
    if (!(relativeStep > 0 && Number.isFinite(relativeStep))) {
      throw new RangeError(`Cannot evaluate the CNN: hvpRelativeStep is ${relativeStep}, must be > 0`);
    }
    if (
      options.hvpEpsilon !== undefined && !(options.hvpEpsilon > 0 && Number.isFinite(options.hvpEpsilon))
    ) {
      throw new RangeError(`Cannot evaluate the CNN: hvpEpsilon is ${options.hvpEpsilon}, must be > 0`);
    }
    const backend = this.backend, into = options.into ?? {}, count = this.layout.count;
    const loss = into.loss ?? backend.zeros([1]);
    const gradient = options.gradient ? into.gradient ?? backend.zeros([count]) : undefined;
    const hessianVector = direction ? into.hessianVector ?? backend.zeros([count]) : undefined;
    if (gradient) this.layout.check(gradient, "gradient output");
    if (hessianVector) this.layout.check(hessianVector, "Hessian-vector output");
    const batch = { x, y, begin, end, chunkRows };
    await this.#lossAndGradient(params, batch, loss, gradient);
    if (direction && hessianVector) {
      await this.#centralDifference(
        params,
        direction,
        batch,
        hessianVector,
        options.hvpEpsilon,
        relativeStep,
      );
    }
    backend.flush();
    return { loss, gradient, hessianVector };
  }

  /** H v ~ (g(theta + eps v) - g(theta - eps v)) / (2 eps), written into `out`. */
  async #centralDifference(
    params: Tensor,
    v: Tensor,
    batch: { x: Tensor; y: Tensor; begin: number; end: number; chunkRows: number },
    out: Tensor,
    epsilon: number | undefined,
    relativeStep: number,
  ): Promise<void> {
    const backend = this.backend, count = this.layout.count;
    if (epsilon === undefined) {
      const [thetaNorm, vNorm] = await this.#norms(params, v);
      if (vNorm === 0) return backend.fill(out, 0); // H 0 = 0
      epsilon = relativeStep * Math.max(thetaNorm, 1) / vNorm;
    }
    const shifted = backend.zeros([count]), minus = backend.zeros([count]), scratchLoss = backend.zeros([1]);
    await backend.copy(params, shifted);
    await backend.axpy(epsilon, v, shifted);
    await this.#lossAndGradient(shifted, batch, scratchLoss, out);
    await backend.copy(params, shifted);
    await backend.axpy(-epsilon, v, shifted);
    await this.#lossAndGradient(shifted, batch, scratchLoss, minus);
    await backend.axpy(-1, minus, out);
    await backend.scale(out, 1 / (2 * epsilon));
    backend.dispose(shifted, minus, scratchLoss);
  }

  /** |theta| and |v| (one host wait on webgpu: both reads are awaited together). */
  async #norms(params: Tensor, v: Tensor): Promise<[number, number]> {
    const a = await this.backend.reduce(params, "norm"), b = await this.backend.reduce(v, "norm");
    const [ra, rb] = await Promise.all([this.backend.read(a), this.backend.read(b)]);
    this.backend.dispose(a, b);
    return [ra[0], rb[0]];
  }

  /** The mean loss over rows [begin, end) into `loss`, and its gradient into `gradient` when given. */
  async #lossAndGradient(
    params: Tensor,
    batch: { x: Tensor; y: Tensor; begin: number; end: number; chunkRows: number },
    loss: Tensor,
    gradient: Tensor | undefined,
  ): Promise<void> {
    const { x, y, begin, end, chunkRows } = batch, rows = end - begin;
    for (let first = begin; first < end; first += chunkRows) {
      const n = Math.min(chunkRows, end - first), accumulate = first > begin;
      if (this.backend.name === "reference") {
        const nIn = this.inputs, nOut = this.outputs;
        const r = cnnReference(
          this.spec,
          this.loss,
          data(params),
          data(x).subarray(first * nIn, (first + n) * nIn),
          data(y).subarray(first * nOut, (first + n) * nOut),
          n,
          { scale: 1 / rows },
        );
        addInto(loss, [r.loss], accumulate);
        if (gradient) addInto(gradient, r.gradient, accumulate);
        continue;
      }
      await this.#gpuPasses().encode((this.backend as WebGpuBackend).recorder, {
        params: buffer(params),
        x: buffer(x),
        y: buffer(y),
        firstRow: first,
        rows: n,
        scale: 1 / rows,
        accumulate,
        loss: buffer(loss),
        gradient: gradient ? buffer(gradient) : undefined,
      });
    }
  }

  /** Frees the GPU scratch buffers (the model can still be used; they are made again). */
  dispose(): void {
    this.backend.flush();
    this.#gpu?.destroy();
    this.#gpu = undefined;
  }
}

function checkChunkRows(chunkRows: number): number {
  if (!Number.isInteger(chunkRows) || chunkRows < 1) {
    throw new RangeError(`Cannot evaluate the CNN: chunkRows is ${chunkRows}, must be a positive integer`);
  }
  return chunkRows;
}

function addInto(out: Tensor, values: ArrayLike<number>, accumulate: boolean): void {
  const target = data(out);
  for (let i = 0; i < values.length; i++) target[i] = (accumulate ? target[i] : 0) + values[i];
}

function data(t: Tensor): Float64Array {
  if (!(t instanceof ReferenceTensor) || t.dtype !== "f32") {
    throw new TypeError(`Cannot run the CNN on the reference backend: got a ${t.backend} ${t.dtype} tensor`);
  }
  return t.data as Float64Array;
}

function buffer(t: Tensor): GPUBuffer {
  if (!(t instanceof GpuTensor) || t.dtype !== "f32") {
    throw new TypeError(`Cannot run the CNN on the webgpu backend: got a ${t.backend} ${t.dtype} tensor`);
  }
  return t.buffer;
}
