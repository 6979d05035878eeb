/**
 * Which conv2d implementation a pass runs: the im2col + matmul path (kernels/conv/conv2d_gemm.ts) or the
 * direct kernels (kernels/conv/conv2d.ts), per pass and shape, with a process-wide override for benchmarks.
 *
 * @module
 */
import type { GpuContext } from "../../lib/gpu/device.ts";
import { conv2dGemmSamplesPerChunk, type Conv2dPass } from "./conv2d_gemm.ts";
import type { Conv2dShape, Conv2dVariant } from "./conv2d_shape.ts";

/**
 * Rows of the product below which `"auto"` keeps the direct kernels: matmul's register block is 16
 * rows, and with fewer than 8 output (forward, weight gradient) or input (input gradient) channels
 * the direct kernels were faster (batch 8, 32x32, 64 channels on the other side, llvmpipe).
 */
export const CONV2D_GEMM_MIN_CHANNELS = 8;

let autoOverride: "gemm" | "direct" | undefined;

/**
 * Makes `"auto"` resolve to one variant for every later call in this process (benchmarks use it to
 * time a whole model on the direct kernels), or restores the heuristic with `"auto"`.
 *
 * @param variant The variant `"auto"` means from now on.
 * @throws {RangeError} On an unknown variant.
 */
export function setConv2dAutoVariant(variant: Conv2dVariant): void {
  if (variant !== "auto" && variant !== "gemm" && variant !== "direct") {
    throw new RangeError(`Cannot set the conv2d variant: "${variant}", must be auto, gemm or direct`);
  }
  autoOverride = variant === "auto" ? undefined : variant;
}

/**
 * The variant `"auto"` picks for a pass (unless {@linkcode setConv2dAutoVariant} fixed it): gemm unless the product has fewer than
 * {@linkcode CONV2D_GEMM_MIN_CHANNELS} rows or one sample's scratch exceeds the cap.
 *
 * @param gpu The GPU context.
 * @param shape The layer shape.
 * @param pass The pass.
 * @param variant The requested variant.
 * @returns `"gemm"` or `"direct"`.
 * @throws {RangeError} On an unknown variant.
 */
export function resolveConv2dVariant(
  gpu: GpuContext,
  shape: Conv2dShape,
  pass: Conv2dPass,
  variant: Conv2dVariant = "auto",
): "gemm" | "direct" {
  if (variant === "gemm" || variant === "direct") return variant;
  if (variant !== "auto") {
    throw new RangeError(`Cannot run "conv2d": variant is "${variant}", must be auto, gemm or direct`);
  }
  if (autoOverride) return autoOverride;
  const rows = pass === "backwardInput" ? shape.inChannels : shape.outChannels;
  if (rows < CONV2D_GEMM_MIN_CHANNELS) return "direct";
  return conv2dGemmSamplesPerChunk(gpu, shape, pass) >= 1 ? "gemm" : "direct";
}
