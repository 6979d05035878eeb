/**
 * Eigenvalues (and optionally eigenvectors) of many small real symmetric matrices at once: on
 * webgpu the batched cyclic-Jacobi kernel (kernels/dyson/batched_jacobi.wgsl, float32, one invocation
 * per matrix, n <= 16), on the reference backend the float64 Jacobi of
 * lib/spectral/jacobi_eigen.ts one matrix at a time. The Dyson analyses use it for W^T W of every
 * seed and snapshot ({@linkcode gramMatrices}).
 *
 * @module
 */
import type { Backend } from "../backend/backend.ts";
import { createBuffer, uploadBuffer } from "../gpu/buffers.ts";
import { destroyBuffers, planBatches, planStepsPerDispatch, runFused } from "../gpu/fused_run.ts";
import { symmetricEigen } from "../spectral/jacobi_eigen.ts";
import {
  BATCHED_JACOBI_KERNEL,
  BATCHED_JACOBI_MAX_N,
  batchedJacobiFixedIterations,
  batchedJacobiIterationsPerSweep,
  encodeBatchedJacobi,
} from "../../kernels/dyson/batched_jacobi.ts";

/** Options of {@linkcode batchedSymmetricEigen}. */
export interface BatchedEigenOptions {
  /** Also return eigenvectors (default false). */
  vectors?: boolean;
  /** Sweeps at most (default 20 on webgpu: float32 needed <= 7 at n = 10 for W^T W, 11 with exact pairs; 100 on reference). */
  maxSweeps?: number;
  /**
   * Relative off-diagonal Frobenius norm at which a matrix counts as converged (default 1e-6 on
   * webgpu, float32; 1e-14 on the reference backend, float64).
   */
  tolerance?: number;
  /** Sweeps per dispatch on webgpu (default and cap: the adapter's loop budget). */
  sweepsPerDispatch?: number;
}

/** Result of {@linkcode batchedSymmetricEigen}. */
export interface BatchedEigen {
  /** Eigenvalues, ascending per matrix, [count, n]. */
  values: Float64Array;
  /** Eigenvectors as the columns of a row-major n x n block per matrix, in the order of values. */
  vectors?: Float64Array;
  /** Sweeps that rotated, per matrix. */
  sweeps: Uint32Array;
  /** Dispatches used (0 on the reference backend). */
  dispatches: number;
  /** Sweeps per dispatch (0 on the reference backend). */
  sweepsPerDispatch: number;
}

function fail(message: string): never {
  throw new RangeError(`Cannot diagonalise the batch: ${message}`);
}

/** Symmetrised float64 copy; throws on non-finite entries. */
function symmetrised(matrices: ArrayLike<number>, n: number, count: number): Float64Array {
  const out = new Float64Array(count * n * n);
  for (let m = 0; m < count; m++) {
    const b = m * n * n;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        const v = 0.5 * (matrices[b + i * n + j] + matrices[b + j * n + i]);
        if (!Number.isFinite(v)) {
          throw new TypeError(
            `Cannot diagonalise the batch: matrix ${m} entry (${i}, ${j}) is ${matrices[b + i * n + j]}`,
          );
        }
        out[b + i * n + j] = v;
      }
    }
  }
  return out;
}

/**
 * Diagonalises every matrix of a batch.
 *
 * @param backend webgpu (float32 kernel, n <= 16) or reference (float64, any n).
 * @param matrices Row-major n x n matrices, [count, n^2] (symmetrised first).
 * @param n Order.
 * @param options Vectors, sweeps, tolerance.
 * @returns Ascending eigenvalues (and eigenvectors) per matrix.
 * @throws {RangeError} On a bad size, n > 16 on webgpu or bad options.
 * @throws {TypeError} On non-finite entries.
 * @throws {IncompleteDispatchError} If the adapter stopped a dispatch early.
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { batchedSymmetricEigen } from "./batched_eigen.ts";
 * import { ReferenceBackend } from "../backend/reference.ts";
 * const { values } = await batchedSymmetricEigen(new ReferenceBackend(), [2, 1, 1, 2, 5, 0, 0, 4], 2);
 * assert.ok([1, 3, 4, 5].every((v, i) => Math.abs(values[i] - v) < 1e-12));
 * ```
 */
