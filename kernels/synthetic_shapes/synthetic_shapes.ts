/**
 * The synthetic-shapes generator on the GPU (kernels/synthetic_shapes/synthetic_shapes.wgsl): views of
 * specs/seed004 section 3.6's 4-class 32x32 dataset, deterministic per index, matching the float64
 * reference lib/data/synthetic_shapes.ts to float32 rounding (labels exactly).
 *
 * @module
 */
import source from "./synthetic_shapes.wgsl" with { type: "text" };
import { PHILOX_WGSL } from "../random/random.ts";
import { type CommandRecorder, dispatch1d } from "../../lib/gpu/recorder.ts";
import type { KernelSource } from "../../lib/gpu/pipelines.ts";
import { StructLayout } from "../../lib/gpu/params.ts";

/** The uniform struct of kernels/synthetic_shapes/synthetic_shapes.wgsl. */
const SYNTHETIC_SHAPES_PARAMS = new StructLayout(
  "Params",
  "kernels/synthetic_shapes/synthetic_shapes.wgsl",
  [
    ["begin", "u32"],
    ["count", "u32"],
    ["views", "u32"],
    ["seed", "u32"],
    ["max_shift", "f32"],
    ["max_rotation", "f32"],
    ["noise_std", "f32"],
  ] as const,
);

/** Generator settings (defaults: the seed project's). */
export interface SyntheticShapesOptions {
  /** Dataset seed, the Philox key's first word (default 0). */
  seed?: number;
  /** Largest translation in pixels along each axis (default 3). */
  maxShift?: number;
  /** Largest rotation in degrees (default 10). */
  maxRotationDegrees?: number;
  /** Standard deviation of the additive Gaussian noise (default 0.05). */
  noiseStd?: number;
}

const WORKGROUP_SIZE = 64;
const CONSTANTS = { WORKGROUP_SIZE };
const KERNEL: KernelSource = {
  label: "synthetic_shapes",
  parts: [PHILOX_WGSL, { file: "kernels/synthetic_shapes/synthetic_shapes.wgsl", code: source }],
};

/** Arguments of {@linkcode encodeSyntheticShapes}. */
export interface SyntheticShapesArgs extends SyntheticShapesOptions {
  /** First sample index. */
  begin: number;
  /** Samples. */
  count: number;
  /** Two views per sample (view seeds 2 index and 2 index + 1) instead of one (view seed index). */
  pairs?: boolean;
  /** Receives [views, count, 1, 32, 32] floats, view-major (pairs: all first views, then all second). */
  images: GPUBuffer;
  /** Receives [count] u32 labels. */
  labels: GPUBuffer;
}

/**
 * Records the generation of `count` samples (one invocation per pixel, no loops).
 *
 * @param rec The recorder.
 * @param a Index range, options and output buffers.
 * @throws {RangeError} On a bad index range or seed, or output buffers too small.
 */
export async function encodeSyntheticShapes(rec: CommandRecorder, a: SyntheticShapesArgs): Promise<void> {
  const action = `run "synthetic_shapes"`;
  const views = a.pairs ? 2 : 1, seed = a.seed ?? 0;
  if (!Number.isInteger(a.count) || a.count < 0) {
    throw new RangeError(`Cannot ${action}: count is ${a.count}, must be a non-negative integer`);
  }
  const last = views * (a.begin + Math.max(0, a.count - 1)) + views - 1;
  for (const [what, v] of [["begin", a.begin], ["seed", seed], ["last view seed", last]] as const) {
    if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) {
      throw new RangeError(`Cannot ${action}: ${what} is ${v}, must be an integer in [0, 2^32)`);
    }
  }
  const floats = views * a.count * 1024;
  if (floats * 4 > a.images.size || a.count * 4 > a.labels.size) {
    throw new RangeError(
      `Cannot ${action}: ${a.count} samples need ${floats} image floats and ${a.count} labels`,
    );
  }
  if (a.count === 0) return;
  const params = SYNTHETIC_SHAPES_PARAMS.bytes({
    begin: a.begin,
    count: a.count,
    views,
    seed,
    max_shift: a.maxShift ?? 3,
    max_rotation: (a.maxRotationDegrees ?? 10) * Math.PI / 180,
    noise_std: a.noiseStd ?? 0.05,
  });
  await dispatch1d(rec, {
    kernel: KERNEL,
    constants: CONSTANTS,
    invocations: floats,
    bindings: [a.images, a.labels, rec.uniform(params, "synthetic_shapes params")],
  });
}
