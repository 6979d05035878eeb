/**
 * The float64 reference of the 2x2 max-pool gather, written to be read: the oracle of
 * kernels/pool/pool_gather.ts.
 *
 * The gather applies the max-pool's choice of maxima (found in x) to another tensor v of the same shape:
 *   y[n, c, i, j] = v[n, c, 2i + u*, 2j + v*],   (u*, v*) = the first maximum of x's window in row-major
 *   order (0, 0), (0, 1), (1, 0), (1, 1), the rule of lib/reference/pool.ts's max-pool backward.
 * Where no window has a tie, this is the directional derivative of the max-pool,
 *   gather(x, v) = d/dt maxpool(x + t v) at t = 0,
 * so it is the max-pool's R-operator: R(maxpool(x)) = gather(x, R(x)). Its adjoint is the max-pool
 * backward (the same scatter), so the R-backward of a max-pool is that backward applied to R(g).
 *
 * @module
 */
import { maxPoolWindowArgmax, poolInputSize, type PoolShape } from "./pool.ts";

/**
 * y = the values of v at the first maximum of each 2x2 window of x (stride 2, odd trailing rows and
 * columns dropped).
 *
 * @param shape The input shape (H, W >= 2).
 * @param x Where the maxima are looked for, [N, C, H, W].
 * @param v What is gathered, [N, C, H, W].
 * @returns y [N, C, floor(H / 2), floor(W / 2)].
 * @throws {RangeError} On a bad shape or a length that does not match it.
 */
export function maxPool2dGatherReference(
  shape: PoolShape,
  x: ArrayLike<number>,
  v: ArrayLike<number>,
): Float64Array {
  const action = `run "max_pool2d_gather"`;
  const size = poolInputSize(shape, action, 2);
  for (const [what, values] of [["x", x], ["v", v]] as const) {
    if (values.length !== size) {
      throw new RangeError(`Cannot ${action}: ${what} has ${values.length} elements, expected ${size}`);
    }
  }
  const { height: H, width: W } = shape;
  const Ho = Math.floor(H / 2), Wo = Math.floor(W / 2), planes = shape.batch * shape.channels;
  const y = new Float64Array(planes * Ho * Wo);
  for (let p = 0; p < planes; p++) {
    for (let i = 0; i < Ho; i++) {
      for (let j = 0; j < Wo; j++) {
        y[(p * Ho + i) * Wo + j] = v[maxPoolWindowArgmax(x, p, i, j, H, W)];
      }
    }
  }
  return y;
}
