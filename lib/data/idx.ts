/**
 * The IDX file format of MNIST and Fashion-MNIST.
 *
 * An IDX file is a 4-byte magic number `0x00 0x00 <type> <ndims>`, then `ndims` big-endian
 * uint32 extents, then the values, big-endian, row-major. Types: 0x08 uint8, 0x09 int8,
 * 0x0B int16, 0x0C int32, 0x0D float32, 0x0E float64. Images are `[N, rows, cols]` uint8
 * (magic 0x00000803), labels `[N]` uint8 (magic 0x00000801).
 *
 * @module
 */
import { DatasetFileError, readDatasetFile } from "./files.ts";

/** IDX element types, by type byte. */
const IDX_TYPES: Record<number, { name: string; bytes: number }> = {
  0x08: { name: "uint8", bytes: 1 },
  0x09: { name: "int8", bytes: 1 },
  0x0b: { name: "int16", bytes: 2 },
  0x0c: { name: "int32", bytes: 4 },
  0x0d: { name: "float32", bytes: 4 },
  0x0e: { name: "float64", bytes: 8 },
};

/** A parsed IDX array. */
export interface IdxArray {
  /** Element type name (`"uint8"`, ...). */
  type: string;
  /** Extents. */
  shape: number[];
  /** Values: a Uint8Array (a view of the file) for uint8, else a number array type. */
  data: Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;
}

/**
 * Parses an IDX file's bytes, validating the magic number and the size.
 *
 * @param bytes The (decompressed) file.
 * @param source The file's name, for messages.
 * @param expect Optional checks: the type name and number of dimensions.
 * @returns Type, shape and values.
 * @throws {DatasetFileError} On a bad magic number, an unknown type, a truncated file or trailing bytes.
 * @example
 * ```ts
 * import { encodeIdx, parseIdx } from "./idx.ts";
 * const parsed = parseIdx(encodeIdx(new Uint8Array([1, 2, 3, 4, 5, 6]), [2, 3]));
 * parsed.shape; // [2, 3]
 * ```
 */
export function parseIdx(
  bytes: Uint8Array,
  source = "IDX data",
  expect: { type?: string; dims?: number } = {},
): IdxArray {
  const fail = (why: string) => new DatasetFileError(source, `Cannot parse IDX file "${source}": ${why}`);
  if (bytes.length < 4) throw fail(`it has ${bytes.length} bytes, fewer than the 4-byte magic number`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0);
  const typeByte = bytes[2], dims = bytes[3];
  const type = IDX_TYPES[typeByte];
  if (bytes[0] !== 0 || bytes[1] !== 0 || !type || dims === 0) {
    throw fail(
      `bad magic number 0x${magic.toString(16).padStart(8, "0")} (not an IDX file, or not decompressed)`,
    );
  }
  if (expect.type && type.name !== expect.type) {
    throw fail(`its type is ${type.name}, expected ${expect.type}`);
  }
  if (expect.dims && dims !== expect.dims) throw fail(`it has ${dims} dimensions, expected ${expect.dims}`);
  const header = 4 + 4 * dims;
  if (bytes.length < header) {
    throw fail(`truncated header: ${bytes.length} bytes, the header needs ${header}`);
  }
  const shape = Array.from({ length: dims }, (_, d) => view.getUint32(4 + 4 * d));
  const count = shape.reduce((p, n) => p * n, 1);
  const want = header + count * type.bytes;
  if (bytes.length < want) {
    throw fail(`truncated: ${bytes.length} bytes, shape [${shape.join(", ")}] of ${type.name} needs ${want}`);
  }
  if (bytes.length > want) {
    throw fail(`${bytes.length - want} unexpected bytes after the data of shape [${shape.join(", ")}]`);
  }
  return { type: type.name, shape, data: decodeValues(view, header, count, typeByte) };
}

function decodeValues(view: DataView, at: number, count: number, typeByte: number): IdxArray["data"] {
  switch (typeByte) {
    case 0x08:
      return new Uint8Array(view.buffer, view.byteOffset + at, count);
    case 0x09:
      return new Int8Array(view.buffer, view.byteOffset + at, count);
    case 0x0b:
      return Int16Array.from({ length: count }, (_, i) => view.getInt16(at + 2 * i));
    case 0x0c:
      return Int32Array.from({ length: count }, (_, i) => view.getInt32(at + 4 * i));
    case 0x0d:
      return Float32Array.from({ length: count }, (_, i) => view.getFloat32(at + 4 * i));
    default:
      return Float64Array.from({ length: count }, (_, i) => view.getFloat64(at + 8 * i));
  }
}

/**
 * Encodes uint8 values as an IDX file (for tests and for writing subsets).
 *
 * @param data The values, row-major.
 * @param shape The extents (product = data.length).
 * @returns The file's bytes.
 */
export function encodeIdx(data: Uint8Array, shape: readonly number[]): Uint8Array {
  const count = shape.reduce((p, n) => p * n, 1);
  if (count !== data.length) {
    throw new RangeError(
      `Cannot encode IDX: shape [${shape.join(", ")}] has ${count} values, data ${data.length}`,
    );
  }
  const out = new Uint8Array(4 + 4 * shape.length + count);
  const view = new DataView(out.buffer);
  view.setUint32(0, 0x0800 | shape.length);
  shape.forEach((n, d) => view.setUint32(4 + 4 * d, n));
  out.set(data, 4 + 4 * shape.length);
  return out;
}

/**
 * Reads and parses an IDX file (`.gz` or not).
 *
 * @param path The file.
 * @param expect Type and dimension checks.
 * @param hint What to do when it is missing.
 * @returns The array.
 * @throws {DatasetFileError} When missing, truncated or corrupt.
 */
export async function readIdxFile(
  path: string,
  expect: { type?: string; dims?: number } = {},
  hint = "",
): Promise<IdxArray> {
  const bytes = await readDatasetFile(path, hint);
  try {
    return parseIdx(bytes, path, expect);
  } catch (error) {
    if (!(error instanceof DatasetFileError) || !hint) throw error;
    throw new DatasetFileError(path, `${error.message}; replace the file: ${hint}`);
  }
}
