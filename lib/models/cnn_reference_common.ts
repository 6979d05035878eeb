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

/** The activations of a forward pass (row-major, samples first). */
export interface CnnTrace {
  /** z_b, the conv outputs before the activation, per block. */
  convPre: Float64Array[];
  /** r_b = act(z_b), per block. */
  convPost: Float64Array[];
  /** a_b, the block outputs (pooled where the block pools); the last one is the flatten. */
  blockOut: Float64Array[];
  /** u_l, the dense pre-activations, per dense layer. */
  densePre: Float64Array[];
  /** d_l = act(u_l), per hidden dense layer. */
  densePost: Float64Array[];
  /** f = u_L [rows, outputs]. */
  output: Float64Array;
}

/** The loss gradients of a backward pass that the R-operator's backward pass reuses. */
export interface CnnBackwardTrace {
  /** g_l = dL/du_l per dense layer. */
  densePre: Float64Array[];
  /** h_l = g_l V_l^T, dL/d(layer l's input), per dense layer; h_1 = dL/da_B. */
  denseInput: Float64Array[];
  /** dL/dr_b per conv block. */
  convPost: Float64Array[];
  /** dL/dz_b per conv block. */
  convPre: Float64Array[];
}
