/**
 * MiniBS, the batch lambda_max of the paper's v1 (specs/seed003 EOSS-11): E_B[lambda_max(H_B)] over fresh
 * batches, each by power iteration on the batch's Hessian (tolerance 0.05 and at most 100 iterations, the
 * training values of errata 4), averaged until the standard error is below 5% of the mean (at most 50
 * batches in training). The batches' own lambda_max bound their Rayleigh quotients, so MiniBS >= BS.
 *
 * @module
 */
import { BatchStream } from "./batch_stream.ts";
import type { SharpnessProblem } from "./batch_sharpness.ts";
import { modelHvpOperator } from "./hvp_operator.ts";
import { powerIteration } from "./power_iteration.ts";
import { meanEstimate, sampleInBlocks, type StoppingRule } from "./stopping.ts";

/** Options of {@linkcode miniBatchLambdaMax}. */
export interface MiniBatchLambdaMaxOptions extends StoppingRule {
  /** b. */
  batchSize: number;
  /** Seed of the batch stream (0). */
  seed?: number;
  /** Measurement index (0). */
  measurement?: number;
  /** Power-iteration tolerance per batch (0.05). */
  tolerance?: number;
  /** Power-iteration limit per batch (100). */
  maxIterations?: number;
}

/**
 * E_B[lambda_max(H_B)] with its standard error; the stopping rule defaults to relative error 0.05, at
 * most 50 batches, at least 5.
 */
export async function miniBatchLambdaMax(
  problem: SharpnessProblem,
  options: MiniBatchLambdaMaxOptions,
): Promise<{ miniBatchLambdaMax: number; standardError: number; samples: number; values: Float64Array }> {
  const { model, params, x, y } = problem, backend = model.backend;
  const stream = new BatchStream(x.shape[0], options.batchSize, options.seed ?? 0);
  const rule = {
    minSamples: options.minSamples ?? 5,
    maxSamples: options.maxSamples ?? 50,
    relativeError: options.relativeError ?? 0.05,
  };
  const values = await sampleInBlocks(rule, 1, async (first) => {
    const indices = stream.batch(options.measurement ?? 0, first);
    const op = await modelHvpOperator(model, params, x, y, { indices });
    try {
      const r = await powerIteration(op, {
        tolerance: options.tolerance ?? 0.05,
        maxIterations: options.maxIterations ?? 100,
        seed: first,
      });
      backend.dispose(r.vector);
      return [r.eigenvalue];
    } finally {
      op.dispose();
    }
  });
  const m = meanEstimate(values);
  return { miniBatchLambdaMax: m.mean, standardError: m.standardError, samples: m.samples, values };
}
