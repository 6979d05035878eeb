/**
 * Argument checks shared by both backends, so both reject bad input with the same message.
 *
 * @module
 */
import type { HistogramOptions, RandomOptions } from "./backend.ts";
import { type DType, formatShape, type MatmulPlan, planMatmul, shapeSize, type Tensor } from "./tensor.ts";
import type { MatmulOptions } from "./backend.ts";

/** Throws a TypeError unless `x` is an f32 tensor. */
export function requireF32(op: string, x: Tensor, name = "x"): void {
  if (x.dtype !== "f32") throw new TypeError(`Cannot run "${op}": ${name} has dtype ${x.dtype}, must be f32`);
}

/** Throws a RangeError unless `a` and `b` have the same number of elements and dtype. */
export function requireSameSize(op: string, a: Tensor, b: Tensor, names = ["x", "y"]): void {
  if (a.size !== b.size || a.dtype !== b.dtype) {
    throw new RangeError(
      `Cannot run "${op}": ${names[0]} ${formatShape(a.shape)} ${a.dtype} and ${names[1]} ${
        formatShape(b.shape)
      } ${b.dtype} must have the same size and dtype`,
    );
  }
}

/** Throws a TypeError unless `value` is a finite number. */
export function requireFinite(op: string, name: string, value: number): void {
  if (typeof value !== "number" || !Number.isFinite(value)) {
    throw new TypeError(`Cannot run "${op}": ${name} is ${value}, must be a finite number`);
  }
}

/** Throws a RangeError unless `value` is an integer in [0, 2^32). */
export function requireU32(op: string, name: string, value: number): void {
  if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) {
    throw new RangeError(`Cannot run "${op}": ${name} is ${value}, must be an integer in [0, 2^32)`);
  }
}

/** Resolves a random shape to [rows, cols] and checks the options. */
export function checkRandom(
  shape: readonly number[],
  options: RandomOptions,
): { rows: number; cols: number } {
  if (shape.length !== 1 && shape.length !== 2) {
    throw new RangeError(
      `Cannot draw random numbers of shape ${formatShape(shape)}: must be [cols] or [rows, cols]`,
    );
  }
  for (const n of shape) {
    if (!Number.isInteger(n) || n < 0) {
      throw new RangeError(
        `Cannot draw random numbers of shape ${formatShape(shape)}: extents must be non-negative integers`,
      );
    }
  }
  if (options === undefined || typeof options !== "object") {
    throw new TypeError("Cannot draw random numbers: options with at least a seed are required");
  }
  requireU32("random", "seed", options.seed);
  requireU32("random", "stream", options.stream ?? 0);
  requireU32("random", "step", options.step ?? 0);
  const rows = shape.length === 2 ? shape[0] : 1;
  const cols = shape[shape.length - 1];
  requireU32("random", "index of the last row", (options.index ?? 0) + Math.max(rows - 1, 0));
  const d = options.distribution ?? "normal";
  if (typeof d === "object") {
    const t = d?.twoPoint;
    if (!t) throw new TypeError(`Cannot draw random numbers: unknown distribution ${JSON.stringify(d)}`);
    requireFinite("random", "twoPoint.low", t.low);
    requireFinite("random", "twoPoint.high", t.high);
    if (!(t.probabilityHigh >= 0 && t.probabilityHigh <= 1)) {
      throw new RangeError(
        `Cannot draw random numbers: twoPoint.probabilityHigh is ${t.probabilityHigh}, must be in [0, 1]`,
      );
    }
  } else if (!["u32", "uniform", "normal", "rademacher"].includes(d)) {
    throw new TypeError(
      `Cannot draw random numbers: unknown distribution "${d}", expected u32, uniform, normal, rademacher or { twoPoint }`,
    );
  }
  return { rows, cols };
}

/** Checks histogram options. */
export function checkHistogram(options: HistogramOptions): void {
  requireFinite("histogram", "low", options?.low);
  requireFinite("histogram", "high", options?.high);
  if (!(options.high > options.low)) {
    throw new RangeError(
      `Cannot run "histogram": high ${options.high} must be greater than low ${options.low}`,
    );
  }
  if (!Number.isInteger(options.bins) || options.bins < 1 || options.bins > 1 << 20) {
    throw new RangeError(`Cannot run "histogram": bins is ${options.bins}, must be an integer in [1, 2^20]`);
  }
}

