/**
 * The seed project's "LPL" layer (LPL-10, 14) trained as a batch: every ablation condition x seed at once,
 * one fused kernel launch per chunk of steps on webgpu (kernels/lpl/seed_layer.wgsl, one workgroup per
 * model), the float64 host loop {@linkcode trainSeedLayer} run model by model on the reference backend.
 * Both draw the same Philox views (kernels/lpl/seed_layer_types.ts), so they agree up to float32 rounding.
 *
 * - {@linkcode trainSeedLayers}: the single layer, conditions x seeds (model = condition * seeds + seed).
 * - {@linkcode runSeedKernel}: the shared GPU run (also used by the hierarchical model, ./hierarchical.ts).
 *
 * @module
 */
import type { Backend } from "../backend/backend.ts";
import { createBuffer, uploadBuffer } from "../gpu/buffers.ts";
import { destroyBuffers, type GpuTarget, planStepsPerDispatch, runFused } from "../gpu/fused_run.ts";
import { PhiloxStream } from "../rng/philox.ts";
import {
  createSeedLayer,
  SEED_LAYER_RATES,
  type SeedLayer,
  type SeedLayerRates,
} from "../reference/lpl_seed_layer.ts";
import {
  encodeSeedLayer,
  SEED_LAYER_KERNEL,
  seedLayerIterations,
  seedLayerRecords,
  seedLayerWorkgroupSize,
  seedModelsBytes,
  validateSeedLayerShape,
} from "../../kernels/lpl/seed_layer.ts";
import {
  SEED_STREAMS,
  seedInputQuads,
  seedLayerCount,
  type SeedLayerShape,
  type SeedModelSetting,
  seedOutputFloats,
  seedWeightQuads,
} from "../../kernels/lpl/seed_layer_types.ts";
import {
  type SeedCondition,
  seedConditionRates,
  type SeedImages,
  type SeedLogRow,
  trainSeedLayer,
} from "./seed_training.ts";

/** A fresh layer as {@linkcode trainSeedLayer} makes it: W ~ N(0, 0.01^2) from Philox (seed, init stream), P = I. */
export function initialSeedLayer(inputs: number, outputs: number, seed: number): SeedLayer {
  const init = new PhiloxStream(seed, SEED_STREAMS.init);
  let k = 0;
  return createSeedLayer(inputs, outputs, () => init.normal(0, 0, k++));
}

/** The kernel's model setting of a condition: disabled terms get rate 0 (the same update). */
export function seedModelSetting(
  condition: SeedCondition,
  seed: number,
  base: SeedLayerRates = SEED_LAYER_RATES,
): SeedModelSetting {
  const r = seedConditionRates(condition, base);
  return {
    seed,
    hebb: r.useHebb ? r.hebb : 0,
    pred: r.usePred ? r.pred : 0,
    stab: r.useStab ? r.stab : 0,
    shuffle: condition === "shuffle",
  };
}

/** Options of {@linkcode runSeedKernel}. */
export interface SeedKernelOptions {
  /** Fewer steps per dispatch than the adapter's cap (never more). */
  stepsPerDispatch?: number;
  /** Tests only: steps per dispatch NOT capped by the loop budget (to prove a short dispatch is caught). */
  uncappedStepsPerDispatch?: number;
  /** Invocations per workgroup (default: by adapter; at most 256). */
  workgroupSize?: number;
}

/** What {@linkcode runSeedKernel} reads back. */
export interface SeedKernelResult {
  /** Per model: W1, P1 (and W2, P2), as laid out by `seedWeightQuads`. */
  weights: Float32Array;
  /** [models, records, layers, 2]: Var(y_t), |W|_F. */
  history: Float32Array;
  records: number;
  /** Updates skipped per model (non-finite dW or dP). */
  skipped: number[];
  dispatches: number;
  stepsPerDispatch: number;
}

/** Dispatches between host checks of the completed-step counters. */
const CHECK_EVERY = 64;

