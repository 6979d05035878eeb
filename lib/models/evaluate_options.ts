/**
 * The options and results of a model's `evaluate` (lib/models/mlp_model.ts `Mlp`, lib/models/cnn_model.ts
 * `Cnn`): the loss on a batch, and as asked its gradient and its Hessian times a direction.
 *
 * @module
 */
import type { Tensor } from "../backend/tensor.ts";

/** Options of a model's `evaluate` (`Mlp.evaluate`, `Cnn.evaluate`). */
export interface EvaluateOptions {
  /** Compute the gradient (default false). */
  gradient?: boolean;
  /** A flat direction v: compute the exact Hessian-vector product H v. */
  direction?: Tensor;
  /**
   * Rows per chunk (the batch is processed in chunks and accumulated); the model's default by default
   * (`DEFAULT_CHUNK_ROWS` = 1024 for the MLP, `DEFAULT_CNN_CHUNK_ROWS` = 128 for the CNN).
   */
  chunkRows?: number;
  /** Use only rows [begin, end) of x and y (a mini-batch of a dataset held on the backend); all by default. */
  rows?: { begin: number; end: number };
  /**
   * Use only these rows of x and y, in this order (e.g. a seeded sample subset for a Hessian-vector
   * product): gathered on the backend (`Backend.gatherRows`) before the passes. Not with `rows`.
   */
  indices?: ArrayLike<number>;
  /** Tensors to write the results into instead of new ones. */
  into?: { loss?: Tensor; gradient?: Tensor; hessianVector?: Tensor };
}

/** Results of a model's `evaluate`: tensors on the model's backend. */
export interface EvaluateResult {
  /** The mean loss over the rows, shape [1]. */
  loss: Tensor;
  /** Its gradient (flat layout), when asked. */
  gradient?: Tensor;
  /** Its Hessian times the direction (flat layout), when a direction was given. */
  hessianVector?: Tensor;
}
