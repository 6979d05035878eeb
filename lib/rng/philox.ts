/**
 * Philox4x32-10, the counter-based random number generator of Salmon et al.,
 * "Parallel random numbers: as easy as 1, 2, 3" (SC 2011), in plain TypeScript.
 *
 * This is the reference that kernels/random/philox.wgsl matches bit for bit: the same
 * round function, key schedule and word order as Random123's `philox4x32_R(10, ctr, key)`
 * (its `tests/kat_vectors` answers are checked in tests/random_test.ts). The
 * toolkit's stream (DESIGN.md section 4, `RandomOptions` below):
 * element `e` of row `r` is lane `e % 4` of `philox4x32_10(key = (seed, stream),
 * counter = (floor(e / 4), step, index + r, 0))`.
 *
 * @module
 */
/** Distributions of {@linkcode Backend.random}. */
export type Distribution =
  | "u32"
  | "uniform"
  | "normal"
  | "rademacher"
  | { twoPoint: { low: number; high: number; probabilityHigh: number } };

/**
 * Options of {@linkcode Backend.random}. Element `e` of row `r` is lane `e % 4` of
 * Philox4x32-10 with key `(seed, stream)` and counter `(floor(e / 4), step, index + r, 0)`.
 */
export interface RandomOptions {
  /** Seed, an integer in [0, 2^32). */
  seed: number;
  /** Stream id, an integer in [0, 2^32) (0 by default): separates independent uses of one seed. */
  stream?: number;
  /** Step counter, an integer in [0, 2^32) (0 by default). */
  step?: number;
  /** Counter index of the first row (walker, seed or sample index), 0 by default. */
  index?: number;
  /** The distribution, `"normal"` by default. */
  distribution?: Distribution;
}

/** Round multipliers and Weyl key increments (Random123's PHILOX_M4x32_0/1, PHILOX_W32_0/1). */
const M0 = 0xd2511f53, M1 = 0xcd9e8d57, W0 = 0x9e3779b9, W1 = 0xbb67ae85;

/** 2^-24, the spacing of the 24-bit uniforms (exact in float32). */
export const UNIFORM_STEP = 2 ** -24;

/**
 * The high 32 bits of the 64-bit product of two uint32 values, from 16-bit halves
 * (every partial product stays below 2^32, so float64 arithmetic is exact).
 *
 * @param a A uint32.
 * @param b A uint32.
 * @returns floor(a b / 2^32).
 */
export function mulhi32(a: number, b: number): number {
  const aLo = a & 0xffff, aHi = a >>> 16, bLo = b & 0xffff, bHi = b >>> 16;
  const lohi = aLo * bHi, hilo = aHi * bLo;
  const middle = ((aLo * bLo) >>> 16) + (lohi & 0xffff) + (hilo & 0xffff);
  return (aHi * bHi + (lohi >>> 16) + (hilo >>> 16) + (middle >>> 16)) >>> 0;
}

/**
 * One Philox4x32-10 block: four uint32 words from a 128-bit counter and a 64-bit key.
 * Word order is Random123's: `c0` is `ctr.v[0]`, `key0` is `key.v[0]`.
 *
 * @param key0 First key word (the seed in the toolkit's stream).
 * @param key1 Second key word (the stream id).
 * @param c0 Counter word 0 (element block `floor(e / 4)`).
 * @param c1 Counter word 1 (step).
 * @param c2 Counter word 2 (row index).
 * @param c3 Counter word 3 (0 in the toolkit's stream).
 * @returns The four output words.
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { philox4x32_10 } from "./philox.ts";
 * // Random123 known answer for counter 0, key 0: 6627e8d5 e169c58d bc57ac4c 9b00dbd8
 * assert.ok(philox4x32_10(0, 0, 0, 0, 0, 0)[0] === 0x6627e8d5);
 * ```
 */
