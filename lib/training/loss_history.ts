/**
 * Batch losses kept on the backend and read back in chunks: each step copies its loss into the next slot of
 * a history tensor (a buffer copy on webgpu, no host wait); the host reads a whole chunk in one wait when it
 * is full or when someone asks ({@linkcode LossHistory.drain}).
 *
 * @module
 */
import type { Backend } from "../backend/backend.ts";
import type { Tensor } from "../backend/tensor.ts";
import type { ReferenceTensor } from "../backend/reference.ts";

/** A chunked history of scalar losses on the backend. */
export class LossHistory {
  readonly capacity: number;
  #backend: Backend;
  #slots: Tensor;
  #count = 0;
  #firstStep = 0;
  /** Host waits spent reading chunks. */
  reads = 0;

  /**
   * @param backend The loop's backend.
   * @param capacity Slots per chunk (an integer >= 1).
   */
  constructor(backend: Backend, capacity: number) {
    if (!(Number.isInteger(capacity) && capacity >= 1)) {
      throw new RangeError(`Cannot create loss history: capacity is ${capacity}, must be an integer >= 1`);
    }
    this.#backend = backend;
    this.capacity = capacity;
    this.#slots = backend.zeros([capacity]);
  }

  /** Slots filled since the last drain. */
  get pending(): number {
    return this.#count;
  }

  /** True when the next record needs a drain first. */
  get full(): boolean {
    return this.#count === this.capacity;
  }

  /**
   * Copies `loss[0]` (the loss of step `step`) into the next slot.
   *
   * @throws {RangeError} When the history is full (drain it first).
   */
  record(loss: Tensor, step: number): void {
    if (this.full) {
      throw new RangeError(`Cannot record loss of step ${step}: the history is full, drain it first`);
    }
    if (this.#count === 0) this.#firstStep = step;
    const target = this.#backend.gpuTarget;
    if (target) {
      target.recorder.copy(loss.buffer!, 0, this.#slots.buffer!, this.#count * 4, 4);
    } else {
      (this.#slots as ReferenceTensor).data[this.#count] = (loss as ReferenceTensor).data[0];
    }
    this.#count++;
  }

  /** The recorded losses (one host wait on webgpu when any are pending) and the step of the first. */
  async drain(): Promise<{ firstStep: number; losses: Float64Array }> {
    const count = this.#count, firstStep = this.#firstStep;
    if (count === 0) return { firstStep, losses: new Float64Array(0) };
    const values = await this.#backend.read(this.#slots);
    this.reads++;
    this.#count = 0;
    return { firstStep, losses: Float64Array.from(values.subarray(0, count)) };
  }

  dispose(): void {
    this.#backend.dispose(this.#slots);
  }
}
