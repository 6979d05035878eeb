/**
 * Wrapper of the batched cyclic-Jacobi eigenvalue kernel (kernels/dyson/batched_jacobi.wgsl): one
 * invocation per small symmetric matrix, a chunk of sweeps per dispatch.
 *
 * @module
 */
import source from "./batched_jacobi.wgsl" with { type: "text" };
import { type CommandRecorder, dispatch1d } from "../../lib/gpu/recorder.ts";
import type { KernelSource } from "../../lib/gpu/pipelines.ts";
import { StructLayout } from "../../lib/gpu/params.ts";

/** The uniform struct of kernels/dyson/batched_jacobi.wgsl. */
const BATCHED_JACOBI_PARAMS = new StructLayout(
  "Params",
  "kernels/dyson/batched_jacobi.wgsl",
  [
    ["count", "u32"],
    ["sweeps", "u32"],
    ["chunk", "u32"],
    ["tolerance", "f32"],
  ] as const,
);

/** The kernel. */
export const BATCHED_JACOBI_KERNEL: KernelSource = {
  label: "batched_jacobi",
  parts: [{ file: "kernels/dyson/batched_jacobi.wgsl", code: source }],
};

/** Largest order the kernel holds (its private arrays have 256 entries). */
export const BATCHED_JACOBI_MAX_N = 16;

const WORKGROUP_SIZE = 64;

/**
 * Loop-condition checks one sweep costs one invocation: the sweep loop, the off-diagonal
 * norm's pair loops and the rotation's pair loops with their row loop of N.
 *
 * @param n Order.
 * @returns Checks per sweep.
 */
export function batchedJacobiIterationsPerSweep(n: number): number {
  const pairs = n * (n - 1) / 2;
  return 1 + 2 * (pairs + 2 * n - 1) + pairs * (n + 1);
}

/**
 * Loop-condition checks per dispatch outside the sweeps (load, store, the sweep loop's exit).
 *
 * @param n Order.
 * @returns Checks.
 */
export function batchedJacobiFixedIterations(n: number): number {
  return 2 * (n * n + 1) + 1;
}

/** Arguments of one dispatch of {@linkcode encodeBatchedJacobi}. */
export interface BatchedJacobiArgs {
  /** [count, n^2] float32, rotated in place. */
  matrices: GPUBuffer;
  /** [count, n^2] float32 (the identity at the start), or any small buffer without vectors. */
  vectors: GPUBuffer;
  /** [count] u32, cumulative sweeps that rotated. */
  rotatingSweeps: GPUBuffer;
  /** [chunks, count] u32. */
  completed: GPUBuffer;
  n: number;
  count: number;
  /** Sweeps this dispatch. */
  sweeps: number;
  /** Row of `completed` this dispatch writes. */
  chunk: number;
  /** Relative off-diagonal Frobenius norm below which a matrix is converged. */
  tolerance: number;
  /** Whether to accumulate eigenvectors. */
  withVectors: boolean;
}

/** Records one dispatch running `sweeps` sweeps on every matrix. */
export async function encodeBatchedJacobi(rec: CommandRecorder, a: BatchedJacobiArgs): Promise<void> {
  const constants = { WORKGROUP_SIZE, N: a.n, VECTORS: a.withVectors };
  const params = BATCHED_JACOBI_PARAMS.bytes({
    count: a.count,
    sweeps: a.sweeps,
    chunk: a.chunk,
    tolerance: a.tolerance,
  });
  await dispatch1d(rec, {
    kernel: BATCHED_JACOBI_KERNEL,
    constants,
    invocations: a.count,
    bindings: [a.matrices, a.vectors, a.rotatingSweeps, a.completed, rec.uniform(params)],
  });
}
