/**
 * Scalars computed on the backend (dot products, norms, losses) gathered into one small tensor and read
 * back together: one host wait for many numbers. Vectors stay where they are (the GPU on webgpu).
 *
 * @module
 */
import type { Backend } from "../backend/backend.ts";
import type { Tensor } from "../backend/tensor.ts";
import { copyElements, tensorView } from "../models/tensor_views.ts";

/** A results vector of `capacity` scalar slots on the backend. */
export class ScalarSlots {
  /** The backend. */
  readonly backend: Backend;
  /** The slots, shape [capacity]. */
  readonly tensor: Tensor;

  /** @param backend The backend; @param capacity Number of slots. */
  constructor(backend: Backend, capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`Cannot make scalar slots: capacity ${capacity}, must be a positive integer`);
    }
    this.backend = backend;
    this.tensor = backend.zeros([capacity]);
  }

  /** Number of slots. */
  get capacity(): number {
    return this.tensor.size;
  }

  /** Slot `slot` <- a . b (flat tensors of one size), computed on the backend. */
  async dot(a: Tensor, b: Tensor, slot: number): Promise<void> {
    if (a.size !== b.size) throw new RangeError(`Cannot take a dot product of sizes ${a.size} and ${b.size}`);
    const d = await this.backend.rowDot(tensorView(a, [1, a.size]), tensorView(b, [1, b.size]));
    this.put(d, slot);
    this.backend.dispose(d);
  }

  /** Slots [slot, slot + values.size) <- the values of a small tensor (e.g. a loss, a [K] vector). */
  put(values: Tensor, slot: number): void {
    copyElements(this.backend, values, 0, this.tensor, slot, values.size);
  }

  /** All slots as float64 (one host wait). */
  async read(): Promise<Float64Array> {
    return Float64Array.from(await this.backend.read(this.tensor));
  }

  /** Frees the slots. */
  dispose(): void {
    this.backend.dispose(this.tensor);
  }
}

/** a . b for flat tensors, read back (one host wait): for one-off numbers. */
export async function readDot(backend: Backend, a: Tensor, b: Tensor): Promise<number> {
  const slots = new ScalarSlots(backend, 1);
  try {
    await slots.dot(a, b, 0);
    return (await slots.read())[0];
  } finally {
    slots.dispose();
  }
}
