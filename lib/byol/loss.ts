/**
 * BYOL losses on backend tensors, with their gradients with respect to the online outputs, and float64
 * host references (the tests' oracles).
 *
 * - Seed variant (`train_byol.py` as implemented): q = the online network's L2-normalised projection,
 *   z = the target's (stop-gradient). L = (MSE(q1, z2) + MSE(q2, z1)) / 2 with MSE the mean over the B x D
 *   elements; this equals the mean over the batch of (2 - 2 cos) / D, averaged over the two directions.
 *   dL/dq1 = (q1 - z2) / (B D).
 * - Canonical: p = the online predictor's output, z = the target projector's output (not normalised).
 *   L = mean_b (2 - 2 cos(p1, z2)) + mean_b (2 - 2 cos(p2, z1)) (the sum of the two directions, as in the
 *   BYOL paper). With p^ = p / |p|: dL/dp^1 = -2 z^2 / B, then back through the normalisation
 *   (`Backend.rowL2NormalizeBackward`).
 *
 * @module
 */
import type { Backend } from "../backend/backend.ts";
import type { Tensor } from "../backend/tensor.ts";

/** The loss of one direction and the gradient with respect to its online output. */
export interface DirectionLoss {
  /** The loss, one element. */
  loss: Tensor;
  /** dL/d(online output), shaped like it. */
  grad: Tensor;
}

/**
 * One direction of the seed loss: MSE(q, z) / 2 and its gradient (q - z) / (B D) with respect to q.
 *
 * @param backend The backend.
 * @param q The online normalised projections [B, D].
 * @param z The target normalised projections [B, D] (a constant).
 * @returns Half the MSE (one element) and dL/dq.
 */
export async function seedDirectionLoss(backend: Backend, q: Tensor, z: Tensor): Promise<DirectionLoss> {
  const [b, d] = q.shape;
  const diff = backend.zeros([b, d]);
  await backend.copy(q, diff);
  await backend.axpy(-1, z, diff);
  const sumSquares = await backend.reduce(diff, "sumOfSquares");
  await backend.scale(sumSquares, 0.5 / (b * d));
  await backend.scale(diff, 1 / (b * d));
  return { loss: sumSquares, grad: diff };
}

/**
 * One direction of the canonical loss: mean_b (2 - 2 cos(p_b, z_b)) and its gradient with respect to p.
 *
 * @param backend The backend.
 * @param p The online predictions [B, D].
 * @param z The target projections [B, D] (a constant).
 * @returns The loss (one element) and dL/dp.
 */
export async function canonicalDirectionLoss(backend: Backend, p: Tensor, z: Tensor): Promise<DirectionLoss> {
  const b = p.shape[0];
  const pHat = await backend.rowL2Normalize(p), zHat = await backend.rowL2Normalize(z);
  const cosines = await backend.rowDot(pHat, zHat);
  const loss = await backend.reduce(cosines, "mean");
  // 2 - 2 mean(cos): scale by -2, add 2 (axpy of a constant one-element tensor).
  await backend.scale(loss, -2);
  const two = backend.tensor([2], []);
  await backend.axpy(1, two, loss);
  await backend.scale(zHat, -2 / b);
  const grad = await backend.rowL2NormalizeBackward(p, zHat);
  backend.dispose(pHat, zHat, cosines, two);
  return { loss, grad };
}

/** Cosines of the rows of two [rows, cols] host arrays. */
function rowCosines(a: ArrayLike<number>, b: ArrayLike<number>, rows: number, cols: number): Float64Array {
  const out = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    let ab = 0, aa = 0, bb = 0;
    for (let c = 0; c < cols; c++) {
      const x = a[r * cols + c], y = b[r * cols + c];
      ab += x * y;
      aa += x * x;
      bb += y * y;
    }
    out[r] = ab / (Math.max(Math.sqrt(aa), 1e-12) * Math.max(Math.sqrt(bb), 1e-12));
  }
  return out;
}

/**
 * The seed loss in float64: (MSE(q1, z2) + MSE(q2, z1)) / 2.
 *
 * @param q1 Online normalised projections of view 1, [rows, cols].
 * @param q2 Online of view 2.
 * @param z1 Target normalised projections of view 1.
 * @param z2 Target of view 2.
 */
export function seedLossReference(
  q1: ArrayLike<number>,
  q2: ArrayLike<number>,
  z1: ArrayLike<number>,
  z2: ArrayLike<number>,
): number {
  let s = 0;
  for (let i = 0; i < q1.length; i++) s += (q1[i] - z2[i]) ** 2 + (q2[i] - z1[i]) ** 2;
  return s / (2 * q1.length);
}

/**
 * The canonical loss in float64: mean (2 - 2 cos(p1, z2)) + mean (2 - 2 cos(p2, z1)).
 *
 * @param p1 Online predictions of view 1, [rows, cols].
 * @param p2 Online predictions of view 2.
 * @param z1 Target projections of view 1.
 * @param z2 Target projections of view 2.
 * @param rows Rows.
 * @param cols Columns.
 */
export function canonicalLossReference(
  p1: ArrayLike<number>,
  p2: ArrayLike<number>,
  z1: ArrayLike<number>,
  z2: ArrayLike<number>,
  rows: number,
  cols: number,
): number {
  const term = (p: ArrayLike<number>, z: ArrayLike<number>) =>
    rowCosines(p, z, rows, cols).reduce((s, c) => s + 2 - 2 * c, 0) / rows;
  return term(p1, z2) + term(p2, z1);
}
