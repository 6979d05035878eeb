/**
 * The plumbing shared by the models' `forward` and `evaluate` (lib/models/mlp_model.ts `Mlp`,
 * lib/models/cnn_model.ts `Cnn`): argument checks, gathering `indices` rows, the output tensors, and
 * the chunk loop that runs the float64 reference on `reference` or records the GPU passes on `webgpu`.
 * Each model describes itself as a {@linkcode ModelPasses}; error messages name it ("the MLP", "the
 * CNN"). Not part of the public API.
 *
 * @module
 */
import type { Backend } from "../backend/backend.ts";
import { formatShape, type Tensor } from "../backend/tensor.ts";
import { type ReferenceBackend, ReferenceTensor } from "../backend/reference.ts";
import type { CommandRecorder } from "../gpu/recorder.ts";
import type { EvaluateOptions, EvaluateResult } from "./evaluate_options.ts";
import type { ModelGpuBatch } from "./dense_gpu.ts";
import type { ParameterLayout } from "./parameters.ts";

/** What the shared plumbing needs of a model: its name, sizes, layout, and its two ways to run rows. */
export interface ModelPasses {
  /** The model in messages: "MLP" or "CNN". */
  name: string;
  /** Where parameters and data live. */
  backend: Backend;
  /** The flat parameter layout. */
  layout: ParameterLayout;
  /** Inputs per sample. */
  inputs: number;
  /** Outputs per sample. */
  outputs: number;
  /** Appended to the message of a bad x (e.g. the CNN's NCHW shape); none by default. */
  inputsDetail?: string;
  /** The float64 outputs of `rows` rows (the reference backend). */
  forwardReference(params: Float64Array, x: Float64Array, rows: number): Float64Array;
  /** The float64 loss, gradient and (with a direction) H v of `rows` rows (the reference backend). */
  reference(
    params: Float64Array,
    x: Float64Array,
    y: Float64Array,
    rows: number,
    options: { scale: number; direction?: Float64Array },
  ): { loss: number; gradient: ArrayLike<number>; hessianVector?: ArrayLike<number> };
  /** The GPU passes (the webgpu backend). */
  gpu(): { encode(rec: CommandRecorder, batch: ModelGpuBatch): Promise<void> };
}

/** Checked rows of one evaluation: x and y, rows [begin, end), and rows per chunk. */
export interface EvaluateBatch {
  x: Tensor;
  y: Tensor;
  begin: number;
  end: number;
  chunkRows: number;
}

/**
 * Checks x `[rows, inputs]` (and y `[rows, outputs]` when given) and returns the rows.
 *
 * @throws {RangeError} On a wrong shape or dtype.
 */
export function checkModelData(model: ModelPasses, x: Tensor, y: Tensor | undefined): number {
  const rows = x.shape[0], { name, inputs, outputs } = model;
  if (x.shape.length !== 2 || x.shape[1] !== inputs || x.dtype !== "f32" || rows < 1) {
    throw new RangeError(
      `Cannot run the ${name} on x of shape ${formatShape(x.shape)}: expected f32 [rows >= 1, ${inputs}]` +
        (model.inputsDetail ?? ""),
    );
  }
  if (y && (y.shape.length !== 2 || y.shape[0] !== rows || y.shape[1] !== outputs || y.dtype !== "f32")) {
    throw new RangeError(
      `Cannot run the ${name} on y of shape ${formatShape(y.shape)}: expected f32 [${rows}, ${outputs}]`,
    );
  }
  return rows;
}

/**
 * Checks `chunkRows` and returns it.
 *
 * @throws {RangeError} When it is not a positive integer.
 */
export function checkChunkRows(model: ModelPasses, chunkRows: number): number {
  if (!Number.isInteger(chunkRows) || chunkRows < 1) {
    throw new RangeError(
      `Cannot evaluate the ${model.name}: chunkRows is ${chunkRows}, must be a positive integer`,
    );
  }
  return chunkRows;
}

/**
 * The outputs f(x) `[rows, outputs]` of a model, in GPU passes of `chunkRows` rows.
 *
 * @throws {RangeError} On shape mismatches or a bad chunk size.
 */
export async function modelForward(
  model: ModelPasses,
  params: Tensor,
  x: Tensor,
  chunkRows: number,
): Promise<Tensor> {
  model.layout.check(params);
  const rows = checkModelData(model, x, undefined);
  checkChunkRows(model, chunkRows);
  const backend = model.backend;
  if (backend.name === "reference") {
    const output = model.forwardReference(data(model, params), data(model, x), rows);
    return (backend as ReferenceBackend).tensor(output, [rows, model.outputs]);
  }
  const out = backend.zeros([rows, model.outputs]);
  // The loss of zero targets is computed and discarded: forward shares the evaluate path.
  const y = backend.zeros([rows, model.outputs]), loss = backend.zeros([1]);
  for (let first = 0; first < rows; first += chunkRows) {
    await model.gpu().encode(backend.gpuTarget!.recorder, {
      params: buffer(model, params),
      x: buffer(model, x),
      y: buffer(model, y),
      firstRow: first,
      rows: Math.min(chunkRows, rows - first),
      scale: 1,
      accumulate: false,
      loss: buffer(model, loss),
      outputs: buffer(model, out),
      outputsOffset: first * model.outputs,
    });
  }
  backend.dispose(y, loss);
  return out;
}

