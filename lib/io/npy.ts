/**
 * NumPy `.npy` files (format version 1.0, little-endian `<f4`, `<f8`, `<u4`, `<i4`, and `|u1`).
 *
 * Layout (numpy.lib.format): the magic string `\x93NUMPY`, major and minor version bytes
 * (1, 0), a little-endian uint16 header length, then an ASCII Python dict literal
 * `{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }` padded with spaces and
 * ending in `\n` so that the data starts at a multiple of 64 bytes, then the data in C
 * order. Readers also accept version 2.0 and 3.0 headers (uint32 length).
 *
 * @module
 */
import { writeFileAtomic } from "./atomic.ts";

/** Typed arrays that map to a NumPy dtype. */
export type NpyArray = Float32Array | Float64Array | Uint32Array | Int32Array | Uint8Array;

/** A decoded `.npy` file. */
export interface NpyData {
  /** The values, in C (row-major) order. */
  data: NpyArray;
  /** The shape; `[]` for a scalar. */
  shape: number[];
  /** The dtype descriptor, e.g. `"<f4"`. */
  descr: string;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
const ALIGN = 64;

const DESCR_OF: [new (n: number) => NpyArray, string][] = [
  [Float32Array, "<f4"],
  [Float64Array, "<f8"],
  [Uint32Array, "<u4"],
  [Int32Array, "<i4"],
  [Uint8Array, "|u1"],
];

const CONSTRUCTOR_OF: Record<string, new (buffer: ArrayBuffer) => NpyArray> = {
  "<f4": Float32Array,
  "<f8": Float64Array,
  "<u4": Uint32Array,
  "<i4": Int32Array,
  "|u1": Uint8Array,
  "<u1": Uint8Array,
};

/**
 * A typed array of NumPy dtype `descr` holding a copy of `bytes`.
 *
 * @param descr The dtype descriptor, e.g. `"<f4"`.
 * @param bytes The raw little-endian values.
 * @param source A name for error messages.
 * @returns The array.
 * @throws {TypeError} On an unsupported dtype or a length that is not a whole number of values.
 */
export function arrayFromBytes(descr: string, bytes: Uint8Array, source = ".npy data"): NpyArray {
  const Type = CONSTRUCTOR_OF[descr];
  if (!Type) {
    throw new TypeError(
      `Cannot read ${source}: dtype '${descr}' is not supported (use <f4, <f8, <u4, <i4 or |u1)`,
    );
  }
  const itemSize = Number(descr.slice(2));
  if (bytes.length % itemSize !== 0) {
    throw new TypeError(`Cannot read ${source}: ${bytes.length} bytes is not a whole number of '${descr}'`);
  }
  // Copy into a fresh buffer: the data offset need not be aligned for the element type.
  return new Type(bytes.slice().buffer);
}

/** The NumPy dtype descriptor of a typed array, e.g. `"<f4"` for a Float32Array. */
export function npyDescr(array: NpyArray): string {
  for (const [type, descr] of DESCR_OF) if (array instanceof type) return descr;
  throw new TypeError(`Cannot write .npy: unsupported array type ${Object.prototype.toString.call(array)}`);
}

function checkShape(action: string, shape: readonly number[], length: number): void {
  for (const n of shape) {
    if (!Number.isInteger(n) || n < 0) {
      throw new RangeError(`Cannot ${action}: shape [${shape}] has ${n}, must be integers >= 0`);
    }
  }
  const size = shape.reduce((a, b) => a * b, 1);
  if (size !== length) {
    throw new RangeError(`Cannot ${action}: shape [${shape}] holds ${size} values, the array has ${length}`);
  }
}

/**
 * Encodes an array as `.npy` bytes (format 1.0; the host is little-endian, as every Deno target is).
 *
 * @param array The values in C order.
 * @param shape The shape (default: 1-D of the array's length).
 * @returns The file's bytes.
 * @throws {RangeError} When the shape does not match the array's length.
 * @example
 * ```ts
 * import { decodeNpy, encodeNpy } from "./npy.ts";
 * const bytes = encodeNpy(new Float32Array([1, 2, 3, 4, 5, 6]), [2, 3]);
 * console.log(decodeNpy(bytes).shape); // [2, 3]
 * ```
 */
export function encodeNpy(array: NpyArray, shape: readonly number[] = [array.length]): Uint8Array {
  checkShape("write .npy", shape, array.length);
  const descr = npyDescr(array);
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(", ")})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  const unpadded = MAGIC.length + 2 + 2 + header.length + 1;
  header += " ".repeat((ALIGN - (unpadded % ALIGN)) % ALIGN) + "\n";
  if (header.length > 0xffff) throw new RangeError(`Cannot write .npy: header of ${header.length} bytes`);
  const prefix = MAGIC.length + 4;
  const out = new Uint8Array(prefix + header.length + array.byteLength);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  new DataView(out.buffer).setUint16(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[prefix + i] = header.charCodeAt(i);
  out.set(new Uint8Array(array.buffer, array.byteOffset, array.byteLength), prefix + header.length);
  return out;
}

