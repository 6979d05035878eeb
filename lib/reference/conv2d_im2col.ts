/**
 * The patch ("im2col") matrices that turn a stride-1 convolution into matrix products, written to be
 * read: the oracle of kernels/conv/conv2d_im2col.wgsl and kernels/conv/conv2d_pack_weight.wgsl, and a second,
 * independent derivation of the conv2d passes of lib/reference/conv2d.ts.
 *
 * For one sample of x [C, H, W], a K x K kernel and zero padding p, the patch matrix has one row per
 * kernel tap q = (c K + u) K + v and one column per output pixel p = i W_out + j:
 *   patch[q, p] = x[c, i + u - p, j + v - p]   (0 outside the image),
 * so with the weight as a matrix Wm [C_out, C K K]:
 *   y[n] = Wm patch[n] (+ b),
 *   dL/dx[n] = Wf patch_g[n] where patch_g unfolds g = dL/dy with padding K - 1 - p and
 *     Wf [C_in, C_out K K] holds the spatially flipped kernel (a full convolution),
 *   dL/dW = sum_n g[n] patch[n]^T, dL/db = sum_n g[n] 1.
 *
 * @module
 */
import { im2colOutputSize, type Im2colShape } from "../../kernels/conv/conv2d_shape.ts";
export { im2colOutputSize, type Im2colShape } from "../../kernels/conv/conv2d_shape.ts";

/** Options of {@linkcode im2colReference}. */
export interface Im2colOptions {
  /** First sample unfolded (default 0). */
  sampleBegin?: number;
  /** Samples unfolded (default: all from sampleBegin). */
  rows?: number;
  /** Patch rows per sample, >= C K K (+1 with onesRow); the rest are zero (default C K K (+1)). */
  kPadded?: number;
  /** Put a row of ones at q = C K K (the bias row). */
  onesRow?: boolean;
  /** "columns": one [kPadded, P] matrix per sample; "rows": one [rows P, kPadded] matrix. */
  layout?: "columns" | "rows";
}

/**
 * Unfolds samples of x [N, C, H, W] into their patch matrices.
 *
 * @param s The geometry.
 * @param x The input batch, N C H W values.
 * @param options Which samples, row padding, bias row and layout.
 * @returns rows * kPadded * P values in the chosen layout.
 * @throws {RangeError} On a geometry without output pixels, a sample range outside x, or a
 *   kPadded too small.
 */
export function im2colReference(
  s: Im2colShape,
  x: ArrayLike<number>,
  options: Im2colOptions = {},
): Float64Array {
  const { channels: C, height: H, width: W, kernelSize: K, padding } = s;
  const [outHeight, outWidth] = im2colOutputSize(s);
  const action = `run "im2col"`;
  if (outHeight < 1 || outWidth < 1 || padding < 0 || padding >= K) {
    throw new RangeError(`Cannot ${action}: ${H}x${W} with padding ${padding} and kernel ${K} has no output`);
  }
  const sampleSize = C * H * W, samples = x.length / sampleSize;
  const begin = options.sampleBegin ?? 0, rows = options.rows ?? samples - begin;
  if (!Number.isInteger(samples) || begin < 0 || rows < 0 || begin + rows > samples) {
    throw new RangeError(
      `Cannot ${action}: samples [${begin}, ${begin + rows}) of x with ${x.length} values`,
    );
  }
  const kDim = C * K * K, ones = options.onesRow ?? false;
  const kPadded = options.kPadded ?? kDim + (ones ? 1 : 0);
  if (kPadded < kDim + (ones ? 1 : 0)) {
    throw new RangeError(`Cannot ${action}: kPadded is ${kPadded}, must be >= ${kDim + (ones ? 1 : 0)}`);
  }
  const P = outHeight * outWidth, columns = (options.layout ?? "columns") === "columns";
  const out = new Float64Array(rows * kPadded * P);
  for (let r = 0; r < rows; r++) {
    for (let q = 0; q < kPadded; q++) {
      for (let p = 0; p < P; p++) {
        let value = 0;
        if (q < kDim) {
          const c = Math.floor(q / (K * K)), u = Math.floor(q / K) % K, v = q % K;
          const row = Math.floor(p / outWidth) + u - padding, col = (p % outWidth) + v - padding;
          if (row >= 0 && row < H && col >= 0 && col < W) {
            value = x[(((begin + r) * C + c) * H + row) * W + col];
          }
        } else if (q === kDim && ones) {
          value = 1;
        }
        out[columns ? (r * kPadded + q) * P + p : (r * P + p) * kPadded + q] = value;
      }
    }
  }
  return out;
}

/**
 * A conv weight [C_out, C_in, K, K] (and bias) as the left operand of the patch products.
 *
 * @param inChannels C_in.
 * @param outChannels C_out.
 * @param kernelSize K.
 * @param weight The weight, C_out C_in K K values.
 * @param options `bias` (C_out values, put in column C_in K K), `flipped` (the input-gradient
 *   operand [C_in, C_out K K] of the spatially flipped kernel), `kPadded` (row length, zero-padded).
 * @returns [C_out, kPadded] (or [C_in, kPadded] when flipped), row-major.
 * @throws {RangeError} When kPadded is too small or the lengths are wrong.
 */
export function packWeightReference(
  inChannels: number,
  outChannels: number,
  kernelSize: number,
  weight: ArrayLike<number>,
  options: { bias?: ArrayLike<number>; flipped?: boolean; kPadded?: number } = {},
): Float64Array {
  const K = kernelSize, kk = K * K, flipped = options.flipped ?? false;
  if (weight.length !== outChannels * inChannels * kk) {
    throw new RangeError(`Cannot run "pack_weight": weight has ${weight.length} values`);
  }
  const rows = flipped ? inChannels : outChannels;
  const kDim = (flipped ? outChannels : inChannels) * kk;
  const need = kDim + (options.bias && !flipped ? 1 : 0);
  const kPadded = options.kPadded ?? need;
  if (kPadded < need) {
    throw new RangeError(`Cannot run "pack_weight": kPadded is ${kPadded}, must be >= ${need}`);
  }
  const out = new Float64Array(rows * kPadded);
  for (let row = 0; row < rows; row++) {
    for (let q = 0; q < kDim; q++) {
      if (!flipped) {
        out[row * kPadded + q] = weight[row * kDim + q];
      } else {
        const o = Math.floor(q / kk), u = Math.floor(q / K) % K, v = q % K;
        out[row * kPadded + q] = weight[((o * inChannels + row) * K + (K - 1 - u)) * K + (K - 1 - v)];
      }
    }
    if (options.bias && !flipped) out[row * kPadded + kDim] = options.bias[row];
  }
  return out;
}
