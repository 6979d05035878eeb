/**
 * Guarding fused kernels against the CPU adapter's silent loop limit.
 *
 * On Mesa llvmpipe/lavapipe one shader invocation runs at most 65,535 loop
 * iterations in total; past that every loop just exits, with no error and no
 * device loss (DESIGN.md section 3). Fused kernels therefore (1) write how many
 * steps each invocation completed into a buffer that the host checks with
 * {@linkcode checkCompleted}, and (2) are given at most
 * {@linkcode maxStepsPerDispatch} steps per dispatch, computed from their loop
 * trip counts.
 *
 * @module
 */
import type { GpuContext } from "./context.ts";

/** Loop iterations per invocation after which llvmpipe silently stops looping. */
export const CPU_ADAPTER_LOOP_LIMIT = 65535;

/** The share of the limit a dispatch may plan to use (a margin for loops we do not count). */
export const LOOP_BUDGET_MARGIN = 0.9;

/** Steps per dispatch on real GPUs, to keep one dispatch well below a driver's watchdog. */
export const GPU_MAX_ITERATIONS_PER_DISPATCH = 1 << 24;

/** Thrown when a fused kernel completed fewer steps than the host asked for. */
export class IncompleteDispatchError extends Error {
  /** @param message The full message. */
  constructor(message: string) {
    super(message);
    this.name = "IncompleteDispatchError";
  }
}

/**
 * The loop iterations one invocation may plan per dispatch on this adapter.
 *
 * @param gpu The GPU context (or just its measured loop limit).
 * @returns Iterations per invocation per dispatch.
 */
export function loopBudget(gpu: GpuContext | { facts: { loopLimit: number } }): number {
  const limit = gpu.facts.loopLimit;
  return Number.isFinite(limit) ? Math.floor(limit * LOOP_BUDGET_MARGIN) : GPU_MAX_ITERATIONS_PER_DISPATCH;
}

/**
 * How many steps of a fused kernel fit in one dispatch.
 *
 * @param gpu The GPU context.
 * @param iterationsPerStep Loop iterations one step costs one invocation (count every loop).
 * @param fixedIterations Loop iterations per dispatch outside the step loop.
 * @returns Steps per dispatch, at least 1.
 * @throws {RangeError} When even one step exceeds the budget (the kernel must be split or unrolled).
 */
export function maxStepsPerDispatch(
  gpu: GpuContext | { facts: { loopLimit: number } },
  iterationsPerStep: number,
  fixedIterations = 0,
): number {
  if (!(iterationsPerStep >= 1)) {
    throw new RangeError(`Cannot plan a dispatch: iterationsPerStep is ${iterationsPerStep}, must be >= 1`);
  }
  const budget = loopBudget(gpu) - fixedIterations;
  const steps = Math.floor(budget / iterationsPerStep);
  if (steps < 1) {
    throw new RangeError(
      `Cannot plan a dispatch: one step needs ${iterationsPerStep + fixedIterations} loop iterations, ` +
        `more than the adapter's per-invocation budget ${
          loopBudget(gpu)
        }; split the kernel's loops or unroll them`,
    );
  }
  return steps;
}

/**
 * Checks a kernel's completed-step counters against what was asked.
 *
 * @param label The kernel, for the message.
 * @param completed One counter per invocation (or per walker), read back from the GPU.
 * @param expected Steps each counter must show.
 * @throws {IncompleteDispatchError} On any shortfall, naming the first short counter.
 */
export function checkCompleted(label: string, completed: ArrayLike<number>, expected: number): void {
  for (let i = 0; i < completed.length; i++) {
    if (completed[i] !== expected) {
      throw new IncompleteDispatchError(
        `Kernel "${label}" completed ${completed[i]} of ${expected} steps in invocation ${i}: ` +
          `the adapter stopped its loops early (llvmpipe ends an invocation's loops after ~${CPU_ADAPTER_LOOP_LIMIT} ` +
          `iterations); lower the steps per dispatch (maxStepsPerDispatch) and run again`,
      );
    }
  }
}
