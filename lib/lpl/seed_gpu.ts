/**
 * The seed project's "LPL" layer (LPL-10, 14) trained as a batch: every ablation condition x seed at once,
 * one fused kernel launch per chunk of steps on webgpu (kernels/lpl/seed_layer.wgsl, one workgroup per
 * model), the float64 host loop {@linkcode trainSeedLayer} run model by model on the reference backend.
 * Both draw the same Philox views (kernels/lpl/seed_layer_types.ts), so they agree up to float32 rounding.
 *
 * - {@linkcode trainSeedLayers}: the single layer, conditions x seeds (model = condition * seeds + seed).
 * - {@linkcode runSeedKernel}: the shared GPU run (./seed_kernel_run.ts, re-exported here; also used by the
 *   hierarchical model, ./hierarchical.ts).
 *
 * @module
 */
import type { Backend } from "../backend/backend.ts";
import { PhiloxStream } from "../rng/philox.ts";
import {
  createSeedLayer,
  SEED_LAYER_RATES,
  type SeedLayer,
  type SeedLayerRates,
} from "../reference/lpl_seed_layer.ts";
import {
  SEED_STREAMS,
  type SeedLayerShape,
  type SeedModelSetting,
  seedWeightQuads,
} from "../../kernels/lpl/seed_layer_types.ts";
import { runSeedKernel, type SeedKernelOptions } from "./seed_kernel_run.ts";
export { runSeedKernel, type SeedKernelOptions, type SeedKernelResult } from "./seed_kernel_run.ts";
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
