/**
 * The float64 reference of the pooling layers (NCHW), written to be read: the oracle of kernels/pool/pool.ts.
 *
 * Max-pool 2x2, stride 2 (odd trailing rows and columns are dropped, like torch.nn.MaxPool2d(2)):
 *   y[n, c, i, j] = max_{u, v in {0, 1}} x[n, c, 2i + u, 2j + v],   H_out = floor(H / 2), W_out = floor(W / 2);
 *   dL/dx[n, c, 2i + u, 2j + v] = g[n, c, i, j] at the first maximum of the window in row-major order
 *   (u, v) = (0, 0), (0, 1), (1, 0), (1, 1), and 0 elsewhere (also in dropped rows and columns).
 *
 * Global average pool:
 *   y[n, c] = (1 / (H W)) sum_{s, t} x[n, c, s, t];   dL/dx[n, c, s, t] = g[n, c] / (H W).
 *
 * @module
 */
import { poolInputSize, type PoolShape } from "../../kernels/pool/pool_shape.ts";
export { poolInputSize, type PoolShape } from "../../kernels/pool/pool_shape.ts";

function checkLength(action: string, what: string, values: { length: number }, want: number): void {
  if (values.length !== want) {
    throw new RangeError(`Cannot ${action}: ${what} has ${values.length} elements, expected ${want}`);
  }
}

/**
 * 2x2 max-pool, stride 2.
 *
 * @param shape The input shape (H, W >= 2).
 * @param x Input [N, C, H, W].
 * @returns y [N, C, floor(H / 2), floor(W / 2)].
 * @throws {RangeError} On a bad shape or length.
 */
export function maxPool2dForwardReference(shape: PoolShape, x: ArrayLike<number>): Float64Array {
  const action = `run "max_pool2d_forward"`;
  checkLength(action, "x", x, poolInputSize(shape, action, 2));
  const { height: H, width: W } = shape;
  const Ho = Math.floor(H / 2), Wo = Math.floor(W / 2), planes = shape.batch * shape.channels;
  const y = new Float64Array(planes * Ho * Wo);
  for (let p = 0; p < planes; p++) {
    for (let i = 0; i < Ho; i++) {
      for (let j = 0; j < Wo; j++) {
        const at = (u: number, v: number) => x[(p * H + 2 * i + u) * W + 2 * j + v];
        y[(p * Ho + i) * Wo + j] = Math.max(at(0, 0), at(0, 1), at(1, 0), at(1, 1));
      }
    }
  }
  return y;
}

/**
 * Index in x of the first maximum (row-major: strictly greater than every earlier value) of the 2x2
 * window (i, j) of plane p of an H x W input: the rule of the max-pool backward and of its gather
 * (lib/reference/pool_gather.ts; the kernels share kernels/pool/pool_max_window.wgsl).
 */
export function maxPoolWindowArgmax(
  x: ArrayLike<number>,
  p: number,
  i: number,
  j: number,
  H: number,
  W: number,
): number {
  let best = -1;
  for (let w = 0; w < 4; w++) {
    const index = (p * H + 2 * i + (w >> 1)) * W + 2 * j + (w & 1);
    if (best < 0 || x[index] > x[best]) best = index;
  }
  return best;
}

/**
 * dL/dx of the 2x2 max-pool given g = dL/dy: each g goes to the first maximum of its window.
 *
 * @param shape The input shape.
 * @param x Input [N, C, H, W] (to locate the maxima).
 * @param gradOutput g [N, C, floor(H / 2), floor(W / 2)].
 * @returns dL/dx [N, C, H, W].
 * @throws {RangeError} On a bad shape or lengths.
 */
export function maxPool2dBackwardReference(
  shape: PoolShape,
  x: ArrayLike<number>,
  gradOutput: ArrayLike<number>,
): Float64Array {
  const action = `run "max_pool2d_backward"`;
  const size = poolInputSize(shape, action, 2);
  checkLength(action, "x", x, size);
  const { height: H, width: W } = shape;
  const Ho = Math.floor(H / 2), Wo = Math.floor(W / 2), planes = shape.batch * shape.channels;
  checkLength(action, "gradOutput", gradOutput, planes * Ho * Wo);
  const dx = new Float64Array(size);
  for (let p = 0; p < planes; p++) {
    for (let i = 0; i < Ho; i++) {
      for (let j = 0; j < Wo; j++) {
        dx[maxPoolWindowArgmax(x, p, i, j, H, W)] = gradOutput[(p * Ho + i) * Wo + j];
      }
    }
  }
  return dx;
}

/**
 * Global average pool.
 *
 * @param shape The input shape.
 * @param x Input [N, C, H, W].
 * @returns y [N, C].
 * @throws {RangeError} On a bad shape or length.
 */
export function globalAvgPoolForwardReference(shape: PoolShape, x: ArrayLike<number>): Float64Array {
  const action = `run "global_avg_pool_forward"`;
  checkLength(action, "x", x, poolInputSize(shape, action));
  const area = shape.height * shape.width, y = new Float64Array(shape.batch * shape.channels);
  for (let p = 0; p < y.length; p++) {
    let sum = 0;
    for (let q = 0; q < area; q++) sum += x[p * area + q];
    y[p] = sum / area;
  }
  return y;
}

/**
 * dL/dx of the global average pool given g = dL/dy.
 *
 * @param shape The input shape.
 * @param gradOutput g [N, C].
 * @returns dL/dx [N, C, H, W].
 * @throws {RangeError} On a bad shape or length.
 */
export function globalAvgPoolBackwardReference(
  shape: PoolShape,
  gradOutput: ArrayLike<number>,
): Float64Array {
  const action = `run "global_avg_pool_backward"`;
  const size = poolInputSize(shape, action);
  checkLength(action, "gradOutput", gradOutput, shape.batch * shape.channels);
  const area = shape.height * shape.width, dx = new Float64Array(size);
  for (let q = 0; q < size; q++) dx[q] = gradOutput[Math.floor(q / area)] / area;
  return dx;
}