export async function batchedSymmetricEigen(
  backend: Backend,
  matrices: ArrayLike<number>,
  n: number,
  options: BatchedEigenOptions = {},
): Promise<BatchedEigen> {
  if (!Number.isInteger(n) || n < 1) fail(`n is ${n}, must be an integer >= 1`);
  if (matrices.length % (n * n) !== 0) fail(`${matrices.length} values are not n x n matrices for n = ${n}`);
  const count = matrices.length / (n * n), nn = n * n;
  const target = backend.gpuTarget;
  const maxSweeps = options.maxSweeps ?? (target ? 20 : 100);
  if (!Number.isInteger(maxSweeps) || maxSweeps < 1) fail(`maxSweeps is ${maxSweeps}, must be >= 1`);
  const tolerance = options.tolerance ?? (target ? 1e-6 : 1e-14);
  if (!(tolerance >= 0)) fail(`tolerance is ${tolerance}, must be >= 0`);
  const input = symmetrised(matrices, n, count);
  const values = new Float64Array(count * n), sweeps = new Uint32Array(count);
  const vectors = options.vectors ? new Float64Array(count * nn) : undefined;
  if (!target || count === 0) {
    for (let m = 0; m < count; m++) {
      const e = symmetricEigen(input.subarray(m * nn, (m + 1) * nn), n, { tolerance, maxSweeps });
      values.set(e.values, m * n);
      vectors?.set(e.vectors, m * nn);
      sweeps[m] = e.sweeps;
    }
    return { values, vectors, sweeps, dispatches: 0, sweepsPerDispatch: 0 };
  }
  if (n > BATCHED_JACOBI_MAX_N) {
    fail(`n is ${n}, the webgpu kernel holds at most ${BATCHED_JACOBI_MAX_N} (use the reference backend)`);
  }
  const { gpu: context, recorder } = target;
  const perDispatch = planStepsPerDispatch(context, {
    what: "the batched Jacobi eigensolver",
    iterationsPerStep: batchedJacobiIterationsPerSweep(n),
    fixedIterations: batchedJacobiFixedIterations(n),
    totalSteps: maxSweeps,
    requested: options.sweepsPerDispatch,
    requestedName: "sweepsPerDispatch",
  });
  let dispatches = 0;
  // Batches of matrices whose buffers fit one storage binding.
  for (const { first, count: slice } of planBatches(count, nn * 4, context.device.limits)) {
    const a = Float32Array.from(input.subarray(first * nn, (first + slice) * nn));
    const identity = new Float32Array(options.vectors ? slice * nn : 4);
    if (options.vectors) {
      for (let m = 0; m < slice; m++) for (let i = 0; i < n; i++) identity[m * nn + i * n + i] = 1;
    }
    const buffers = {
      matrices: uploadBuffer(context, a, "jacobi matrices"),
      vectors: uploadBuffer(context, identity, "jacobi vectors"),
      rotatingSweeps: createBuffer(context, slice * 4, "jacobi sweeps"),
    };
    try {
      const run = await runFused({
        gpu: context,
        recorder,
        label: BATCHED_JACOBI_KERNEL.label,
        invocations: slice,
        steps: maxSweeps,
        stepsPerDispatch: perDispatch,
        encode: (at) =>
          encodeBatchedJacobi(recorder, {
            ...buffers,
            completed: at.completed,
            n,
            count: slice,
            sweeps: at.steps,
            chunk: at.chunk,
            tolerance,
            withVectors: options.vectors ?? false,
          }),
        readback: [
          { buffer: buffers.matrices, byteLength: a.byteLength },
          { buffer: buffers.vectors, byteLength: identity.byteLength },
          { buffer: buffers.rotatingSweeps, byteLength: slice * 4 },
        ],
      });
      dispatches += run.dispatches;
      const [aBytes, vBytes, sBytes] = run.readback;
      const diag = new Float32Array(aBytes), v = new Float32Array(vBytes);
      sweeps.set(new Uint32Array(sBytes), first);
      const order = new Array<number>(n);
      for (let m = 0; m < slice; m++) {
        const b = m * nn, out = first + m;
        for (let i = 0; i < n; i++) order[i] = i;
        order.sort((i, j) => diag[b + i * n + i] - diag[b + j * n + j]);
        order.forEach((col, k) => {
          values[out * n + k] = diag[b + col * n + col];
          if (vectors) { for (let r = 0; r < n; r++) vectors[out * nn + r * n + k] = v[b + r * n + col]; }
        });
      }
    } finally {
      destroyBuffers(buffers);
    }
  }
  return { values, vectors, sweeps, dispatches, sweepsPerDispatch: perDispatch };
}

/**
 * Gram matrices s W^T W (cols x cols) of a batch of row-major rows x cols matrices, in float64.
 *
 * @param weights [count, rows cols].
 * @param rows Rows of each W.
 * @param cols Columns of each W.
 * @param scale Factor s (e.g. sigma^2; default 1).
 * @returns [count, cols^2].
 * @throws {RangeError} On a size mismatch.
 */
export function gramMatrices(
  weights: ArrayLike<number>,
  rows: number,
  cols: number,
  scale = 1,
): Float64Array {
  if (!(rows >= 1 && cols >= 1) || weights.length % (rows * cols) !== 0) {
    throw new RangeError(`Cannot form W^T W: ${weights.length} values are not ${rows} x ${cols} matrices`);
  }
  const count = weights.length / (rows * cols), out = new Float64Array(count * cols * cols);
  for (let m = 0; m < count; m++) {
    const w = m * rows * cols, g = m * cols * cols;
    for (let i = 0; i < cols; i++) {
      for (let j = i; j < cols; j++) {
        let s = 0;
        for (let r = 0; r < rows; r++) s += weights[w + r * cols + i] * weights[w + r * cols + j];
        out[g + i * cols + j] = out[g + j * cols + i] = scale * s;
      }
    }
  }
  return out;
}
