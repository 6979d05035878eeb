/**
 * Extreme eigenvalues of a Hessian by Lanczos with full reorthogonalisation: the top-k (largest), the
 * bottom-k (smallest, e.g. negative curvature) or the largest-magnitude k, with Ritz vectors on request.
 *
 * The Krylov basis q_0, q_1, ... (up to maxSteps vectors of the dimension) stays on the backend; each step
 * applies H and orthogonalises w = H q_j against every q_i twice (classical Gram-Schmidt, "twice is
 * enough"): the dot products q_i . w and |w|^2 are computed on the backend and read back together (one
 * wait per pass), the subtractions are axpys. |w|^2 after the second pass is |w|^2 before it minus the sum
 * of its squared coefficients (the q_i are orthonormal). Per-vector axpys rather than one Q^T c product
 * keep every dispatch within the adapter's grid limits at millions of parameters. The small tridiagonal T (alpha on the diagonal, beta beside it)
 * is diagonalised in float64 by lib/spectral's Jacobi solver; a Ritz value theta_i has the residual
 * bound beta_j |s_ji| (s_i its eigenvector of T), and the iteration stops when the wanted k are below
 * tolerance |theta_i|, when an invariant subspace is found (beta ~ 0), or at maxSteps.
 *
 * A single start vector finds one copy of a repeated eigenvalue (the Krylov space holds one direction of
 * each eigenspace): top-k lists distinct eigenvalues of a degenerate spectrum.
 *
 * @module
 */
import type { Tensor } from "../backend/tensor.ts";
import { symmetricEigen } from "../spectral/jacobi_eigen.ts";
import type { HvpOperator } from "./hvp_operator.ts";
import { readDot, ScalarSlots } from "./scalars.ts";

/** Options of {@linkcode lanczos}. */
export interface LanczosOptions {
  /** How many eigenvalues (1). */
  k?: number;
  /** Which end: "largest" (default), "smallest", or "magnitude". */
  which?: "largest" | "smallest" | "magnitude";
  /** Most steps, the basis size (min(dimension, max(2 k + 20, 30))). */
  maxSteps?: number;
  /** Relative Ritz residual to stop at (1e-3). */
  tolerance?: number;
  /** Start vector (not modified); else N(0, I) from `seed`. */
  start?: Tensor;
  /** Seed of the random start (0). */
  seed?: number;
  /** Also return the k Ritz vectors (false). */
  vectors?: boolean;
}

/** Result of {@linkcode lanczos}. */
export interface LanczosResult {
  /**
   * The k Ritz values, the wanted end first (largest: descending; smallest: ascending); fewer when the
   * Krylov space of the start vector is invariant with fewer than k dimensions.
   */
  values: number[];
  /** Their residual bounds beta_j |s_ji| (absolute). */
  residuals: number[];
  /** Steps (H v products). */
  steps: number;
  /** Whether every wanted value reached the tolerance (or the space became invariant). */
  converged: boolean;
  /** The unit Ritz vectors, in the order of `values` (with `vectors: true`; caller disposes). */
  vectors?: Tensor[];
}

/**
 * Lanczos with full reorthogonalisation on an operator.
 *
 * @param op The operator.
 * @param options k, which end, steps, tolerance, start, seed, vectors.
 * @returns Ritz values, residual bounds, steps, and optionally vectors.
 * @throws {RangeError} On bad options.
 */