/**
 * Checks the values of a new tensor against its shape and dtype.
 *
 * @throws {RangeError} When the count differs from the shape's size, or a u32 value is not an
 * integer in [0, 2^32).
 */
export function checkTensorData(data: ArrayLike<number>, shape: readonly number[], dtype: DType): void {
  const size = shapeSize(shape);
  if (data.length !== size) {
    throw new RangeError(
      `Cannot create tensor: ${data.length} values given for shape ${formatShape(shape)} (${size} elements)`,
    );
  }
  if (dtype === "u32") {
    for (let i = 0; i < data.length; i++) {
      const v = data[i];
      if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) {
        throw new RangeError(
          `Cannot create u32 tensor: value ${v} at index ${i} is not an integer in [0, 2^32)`,
        );
      }
    }
  } else if (dtype !== "f32") {
    throw new TypeError(`Cannot create tensor: dtype "${dtype}", expected "f32" or "u32"`);
  }
}

/**
 * Resolves a matmul's shapes and checks its bias.
 *
 * @throws {RangeError} On mismatched shapes, or a bias whose size is not n.
 */
export function checkMatmul(a: Tensor, b: Tensor, options: MatmulOptions): MatmulPlan {
  const plan = planMatmul(a.shape, b.shape, options.transposeA, options.transposeB);
  if (options.bias && options.bias.size !== plan.n) {
    throw new RangeError(
      `Cannot run "matmul": bias has ${options.bias.size} elements, must have n = ${plan.n}`,
    );
  }
  return plan;
}

/** Checks that rowDot's operands are 2-D of equal shape. @throws {RangeError} Otherwise. */
export function checkRowDot(a: Tensor, b: Tensor): void {
  if (a.shape.length !== 2 || formatShape(a.shape) !== formatShape(b.shape)) {
    throw new RangeError(
      `Cannot run "rowDot": a ${formatShape(a.shape)} and b ${
        formatShape(b.shape)
      } must be 2-D of equal shape`,
    );
  }
}

/**
 * Checks gatherRows' operands: x 2-D, every index an integer in [0, rows).
 *
 * @returns The indices as u32.
 * @throws {RangeError} Otherwise, naming the first bad index.
 */
export function checkGatherRows(x: Tensor, indices: ArrayLike<number>): Uint32Array {
  if (x.shape.length !== 2) {
    throw new RangeError(`Cannot run "gatherRows": x ${formatShape(x.shape)} must be 2-D [rows, cols]`);
  }
  const rows = x.shape[0];
  const out = new Uint32Array(indices.length);
  for (let i = 0; i < indices.length; i++) {
    const index = indices[i];
    if (!Number.isInteger(index) || index < 0 || index >= rows) {
      throw new RangeError(
        `Cannot run "gatherRows": indices[${i}] = ${index} is not a row of x ${formatShape(x.shape)} ` +
          `(integers in [0, ${rows}))`,
      );
    }
    out[i] = index;
  }
  return out;
}

/**
 * Checks rowL2Normalize's operands: x 2-D, gradOutput (backward) of x's shape, eps > 0.
 *
 * @returns rows and cols.
 * @throws {RangeError} Otherwise.
 */
export function checkRowL2Normalize(
  op: string,
  x: Tensor,
  eps: number,
  gradOutput?: Tensor,
): { rows: number; cols: number } {
  if (x.shape.length !== 2) {
    throw new RangeError(`Cannot run "${op}": x ${formatShape(x.shape)} must be 2-D [rows, cols]`);
  }
  if (gradOutput && formatShape(gradOutput.shape) !== formatShape(x.shape)) {
    throw new RangeError(
      `Cannot run "${op}": gradOutput ${formatShape(gradOutput.shape)} must have x's shape ${
        formatShape(x.shape)
      }`,
    );
  }
  if (!(eps > 0) || !Number.isFinite(eps)) {
    throw new RangeError(`Cannot run "${op}": eps is ${eps}, must be a positive finite number`);
  }
  return { rows: x.shape[0], cols: x.shape[1] };
}
