/**
 * Mini-batch streams for the training loop. A stream's batch is a pure function of the step, so a resumed
 * run sees exactly the batches the uninterrupted run would have seen (the data order is part of the
 * checkpoint by construction, not by saved state).
 *
 * @module
 */
import type { Backend } from "../backend/backend.ts";
import type { Tensor } from "../backend/tensor.ts";

/** A batch: rows [begin, end) of x and y (tensors on the loop's backend, owned by the stream). */
export interface Batch {
  x: Tensor;
  y: Tensor;
  rows: { begin: number; end: number };
}

/** Where the loop gets the batch of each step. */
export interface DataStream {
  /** The batch of step `step` (0-based); the same step always gives the same rows. */
  batch(step: number): Promise<Batch> | Batch;
  /** Frees what the stream holds. */
  dispose(): void;
}

/**
 * Epochs of `rowsPerEpoch` rows, each a fresh (seeded, caller-made) ordering uploaded once per epoch, cut into
 * `floor(rowsPerEpoch / batch)` consecutive batches (a last partial batch is dropped, as torch's
 * `drop_last=True`).
 */
export class EpochStream implements DataStream {
  readonly batchSize: number;
  readonly stepsPerEpoch: number;
  #backend: Backend;
  #epochData: (epoch: number) => { x: Tensor; y: Tensor };
  #current?: { epoch: number; x: Tensor; y: Tensor };
  #ownsData: boolean;

  /**
   * @param backend The backend holding the epoch tensors.
   * @param rowsPerEpoch Rows in each epoch's tensors.
   * @param batchSize Rows per batch, in [1, rowsPerEpoch].
   * @param epochData The x and y of an epoch (e.g. the training set in a seeded permutation of that epoch).
   * @param options `ownsData` (true): the stream frees each epoch's tensors when the next epoch starts; false
   *   when `epochData` hands out tensors the caller keeps (e.g. the same x and y every epoch).
   * @throws {RangeError} On a batch size out of range.
   */
  constructor(
    backend: Backend,
    rowsPerEpoch: number,
    batchSize: number,
    epochData: (epoch: number) => { x: Tensor; y: Tensor },
    options: { ownsData?: boolean } = {},
  ) {
    if (!(Number.isInteger(batchSize) && batchSize >= 1 && batchSize <= rowsPerEpoch)) {
      throw new RangeError(
        `Cannot create epoch stream: batch is ${batchSize}, must be an integer in [1, ${rowsPerEpoch}]`,
      );
    }
    this.#backend = backend;
    this.batchSize = batchSize;
    this.stepsPerEpoch = Math.floor(rowsPerEpoch / batchSize);
    this.#epochData = epochData;
    this.#ownsData = options.ownsData ?? true;
  }

  /** A stream over fixed x and y (the caller keeps them): the same order every epoch. */
  static fixed(backend: Backend, x: Tensor, y: Tensor, batchSize: number): EpochStream {
    return new EpochStream(backend, x.shape[0], batchSize, () => ({ x, y }), { ownsData: false });
  }

  batch(step: number): Batch {
    const epoch = Math.floor(step / this.stepsPerEpoch), slot = step % this.stepsPerEpoch;
    if (this.#current?.epoch !== epoch) {
      if (this.#current && this.#ownsData) this.#backend.dispose(this.#current.x, this.#current.y);
      this.#current = { epoch, ...this.#epochData(epoch) };
    }
    const begin = slot * this.batchSize;
    return { x: this.#current.x, y: this.#current.y, rows: { begin, end: begin + this.batchSize } };
  }

  dispose(): void {
    if (this.#current && this.#ownsData) this.#backend.dispose(this.#current.x, this.#current.y);
    this.#current = undefined;
  }
}
