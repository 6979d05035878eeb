/**
 * Seeded streams of fresh mini-batches for Monte-Carlo measurements (specs/seed003 section 2.2: "the
 * first b indices of a random permutation", from a generator independent of training). The original
 * seeds these from the clock; here batch j of measurement `measurement` is a pure function of
 * (seed, stream, measurement, j): Philox4x32-10 with key (seed, stream) and counter (e / 4,
 * measurement, j), so a measurement is reproducible and independent of how batches are grouped.
 *
 * @module
 */
import { PhiloxStream } from "../rng/philox.ts";

/** The default stream id of measurement batches (distinct from training's shuffles). */
export const MEASUREMENT_BATCH_STREAM = 0xb5;

/** Fresh batches of `batchSize` distinct indices of [0, count). */
export class BatchStream {
  /** Samples to draw from. */
  readonly count: number;
  /** Indices per batch. */
  readonly batchSize: number;
  #rng: PhiloxStream;

  /**
   * @param count Samples to draw from.
   * @param batchSize b (1..count).
   * @param seed Seed, an integer in [0, 2^32).
   * @param stream Stream id ({@linkcode MEASUREMENT_BATCH_STREAM} by default).
   * @throws {RangeError} When b is not in 1..count.
   */
  constructor(count: number, batchSize: number, seed: number, stream = MEASUREMENT_BATCH_STREAM) {
    if (!Number.isInteger(count) || !Number.isInteger(batchSize) || batchSize < 1 || batchSize > count) {
      throw new RangeError(`Cannot draw batches of ${batchSize} from ${count} samples: need 1 <= b <= count`);
    }
    this.count = count;
    this.batchSize = batchSize;
    this.#rng = new PhiloxStream(seed, stream);
  }

  /**
   * Batch `j` of measurement `measurement`: the first b entries of a Fisher-Yates shuffle of [0, count)
   * (uniform without replacement), in O(b).
   */
  batch(measurement: number, j: number): Uint32Array {
    const n = this.count, b = this.batchSize, out = new Uint32Array(b);
    const swapped = new Map<number, number>();
    for (let e = 0; e < b; e++) {
      // Uniform r in [e, n) from 32 random bits (bias < n / 2^32).
      const r = e + Math.floor((this.#rng.u32(j, measurement, e) / 2 ** 32) * (n - e));
      const atR = swapped.get(r) ?? r;
      swapped.set(r, swapped.get(e) ?? e);
      out[e] = atR;
    }
    return out;
  }

  /** Batches first .. first + k - 1 of a measurement, concatenated (k b indices). */
  batches(measurement: number, first: number, k: number): Uint32Array {
    const out = new Uint32Array(k * this.batchSize);
    for (let i = 0; i < k; i++) out.set(this.batch(measurement, first + i), i * this.batchSize);
    return out;
  }
}
