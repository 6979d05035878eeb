/**
 * lambda_max of the loss Hessian as the spec measures it (section 2.1): on all rows, or on a seeded subset
 * of at most 4096 when there are more, by power iteration (default) or Lanczos, warm-started from the
 * previous measurement's vector by {@linkcode LambdaMaxTracker} (errata 2: the intent of the original's
 * eigenvector cache, which crashes there).
 *
 * @module
 */
import type { Tensor } from "../backend/tensor.ts";
import { BatchStream } from "./batch_stream.ts";
import type { SharpnessProblem } from "./batch_sharpness.ts";
import { modelHvpOperator } from "./hvp_operator.ts";
import { lanczos } from "./lanczos.ts";
import { powerIteration, type PowerIterationOptions, type PowerIterationResult } from "./power_iteration.ts";

/** Options of {@linkcode lambdaMax}. */
export type LambdaMaxOptions = PowerIterationOptions & {
  /** Most rows (4096). */
  maxRows?: number;
  /** Seed of the row subset (0). */
  subsetSeed?: number;
  /**
   * "power" (default) or "lanczos" (at most min(maxIterations, 60) steps, same tolerance on the Ritz
   * residual |H v - theta v| / |theta|, which is the power iteration's relative residual).
   */
  solver?: "power" | "lanczos";
};

/** The seeded rows lambda_max uses: all n when n <= maxRows, else a seeded subset of maxRows. */
export function lambdaMaxRows(n: number, maxRows = 4096, seed = 0): Uint32Array | undefined {
  return n <= maxRows ? undefined : new BatchStream(n, maxRows, seed, 0x4096).batch(0, 0);
}

/**
 * lambda_max of the loss Hessian on at most `maxRows` rows (a seeded subset when there are more), by
 * warm-started power iteration (default) or Lanczos.
 */
export async function lambdaMax(
  problem: SharpnessProblem,
  options: PowerIterationOptions & { maxRows?: number; subsetSeed?: number; solver?: "power" | "lanczos" } =
    {},
): Promise<PowerIterationResult & { rows: number }> {
  const indices = lambdaMaxRows(problem.x.shape[0], options.maxRows, options.subsetSeed);
  const op = await modelHvpOperator(problem.model, problem.params, problem.x, problem.y, { indices });
  try {
    if (options.solver === "lanczos") {
      const r = await lanczos(op, {
        start: options.start,
        seed: options.seed,
        tolerance: options.tolerance ?? 0.005,
        maxSteps: Math.min(options.maxIterations ?? 1000, 60, op.dimension),
        vectors: true,
      });
      return {
        eigenvalue: r.values[0],
        residual: r.residuals[0] / Math.abs(r.values[0]),
        iterations: r.steps,
        converged: r.converged,
        vector: r.vectors![0],
        rows: op.rows,
      };
    }
    return { ...(await powerIteration(op, options)), rows: op.rows };
  } finally {
    op.dispose();
  }
}

/**
 * Repeated lambda_max measurements along training, each warm-started from the previous vector (kept on
 * the backend); the first starts from N(0, I).
 */
export class LambdaMaxTracker {
  #vector: Tensor | undefined;
  #options: LambdaMaxOptions;

  /** @param options Solver options of every measurement (tolerance 0.005, 1000 iterations by default). */
  constructor(options: LambdaMaxOptions = {}) {
    this.#options = options;
  }

  /** Measures at the problem's current parameters, warm-started; keeps the new vector. */
  async measure(problem: SharpnessProblem): Promise<Omit<PowerIterationResult, "vector"> & { rows: number }> {
    const r = await lambdaMax(problem, { ...this.#options, start: this.#vector });
    if (this.#vector) problem.model.backend.dispose(this.#vector);
    this.#vector = r.vector;
    const { vector: _, ...rest } = r;
    return rest;
  }

  /** Frees the kept vector. */
  dispose(backend: { dispose(...t: Tensor[]): void }): void {
    if (this.#vector) backend.dispose(this.#vector);
    this.#vector = undefined;
  }
}
