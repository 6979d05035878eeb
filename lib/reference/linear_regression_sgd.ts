/**
 * float64 reference of the fused multi-walker linear-regression SGD kernel
 * (kernels/linear_regression/linear_regression_sgd.wgsl): the same Philox draws, step by step.
 *
 * @module
 */
import { normalPairFromU32, philox4x32_10 } from "../rng/philox.ts";

/** Inputs of {@linkcode linearRegressionSgdReference}. */
export interface LinearRegressionSgdReferenceArgs {
  /** Teacher w* [d]. */
  teacher: Float64Array;
  /** Walker weights [walkers, d], updated in place. */
  weights: Float64Array;
  d: number;
  walkers: number;
  /** Global index of the first step. */
  stepOffset: number;
  /** Steps to run. */
  steps: number;
  seed: number;
  stream: number;
  learningRate: number;
  recordEvery: number;
  /** Records per walker; history[walker * historyLength + slot]. */
  history: Float64Array;
  historyLength: number;
}

/** x of step `step` of walker `walker`: lane e % 4 of block e / 4, Box-Muller pairs. */
export function sampleInput(
  d: number,
  seed: number,
  stream: number,
  step: number,
  walker: number,
): Float64Array {
  const x = new Float64Array(d);
  for (let block = 0; block * 4 < d; block++) {
    const w = philox4x32_10(seed, stream, block, step, walker, 0);
    const [z0, z1] = normalPairFromU32(w[0], w[1]);
    const [z2, z3] = normalPairFromU32(w[2], w[3]);
    [z0, z1, z2, z3].forEach((z, lane) => {
      if (4 * block + lane < d) x[4 * block + lane] = z;
    });
  }
  return x;
}

/** Runs the steps for every walker, in place, recording |w - w*|^2 / d as the kernel does. */
export function linearRegressionSgdReference(a: LinearRegressionSgdReferenceArgs): void {
  const { d, teacher } = a;
  for (let walker = 0; walker < a.walkers; walker++) {
    const w = a.weights.subarray(walker * d, (walker + 1) * d);
    for (let t = 0; t < a.steps; t++) {
      const step = a.stepOffset + t;
      const x = sampleInput(d, a.seed, a.stream, step, walker);
      let residual = 0; // (w - w*) . x
      for (let i = 0; i < d; i++) residual += (w[i] - teacher[i]) * x[i];
      const factor = a.learningRate * residual / d; // lr (yhat - y) / sqrt(d), times x / sqrt(d)
      let error = 0;
      for (let i = 0; i < d; i++) {
        w[i] -= factor * x[i];
        error += (w[i] - teacher[i]) ** 2;
      }
      if ((step + 1) % a.recordEvery === 0) {
        const slot = (step + 1) / a.recordEvery - 1;
        if (slot < a.historyLength) a.history[walker * a.historyLength + slot] = error / d;
      }
    }
  }
}
