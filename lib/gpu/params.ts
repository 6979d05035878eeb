/**
 * Packing runtime values into a uniform struct of 4-byte scalars.
 *
 * Kernels keep sizes, learning rates, seeds and steps in a uniform struct whose
 * fields are all `u32`, `i32` or `f32` (no vec3 alignment traps, STYLE.md habit 3).
 * The host writes the fields in declaration order with this builder.
 *
 * @module
 */

/** Builds the bytes of a uniform struct field by field, in declaration order. */
export class UniformWriter {
  #words: number[] = [];
  #kinds: ("u32" | "i32" | "f32")[] = [];

  /** Appends a `u32` field. @throws {RangeError} When not an integer in [0, 2^32). */
  u32(value: number): this {
    if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) {
      throw new RangeError(`Cannot pack uniform field: u32 value ${value} is not an integer in [0, 2^32)`);
    }
    this.#words.push(value);
    this.#kinds.push("u32");
    return this;
  }

  /** Appends an `i32` field. @throws {RangeError} When not an integer in [-2^31, 2^31). */
  i32(value: number): this {
    if (!Number.isInteger(value) || value < -0x80000000 || value > 0x7fffffff) {
      throw new RangeError(
        `Cannot pack uniform field: i32 value ${value} is not an integer in [-2^31, 2^31)`,
      );
    }
    this.#words.push(value);
    this.#kinds.push("i32");
    return this;
  }

  /** Appends an `f32` field (rounded to float32). */
  f32(value: number): this {
    this.#words.push(value);
    this.#kinds.push("f32");
    return this;
  }

  /** The bytes, padded with zeros to a multiple of 16. */
  bytes(): ArrayBuffer {
    const n = Math.max(4, Math.ceil(this.#words.length / 4) * 4);
    const buffer = new ArrayBuffer(n * 4);
    const view = new DataView(buffer);
    this.#words.forEach((w, i) => {
      const kind = this.#kinds[i];
      if (kind === "f32") view.setFloat32(i * 4, w, true);
      else if (kind === "i32") view.setInt32(i * 4, w, true);
      else view.setUint32(i * 4, w, true);
    });
    return buffer;
  }
}
