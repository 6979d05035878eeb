/**
 * Helpers shared by the float64 CNN reference's passes (lib/reference/cnn.ts: forward, loss, gradient;
 * lib/reference/cnn_rop.ts: the R-operator): argument checks, the dense layers of the head, and
 * elementwise sums and products. Not part of the public API.
 *
 * @module
 */
import { cnnLayout, type CnnShapes, cnnShapes, type CnnSpec } from "../models/cnn.ts";

/**
 * Checks parameters and inputs against a CNN and returns its per-sample shapes.
 *
 * @throws {RangeError} On wrong lengths or a bad row count.
 */
export function checkCnnBatch(
  spec: CnnSpec,
  params: Float64Array,
  x: ArrayLike<number>,
  rows: number,
): CnnShapes {
  const shapes = cnnShapes(spec), count = cnnLayout(spec).count;
  if (params.length !== count) {
    throw new RangeError(
      `Cannot run CNN reference: ${params.length} parameters given, the layout has ${count}`,
    );
  }
  if (!Number.isInteger(rows) || rows < 1 || x.length !== rows * shapes.inputs) {
    throw new RangeError(
      `Cannot run CNN reference: x has ${x.length} values, expected rows ${rows} x inputs ${shapes.inputs}`,
    );
  }
  return shapes;
}

/** out[r, o] = sum_i a[r, i] w[i, o] (+ bias[o]). */
export function dense(
  a: Float64Array,
  w: Float64Array,
  bias: Float64Array | undefined,
  rows: number,
  nIn: number,
  nOut: number,
): Float64Array {
  const out = new Float64Array(rows * nOut);
  for (let r = 0; r < rows; r++) {
    for (let o = 0; o < nOut; o++) {
      let s = bias ? bias[o] : 0;
      for (let i = 0; i < nIn; i++) s += a[r * nIn + i] * w[i * nOut + o];
      out[r * nOut + o] = s;
    }
  }
  return out;
}

/** out[r, i] = sum_o g[r, o] w[i, o]: rows of g times W^T. */
export function denseBackward(
  g: Float64Array,
  w: Float64Array,
  rows: number,
  nIn: number,
  nOut: number,
): Float64Array {
  const out = new Float64Array(rows * nIn);
  for (let r = 0; r < rows; r++) {
    for (let o = 0; o < nOut; o++) {
      const go = g[r * nOut + o];
      for (let i = 0; i < nIn; i++) out[r * nIn + i] += go * w[i * nOut + o];
    }
  }
  return out;
}

/** dw[i, o] += sum_r a[r, i] g[r, o] and, when given, db[o] += sum_r g[r, o]. */
export function accumulateDenseGradient(
  g: Float64Array,
  a: Float64Array,
  dw: Float64Array,
  db: Float64Array | undefined,
  rows: number,
  nIn: number,
  nOut: number,
): void {
  for (let r = 0; r < rows; r++) {
    for (let o = 0; o < nOut; o++) {
      const go = g[r * nOut + o];
      if (db) db[o] += go;
      for (let i = 0; i < nIn; i++) dw[i * nOut + o] += a[r * nIn + i] * go;
    }
  }
}

/** Elementwise a + b. */
export const add = (a: Float64Array, b: Float64Array): Float64Array => a.map((t, i) => t + b[i]);

/** Elementwise a b. */
export const times = (a: Float64Array, b: Float64Array): Float64Array => a.map((t, i) => t * b[i]);
