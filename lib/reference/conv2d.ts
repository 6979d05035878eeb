/**
 * The float64 reference of a 2-D convolution layer (NCHW, stride 1, square kernel, zero padding),
 * written to be read: the oracle of kernels/conv/conv2d.ts.
 *
 * Layouts (row-major, as in PyTorch): x [N, C_in, H, W], weight [C_out, C_in, k, k], bias [C_out],
 * y [N, C_out, H_out, W_out] with H_out = H + 2p - k + 1 and W_out = W + 2p - k + 1.
 *
 * Forward (a cross-correlation, like torch.nn.Conv2d):
 *   y[n, o, i, j] = b[o] + sum_{c, u, v} w[o, c, u, v] x[n, c, i + u - p, j + v - p],
 * where x outside [0, H) x [0, W) is 0 (zero padding).
 *
 * Backward, given g = dL/dy:
 *   dL/dx[n, c, s, t] = sum_{o, u, v} g[n, o, s - u + p, t - v + p] w[o, c, u, v]  (g outside its range is 0),
 *   dL/dw[o, c, u, v] = sum_{n, i, j} g[n, o, i, j] x[n, c, i + u - p, j + v - p],
 *   dL/db[o] = sum_{n, i, j} g[n, o, i, j].
 *
 * @module
 */
import { type Conv2dShape, conv2dSizes } from "../../kernels/conv/conv2d_shape.ts";
export {
  CONV2D_KERNEL_SIZES,
  type Conv2dShape,
  type Conv2dSizes,
  conv2dSizes,
} from "../../kernels/conv/conv2d_shape.ts";

/** Throws a RangeError unless `values` has `want` elements. */
export function checkLength(action: string, what: string, values: { length: number }, want: number): void {
  if (values.length !== want) {
    throw new RangeError(`Cannot ${action}: ${what} has ${values.length} elements, expected ${want}`);
  }
}

/**
 * y = conv2d(x, w) + b.
 *
 * @param shape The layer shape.
 * @param x Input [N, C_in, H, W].
 * @param weight Weight [C_out, C_in, k, k].
 * @param bias Bias [C_out], or undefined for none.
 * @returns y [N, C_out, H_out, W_out].
 * @throws {RangeError} On a bad shape or wrong lengths.
 */
export function conv2dForwardReference(
  shape: Conv2dShape,
  x: ArrayLike<number>,
  weight: ArrayLike<number>,
  bias?: ArrayLike<number>,
): Float64Array {
  const action = `run "conv2d_forward"`;
  const s = conv2dSizes(shape, action);
  checkLength(action, "x", x, s.inputSize);
  checkLength(action, "weight", weight, s.weightSize);
  if (bias) checkLength(action, "bias", bias, shape.outChannels);
  const { batch, inChannels: C, outChannels: O, height: H, width: W, kernelSize: k, padding: p } = shape;
  const y = new Float64Array(s.outputSize);
  let at = 0;
  for (let n = 0; n < batch; n++) {
    for (let o = 0; o < O; o++) {
      for (let i = 0; i < s.outHeight; i++) {
        for (let j = 0; j < s.outWidth; j++) {
          let sum = bias ? bias[o] : 0;
          for (let c = 0; c < C; c++) {
            for (let u = 0; u < k; u++) {
              const row = i + u - p;
              if (row < 0 || row >= H) continue;
              for (let v = 0; v < k; v++) {
                const col = j + v - p;
                if (col < 0 || col >= W) continue;
                sum += weight[((o * C + c) * k + u) * k + v] * x[((n * C + c) * H + row) * W + col];
              }
            }
          }
          y[at++] = sum;
        }
      }
    }
  }
  return y;
}

/**
 * dL/dx given g = dL/dy.
 *
 * @param shape The layer shape.
 * @param gradOutput g [N, C_out, H_out, W_out].
 * @param weight Weight [C_out, C_in, k, k].
 * @returns dL/dx [N, C_in, H, W].
 * @throws {RangeError} On a bad shape or wrong lengths.
 */
export function conv2dBackwardInputReference(
  shape: Conv2dShape,
  gradOutput: ArrayLike<number>,
  weight: ArrayLike<number>,
): Float64Array {
  const action = `run "conv2d_backward_input"`;
  const s = conv2dSizes(shape, action);
  checkLength(action, "gradOutput", gradOutput, s.outputSize);
  checkLength(action, "weight", weight, s.weightSize);
  const { batch, inChannels: C, outChannels: O, height: H, width: W, kernelSize: k, padding: p } = shape;
  const Ho = s.outHeight, Wo = s.outWidth;
  const dx = new Float64Array(s.inputSize);
  let at = 0;
  for (let n = 0; n < batch; n++) {
    for (let c = 0; c < C; c++) {
      for (let row = 0; row < H; row++) {
        for (let col = 0; col < W; col++) {
          let sum = 0;
          for (let o = 0; o < O; o++) {
            for (let u = 0; u < k; u++) {
              const i = row - u + p;
              if (i < 0 || i >= Ho) continue;
              for (let v = 0; v < k; v++) {
                const j = col - v + p;
                if (j < 0 || j >= Wo) continue;
                sum += gradOutput[((n * O + o) * Ho + i) * Wo + j] * weight[((o * C + c) * k + u) * k + v];
              }
            }
          }
          dx[at++] = sum;
        }
      }
    }
  }
  return dx;
}

/**
 * dL/dw and dL/db given the input x and g = dL/dy.
 *
 * @param shape The layer shape.
 * @param x Input [N, C_in, H, W].
 * @param gradOutput g [N, C_out, H_out, W_out].
 * @returns The weight gradient [C_out, C_in, k, k] and the bias gradient [C_out].
 * @throws {RangeError} On a bad shape or wrong lengths.
 */
export function conv2dBackwardWeightReference(
  shape: Conv2dShape,
  x: ArrayLike<number>,
  gradOutput: ArrayLike<number>,
): { gradWeight: Float64Array; gradBias: Float64Array } {
  const action = `run "conv2d_backward_weight"`;
  const s = conv2dSizes(shape, action);
  checkLength(action, "x", x, s.inputSize);
  checkLength(action, "gradOutput", gradOutput, s.outputSize);
  const { batch, inChannels: C, outChannels: O, height: H, width: W, kernelSize: k, padding: p } = shape;
  const Ho = s.outHeight, Wo = s.outWidth;
  const gradWeight = new Float64Array(s.weightSize), gradBias = new Float64Array(O);
  for (let o = 0; o < O; o++) {
    for (let n = 0; n < batch; n++) {
      for (let i = 0; i < Ho; i++) {
        for (let j = 0; j < Wo; j++) {
          const g = gradOutput[((n * O + o) * Ho + i) * Wo + j];
          gradBias[o] += g;
          for (let c = 0; c < C; c++) {
            for (let u = 0; u < k; u++) {
              const row = i + u - p;
              if (row < 0 || row >= H) continue;
              for (let v = 0; v < k; v++) {
                const col = j + v - p;
                if (col < 0 || col >= W) continue;
                gradWeight[((o * C + c) * k + u) * k + v] += g * x[((n * C + c) * H + row) * W + col];
              }
            }
          }
        }
      }
    }
  }
  return { gradWeight, gradBias };
}
