/**
 * EnhancedSGD's kernels: the gradient statistics of one step on the GPU (per-tensor means for centering, the
 * pooled unbiased variance and its EMA with the jump guard, the adaptive clip bound, the 100-bin histogram of
 * the raw gradient and both its normalised Shannon entropy and the original's density "entropy", the loss and
 * accumulators for a controller that runs every k steps), in three dispatches that never wait for the host,
 * and the fused update (centering, clipping, noise, heavy-ball momentum, decoupled weight decay).
 *
 * Structs are written by field name here only (one `StructLayout` per WGSL struct, checked by
 * tests/struct_layout_test.ts); the statistics are read back by name with {@linkcode decodeState}.
 *
 * @module
 */
import rangeSource from "./range.wgsl" with { type: "text" };
import histogramSource from "./histogram.wgsl" with { type: "text" };
import finishSource from "./finish.wgsl" with { type: "text" };
import updateSource from "./update.wgsl" with { type: "text" };
import type { GpuContext } from "../../lib/gpu/device.ts";
import { createBuffer, writeBuffer } from "../../lib/gpu/buffers.ts";
import { loopBudget } from "../../lib/gpu/loop_budget.ts";
import { StructLayout } from "../../lib/gpu/params.ts";
import type { KernelSource } from "../../lib/gpu/pipelines.ts";
import { type CommandRecorder, dispatch1d } from "../../lib/gpu/recorder.ts";

const WORKGROUP_SIZE = 64;
const ELEMENTS_PER_INVOCATION = 64;
/** Elements of one tile (one workgroup of the range, histogram and update passes). */
export const ESGD_TILE = WORKGROUP_SIZE * ELEMENTS_PER_INVOCATION;
/** Bins of the gradient histogram (the original's 100). */
export const HISTOGRAM_BINS = 100;

const SOURCES = {
  range: rangeSource,
  histogram: histogramSource,
  finish: finishSource,
  update: updateSource,
} as const;
const file = (name: keyof typeof SOURCES) => `kernels/enhanced_sgd/${name}.wgsl`;
const kernel = (name: keyof typeof SOURCES): KernelSource => ({
  label: `enhanced_sgd_${name}`,
  parts: [{ file: file(name), code: SOURCES[name] }],
});
const KERNELS = {
  range: kernel("range"),
  histogram: kernel("histogram"),
  finish: kernel("finish"),
  update: kernel("update"),
};

/** range.wgsl's `Params`. */
const RANGE_PARAMS = new StructLayout("Params", file("range"), [["tileCount", "u32"]] as const);
/** histogram.wgsl's `Params`. */
const HISTOGRAM_PARAMS = new StructLayout(
  "Params",
  file("histogram"),
  [
    ["tileCount", "u32"],
    ["size", "u32"],
  ] as const,
);
/** finish.wgsl's `Params`. */
const FINISH_PARAMS = new StructLayout(
  "Params",
  file("finish"),
  [
    ["tileCount", "u32"],
    ["size", "u32"],
    ["smoothing", "f32"],
    ["guard", "f32"],
    ["clipping", "u32"],
    ["clipKappa", "f32"],
    ["clipMin", "f32"],
    ["clipMax", "f32"],
    ["biasCorrection", "f32"],
    ["hasLoss", "u32"],
    ["reset", "u32"],
  ] as const,
);
/** update.wgsl's `Params`. */
const UPDATE_PARAMS = new StructLayout(
  "Params",
  file("update"),
  [
    ["tileCount", "u32"],
    ["centering", "u32"],
    ["noise", "u32"],
    ["noiseScale", "f32"],
    ["lr", "f32"],
    ["momentum", "f32"],
    ["decay", "f32"],
  ] as const,
);
/** Fields of finish.wgsl's `State` (all f32), the statistics the host reads. */
export const STATE_FIELDS = [
  "vbar",
  "vbarPrev",
  "variance",
  "entropyRaw",
  "entropyNorm",
  "clip",
  "gradMin",
  "gradMax",
  "gradMean",
  "loss",
  "accLoss",
  "accVbar",
  "accEntropyRaw",
  "accEntropyNorm",
  "accSteps",
] as const;
/** Fields of update.wgsl's `State`: the prefix of {@linkcode STATE_FIELDS} the update reads. */
const UPDATE_STATE_FIELDS = STATE_FIELDS.slice(0, 6);
// The state buffer's layouts, declared so that tests/struct_layout_test.ts holds both .wgsl files to them.
new StructLayout("State", file("finish"), STATE_FIELDS.map((f) => [f, "f32"] as const));
new StructLayout("State", file("update"), UPDATE_STATE_FIELDS.map((f) => [f, "f32"] as const));