function parseHeader(text: string, source: string): { descr: string; fortran: boolean; shape: number[] } {
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(text)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(text)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(text)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) {
    throw new TypeError(`Cannot read ${source}: malformed .npy header ${JSON.stringify(text.trim())}`);
  }
  const shape = shapeText.split(",").map((s) => s.trim()).filter((s) => s !== "").map(Number);
  if (shape.some((n) => !Number.isInteger(n) || n < 0)) {
    throw new TypeError(`Cannot read ${source}: malformed shape (${shapeText}) in the .npy header`);
  }
  return { descr, fortran: fortran === "True", shape };
}

/**
 * Decodes `.npy` bytes.
 *
 * @param bytes The file's bytes.
 * @param source A name for error messages (default `".npy data"`).
 * @returns The values, shape and dtype.
 * @throws {TypeError} On a bad magic string, a malformed header, an unsupported dtype
 *   (big-endian, complex, object...), Fortran order, or a truncated file.
 */
export function decodeNpy(bytes: Uint8Array, source = ".npy data"): NpyData {
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) {
    throw new TypeError(`Cannot read ${source}: not a .npy file (bad magic string)`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const major = bytes[6];
  if (major < 1 || major > 3) throw new TypeError(`Cannot read ${source}: .npy format version ${major}`);
  const lengthBytes = major === 1 ? 2 : 4;
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const start = 8 + lengthBytes;
  if (bytes.length < start + headerLength) throw new TypeError(`Cannot read ${source}: truncated header`);
  const text = new TextDecoder(major === 3 ? "utf-8" : "latin1").decode(
    bytes.subarray(start, start + headerLength),
  );
  const { descr, fortran, shape } = parseHeader(text, source);
  if (!CONSTRUCTOR_OF[descr]) arrayFromBytes(descr, new Uint8Array(0), source); // throws
  if (fortran && shape.length > 1) {
    throw new TypeError(`Cannot read ${source}: Fortran order is not supported`);
  }
  const size = shape.reduce((a, b) => a * b, 1);
  const itemSize = Number(descr.slice(2));
  const dataStart = start + headerLength;
  if (bytes.length - dataStart !== size * itemSize) {
    throw new TypeError(
      `Cannot read ${source}: shape (${shape}) needs ${size * itemSize} data bytes, the file has ${
        bytes.length - dataStart
      }`,
    );
  }
  return { data: arrayFromBytes(descr, bytes.subarray(dataStart), source), shape, descr };
}

/**
 * Writes an array to a `.npy` file atomically.
 *
 * @param path The file (conventionally ending in `.npy`).
 * @param array The values in C order.
 * @param shape The shape (default 1-D).
 */
export async function writeNpy(path: string, array: NpyArray, shape?: readonly number[]): Promise<void> {
  await writeFileAtomic(path, encodeNpy(array, shape));
}

/**
 * Reads a `.npy` file.
 *
 * @param path The file.
 * @returns The values, shape and dtype.
 * @throws {TypeError} As {@linkcode decodeNpy}, naming the file.
 */
export async function readNpy(path: string): Promise<NpyData> {
  return decodeNpy(await Deno.readFile(path), path);
}
