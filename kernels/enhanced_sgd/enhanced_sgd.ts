/**
 * EnhancedSGD's kernels: the gradient statistics of one step on the GPU (per-tensor means for centering, the
 * pooled unbiased variance and its EMA with the jump guard, the adaptive clip bound, the 100-bin histogram of
 * the raw gradient and both its normalised Shannon entropy and the original's density "entropy", the loss and
 * accumulators for a controller that runs every k steps), in three dispatches that never wait for the host,
 * and the fused update (centering, clipping, noise, heavy-ball momentum, decoupled weight decay).
 *
 * Structs are written by field name here only ({@linkcode STATISTICS_PARAMS_FIELDS}, ...); the statistics are
 * read back by name with {@linkcode decodeState}.
 *
 * @module
 */
import rangeSource from "./range.wgsl" with { type: "text" };
import histogramSource from "./histogram.wgsl" with { type: "text" };
import finishSource from "./finish.wgsl" with { type: "text" };
import updateSource from "./update.wgsl" with { type: "text" };
import type { GpuContext } from "../../lib/gpu/device.ts";
import { createBuffer, writeBuffer } from "../../lib/gpu/buffers.ts";
import { UniformWriter } from "../../lib/gpu/params.ts";
import { getPipeline, type KernelSource } from "../../lib/gpu/pipelines.ts";
import { type CommandRecorder, grid1d } from "../../lib/gpu/recorder.ts";

const WORKGROUP_SIZE = 64;
const ELEMENTS_PER_INVOCATION = 64;
/** Elements of one tile (one workgroup of the range, histogram and update passes). */
export const ESGD_TILE = WORKGROUP_SIZE * ELEMENTS_PER_INVOCATION;
/** Bins of the gradient histogram (the original's 100). */
export const HISTOGRAM_BINS = 100;

/** The WGSL sources, for tests that hold the field lists to their structs. */
export const ESGD_WGSL = {
  range: rangeSource,
  histogram: histogramSource,
  finish: finishSource,
  update: updateSource,
} as const;

const kernel = (name: keyof typeof ESGD_WGSL): KernelSource => ({
  label: `enhanced_sgd_${name}`,
  parts: [{ file: `kernels/enhanced_sgd/${name}.wgsl`, code: ESGD_WGSL[name] }],
});
const KERNELS = {
  range: kernel("range"),
  histogram: kernel("histogram"),
  finish: kernel("finish"),
  update: kernel("update"),
};

type Field = readonly [string, "u32" | "f32"];
/** Fields of range.wgsl's `Params`. */
export const RANGE_PARAMS_FIELDS = [["tileCount", "u32"]] as const satisfies readonly Field[];
/** Fields of histogram.wgsl's `Params`. */
export const HISTOGRAM_PARAMS_FIELDS = [["tileCount", "u32"], [
  "size",
  "u32",
]] as const satisfies readonly Field[];
/** Fields of finish.wgsl's `Params`. */
export const FINISH_PARAMS_FIELDS = [
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
] as const satisfies readonly Field[];
/** Fields of update.wgsl's `Params`. */
export const UPDATE_PARAMS_FIELDS = [
  ["tileCount", "u32"],
  ["centering", "u32"],
  ["noise", "u32"],
  ["noiseScale", "f32"],
  ["lr", "f32"],
  ["momentum", "f32"],
  ["decay", "f32"],
] as const satisfies readonly Field[];
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

/** The statistics of {@linkcode STATE_FIELDS} by name. */
export type GradientState = { [K in (typeof STATE_FIELDS)[number]]: number };

type Values<F extends readonly Field[]> = { [K in F[number][0]]: number };

function pack<F extends readonly Field[]>(fields: F, values: Values<F>, what: string): ArrayBuffer {
  const writer = new UniformWriter();
  for (const [name, type] of fields) {
    const v = (values as Record<string, number>)[name];
    if (typeof v !== "number") {
      throw new TypeError(`Cannot write struct ${what}: field "${name}" has no value`);
    }
    writer[type](v);
  }
  return writer.bytes();
}

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
 * @throws {RangeError} When there is no element or the tiles exceed `loopBudget` (finish.wgsl loops over them).
 */
export function createEsgdBuffers(
  gpu: GpuContext,
  tensors: readonly TensorRange[],
  loopBudget: number,
): EsgdBuffers {
  const tiles = esgdTiles(tensors);
  const tileCount = tiles.length / 3;
  const size = tensors.reduce((s, r) => s + r.end - r.begin, 0);
  if (tileCount === 0) throw new RangeError(`Cannot create EnhancedSGD buffers: the parameters are empty`);
  if (tileCount + HISTOGRAM_BINS > loopBudget) {
    throw new RangeError(
      `Cannot create EnhancedSGD buffers: ${tileCount} tiles exceed the adapter's loop budget ${loopBudget}`,
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

function workgroups(rec: CommandRecorder, count: number): [number, number] {
  return grid1d(
    count * WORKGROUP_SIZE,
    WORKGROUP_SIZE,
    rec.gpu.device.limits.maxComputeWorkgroupsPerDimension,
  );
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
  const histogramConstants = { ...TILE_CONSTANTS, BINS: HISTOGRAM_BINS };
  const [range, histogram, finish] = await Promise.all([
    getPipeline(rec.gpu, KERNELS.range, TILE_CONSTANTS),
    getPipeline(rec.gpu, KERNELS.histogram, histogramConstants),
    getPipeline(rec.gpu, KERNELS.finish, { BINS: HISTOGRAM_BINS }),
  ]);
  const grid = workgroups(rec, b.tileCount);
  rec.dispatch({
    pipeline: range,
    label: KERNELS.range.label,
    constants: TILE_CONSTANTS,
    bindings: [
      gradient,
      b.tiles,
      b.ranges,
      rec.uniform(pack(RANGE_PARAMS_FIELDS, { tileCount: b.tileCount }, "range Params")),
    ],
    workgroups: grid,
  });
  rec.dispatch({
    pipeline: histogram,
    label: KERNELS.histogram.label,
    constants: histogramConstants,
    bindings: [
      gradient,
      b.tiles,
      b.ranges,
      b.counts,
      b.squares,
      rec.uniform(
        pack(HISTOGRAM_PARAMS_FIELDS, { tileCount: b.tileCount, size: b.size }, "histogram Params"),
      ),
    ],
    workgroups: grid,
  });
  rec.dispatch({
    pipeline: finish,
    label: KERNELS.finish.label,
    constants: { BINS: HISTOGRAM_BINS },
    bindings: [
      b.ranges,
      b.squares,
      b.counts,
      b.tiles,
      b.means,
      b.state,
      loss ?? b.squares,
      rec.uniform(pack(FINISH_PARAMS_FIELDS, {
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
      }, "finish Params")),
    ],
    workgroups: [1],
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
  const pipeline = await getPipeline(rec.gpu, KERNELS.update, TILE_CONSTANTS);
  rec.dispatch({
    pipeline,
    label: KERNELS.update.label,
    constants: TILE_CONSTANTS,
    bindings: [
      buffers.weights,
      buffers.gradient,
      buffers.velocity,
      b.means,
      b.tiles,
      b.state,
      u.noise ?? b.squares,
      rec.uniform(pack(UPDATE_PARAMS_FIELDS, {
        tileCount: b.tileCount,
        centering: u.centering ? 1 : 0,
        noise: u.noise ? 1 : 0,
        noiseScale: u.noiseScale,
        lr: u.lr,
        momentum: u.momentum,
        decay: u.decay,
      }, "update Params")),
    ],
    workgroups: workgroups(rec, b.tileCount),
  });
}
