/**
 * The second-moment contraction (specs/seed003 EOSS-17, optional): lambda_max(E_B[(I - eta H_B)^2]) over K
 * fixed batches. One linearised SGD step multiplies a deviation by (I - eta H_B) for the step's batch B; its
 * mean square grows along v when v^T E_B[(I - eta H_B)^2] v > |v|^2, so a top eigenvalue above 1 means the
 * linearised dynamics are unstable in mean square. Along a single direction with curvatures h_B the condition
 * reads E[h_B^2] / E[h_B] > 2/eta: a batch-level cousin of batch sharpness at 2/eta.
 *
 * A network's Hessians share a huge null space, where (I - eta H_B)^2 is the identity: the top eigenvalue is
 * at least 1 and 1 is massively degenerate, which leaves an eigen-solver no gap. So the solver runs on the
 * excess operator A = E_B[(I - eta H_B)^2] - I = (1/K) sum_B (eta^2 H_B^2 - 2 eta H_B), applied as two exact
 * H v products per batch (no cancellation against the identity), and the contraction is 1 + lambda_max(A).
 * lambda_max(A) > 0: unstable in mean square; when every direction contracts, the null space makes it ~0.
 *
 * The K batches come from a seeded {@linkcode BatchStream} (the same batches for every product); their rows
 * are gathered once. One product costs 2 K mini-batch H v products; Lanczos (30 steps at most) finds the top.
 *
 * @module
 */
import type { Tensor } from "../backend/tensor.ts";
import type { SharpnessProblem } from "./batch_sharpness.ts";
import { BatchStream } from "./batch_stream.ts";
import { type HvpOperator, modelHvpOperator } from "./hvp_operator.ts";
import { lanczos } from "./lanczos.ts";

/** Options of {@linkcode secondMomentContraction}. */
export interface SecondMomentOptions {
  /** eta. */
  learningRate: number;
  /** b. */
  batchSize: number;
  /** K, the batches of the expectation (128, the spec's). */
  batches?: number;
  /** Seed of the batch stream (0). */
  seed?: number;
  /** Measurement index, e.g. the training step (0): each gets fresh batches. */
  measurement?: number;
  /** Relative Ritz residual of Lanczos (1e-3). */
  tolerance?: number;
  /** Most Lanczos steps (30). */
  maxSteps?: number;
}

/** Result of {@linkcode secondMomentContraction}. */
export interface SecondMomentResult {
  /** lambda_max(E_B[(I - eta H_B)^2]) = 1 + excess. */
  contraction: number;
  /** lambda_max(E_B[(I - eta H_B)^2] - I): > 0 means unstable in mean square. */
  excess: number;
  /** Lanczos's residual bound on the excess, relative to |excess|. */
  residual: number;
  /** Lanczos steps (each 2 K mini-batch H v products). */
  steps: number;
  /** Whether Lanczos reached the tolerance (an excess of ~0 rarely does: no relative accuracy there). */
  converged: boolean;
  /** K. */
  batches: number;
}

/**
 * The excess operator v -> (1/K) sum_k (eta^2 H_k^2 v - 2 eta H_k v) over the given batches of rows.
 *
 * @param problem The model, its parameters (by reference) and data.
 * @param learningRate eta.
 * @param batches K batches of row indices, all of one size.
 * @returns The operator (dispose it: it owns the gathered rows).
 */
export async function secondMomentExcessOperator(
  problem: SharpnessProblem,
  learningRate: number,
  batches: readonly ArrayLike<number>[],
): Promise<HvpOperator> {
  const { model, params, x, y } = problem, backend = model.backend;
  const b = batches[0]?.length ?? 0;
  if (!(learningRate > 0) || b < 1 || batches.some((batch) => batch.length !== b)) {
    throw new RangeError(
      `Cannot make the second-moment operator: eta ${learningRate} (> 0) and ${batches.length} batches of one size >= 1`,
    );
  }
  const indices = new Uint32Array(batches.length * b);
  batches.forEach((batch, k) => indices.set(batch, k * b));
  const xs = await backend.gatherRows(x, indices), ys = await backend.gatherRows(y, indices);
  const ops = await Promise.all(
    batches.map((_, k) =>
      modelHvpOperator(model, params, xs, ys, { rows: { begin: k * b, end: (k + 1) * b } })
    ),
  );
  const n = model.layout.count, k = batches.length;
  const zero = backend.zeros([n]), h1 = backend.zeros([n]), h2 = backend.zeros([n]);
  return {
    backend,
    dimension: n,
    async apply(v: Tensor, out: Tensor) {
      await backend.copy(zero, out);
      for (const op of ops) {
        await op.apply(v, h1);
        await op.apply(h1, h2);
        await backend.axpy((-2 * learningRate) / k, h1, out);
        await backend.axpy((learningRate * learningRate) / k, h2, out);
      }
    },
    dispose() {
      for (const op of ops) op.dispose();
      backend.dispose(xs, ys, zero, h1, h2);
    },
  };
}

/**
 * lambda_max(E_B[(I - eta H_B)^2]) over K fresh batches of size b at the problem's parameters.
 *
 * @param problem The model, its parameters and data.
 * @param options eta, b, K, seeds, Lanczos tolerance and steps.
 * @returns The contraction, its excess over 1, and how Lanczos ended.
 */
export async function secondMomentContraction(
  problem: SharpnessProblem,
  options: SecondMomentOptions,
): Promise<SecondMomentResult> {
  const count = options.batches ?? 128;
  if (!Number.isInteger(count) || count < 1) {
    throw new RangeError(`Cannot measure the second-moment contraction: batches is ${count}, must be >= 1`);
  }
  const stream = new BatchStream(problem.x.shape[0], options.batchSize, options.seed ?? 0);
  const batches = Array.from({ length: count }, (_, j) => stream.batch(options.measurement ?? 0, j));
  const op = await secondMomentExcessOperator(problem, options.learningRate, batches);
  try {
    const r = await lanczos(op, {
      tolerance: options.tolerance ?? 1e-3,
      maxSteps: Math.min(op.dimension, options.maxSteps ?? 30),
      seed: options.seed ?? 0,
    });
    const excess = r.values[0];
    return {
      contraction: 1 + excess,
      excess,
      residual: r.residuals[0] / Math.abs(excess),
      steps: r.steps,
      converged: r.converged,
      batches: count,
    };
  } finally {
    op.dispose();
  }
}
