/**
 * Helpers shared by the float64 CNN reference's passes (lib/models/cnn_reference.ts: forward, loss, gradient;
 * lib/models/cnn_reference_rop.ts: the R-operator): argument checks and elementwise products. The dense layers
 * of the head use the MLP reference's helpers (lib/models/mlp_reference.ts). Not part of the public API.
 *
 * @module
 */
import { cnnLayout, type CnnShapes, cnnShapes, type CnnSpec } from "./cnn.ts";
import { checkReferenceBatch } from "./mlp_reference.ts";

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
  const shapes = cnnShapes(spec);
  checkReferenceBatch("CNN", cnnLayout(spec).count, shapes.inputs, params, x, rows);
  return shapes;
}

/** Elementwise a b. */
export const times = (a: Float64Array, b: Float64Array): Float64Array => a.map((t, i) => t * b[i]);
