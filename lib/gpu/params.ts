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

/** The scalar types a struct of 4-byte fields may hold. */
export type ScalarType = "u32" | "i32" | "f32";

/**
 * A WGSL struct of 4-byte scalars (uniform params or an element of a settings array), written by field name.
 *
 * A kernel wrapper declares each struct once, with the WGSL field names and types in declaration order and the
 * .wgsl file that declares it; `tests/struct_layout_test.ts` parses that file and checks the names, order, types
 * and offsets. Nothing outside the wrapper knows an offset.
 *
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { StructLayout } from "./params.ts";
 * const PARAMS = new StructLayout("Params", "kernels/x.wgsl", [["n", "u32"], ["rate", "f32"]]);
 * const bytes = PARAMS.bytes({ n: 3, rate: 0.5 }); // 16 bytes: a uniform is padded to 16
 * assert.ok(bytes.byteLength === 16 && PARAMS.offsetOf("rate") === 4);
 * ```
 */
export class StructLayout<F extends string> {
  /** Every layout constructed in this process, in order (the struct-layout test checks each against its .wgsl). */
  static readonly declared: StructLayout<string>[] = [];
  /** The WGSL struct's name. */
  readonly name: string;
  /** The .wgsl file (from the repository root) that declares it. */
  readonly file: string;
  /** Fields in declaration order. */
  readonly fields: readonly (readonly [F, ScalarType])[];
  readonly #index: Map<string, number>;

  /**
   * @param name The WGSL struct's name.
   * @param file The .wgsl file that declares it.
   * @param fields `[name, type]` in declaration order.
   * @throws {TypeError} On a repeated field name.
   */
  constructor(name: string, file: string, fields: readonly (readonly [F, ScalarType])[]) {
    this.name = name;
    this.file = file;
    this.fields = fields;
    this.#index = new Map(fields.map(([f], i) => [f, i]));
    if (this.#index.size !== fields.length) {
      throw new TypeError(`Cannot lay out struct ${name}: a field repeats`);
    }
    StructLayout.declared.push(this as StructLayout<string>);
  }

  /** Bytes of one struct (also the stride of an array of them: every field is 4-byte aligned). */
  get size(): number {
    return 4 * this.fields.length;
  }

  /** Byte offset of a field. */
  offsetOf(field: F): number {
    return 4 * this.#index.get(field)!;
  }

  /**
   * The bytes of one struct, padded with zeros to a multiple of 16 (a uniform buffer's size).
   *
   * @throws {RangeError} On a missing field or an integer field out of its range.
   */
  bytes(values: Readonly<Record<F, number>>): ArrayBuffer {
    return this.arrayBytes([values], 16);
  }

  /**
   * The bytes of an array of structs (a settings buffer), `size` bytes apart, padded to a multiple of `align`.
   *
   * @throws {RangeError} On a missing field or an integer field out of its range.
   */
  arrayBytes(items: readonly Readonly<Record<F, number>>[], align = 4): ArrayBuffer {
    const used = Math.max(1, items.length) * this.size;
    const buffer = new ArrayBuffer(Math.ceil(used / align) * align);
    const view = new DataView(buffer);
    items.forEach((values, i) => {
      this.fields.forEach(([field, type], k) =>
        writeScalar(view, i * this.size + 4 * k, type, values[field], field)
      );
    });
    return buffer;
  }
}

function writeScalar(view: DataView, at: number, type: ScalarType, value: number, field: string): void {
  if (typeof value !== "number") throw new RangeError(`Cannot pack uniform field ${field}: no value given`);
  if (type === "f32") return view.setFloat32(at, value, true);
  const [low, high] = type === "u32" ? [0, 0xffffffff] : [-0x80000000, 0x7fffffff];
  if (!Number.isInteger(value) || value < low || value > high) {
    throw new RangeError(
      `Cannot pack uniform field ${field}: ${type} value ${value} is not an integer in [${low}, ${high}]`,
    );
  }
  if (type === "u32") view.setUint32(at, value, true);
  else view.setInt32(at, value, true);
}
