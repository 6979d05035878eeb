/**
 * The Philox random-number kernel and the Philox WGSL library for other kernels.
 *
 * kernels/random/philox.wgsl holds Philox4x32-10 and its conversions (uniform, Rademacher,
 * Box-Muller) as WGSL functions; kernels/random/random.wgsl fills a [rows, cols] buffer with
 * one invocation per Philox block. Both match lib/rng/philox.ts: raw words, uniforms,
 * signs and two-point values bit for bit, normals to float32 transcendental accuracy.
 *
 * @module
 */
import philoxSource from "./philox.wgsl" with { type: "text" };
import randomSource from "./random.wgsl" with { type: "text" };
import type { CommandRecorder } from "../../lib/gpu/recorder.ts";
import { dispatch1d } from "../../lib/gpu/recorder.ts";
import type { KernelPart, KernelSource } from "../../lib/gpu/pipelines.ts";
import { StructLayout } from "../../lib/gpu/params.ts";
import type { Distribution, RandomOptions } from "../../lib/rng/philox.ts";
import { twoPointThreshold } from "../../lib/rng/philox.ts";

/** The uniform struct of kernels/random/random.wgsl. */
const RANDOM_PARAMS = new StructLayout(
  "Params",
  "kernels/random/random.wgsl",
  [
    ["rows", "u32"],
    ["cols", "u32"],
    ["blocks_per_row", "u32"],
    ["blocks", "u32"],
    ["seed", "u32"],
    ["stream", "u32"],
    ["step", "u32"],
    ["index", "u32"],
    ["distribution", "u32"],
    ["two_point_threshold", "u32"],
    ["two_point_low", "f32"],
    ["two_point_high", "f32"],
  ] as const,
);

/**
 * The Philox WGSL library (`philox4x32_10(ctr: vec4<u32>, key: vec2<u32>) -> vec4<u32>`,
 * `philox_uniform`, `philox_rademacher`, `philox_box_muller`, `philox_normal4`), to list
 * first among a fused kernel's parts.
 *
 * @example
 * ```ts ignore
 * const kernel = { label: "sgd", parts: [PHILOX_WGSL, { file: "kernels/sgd.wgsl", code: sgdSource }] };
 * ```
 */
export const PHILOX_WGSL: KernelPart = { file: "kernels/random/philox.wgsl", code: philoxSource };

/** The random kernel: the Philox library, then kernels/random/random.wgsl. */
export const RANDOM_KERNEL: KernelSource = {
  label: "random",
  parts: [PHILOX_WGSL, { file: "kernels/random/random.wgsl", code: randomSource }],
};

/** Invocations per workgroup of the random kernel. */
export const RANDOM_WORKGROUP_SIZE = 64;

/** Arguments of {@linkcode encodeRandom}. */
export interface RandomArgs {
  /** Output buffer of at least rows * cols 4-byte elements (u32 for "u32", else f32). */
  out: GPUBuffer;
  /** Number of rows (counter word 2 runs over index .. index + rows - 1). */
  rows: number;
  /** Elements per row. */
  cols: number;
  /** Seed, stream, step, index and distribution, already checked by `checkRandom`. */
  options: RandomOptions;
}

/** The kernel's distribution codes (`Params.distribution` in kernels/random/random.wgsl). */
function distributionCode(d: Distribution): number {
  if (typeof d === "object") return 4;
  const code = ["u32", "uniform", "normal", "rademacher"].indexOf(d);
  if (code < 0) throw new TypeError(`Cannot draw random numbers: unknown distribution "${d}"`);
  return code;
}

/**
 * Records the random kernel writing `rows * cols` values into `out` (nothing when either is 0).
 * Element `e` of row `r` is lane `e % 4` of Philox4x32-10 with key `(seed, stream)` and counter
 * `(floor(e / 4), step, index + r, 0)`, mapped to the distribution as in `randomReference`.
 *
 * @param rec The recorder to record into.
 * @param args Output buffer, shape and options.
 * @returns Once the pipeline is compiled and the dispatch recorded.
 * @throws {TypeError} On an unknown distribution.
 * @throws {KernelCompileError} When the kernel fails to compile.
 */
export async function encodeRandom(rec: CommandRecorder, args: RandomArgs): Promise<void> {
  const { rows, cols, options } = args;
  const distribution = options.distribution ?? "normal";
  const code = distributionCode(distribution);
  const blocksPerRow = Math.ceil(cols / 4);
  const blocks = rows * blocksPerRow;
  if (blocks === 0) return;
  const twoPoint = typeof distribution === "object" ? distribution.twoPoint : undefined;
  const params = RANDOM_PARAMS.bytes({
    rows,
    cols,
    blocks_per_row: blocksPerRow,
    blocks,
    seed: options.seed,
    stream: options.stream ?? 0,
    step: options.step ?? 0,
    index: options.index ?? 0,
    distribution: code,
    two_point_threshold: twoPoint ? twoPointThreshold(twoPoint.probabilityHigh) : 0,
    two_point_low: twoPoint?.low ?? 0,
    two_point_high: twoPoint?.high ?? 0,
  });
  const constants = { WORKGROUP_SIZE: RANDOM_WORKGROUP_SIZE };
  await dispatch1d(rec, {
    kernel: RANDOM_KERNEL,
    constants,
    invocations: blocks,
    bindings: [args.out, rec.uniform(params, "random params")],
  });
}