export function philox4x32_10(
  key0: number,
  key1: number,
  c0: number,
  c1: number,
  c2: number,
  c3: number,
): [number, number, number, number] {
  let k0 = key0 >>> 0, k1 = key1 >>> 0;
  let x0 = c0 >>> 0, x1 = c1 >>> 0, x2 = c2 >>> 0, x3 = c3 >>> 0;
  for (let round = 0; round < 10; round++) {
    if (round > 0) { // the key is bumped before rounds 2..10
      k0 = (k0 + W0) >>> 0;
      k1 = (k1 + W1) >>> 0;
    }
    const hi0 = mulhi32(M0, x0), lo0 = Math.imul(M0, x0) >>> 0;
    const hi1 = mulhi32(M1, x2), lo1 = Math.imul(M1, x2) >>> 0;
    x0 = (hi1 ^ x1 ^ k0) >>> 0;
    x1 = lo1;
    x2 = (hi0 ^ x3 ^ k1) >>> 0;
    x3 = lo0;
  }
  return [x0, x1, x2, x3];
}

/**
 * A uniform in [0, 1) from the top 24 bits of a word: `(w >> 8) 2^-24`, exact in float32.
 *
 * @param w A uint32 word.
 * @returns A multiple of 2^-24 in [0, 1 - 2^-24].
 */
export function uniformFromU32(w: number): number {
  return (w >>> 8) * UNIFORM_STEP;
}

/**
 * Two standard normals by Box-Muller from the words of lanes (0, 1) or (2, 3) of one block:
 * u1 = ((wEven >> 8) + 1) 2^-24 in (0, 1], u2 = (wOdd >> 8) 2^-24 in [0, 1),
 * z = sqrt(-2 ln u1) (cos 2 pi u2, sin 2 pi u2), computed in float64. |z| <= 5.77.
 *
 * @param wEven The even lane's word (radius).
 * @param wOdd The odd lane's word (angle).
 * @returns `[zEven, zOdd]`.
 */
export function normalPairFromU32(wEven: number, wOdd: number): [number, number] {
  const u1 = ((wEven >>> 8) + 1) * UNIFORM_STEP;
  const angle = 2 * Math.PI * uniformFromU32(wOdd);
  const radius = Math.sqrt(-2 * Math.log(u1));
  return [radius * Math.cos(angle), radius * Math.sin(angle)];
}

/**
 * A Rademacher sign from the top bit of a word: +1 when `w >> 31` is 1, else -1.
 *
 * @param w A uint32 word.
 * @returns +1 or -1.
 */
export function rademacherFromU32(w: number): number {
  return w >>> 31 === 1 ? 1 : -1;
}

/**
 * The integer form of the two-point test `uniform(w) < probabilityHigh`: since the uniform is
 * `(w >> 8) 2^-24`, the test is `(w >> 8) < ceil(probabilityHigh 2^24)`, which kernels compare
 * in uint32 so that no float32 rounding of `probabilityHigh` changes a single draw.
 *
 * @param probabilityHigh The probability of `high`, in [0, 1].
 * @returns The threshold, an integer in [0, 2^24].
 */
export function twoPointThreshold(probabilityHigh: number): number {
  return Math.ceil(probabilityHigh * 2 ** 24);
}

/**
 * The reference random numbers of `Backend.random`, row-major [rows, cols] (see the module doc).
 * Options must already be valid (`checkRandom` in lib/backend/validate.ts).
 *
 * @param rows Number of rows (counter word 2 runs over index .. index + rows - 1).
 * @param cols Elements per row.
 * @param options Seed, stream, step, index and distribution (`"normal"` by default).
 * @returns A Uint32Array for `"u32"`, else a Float64Array.
 */
