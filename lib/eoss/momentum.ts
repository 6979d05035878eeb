/**
 * Momentum batch sharpness (specs/seed003 EOSS-12): E_B[s^T H_B s / s^T g_B] with s = beta v + g_B, v the
 * SGD momentum buffer (PyTorch's v <- beta v + g, theta <- theta - eta v), and the stability thresholds it
 * is compared with: 2 / eta for plain SGD, 2 (1 + beta) / eta with momentum. The latter is derived, not
 * from the original code (errata 3): the heavy-ball iteration on a quadratic of curvature h is stable iff
 * eta h < 2 (1 + beta).
 *
 * @module
 */
import type { Tensor } from "../backend/tensor.ts";
import { BatchStream } from "./batch_stream.ts";
import type { SharpnessProblem } from "./batch_sharpness.ts";
import { ScalarSlots } from "./scalars.ts";
import { meanEstimate, sampleInBlocks, type StoppingRule } from "./stopping.ts";

/** 2 / eta: where batch sharpness settles under SGD. */
export function edgeOfStabilityThreshold(learningRate: number): number {
  return 2 / learningRate;
}

/** 2 (1 + beta) / eta: the heavy-ball threshold (derived; errata 3). */
export function momentumThreshold(learningRate: number, beta: number): number {
  return (2 * (1 + beta)) / learningRate;
}

/** Options of {@linkcode momentumBatchSharpness}. */
export interface MomentumBatchSharpnessOptions extends StoppingRule {
  /** b. */
  batchSize: number;
  /** beta. */
  beta: number;
  /** The momentum buffer v (flat, not modified). */
  momentum: Tensor;
  /** Seed of the batch stream (0). */
  seed?: number;
  /** Measurement index (0). */
  measurement?: number;
  /** Batches per read-back (32). */
  blockBatches?: number;
}

/**
 * Momentum batch sharpness at the problem's parameters.
 *
 * @returns The mean of the ratios, its standard error and the number of batches.
 */
export async function momentumBatchSharpness(
  problem: SharpnessProblem,
  options: MomentumBatchSharpnessOptions,
): Promise<{ momentumBatchSharpness: number; standardError: number; samples: number }> {
  const { model, params, x, y } = problem, backend = model.backend, n = model.layout.count;
  model.layout.check(options.momentum, "momentum buffer");
  const stream = new BatchStream(x.shape[0], options.batchSize, options.seed ?? 0);
  const loss = backend.zeros([1]), g = backend.zeros([n]), s = backend.zeros([n]), hs = backend.zeros([n]);
  try {
    const ratios = await sampleInBlocks(options, options.blockBatches ?? 32, async (first, k) => {
      const slots = new ScalarSlots(backend, 2 * k);
      for (let j = 0; j < k; j++) {
        const batch = stream.batch(options.measurement ?? 0, first + j);
        const xs = await backend.gatherRows(x, batch), ys = await backend.gatherRows(y, batch);
        await model.evaluate(params, xs, ys, { gradient: true, into: { loss, gradient: g } });
        await backend.copy(g, s);
        await backend.axpy(options.beta, options.momentum, s);
        await model.evaluate(params, xs, ys, { direction: s, into: { loss, hessianVector: hs } });
        await slots.dot(s, hs, j);
        await slots.dot(s, g, k + j);
        backend.dispose(xs, ys);
      }
      const read = await slots.read();
      slots.dispose();
      return Array.from({ length: k }, (_, j) => read[j] / read[k + j]);
    });
    const m = meanEstimate(ratios);
    return { momentumBatchSharpness: m.mean, standardError: m.standardError, samples: m.samples };
  } finally {
    backend.dispose(loss, g, s, hs);
  }
}