export async function lanczos(op: HvpOperator, options: LanczosOptions = {}): Promise<LanczosResult> {
  const backend = op.backend, n = op.dimension, k = options.k ?? 1, which = options.which ?? "largest";
  const m = Math.min(n, options.maxSteps ?? Math.max(2 * k + 20, 30)), tolerance = options.tolerance ?? 1e-3;
  if (
    !Number.isInteger(k) || k < 1 || k > m || !(tolerance > 0) ||
    !["largest", "smallest", "magnitude"].includes(which)
  ) {
    throw new RangeError(
      `Cannot run Lanczos: k ${k} (1..${m} steps), tolerance ${tolerance} (> 0), which "${which}"`,
    );
  }
  if (options.start && options.start.size !== n) {
    throw new RangeError(`Cannot run Lanczos: start has ${options.start.size} elements, the operator ${n}`);
  }
  const q = backend.zeros([n]);
  if (options.start) await backend.copy(options.start, q);
  else {
    const z = await backend.random([n], { seed: options.seed ?? 0, stream: 0x1a2c });
    await backend.copy(z, q);
    backend.dispose(z);
  }
  await backend.scale(q, 1 / Math.sqrt(await readDot(backend, q, q)));
  const basis: Tensor[] = [q], slots = new ScalarSlots(backend, m + 1);
  let w = backend.zeros([n]);
  const alpha: number[] = [], beta: number[] = [];
  let ritz: Ritz = { order: [], values: new Float64Array(), vectors: new Float64Array() };
  let residuals: number[] = [], converged = false;
  try {
    for (let j = 0; j < m; j++) {
      await op.apply(basis[j], w);
      // Two passes of w <- w - sum_i (q_i . w) q_i; the coefficients of q_j add up to alpha_j.
      let normSquared = 0;
      alpha.push(0);
      for (let pass = 0; pass < 2; pass++) {
        for (let i = 0; i <= j; i++) await slots.dot(basis[i], w, i);
        await slots.dot(w, w, m);
        const read = await slots.read();
        normSquared = read[m];
        for (let i = 0; i <= j; i++) {
          await backend.axpy(-read[i], basis[i], w);
          normSquared -= read[i] * read[i];
        }
        alpha[j] += read[j];
      }
      const b = Math.sqrt(Math.max(0, normSquared));
      ritz = tridiagonalRitz(alpha, beta, which);
      const scaleOf = Math.max(...Array.from(ritz.values, Math.abs), 1e-30);
      residuals = ritz.order.slice(0, k).map((i) => b * Math.abs(ritz.vectors[j * (j + 1) + i]));
      // An invariant Krylov space (beta ~ 0 at the backend's precision) ends the iteration: its Ritz values
      // are exact, possibly fewer than k.
      const invariant = b <= (backend.name === "reference" ? 1e-10 : 1e-6) * scaleOf;
      converged = invariant ||
        (alpha.length >= k &&
          residuals.every((r, idx) => r <= tolerance * Math.abs(ritz.values[ritz.order[idx]])));
      if (converged || j + 1 === m) break;
      beta.push(b);
      await backend.scale(w, 1 / b);
      basis.push(w);
      w = backend.zeros([n]);
    }
    const steps = alpha.length, kept = Math.min(k, steps);
    const values = ritz.order.slice(0, kept).map((i) => ritz.values[i]);
    let vectors: Tensor[] | undefined;
    if (options.vectors) {
      vectors = [];
      for (const i of ritz.order.slice(0, kept)) {
        const y = backend.zeros([n]);
        for (let r = 0; r < steps; r++) await backend.axpy(ritz.vectors[r * steps + i], basis[r], y);
        vectors.push(y);
      }
    }
    return { values, residuals: residuals.slice(0, kept), steps, converged, vectors };
  } finally {
    backend.dispose(...basis, w);
    slots.dispose();
  }
}

/** The eigenvalues of T, its eigenvectors (columns, row-major) and the order from the wanted end. */
interface Ritz {
  order: number[];
  values: Float64Array;
  vectors: Float64Array;
}

function tridiagonalRitz(alpha: number[], beta: number[], which: string): Ritz {
  const size = alpha.length, t = new Float64Array(size * size);
  for (let i = 0; i < size; i++) {
    t[i * size + i] = alpha[i];
    if (i + 1 < size) t[i * size + i + 1] = t[(i + 1) * size + i] = beta[i];
  }
  const { values, vectors } = symmetricEigen(t, size);
  const order = Array.from(values, (_, i) => i);
  if (which === "largest") order.reverse();
  if (which === "magnitude") order.sort((a, b) => Math.abs(values[b]) - Math.abs(values[a]));
  return { order, values, vectors };
}