export function randomReference(
  rows: number,
  cols: number,
  options: RandomOptions,
): Float64Array | Uint32Array {
  const distribution: Distribution = options.distribution ?? "normal";
  const out = distribution === "u32" ? new Uint32Array(rows * cols) : new Float64Array(rows * cols);
  const value = laneMapper(distribution);
  const seed = options.seed,
    stream = options.stream ?? 0,
    step = options.step ?? 0,
    index = options.index ?? 0;
  for (let r = 0; r < rows; r++) {
    for (let block = 0; block * 4 < cols; block++) {
      const words = philox4x32_10(seed, stream, block, step, index + r, 0);
      for (let lane = 0; lane < 4 && block * 4 + lane < cols; lane++) {
        out[r * cols + block * 4 + lane] = value(words, lane);
      }
    }
  }
  return out;
}

/** How one lane of a block becomes a value of `distribution`. */
function laneMapper(distribution: Distribution): (words: number[], lane: number) => number {
  if (typeof distribution === "object") {
    const { low, high, probabilityHigh } = distribution.twoPoint;
    const threshold = twoPointThreshold(probabilityHigh);
    return (w, lane) => (w[lane] >>> 8) < threshold ? high : low;
  }
  switch (distribution) {
    case "u32":
      return (w, lane) => w[lane];
    case "uniform":
      return (w, lane) => uniformFromU32(w[lane]);
    case "rademacher":
      return (w, lane) => rademacherFromU32(w[lane]);
    case "normal":
      return (w, lane) => normalPairFromU32(w[lane & 2], w[lane | 1])[lane & 1];
  }
  throw new TypeError(`Cannot draw random numbers: unknown distribution ${JSON.stringify(distribution)}`);
}

/**
 * The toolkit's Philox stream for host-side code, addressed like `Backend.random`:
 * `(index, step, element)` is element `element` of row `index` at step `step`.
 * The last block is cached, so reading the elements of a row in order costs one block per four.
 *
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { PhiloxStream } from "./philox.ts";
 * const rng = new PhiloxStream(42);
 * const z = rng.normal(0, 0, 5); // walker 0, step 0, element 5
 * assert.ok(Number.isFinite(z));
 * ```
 */
export class PhiloxStream {
  /** The seed (key word 0). */
  readonly seed: number;
  /** The stream id (key word 1). */
  readonly stream: number;
  #counter = [-1, -1, -1];
  #words: [number, number, number, number] = [0, 0, 0, 0];

  /**
   * @param seed Seed, an integer in [0, 2^32).
   * @param stream Stream id, an integer in [0, 2^32).
   * @throws {RangeError} When either is not an integer in [0, 2^32).
   */
  constructor(seed: number, stream = 0) {
    for (const [name, v] of [["seed", seed], ["stream", stream]] as const) {
      if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) {
        throw new RangeError(`Cannot create PhiloxStream: ${name} is ${v}, must be an integer in [0, 2^32)`);
      }
    }
    this.seed = seed;
    this.stream = stream;
  }

  /** The four words of block `floor(element / 4)` of row `index` at `step`. */
  block(index: number, step: number, element: number): [number, number, number, number] {
    const c0 = Math.floor(element / 4), c = this.#counter;
    if (c[0] !== c0 || c[1] !== step || c[2] !== index) {
      this.#words = philox4x32_10(this.seed, this.stream, c0, step, index, 0);
      this.#counter = [c0, step, index];
    }
    return this.#words;
  }

  /** The raw word of `(index, step, element)`. */
  u32(index: number, step: number, element: number): number {
    return this.block(index, step, element)[element % 4];
  }

  /** The uniform in [0, 1) of `(index, step, element)`, as `Backend.random` "uniform" gives it. */
  uniform(index: number, step: number, element: number): number {
    return uniformFromU32(this.u32(index, step, element));
  }

  /** The standard normal of `(index, step, element)`, as `Backend.random` "normal" gives it (float64). */
  normal(index: number, step: number, element: number): number {
    const w = this.block(index, step, element), lane = element % 4;
    return normalPairFromU32(w[lane & 2], w[lane | 1])[lane & 1];
  }

  /** The Rademacher sign (+1 or -1) of `(index, step, element)`. */
  rademacher(index: number, step: number, element: number): number {
    return rademacherFromU32(this.u32(index, step, element));
  }
}
