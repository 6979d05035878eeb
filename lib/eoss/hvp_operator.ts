/**
 * One interface for Hessian-vector products, H v with v and H v flat tensors on a backend: the Hessian of
 * a model's loss on a full batch, a mini-batch or a subset of rows (exact R-operator products of
 * lib/models), or an explicit symmetric matrix (for tests and quadratic losses). The eigen-solvers and
 * estimators of lib/eoss take an {@linkcode HvpOperator}.
 *
 * @module
 */
import type { Backend } from "../backend/backend.ts";
import type { Tensor } from "../backend/tensor.ts";
import type { EvaluateOptions, EvaluateResult } from "../models/evaluate_options.ts";
import type { ParameterLayout } from "../models/parameters.ts";
import { copyElements, tensorView } from "../models/tensor_views.ts";

/** A symmetric linear operator v -> H v on flat tensors of `dimension` elements. */
export interface HvpOperator {
  /** Where vectors live. */
  readonly backend: Backend;
  /** The length of v. */
  readonly dimension: number;
  /** out <- H v (recorded on webgpu, not read back). */
  apply(v: Tensor, out: Tensor): Promise<void>;
  /** Frees what the operator owns. */
  dispose(): void;
}

/** What lib/eoss needs of a model: `Mlp` and `Cnn` both fit. */
export interface EossModel {
  /** The backend of parameters and data. */
  readonly backend: Backend;
  /** The flat parameter layout. */
  readonly layout: ParameterLayout;
  /** Loss, gradient and exact H v on rows of (x, y). */
  evaluate(params: Tensor, x: Tensor, y: Tensor, options?: EvaluateOptions): Promise<EvaluateResult>;
}

/** A model's loss on some rows as an operator, also giving the loss and gradient on those rows. */
export interface ModelHvpOperator extends HvpOperator {
  /** Number of rows the loss averages. */
  readonly rows: number;
  /** The loss (shape [1]) and its gradient on the operator's rows, into `into` when given. */
  lossAndGradient(into?: { loss?: Tensor; gradient?: Tensor }): Promise<{ loss: Tensor; gradient: Tensor }>;
  /** The loss (shape [1]) at other parameters on the same rows. */
  lossAt(params: Tensor, into?: Tensor): Promise<Tensor>;
}

/**
 * The Hessian of `model`'s mean loss over rows of (x, y) at `params`: all rows, rows [begin, end), or
 * the rows `indices` (gathered once here, freed by `dispose`).
 *
 * @param model The model.
 * @param params Flat parameters (kept by reference: update them in place to move the operator).
 * @param x Inputs on the backend.
 * @param y Targets.
 * @param options `indices` or `rows`, and `chunkRows` (the model's default by default).
 * @returns The operator.
 */
export async function modelHvpOperator(
  model: EossModel,
  params: Tensor,
  x: Tensor,
  y: Tensor,
  options: { indices?: ArrayLike<number>; rows?: { begin: number; end: number }; chunkRows?: number } = {},
): Promise<ModelHvpOperator> {
  const backend = model.backend;
  if (options.indices && options.rows) {
    throw new RangeError("Cannot make an HVP operator: give rows or indices, not both");
  }
  const xs = options.indices ? await backend.gatherRows(x, options.indices) : x;
  const ys = options.indices ? await backend.gatherRows(y, options.indices) : y;
  const rows = options.indices
    ? options.indices.length
    : options.rows
    ? options.rows.end - options.rows.begin
    : x.shape[0];
  const base: EvaluateOptions = { rows: options.rows, chunkRows: options.chunkRows };
  const scratch = backend.zeros([1]);
  return {
    backend,
    dimension: model.layout.count,
    rows,
    async apply(v, out) {
      await model.evaluate(params, xs, ys, {
        ...base,
        direction: v,
        into: { loss: scratch, hessianVector: out },
      });
    },
    async lossAndGradient(into = {}) {
      const r = await model.evaluate(params, xs, ys, { ...base, gradient: true, into });
      return { loss: r.loss, gradient: r.gradient! };
    },
    async lossAt(at, into) {
      return (await model.evaluate(at, xs, ys, { ...base, into: { loss: into } })).loss;
    },
    dispose() {
      backend.dispose(scratch);
      if (options.indices) backend.dispose(xs, ys);
    },
  };
}

/**
 * An explicit symmetric n x n matrix as an operator (H v by a matmul on the backend).
 *
 * @param backend The backend.
 * @param matrix Row-major n x n values (symmetric).
 * @param n The order.
 * @throws {RangeError} When matrix.length is not n*n.
 */
export function matrixHvpOperator(backend: Backend, matrix: ArrayLike<number>, n: number): HvpOperator {
  if (!Number.isInteger(n) || n < 1 || matrix.length !== n * n) {
    throw new RangeError(`Cannot make a matrix operator: ${matrix.length} values for order ${n}`);
  }
  const a = backend.tensor(matrix, [n, n]);
  return {
    backend,
    dimension: n,
    async apply(v, out) {
      const hv = await backend.matmul(a, tensorView(v, [n, 1]));
      copyElements(backend, hv, 0, out, 0, n);
      backend.dispose(hv);
    },
    dispose() {
      backend.dispose(a);
    },
  };
}