/**
 * Checks evaluate's params, x and y, then either (with `options.indices`) gathers those rows, runs
 * `evaluate` on them without indices and frees them, returning its result; or checks `rows`, the
 * direction and `chunkRows` (`defaultChunkRows` unless given) and returns the batch to evaluate.
 *
 * @throws {RangeError} On shape mismatches, bad rows or indices, or a bad chunk size.
 */
export async function evaluateBatch<O extends EvaluateOptions>(
  model: ModelPasses,
  params: Tensor,
  x: Tensor,
  y: Tensor,
  options: O,
  defaultChunkRows: number,
  evaluate: (x: Tensor, y: Tensor, options: O) => Promise<EvaluateResult>,
): Promise<EvaluateBatch | { result: EvaluateResult }> {
  model.layout.check(params);
  const total = checkModelData(model, x, y), name = model.name;
  if (options.indices) {
    if (options.rows) throw new RangeError(`Cannot evaluate the ${name}: give rows or indices, not both`);
    if (options.indices.length === 0) {
      throw new RangeError(`Cannot evaluate the ${name} on an empty index list`);
    }
    const xs = await model.backend.gatherRows(x, options.indices);
    const ys = await model.backend.gatherRows(y, options.indices);
    try {
      return { result: await evaluate(xs, ys, { ...options, indices: undefined }) };
    } finally {
      model.backend.dispose(xs, ys);
    }
  }
  const begin = options.rows?.begin ?? 0, end = options.rows?.end ?? total;
  if (!Number.isInteger(begin) || !Number.isInteger(end) || begin < 0 || end > total || end <= begin) {
    throw new RangeError(`Cannot evaluate the ${name} on rows [${begin}, ${end}): x has ${total} rows`);
  }
  if (options.direction) model.layout.check(options.direction, "direction");
  const chunkRows = checkChunkRows(model, options.chunkRows ?? defaultChunkRows);
  return { x, y, begin, end, chunkRows };
}

/**
 * The output tensors of an evaluation: `options.into`'s, or new ones; a gradient when asked, H v
 * when a direction is given.
 *
 * @throws {RangeError} When a given output does not fit the layout.
 */
export function evaluateOutputs(model: ModelPasses, options: EvaluateOptions): EvaluateResult {
  const backend = model.backend, into = options.into ?? {}, count = model.layout.count;
  const loss = into.loss ?? backend.zeros([1]);
  const gradient = options.gradient ? into.gradient ?? backend.zeros([count]) : undefined;
  const hessianVector = options.direction ? into.hessianVector ?? backend.zeros([count]) : undefined;
  if (gradient) model.layout.check(gradient, "gradient output");
  if (hessianVector) model.layout.check(hessianVector, "Hessian-vector output");
  return { loss, gradient, hessianVector };
}

/**
 * The mean loss over rows [begin, end) into `loss`, its gradient into `gradient` when given, and the
 * exact H v into `hvp.out` when given, accumulated over chunks of `chunkRows` rows (recorded on webgpu,
 * not flushed).
 */
export async function evaluateChunks(
  model: ModelPasses,
  params: Tensor,
  batch: EvaluateBatch,
  loss: Tensor,
  gradient: Tensor | undefined,
  hvp?: { direction: Tensor; out: Tensor },
): Promise<void> {
  const { x, y, begin, end, chunkRows } = batch, rows = end - begin;
  const nIn = model.inputs, nOut = model.outputs;
  for (let first = begin; first < end; first += chunkRows) {
    const n = Math.min(chunkRows, end - first), accumulate = first > begin;
    if (model.backend.name === "reference") {
      const r = model.reference(
        data(model, params),
        data(model, x).subarray(first * nIn, (first + n) * nIn),
        data(model, y).subarray(first * nOut, (first + n) * nOut),
        n,
        { scale: 1 / rows, direction: hvp ? data(model, hvp.direction) : undefined },
      );
      addInto(model, loss, [r.loss], accumulate);
      if (gradient) addInto(model, gradient, r.gradient, accumulate);
      if (hvp && r.hessianVector) addInto(model, hvp.out, r.hessianVector, accumulate);
      continue;
    }
    await model.gpu().encode(model.backend.gpuTarget!.recorder, {
      params: buffer(model, params),
      x: buffer(model, x),
      y: buffer(model, y),
      firstRow: first,
      rows: n,
      scale: 1 / rows,
      accumulate,
      loss: buffer(model, loss),
      gradient: gradient ? buffer(model, gradient) : undefined,
      hvp: hvp ? { direction: buffer(model, hvp.direction), out: buffer(model, hvp.out) } : undefined,
    });
  }
}

function addInto(model: ModelPasses, out: Tensor, values: ArrayLike<number>, accumulate: boolean): void {
  const target = data(model, out);
  for (let i = 0; i < values.length; i++) target[i] = (accumulate ? target[i] : 0) + values[i];
}

function data(model: ModelPasses, t: Tensor): Float64Array {
  if (!(t instanceof ReferenceTensor) || t.dtype !== "f32") {
    throw new TypeError(
      `Cannot run the ${model.name} on the reference backend: got a ${t.backend} ${t.dtype} tensor`,
    );
  }
  return t.data as Float64Array;
}

function buffer(model: ModelPasses, t: Tensor): GPUBuffer {
  if (t.buffer === undefined || t.dtype !== "f32") {
    throw new TypeError(
      `Cannot run the ${model.name} on the webgpu backend: got a ${t.backend} ${t.dtype} tensor`,
    );
  }
  return t.buffer;
}
