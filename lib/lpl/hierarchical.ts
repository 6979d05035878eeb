/**
 * The seed project's hierarchical "LPL" model (LPL-11, train_hierarchical_lpl.py): layer 1 (1024 -> 128) and
 * layer 2 (128 -> 64) of the seed layer (spec 3.6), trained on pairs of synthetic-shape views, both layers
 * updated in every step (simultaneous and local): y1 of (x_t, x_t1) with the pre-update layer 1, layer 1
 * updated on (x_t, x_t1), layer 2 on (y1_t, y1_t1). Each step picks a pair of the pair dataset at random
 * (Philox, as the single layer picks images); "shuffle" pairs x_t of one pair with x_t1 of another.
 *
 * - {@linkcode shapePairs}: the pair dataset (view seeds 2 i and 2 i + 1, lib/data/synthetic_shapes.ts).
 * - {@linkcode trainHierarchical}: every condition x seed, together on webgpu (kernels/lpl/seed_layer.wgsl in
 *   its two-layer mode), the float64 host loop {@linkcode trainHierarchicalReference} model by model on the
 *   reference backend.
 *
 * @module
 */
import type { Backend } from "../backend/backend.ts";
import { PhiloxStream } from "../rng/philox.ts";
import { syntheticShapes } from "../data/synthetic_shapes.ts";
import {
  createSeedLayer,
  frobeniusNorm,
  SEED_LAYER_RATES,
  type SeedLayer,
  seedLayerForward,
  type SeedLayerRates,
  seedLayerUpdate,
  unitVariance,
} from "../reference/lpl_seed_layer.ts";
import {
  SEED_PICK_STEP,
  SEED_STREAMS,
  type SeedLayerShape,
  seedWeightQuads,
} from "../../kernels/lpl/seed_layer_types.ts";
import { type SeedCondition, seedConditionRates } from "./seed_training.ts";
import { initialSeedLayer, runSeedKernel, type SeedKernelOptions, seedModelSetting } from "./seed_gpu.ts";

/** A pair dataset: pixels [count, 2, inputs] (x_t then x_t1 of each pair) and labels. */
export interface SeedPairs {
  pixels: Float32Array;
  labels: Uint8Array;
  count: number;
  inputs: number;
}

/** `count` pairs of 32x32 synthetic-shape views (pair i: view seeds 2 i and 2 i + 1 of sample i). */
export function shapePairs(count: number, seed: number): SeedPairs {
  const s = syntheticShapes(0, count, { seed, pairs: true });
  const inputs = 32 * 32, pixels = new Float32Array(count * 2 * inputs);
  for (let i = 0; i < count; i++) {
    pixels.set(s.images.subarray(i * inputs, (i + 1) * inputs), 2 * i * inputs);
    pixels.set(s.second!.subarray(i * inputs, (i + 1) * inputs), (2 * i + 1) * inputs);
  }
  return { pixels, labels: s.labels, count, inputs };
}

/** The two layers of a hierarchical model. */
export interface HierarchicalModel {
  layer1: SeedLayer;
  layer2: SeedLayer;
}

/** One log row: per layer Var(y_t) across units and |W|_F after the step. */
export interface HierarchicalLogRow {
  step: number;
  varY: [number, number];
  weightNorm: [number, number];
}

/** Options of {@linkcode trainHierarchical}. */
export interface HierarchicalOptions extends SeedKernelOptions {
  /** Outputs of layer 1 (the seed: 128) and layer 2 (64). */
  outputs: [number, number];
  steps: number;
  seeds: readonly number[];
  conditions: readonly SeedCondition[];
  rates?: SeedLayerRates;
  logEvery: number;
}

/** One trained model. */
export interface HierarchicalRun {
  condition: SeedCondition;
  seed: number;
  before: HierarchicalModel;
  after: HierarchicalModel;
  log: HierarchicalLogRow[];
  /** Updates skipped (non-finite dW or dP), both layers. */
  skipped: number;
}

/** A fresh model: layer 1 from the init stream, layer 2 from init2 (both W ~ N(0, 0.01^2), P = I). */
export function initialHierarchical(
  inputs: number,
  outputs: [number, number],
  seed: number,
): HierarchicalModel {
  const init2 = new PhiloxStream(seed, SEED_STREAMS.init2);
  let k = 0;
  return {
    layer1: initialSeedLayer(inputs, outputs[0], seed),
    layer2: createSeedLayer(outputs[0], outputs[1], () => init2.normal(0, 0, k++)),
  };
}

const copyLayer = (l: SeedLayer): SeedLayer => ({
  ...l,
  w: Float64Array.from(l.w),
  p: Float64Array.from(l.p),
});

/**
 * The float64 host loop of one model.
 *
 * @param pairs The pair dataset.
 * @param options Sizes, steps, rates, log interval.
 * @param condition The ablation.
 * @param seed Init and pick seed.
 * @returns The run.
 */
