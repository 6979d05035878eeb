/**
 * The fused GPU run of the seed project's "LPL" layer (LPL-10, 14): a batch of models (conditions x seeds,
 * one workgroup each; kernels/lpl/seed_layer.wgsl) trained from their initial weights in chunks of steps per
 * dispatch, with the completed-step checks of lib/gpu/fused_run.ts. Shared by the single layer
 * (./seed_gpu.ts) and the hierarchical model (./hierarchical.ts).
 *
 * @module
 */
import { createBuffer, uploadBuffer } from "../gpu/buffers.ts";
import { destroyBuffers, type GpuTarget, planStepsPerDispatch, runFused } from "../gpu/fused_run.ts";
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
  seedInputQuads,
  seedLayerCount,
  type SeedLayerShape,
  type SeedModelSetting,
  seedOutputFloats,
  seedWeightQuads,
} from "../../kernels/lpl/seed_layer_types.ts";

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
