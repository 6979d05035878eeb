/**
 * Batch sharpness (specs/seed003 EOSS-08): BS = E_B[g_B^T H_B g_B / |g_B|^2] over fresh batches B of size
 * b, with the "expectation inside" variant E_B[g_B^T H_B g_B] / E_B[|g_B|^2] and E_B[|g_B|^2] from the
 * same samples; step sharpness (EOSS-09), the ratio on one given batch; and momentum batch sharpness
 * (EOSS-12) E_B[s^T H_B s / s^T g_B], s = beta v + g_B.
 *
 * Batches come from a seeded {@linkcode BatchStream} and are measured in blocks of K (`blockBatches`);
 * the stopping rule (stopping.ts: the standard error of the mean of the ratios) is checked after each
 * block. Three ways to measure a block, with the same numbers up to rounding:
 *
 * - `"batched"`: all K batches in one pass over the K b stacked rows (lib/models/mlp_batch_curvature.ts;
 *   an MLP with the squared loss), one read-back per block;
 * - `"recorded"`: per batch a gradient and an exact H v (any model), dot products on the backend, all K
 *   recorded before one read-back per block;
 * - `"loop"`: as recorded but reading each batch's two numbers before the next (the original's way, a
 *   host wait per sample): the baseline of `deno task bench eoss`.
 *
 * `"auto"` (default) is batched where it applies, else recorded.
 *
 * @module
 */
import type { Tensor } from "../backend/tensor.ts";
import { Mlp } from "../models/mlp_model.ts";
import { mlpBatchCurvatures } from "../models/mlp_batch_curvature.ts";
import { BatchStream } from "./batch_stream.ts";
import type { EossModel } from "./hvp_operator.ts";
import { ScalarSlots } from "./scalars.ts";
import {
  meanEstimate,
  ratioOfMeansStandardError,
  shouldStop,
  type StoppingRule,
  stoppingRule,
} from "./stopping.ts";

/** A model at parameters with its training data on the backend. */
export interface SharpnessProblem {
  /** The model (`Mlp` or `Cnn`). */
  model: EossModel;
  /** Flat parameters. */
  params: Tensor;
  /** Training inputs [n, inputs]. */
  x: Tensor;
  /** Training targets [n, outputs]. */
  y: Tensor;
}

/** How a block of batches is measured. */
export type BatchSharpnessMethod = "auto" | "batched" | "recorded" | "loop";

/** Options of {@linkcode batchSharpness}. */
export interface BatchSharpnessOptions extends StoppingRule {
  /** b. */
  batchSize: number;
  /** Seed of the batch stream (0). */
  seed?: number;
  /** Measurement index, e.g. the training step (0): each gets fresh batches. */
  measurement?: number;
  /** K, batches per block (32). */
  blockBatches?: number;
  /** How blocks are measured ("auto"). */
  method?: BatchSharpnessMethod;
}

/** Result of {@linkcode batchSharpness}. */
export interface BatchSharpnessResult {
  /** BS: the mean of the ratios. */
  batchSharpness: number;
  /** Its standard error (std of the ratios / sqrt N). */
  standardError: number;
  /** mean(g^T H g) / mean(|g|^2). */
  expectationInside: number;
  /** Its delta-method standard error. */
  expectationInsideStandardError: number;
  /** E_B[|g_B|^2]. */
  meanGradientNormSquared: number;
  /** N, batches measured. */
  samples: number;
  /** The method used. */
  method: Exclude<BatchSharpnessMethod, "auto">;
  /** g_B^T H_B g_B per batch. */
  curvatures: Float64Array;
  /** |g_B|^2 per batch. */
  gradientNormsSquared: Float64Array;
}

/** The method "auto" resolves to for a model. */
export function batchedApplies(model: EossModel): boolean {
  return model instanceof Mlp && model.loss === "squared";
}

/**
 * g_B^T H_B g_B and |g_B|^2 of K batches (`indices`: K b rows, batch after batch).
 *
 * @returns Two arrays of K.
 */