/** The statistics of {@linkcode STATE_FIELDS} by name. */
export type GradientState = { [K in (typeof STATE_FIELDS)[number]]: number };

/** Bytes of the state buffer. */
export const STATE_BYTES = STATE_FIELDS.length * 4;

/** The statistics by name from the bytes of the state buffer. */
export function decodeState(bytes: ArrayBuffer): GradientState {
  const values = new Float32Array(bytes, 0, STATE_FIELDS.length);
  return Object.fromEntries(STATE_FIELDS.map((name, k) => [name, values[k]])) as GradientState;
}

/** The state buffer's bytes for given statistics (checkpoint import). */
export function encodeState(state: GradientState): Float32Array {
  return Float32Array.from(STATE_FIELDS, (name) => state[name]);
}

/** A parameter tensor's range of the flat vector. */
export interface TensorRange {
  begin: number;
  end: number;
}

/** The tiles of a list of tensor ranges: (begin, end, tensor) triples of at most {@linkcode ESGD_TILE}. */
export function esgdTiles(tensors: readonly TensorRange[]): Uint32Array {
  const out: number[] = [];
  tensors.forEach((r, j) => {
    for (let b = r.begin; b < r.end; b += ESGD_TILE) out.push(b, Math.min(r.end, b + ESGD_TILE), j);
  });
  return Uint32Array.from(out);
}

/** The GPU buffers EnhancedSGD keeps between steps. */
export interface EsgdBuffers {
  tiles: GPUBuffer;
  tileCount: number;
  tensorCount: number;
  size: number;
  ranges: GPUBuffer;
  squares: GPUBuffer;
  counts: GPUBuffer;
  means: GPUBuffer;
  /** The statistics ({@linkcode STATE_FIELDS}); read with {@linkcode decodeState}. */
  state: GPUBuffer;
}

/**
 * Creates the buffers for a flat vector cut into parameter tensors.
 *
 * @throws {RangeError} When there is no element or the tiles exceed the adapter's loop budget (finish.wgsl
 * loops over them).
 */
export function createEsgdBuffers(gpu: GpuContext, tensors: readonly TensorRange[]): EsgdBuffers {
  const budget = loopBudget(gpu);
  const tiles = esgdTiles(tensors);
  const tileCount = tiles.length / 3;
  const size = tensors.reduce((s, r) => s + r.end - r.begin, 0);
  if (tileCount === 0) throw new RangeError(`Cannot create EnhancedSGD buffers: the parameters are empty`);
  if (tileCount + HISTOGRAM_BINS > budget) {
    throw new RangeError(
      `Cannot create EnhancedSGD buffers: ${tileCount} tiles exceed the adapter's loop budget ${budget}`,
    );
  }
  const tileBuffer = createBuffer(gpu, tiles.byteLength, "esgd tiles");
  writeBuffer(gpu, tileBuffer, tiles);
  return {
    tiles: tileBuffer,
    tileCount,
    tensorCount: tensors.length,
    size,
    ranges: createBuffer(gpu, tileCount * 16, "esgd ranges"),
    squares: createBuffer(gpu, tileCount * 4, "esgd squares"),
    counts: createBuffer(gpu, HISTOGRAM_BINS * 4, "esgd histogram"),
    means: createBuffer(gpu, tensors.length * 4, "esgd means"),
    state: createBuffer(gpu, STATE_BYTES, "esgd state"),
  };
}

/** Destroys the buffers of {@linkcode createEsgdBuffers}. */
export function destroyEsgdBuffers(b: EsgdBuffers): void {
  for (const x of [b.tiles, b.ranges, b.squares, b.counts, b.means, b.state]) x.destroy();
}

