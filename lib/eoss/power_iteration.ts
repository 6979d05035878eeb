/**
 * lambda_max of a Hessian by power iteration (specs/seed003 section 2.2): warm-started from the previous
 * measurement's vector, stopped on the relative residual |H v - rho v| / |rho| < tolerance, with a shift
 * (iterate on H - sigma I) for the bottom end: with sigma >= (lambda_max + lambda_min) / 2, e.g. sigma =
 * lambda_max, the dominant eigenvalue of H - sigma I is lambda_min - sigma.
 *
 * Vectors stay on the backend; each iteration reads back two scalars (rho = v.Hv and |Hv|^2) in one
 * wait. The residual |Hv|^2 - rho^2 cancels in float32 near convergence, so once it says the residual is
 * below max(2 tolerance, 1e-3) the explicit |Hv - rho v| is computed (one more wait) and used.
 *
 * Power iteration finds the largest-magnitude eigenvalue; with a large negative eigenvalue (cross-entropy,
 * early training) use Lanczos (lanczos.ts) or a shift.
 *
 * @module
 */
import type { Tensor } from "../backend/tensor.ts";
import type { HvpOperator } from "./hvp_operator.ts";
import { readDot, ScalarSlots } from "./scalars.ts";

/** Options of {@linkcode powerIteration}. */
export interface PowerIterationOptions {
  /** Relative residual |H v - rho v| / |rho| to stop at (0.005, the seed's training value). */
  tolerance?: number;
  /** Most H v products (1000). */
  maxIterations?: number;
  /** Warm start (not modified), e.g. the previous result's `vector`; else N(0, I) from `seed`. */
  start?: Tensor;
  /** Seed of the random start (0). */
  seed?: number;
  /** sigma: iterate on H - sigma I, report the eigenvalue of H (0). */
  shift?: number;
}

/** Result of {@linkcode powerIteration}. */
export interface PowerIterationResult {
  /** The eigenvalue estimate rho + shift (the Rayleigh quotient of `vector`). */
  eigenvalue: number;
  /** Its relative residual |(H - sigma) v - rho v| / |rho|. */
  residual: number;
  /** H v products used. */
  iterations: number;
  /** Whether the residual reached the tolerance. */
  converged: boolean;
  /** The unit vector (caller disposes): pass it as the next `start`. */
  vector: Tensor;
}

/**
 * Power iteration on an operator.
 *
 * @param op The operator.
 * @param options Tolerance, iterations, warm start, seed, shift.
 * @returns The eigenvalue, residual, iterations and vector.
 * @throws {RangeError} On a bad option or a start of the wrong size.
 * @example lambda_max of diag(3, 1) on the reference backend
 * ```ts
 * import assert from "node:assert";
 * import { ReferenceBackend } from "../backend/reference.ts";
 * import { matrixHvpOperator } from "./hvp_operator.ts";
 * import { powerIteration } from "./power_iteration.ts";
 * const op = matrixHvpOperator(new ReferenceBackend(), [3, 0, 0, 1], 2);
 * const { eigenvalue } = await powerIteration(op, { tolerance: 1e-8 });
 * assert.ok(Math.abs(eigenvalue - 3) < 1e-12);
 * ```
 */
export async function powerIteration(
  op: HvpOperator,
  options: PowerIterationOptions = {},
): Promise<PowerIterationResult> {
  const tolerance = options.tolerance ?? 0.005, maxIterations = options.maxIterations ?? 1000;
  const shift = options.shift ?? 0, backend = op.backend, n = op.dimension;
  if (!(tolerance > 0) || !Number.isInteger(maxIterations) || maxIterations < 1 || !Number.isFinite(shift)) {
    throw new RangeError(
      `Cannot run power iteration: tolerance ${tolerance} (> 0), maxIterations ${maxIterations} (>= 1), shift ${shift}`,
    );
  }
  if (options.start && options.start.size !== n) {
    throw new RangeError(
      `Cannot run power iteration: start has ${options.start.size} elements, the operator ${n}`,
    );
  }
  let v = backend.zeros([n]);
  if (options.start) await backend.copy(options.start, v);
  else {
    const z = await backend.random([n], { seed: options.seed ?? 0, stream: 0x9e1 });
    await backend.copy(z, v);
    backend.dispose(z);
  }
  await backend.scale(v, 1 / Math.sqrt(await readDot(backend, v, v)));
  let w = backend.zeros([n]);
  const r = backend.zeros([n]), slots = new ScalarSlots(backend, 2);
  let rho = NaN, residual = Infinity, iterations = 0;
  try {
    while (iterations < maxIterations) {
      await op.apply(v, w);
      iterations++;
      if (shift !== 0) await backend.axpy(-shift, v, w);
      await slots.dot(v, w, 0);
      await slots.dot(w, w, 1);
      const [vw, ww] = await slots.read();
      rho = vw;
      if (!Number.isFinite(rho) || Math.abs(rho) < 1e-12) break;
      residual = Math.sqrt(Math.max(0, ww - rho * rho)) / Math.abs(rho);
      if (residual < Math.max(2 * tolerance, 1e-3)) {
        await backend.copy(w, r);
        await backend.axpy(-rho, v, r);
        residual = Math.sqrt(await readDot(backend, r, r)) / Math.abs(rho);
      }
      if (residual < tolerance) break;
      await backend.scale(w, 1 / Math.sqrt(ww));
      [v, w] = [w, v];
    }
  } finally {
    backend.dispose(w, r);
    slots.dispose();
  }
  return { eigenvalue: rho + shift, residual, iterations, converged: residual < tolerance, vector: v };
}
