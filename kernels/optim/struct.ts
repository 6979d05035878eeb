/**
 * Writing WGSL structs of 4-byte scalars by field name.
 *
 * A wrapper declares each struct once as a list of `[name, type]` pairs in WGSL order; values are then given
 * as an object keyed by name, so nothing outside the wrapper knows a field's position or byte offset, and a
 * test holds each list to the `.wgsl` struct it mirrors ({@linkcode wgslStructFields}).
 *
 * @module
 */
import { UniformWriter } from "../../lib/gpu/params.ts";

/** The scalar types a struct field may have. */
export type ScalarType = "u32" | "i32" | "f32";

/** A struct's fields in WGSL declaration order. */
export type StructFields = readonly (readonly [string, ScalarType])[];

/** The values of a struct, by field name. */
export type StructValues<F extends StructFields> = { [K in F[number][0]]: number };

/**
 * The bytes of one struct (padded to 16 bytes for a uniform binding).
 *
 * @param fields The struct's fields.
 * @param values One value per field name.
 * @param what The struct's name, for messages.
 * @returns The bytes.
 * @throws {TypeError} When a field has no value or an unknown name is given.
 */
export function writeStruct<F extends StructFields>(
  fields: F,
  values: StructValues<F>,
  what: string,
): ArrayBuffer {
  const writer = new UniformWriter();
  appendFields(writer, fields, values as Record<string, number>, what);
  return writer.bytes();
}

/**
 * The bytes of an array of structs in a storage buffer, tightly packed (every field is a 4-byte scalar,
 * so the array stride is 4 bytes per field).
 *
 * @param fields The struct's fields.
 * @param rows One object of values per element.
 * @param what The struct's name, for messages.
 * @returns The bytes (at least 16).
 */
export function writeStructArray<F extends StructFields>(
  fields: F,
  rows: readonly StructValues<F>[],
  what: string,
): ArrayBuffer {
  const writer = new UniformWriter();
  for (const row of rows) appendFields(writer, fields, row as Record<string, number>, what);
  return writer.bytes();
}

function appendFields(
  writer: UniformWriter,
  fields: StructFields,
  values: Record<string, number>,
  what: string,
) {
  const known = new Set(fields.map(([name]) => name));
  for (const name of Object.keys(values)) {
    if (!known.has(name)) throw new TypeError(`Cannot write struct ${what}: unknown field "${name}"`);
  }
  for (const [name, type] of fields) {
    const value = values[name];
    if (typeof value !== "number") {
      throw new TypeError(`Cannot write struct ${what}: field "${name}" has no value`);
    }
    writer[type](value);
  }
}

/**
 * The fields of `struct name { ... }` in a WGSL source, for tests that hold a field list to its shader.
 *
 * @param source WGSL text.
 * @param name The struct's name.
 * @returns Its `[name, type]` pairs in order.
 * @throws {RangeError} When the source has no such struct.
 */
export function wgslStructFields(source: string, name: string): [string, string][] {
  const match = new RegExp(`struct\\s+${name}\\s*\\{([^}]*)\\}`).exec(source);
  if (!match) throw new RangeError(`Cannot find struct "${name}" in the WGSL source`);
  return match[1].split(",").map((f) => f.trim()).filter((f) => f !== "").map((f) => {
    const [field, type] = f.split(":").map((s) => s.trim());
    return [field, type];
  });
}