/**
 * Trains a batch of models on the GPU from their initial weights.
 *
 * @param target The GPU and its recorder.
 * @param shape Sizes.
 * @param models One setting per model.
 * @param initial Initial weights [models, seedWeightQuads(shape) * 4].
 * @param images Images [count, inputs] (views mode) or pairs [count, 2, inputs].
 * @param steps Steps.
 * @param options Steps per dispatch, workgroup size.
 * @returns Final weights, the log and the counters.
 * @throws {RangeError} On sizes the kernel cannot take. @throws {IncompleteDispatchError} On a short dispatch.
 */
export async function runSeedKernel(
  target: GpuTarget,
  shape: SeedLayerShape,
  models: readonly SeedModelSetting[],
  initial: Float32Array,
  images: Float32Array,
  steps: number,
  options: SeedKernelOptions = {},
): Promise<SeedKernelResult> {
  validateSeedLayerShape(shape);
  const { gpu, recorder } = target;
  const quads = seedWeightQuads(shape);
  if (models.length !== shape.models || initial.length !== shape.models * quads * 4) {
    throw new RangeError(
      `Cannot train the seed-LPL layer: ${models.length} model settings and ${initial.length} initial weights ` +
        `for ${shape.models} models of ${quads * 4} weights`,
    );
  }
  const perImage = shape.inputs * (shape.mode === "pairs" ? 2 : 1);
  if (images.length !== shape.imageCount * perImage) {
    throw new RangeError(
      `Cannot train the seed-LPL layer: ${images.length} pixels for ${shape.imageCount} images`,
    );
  }
  const workgroupSize = options.workgroupSize ?? seedLayerWorkgroupSize(gpu);
  if (!Number.isInteger(workgroupSize) || workgroupSize < 1 || workgroupSize > 256) {
    throw new RangeError(
      `Cannot train the seed-LPL layer: workgroupSize is ${workgroupSize}, must be 1..256`,
    );
  }
  const { perStep, fixed } = seedLayerIterations(shape, workgroupSize);
  const perDispatch = options.uncappedStepsPerDispatch ?? planStepsPerDispatch(gpu, {
    what: "the seed-LPL layer",
    iterationsPerStep: perStep,
    fixedIterations: fixed,
    totalSteps: steps,
    requested: options.stepsPerDispatch,
  });
  const records = seedLayerRecords(shape, steps), layers = seedLayerCount(shape);
  const historyFloats = Math.max(1, shape.models * records * layers * 2);
  const yFloats = shape.models * seedOutputFloats(shape);
  const buffers = {
    models: uploadBuffer(gpu, new Uint32Array(seedModelsBytes(models)), "lpl seed models"),
    images: uploadBuffer(gpu, images, "lpl seed images"),
    weights: uploadBuffer(gpu, initial, "lpl seed weights"),
    xs: createBuffer(gpu, shape.models * seedInputQuads(shape) * 16, "lpl seed inputs"),
    ys: uploadBuffer(gpu, new Float32Array(yFloats), "lpl seed outputs"),
    history: createBuffer(gpu, historyFloats * 4, "lpl seed log"),
  };
  try {
    const run = await runFused({
      gpu,
      recorder,
      label: SEED_LAYER_KERNEL.label,
      invocations: shape.models,
      steps,
      stepsPerDispatch: perDispatch,
      checkEvery: CHECK_EVERY,
      encode: (d) =>
        encodeSeedLayer(recorder, {
          buffers: { ...buffers, completed: d.completed },
          shape,
          steps: d.steps,
          stepOffset: d.stepOffset,
          historyLength: records,
          chunk: d.chunk,
        }, workgroupSize),
      readback: [
        { buffer: buffers.weights, byteLength: initial.byteLength },
        { buffer: buffers.history, byteLength: historyFloats * 4 },
        { buffer: buffers.ys, byteLength: yFloats * 4 },
      ],
    });
    const [w, h, y] = run.readback;
    const outputs = new Float32Array(y), stride = seedOutputFloats(shape);
    return {
      weights: new Float32Array(w),
      history: new Float32Array(h, 0, shape.models * records * layers * 2),
      records,
      skipped: Array.from({ length: shape.models }, (_, g) => outputs[g * stride + stride - 4]),
      dispatches: run.dispatches,
      stepsPerDispatch: perDispatch,
    };
  } finally {
    destroyBuffers(buffers);
  }
}

