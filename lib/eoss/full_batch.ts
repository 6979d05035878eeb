/**
 * Measurements against the full-batch (or a subset's) Hessian: GNI = E_B[g_B^T H g_B] / |g|^2 (EOSS-10), the normalised one-step loss
 * change E_B[L(theta - eta g_B) - L(theta)] / (eta |g|^2) (second order: -1 + (eta / 2) GNI), and the
 * Hutchinson trace E_z[z^T H z] with Rademacher z (EOSS-11).
 *
 * The "full" loss is over `evalIndices` when given (e.g. a seeded subset), else over all rows. The one-step
 * change compares the loss before and after on the same rows (the original compares the full loss before
 * with a fresh random 2048-sample subset after: errata 6).
 *
 * @module
 */
import { BatchStream } from "./batch_stream.ts";
import type { SharpnessProblem } from "./batch_sharpness.ts";
import { type HvpOperator, modelHvpOperator } from "./hvp_operator.ts";
import { readDot, ScalarSlots } from "./scalars.ts";
import { meanEstimate, sampleInBlocks, type StoppingRule } from "./stopping.ts";

/** Options of the batch-sampled full-batch measurements. */
export interface FullBatchSampleOptions extends StoppingRule {
  /** b. */
  batchSize: number;
  /** Rows of the full loss (all by default). */
  evalIndices?: ArrayLike<number>;
  /** Seed of the batch stream (0). */
  seed?: number;
  /** Measurement index (0). */
  measurement?: number;
  /** Batches per read-back (32). */
  blockBatches?: number;
}

/**
 * GNI = E_B[g_B^T H g_B] / |g|^2 with H and g on the full (or eval) rows. The original always uses 500
 * batches (its tolerance is ignored): the default rule here is min = max = 500.
 */
export async function gradientNoiseInteraction(
  problem: SharpnessProblem,
  options: FullBatchSampleOptions,
): Promise<{ gni: number; standardError: number; samples: number; gradientNormSquared: number }> {
  const { model, params, x, y } = problem, backend = model.backend, n = model.layout.count;
  const op = await modelHvpOperator(model, params, x, y, { indices: options.evalIndices });
  const loss = backend.zeros([1]), gb = backend.zeros([n]), hg = backend.zeros([n]);
  const stream = new BatchStream(x.shape[0], options.batchSize, options.seed ?? 0);
  try {
    const full = await op.lossAndGradient();
    const gradientNormSquared = await readDot(backend, full.gradient, full.gradient);
    backend.dispose(full.loss, full.gradient);
    const rule = { ...options, minSamples: options.minSamples ?? 500, maxSamples: options.maxSamples ?? 500 };
    const values = await sampleInBlocks(rule, options.blockBatches ?? 32, async (first, k) => {
      const slots = new ScalarSlots(backend, k);
      for (let j = 0; j < k; j++) {
        const batch = stream.batch(options.measurement ?? 0, first + j);
        await model.evaluate(params, x, y, { indices: batch, gradient: true, into: { loss, gradient: gb } });
        await op.apply(gb, hg);
        await slots.dot(gb, hg, j);
      }
      const read = await slots.read();
      slots.dispose();
      return read;
    });
    const m = meanEstimate(values);
    return {
      gni: m.mean / gradientNormSquared,
      standardError: m.standardError / gradientNormSquared,
      samples: m.samples,
      gradientNormSquared,
    };
  } finally {
    backend.dispose(loss, gb, hg);
    op.dispose();
  }
}

/**
 * The normalised one-step loss change E_B[L(theta - eta g_B) - L(theta)] / (eta |g|^2), L and g on the
 * full (or eval) rows; stops at relative error 0.01 by default (the original's).
 */
export async function oneStepLossChange(
  problem: SharpnessProblem,
  options: FullBatchSampleOptions & { learningRate: number },
): Promise<{ normalizedChange: number; standardError: number; samples: number }> {
  const { model, params, x, y } = problem,
    backend = model.backend,
    n = model.layout.count,
    eta = options.learningRate;
  const op = await modelHvpOperator(model, params, x, y, { indices: options.evalIndices });
  const loss = backend.zeros([1]), gb = backend.zeros([n]), moved = backend.zeros([n]);
  const stream = new BatchStream(x.shape[0], options.batchSize, options.seed ?? 0);
  try {
    const full = await op.lossAndGradient();
    const gradientNormSquared = await readDot(backend, full.gradient, full.gradient);
    const before = Float64Array.from(await backend.read(full.loss))[0];
    backend.dispose(full.loss, full.gradient);
    const rule = { ...options, relativeError: options.relativeError ?? 0.01 };
    const values = await sampleInBlocks(rule, options.blockBatches ?? 32, async (first, k) => {
      const slots = new ScalarSlots(backend, k);
      for (let j = 0; j < k; j++) {
        const batch = stream.batch(options.measurement ?? 0, first + j);
        await model.evaluate(params, x, y, { indices: batch, gradient: true, into: { loss, gradient: gb } });
        await backend.copy(params, moved);
        await backend.axpy(-eta, gb, moved);
        slots.put(await op.lossAt(moved, loss), j);
      }
      const read = await slots.read();
      slots.dispose();
      return read.map((after) => (after - before) / (eta * gradientNormSquared));
    });
    const m = meanEstimate(values);
    return { normalizedChange: m.mean, standardError: m.standardError, samples: m.samples };
  } finally {
    backend.dispose(loss, gb, moved);
    op.dispose();
  }
}

/** The Hutchinson estimate of tr H: the mean of z^T H z over Rademacher z (seeded), default 100 samples. */
export async function hutchinsonTrace(
  op: HvpOperator,
  options: StoppingRule & { seed?: number; blockSize?: number } = {},
): Promise<{ trace: number; standardError: number; samples: number }> {
  const backend = op.backend, hz = backend.zeros([op.dimension]);
  try {
    const rule = { ...options, minSamples: options.minSamples ?? 100, maxSamples: options.maxSamples ?? 100 };
    const values = await sampleInBlocks(rule, options.blockSize ?? 32, async (first, k) => {
      const slots = new ScalarSlots(backend, k);
      for (let j = 0; j < k; j++) {
        const z = await backend.random([op.dimension], {
          seed: options.seed ?? 0,
          stream: 0x7ace,
          step: first + j,
          distribution: "rademacher",
        });
        await op.apply(z, hz);
        await slots.dot(z, hz, j);
        backend.dispose(z);
      }
      const read = await slots.read();
      slots.dispose();
      return read;
    });
    const m = meanEstimate(values);
    return { trace: m.mean, standardError: m.standardError, samples: m.samples };
  } finally {
    backend.dispose(hz);
  }
}