export function trainHierarchicalReference(
  pairs: SeedPairs,
  options: HierarchicalOptions,
  condition: SeedCondition,
  seed: number,
): HierarchicalRun {
  const model = initialHierarchical(pairs.inputs, options.outputs, seed);
  const before = { layer1: copyLayer(model.layer1), layer2: copyLayer(model.layer2) };
  const rates = seedConditionRates(condition, options.rates ?? SEED_LAYER_RATES);
  const rng = new PhiloxStream(seed, SEED_STREAMS.training), n = pairs.inputs;
  const log: HierarchicalLogRow[] = [];
  for (let k = 1; k <= options.steps; k++) {
    const a = Math.floor(rng.uniform(k, SEED_PICK_STEP, 0) * pairs.count);
    const b = condition === "shuffle" ? Math.floor(rng.uniform(k, SEED_PICK_STEP, 1) * pairs.count) : a;
    const xt = pairs.pixels.subarray(2 * a * n, (2 * a + 1) * n);
    const xt1 = pairs.pixels.subarray((2 * b + 1) * n, (2 * b + 2) * n);
    const y1t1 = seedLayerForward(model.layer1, xt1); // pre-update layer 1
    const y1t = seedLayerUpdate(model.layer1, xt, xt1, rates);
    const y2t = seedLayerUpdate(model.layer2, y1t, y1t1, rates);
    if (k % options.logEvery === 0) {
      log.push({
        step: k,
        varY: [unitVariance(y1t), unitVariance(y2t)],
        weightNorm: [frobeniusNorm(model.layer1.w), frobeniusNorm(model.layer2.w)],
      });
    }
  }
  return { condition, seed, before, after: model, log, skipped: model.layer1.skipped + model.layer2.skipped };
}

/**
 * Trains every condition x seed (model = condition index * seeds + seed index).
 *
 * @param backend webgpu (the fused kernel, all models at once) or reference (the host loop).
 * @param pairs The pair dataset.
 * @param options Sizes, conditions, seeds, rates.
 * @returns One run per model and the dispatches used (0 on the reference backend).
 */
export async function trainHierarchical(
  backend: Backend,
  pairs: SeedPairs,
  options: HierarchicalOptions,
): Promise<{ runs: HierarchicalRun[]; dispatches: number }> {
  const models = options.conditions.flatMap((condition) =>
    options.seeds.map((seed) => ({ condition, seed }))
  );
  if (!backend.gpuTarget) {
    return {
      runs: models.map(({ condition, seed }) => trainHierarchicalReference(pairs, options, condition, seed)),
      dispatches: 0,
    };
  }
  const n = pairs.inputs, [m1, m2] = options.outputs;
  const shape: SeedLayerShape = {
    models: models.length,
    inputs: n,
    height: 1,
    width: n,
    outputs: m1,
    outputs2: m2,
    imageCount: pairs.count,
    mode: "pairs",
    logEvery: options.logEvery,
  };
  const quads = seedWeightQuads(shape), initial = new Float32Array(models.length * quads * 4);
  const offsets = [0, m1 * n, m1 * n + m1 * m1, m1 * n + m1 * m1 + m2 * m1, 4 * quads];
  const befores = models.map(({ seed }, g) => {
    const b = initialHierarchical(n, options.outputs, seed);
    [b.layer1.w, b.layer1.p, b.layer2.w, b.layer2.p].forEach((a, r) =>
      initial.set(a, g * quads * 4 + offsets[r])
    );
    return b;
  });
  const r = await runSeedKernel(
    backend.gpuTarget,
    shape,
    models.map(({ condition, seed }) => seedModelSetting(condition, seed, options.rates)),
    initial,
    pairs.pixels,
    options.steps,
    options,
  );
  const runs = models.map(({ condition, seed }, g): HierarchicalRun => {
    const part = (k: number) =>
      Float64Array.from(r.weights.subarray(g * quads * 4 + offsets[k], g * quads * 4 + offsets[k + 1]));
    const h = (k: number, layer: number, q: number) => r.history[((g * r.records + k) * 2 + layer) * 2 + q];
    return {
      condition,
      seed,
      before: befores[g],
      after: {
        layer1: { inputs: n, outputs: m1, w: part(0), p: part(1), skipped: 0 },
        layer2: { inputs: m1, outputs: m2, w: part(2), p: part(3), skipped: 0 },
      },
      log: Array.from({ length: r.records }, (_, k) => ({
        step: (k + 1) * options.logEvery,
        varY: [h(k, 0, 0), h(k, 1, 0)],
        weightNorm: [h(k, 0, 1), h(k, 1, 1)],
      })),
      skipped: r.skipped[g],
    };
  });
  return { runs, dispatches: r.dispatches };
}

/** Layer 1 and layer 2 outputs [rows, m1] and [rows, m2] of single images [rows, inputs]. */
export function hierarchicalActivations(
  model: HierarchicalModel,
  images: ArrayLike<number>,
  rows: number,
): [Float64Array, Float64Array] {
  const { layer1, layer2 } = model, n = layer1.inputs;
  const y1 = new Float64Array(rows * layer1.outputs), y2 = new Float64Array(rows * layer2.outputs);
  for (let r = 0; r < rows; r++) {
    const x = Float64Array.from({ length: n }, (_, j) => images[r * n + j]);
    const a = seedLayerForward(layer1, x, y1.subarray(r * layer1.outputs, (r + 1) * layer1.outputs));
    seedLayerForward(layer2, a, y2.subarray(r * layer2.outputs, (r + 1) * layer2.outputs));
  }
  return [y1, y2];
}