export async function blockCurvatures(
  problem: SharpnessProblem,
  indices: Uint32Array,
  batchSize: number,
  method: Exclude<BatchSharpnessMethod, "auto">,
): Promise<{ curvatures: Float64Array; gradientNormsSquared: Float64Array }> {
  const { model, params, x, y } = problem, backend = model.backend, K = indices.length / batchSize;
  if (method === "batched") {
    if (!batchedApplies(model)) {
      throw new TypeError('Cannot measure batch sharpness "batched": it needs an Mlp with the squared loss');
    }
    const r = await mlpBatchCurvatures(model as Mlp, params, x, y, indices, batchSize);
    const slots = new ScalarSlots(backend, 2 * K);
    slots.put(r.curvature, 0);
    slots.put(r.gradientNormSquared, K);
    backend.dispose(r.curvature, r.gradientNormSquared, r.loss);
    const read = await slots.read();
    slots.dispose();
    return { curvatures: read.slice(0, K), gradientNormsSquared: read.slice(K) };
  }
  const slots = new ScalarSlots(backend, 2 * K), n = model.layout.count;
  const loss = backend.zeros([1]), g = backend.zeros([n]), hg = backend.zeros([n]);
  const curvatures = new Float64Array(K), gradientNormsSquared = new Float64Array(K);
  try {
    for (let k = 0; k < K; k++) {
      const batch = indices.subarray(k * batchSize, (k + 1) * batchSize);
      const xs = await backend.gatherRows(x, batch), ys = await backend.gatherRows(y, batch);
      await model.evaluate(params, xs, ys, { gradient: true, into: { loss, gradient: g } });
      await model.evaluate(params, xs, ys, { direction: g, into: { loss, hessianVector: hg } });
      await slots.dot(g, hg, k);
      await slots.dot(g, g, K + k);
      backend.dispose(xs, ys);
      if (method === "loop") {
        const read = await slots.read();
        curvatures[k] = read[k];
        gradientNormsSquared[k] = read[K + k];
      }
    }
    if (method === "recorded") {
      const read = await slots.read();
      curvatures.set(read.subarray(0, K));
      gradientNormsSquared.set(read.subarray(K));
    }
    return { curvatures, gradientNormsSquared };
  } finally {
    backend.dispose(loss, g, hg);
    slots.dispose();
  }
}

/**
 * Batch sharpness at the problem's parameters.
 *
 * @param problem Model, parameters and training data.
 * @param options Batch size, seed, measurement, block size, method and the stopping rule (min 20, max
 *   1000 samples, relative error 0.005).
 * @returns BS and its standard error, the expectation-inside variant, E|g_B|^2 and the samples.
 * @throws {RangeError} On bad options. @throws {TypeError} When "batched" does not apply.
 * @example Batch sharpness of a small MLP at initialisation (reference backend)
 * ```ts
 * import assert from "node:assert";
 * import { ReferenceBackend } from "../backend/reference.ts";
 * import { Mlp } from "../models/mlp_model.ts";
 * import { randomReference } from "../rng/philox.ts";
 * import { batchSharpness } from "./batch_sharpness.ts";
 * const backend = new ReferenceBackend();
 * const model = new Mlp(backend, { sizes: [4, 8, 2], activation: "relu", init: "kaiming", initScale: 1 }, "squared");
 * const x = backend.tensor(randomReference(32, 4, { seed: 1 }), [32, 4]);
 * const y = backend.tensor(randomReference(32, 2, { seed: 2 }), [32, 2]);
 * const r = await batchSharpness({ model, params: model.init(0), x, y }, { batchSize: 4, seed: 1 });
 * assert.ok(r.method === "batched" && r.batchSharpness > 0 && r.samples >= 20);
 * ```
 */
export async function batchSharpness(
  problem: SharpnessProblem,
  options: BatchSharpnessOptions,
): Promise<BatchSharpnessResult> {
  const rule = stoppingRule(options), K = options.blockBatches ?? 32;
  if (!Number.isInteger(K) || K < 1) {
    throw new RangeError(`Cannot measure batch sharpness: blockBatches ${K}, must be >= 1`);
  }
  const requested = options.method ?? "auto";
  const method = requested === "auto" ? (batchedApplies(problem.model) ? "batched" : "recorded") : requested;
  const stream = new BatchStream(problem.x.shape[0], options.batchSize, options.seed ?? 0);
  const x: number[] = [], y: number[] = [], ratios: number[] = [];
  while (true) {
    const k = Math.min(K, rule.maxSamples - ratios.length);
    const indices = stream.batches(options.measurement ?? 0, ratios.length, k);
    const block = await blockCurvatures(problem, indices, options.batchSize, method);
    for (let i = 0; i < k; i++) {
      x.push(block.curvatures[i]);
      y.push(block.gradientNormsSquared[i]);
      ratios.push(block.curvatures[i] / block.gradientNormsSquared[i]);
    }
    if (shouldStop(ratios, rule)) break;
  }
  const bs = meanEstimate(ratios), mx = meanEstimate(x).mean, my = meanEstimate(y).mean;
  return {
    batchSharpness: bs.mean,
    standardError: bs.standardError,
    expectationInside: mx / my,
    expectationInsideStandardError: ratioOfMeansStandardError(x, y),
    meanGradientNormSquared: my,
    samples: ratios.length,
    method,
    curvatures: Float64Array.from(x),
    gradientNormsSquared: Float64Array.from(y),
  };
}

/**
 * Step sharpness: g_B^T H_B g_B / |g_B|^2 on the live batch (rows `indices` of the training data),
 * measured before the update.
 */
export async function stepSharpness(
  problem: SharpnessProblem,
  indices: ArrayLike<number>,
): Promise<{ stepSharpness: number; curvature: number; gradientNormSquared: number }> {
  const batch = Uint32Array.from(indices);
  const r = await blockCurvatures(problem, batch, batch.length, "recorded");
  const curvature = r.curvatures[0], gradientNormSquared = r.gradientNormsSquared[0];
  return { stepSharpness: curvature / gradientNormSquared, curvature, gradientNormSquared };
}