/** Options of {@linkcode trainSeedLayers}. */
export interface SeedBatchOptions extends SeedKernelOptions {
  outputs: number;
  steps: number;
  /** Seeds (each its own init and view stream). */
  seeds: readonly number[];
  conditions: readonly SeedCondition[];
  rates?: SeedLayerRates;
  logEvery: number;
}

/** One trained model of {@linkcode trainSeedLayers}. */
export interface SeedBatchRun {
  condition: SeedCondition;
  seed: number;
  before: SeedLayer;
  after: SeedLayer;
  log: SeedLogRow[];
}

/** Result of {@linkcode trainSeedLayers}. */
export interface SeedBatchResult {
  /** Model = condition index * seeds + seed index. */
  runs: SeedBatchRun[];
  /** Dispatches used (0 on the reference backend). */
  dispatches: number;
  /** Steps per dispatch (0 on the reference backend). */
  stepsPerDispatch: number;
}

/**
 * Trains every condition x seed of the seed layer: together on webgpu, one after another (float64) on the
 * reference backend.
 *
 * @param backend webgpu (fused kernel) or reference (the host loop).
 * @param images The images the pairs are drawn from.
 * @param options Sizes, conditions, seeds, rates.
 * @returns One run per model, before and after layers and logs.
 */
export async function trainSeedLayers(
  backend: Backend,
  images: SeedImages,
  options: SeedBatchOptions,
): Promise<SeedBatchResult> {
  const models = options.conditions.flatMap((condition) =>
    options.seeds.map((seed) => ({ condition, seed }))
  );
  if (!backend.gpuTarget) {
    const runs = models.map(({ condition, seed }) => ({
      condition,
      seed,
      ...trainSeedLayer(images, { ...options, condition, seed }),
    }));
    return { runs, dispatches: 0, stepsPerDispatch: 0 };
  }
  const n = images.height * images.width, m = options.outputs;
  const shape: SeedLayerShape = {
    models: models.length,
    inputs: n,
    height: images.height,
    width: images.width,
    outputs: m,
    outputs2: 0,
    imageCount: images.count,
    mode: "views",
    logEvery: options.logEvery,
  };
  const quads = seedWeightQuads(shape), initial = new Float32Array(models.length * quads * 4);
  const befores = new Map<number, SeedLayer>();
  models.forEach(({ seed }, g) => {
    if (!befores.has(seed)) befores.set(seed, initialSeedLayer(n, m, seed));
    const l = befores.get(seed)!;
    initial.set(l.w, g * quads * 4);
    initial.set(l.p, g * quads * 4 + m * n);
  });
  const r = await runSeedKernel(
    backend.gpuTarget,
    shape,
    models.map(({ condition, seed }) => seedModelSetting(condition, seed, options.rates)),
    initial,
    Float32Array.from(images.pixels.subarray(0, images.count * n)),
    options.steps,
    options,
  );
  const runs = models.map(({ condition, seed }, g): SeedBatchRun => {
    const at = g * quads * 4, before = befores.get(seed)!;
    const after: SeedLayer = {
      inputs: n,
      outputs: m,
      w: Float64Array.from(r.weights.subarray(at, at + m * n)),
      p: Float64Array.from(r.weights.subarray(at + m * n, at + m * n + m * m)),
      skipped: r.skipped[g],
    };
    const log = Array.from({ length: r.records }, (_, k) => ({
      step: (k + 1) * options.logEvery,
      varY: r.history[(g * r.records + k) * 2],
      weightNorm: r.history[(g * r.records + k) * 2 + 1],
    }));
    return {
      condition,
      seed,
      before: { ...before, w: Float64Array.from(before.w), p: Float64Array.from(before.p) },
      after,
      log,
    };
  });
  return { runs, dispatches: r.dispatches, stepsPerDispatch: r.stepsPerDispatch };
}