/** Settings of the statistics pass (see finish.wgsl). */
export interface StatisticsSettings {
  smoothing: number;
  guard: number;
  clipping: boolean;
  clipKappa: number;
  clipMin: number;
  clipMax: number;
  /** Factor of vbar inside the clip bound (1 / (1 - (1 - smoothing)^t) for a bias-corrected EMA, else 1). */
  biasCorrection: number;
  /** Start the accumulators afresh with this step. */
  reset: boolean;
}

const TILE_CONSTANTS = { WORKGROUP_SIZE, ELEMENTS_PER_INVOCATION };

/**
 * Records the three statistics dispatches of one step (no host wait).
 *
 * @param rec The recorder.
 * @param b The buffers.
 * @param gradient The flat raw gradient.
 * @param loss A buffer whose element 0 is this step's loss, or undefined.
 * @param s Settings.
 */
export async function encodeGradientStatistics(
  rec: CommandRecorder,
  b: EsgdBuffers,
  gradient: GPUBuffer,
  loss: GPUBuffer | undefined,
  s: StatisticsSettings,
): Promise<void> {
  const invocations = b.tileCount * WORKGROUP_SIZE;
  await dispatch1d(rec, {
    kernel: KERNELS.range,
    constants: TILE_CONSTANTS,
    invocations,
    bindings: [gradient, b.tiles, b.ranges, rec.uniform(RANGE_PARAMS.bytes({ tileCount: b.tileCount }))],
  });
  await dispatch1d(rec, {
    kernel: KERNELS.histogram,
    constants: { ...TILE_CONSTANTS, BINS: HISTOGRAM_BINS },
    invocations,
    bindings: [
      gradient,
      b.tiles,
      b.ranges,
      b.counts,
      b.squares,
      rec.uniform(HISTOGRAM_PARAMS.bytes({ tileCount: b.tileCount, size: b.size })),
    ],
  });
  await dispatch1d(rec, {
    kernel: KERNELS.finish,
    constants: { WORKGROUP_SIZE: 1, BINS: HISTOGRAM_BINS },
    invocations: 1,
    bindings: [
      b.ranges,
      b.squares,
      b.counts,
      b.tiles,
      b.means,
      b.state,
      loss ?? b.squares,
      rec.uniform(FINISH_PARAMS.bytes({
        tileCount: b.tileCount,
        size: b.size,
        smoothing: s.smoothing,
        guard: s.guard,
        clipping: s.clipping ? 1 : 0,
        clipKappa: s.clipKappa,
        clipMin: s.clipMin,
        clipMax: s.clipMax,
        biasCorrection: s.biasCorrection,
        hasLoss: loss ? 1 : 0,
        reset: s.reset ? 1 : 0,
      })),
    ],
  });
}

/** This step's scalars of the update (see update.wgsl). */
export interface UpdateScalars {
  lr: number;
  momentum: number;
  centering: boolean;
  /** Standard normals as long as the parameters, scaled by `noiseScale`; undefined: no noise. */
  noise?: GPUBuffer;
  noiseScale: number;
  /** 1 - lr weightDecay (decoupled decay), or 1. */
  decay: number;
}

/** Records the fused update (one dispatch, no host wait). */
export async function encodeEnhancedSgdUpdate(
  rec: CommandRecorder,
  b: EsgdBuffers,
  buffers: { weights: GPUBuffer; gradient: GPUBuffer; velocity: GPUBuffer },
  u: UpdateScalars,
): Promise<void> {
  await dispatch1d(rec, {
    kernel: KERNELS.update,
    constants: TILE_CONSTANTS,
    invocations: b.tileCount * WORKGROUP_SIZE,
    bindings: [
      buffers.weights,
      buffers.gradient,
      buffers.velocity,
      b.means,
      b.tiles,
      b.state,
      u.noise ?? b.squares,
      rec.uniform(UPDATE_PARAMS.bytes({
        tileCount: b.tileCount,
        centering: u.centering ? 1 : 0,
        noise: u.noise ? 1 : 0,
        noiseScale: u.noiseScale,
        lr: u.lr,
        momentum: u.momentum,
        decay: u.decay,
      })),
    ],
  });
}
