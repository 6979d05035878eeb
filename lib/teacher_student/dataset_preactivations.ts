/**
 * Preactivations h_i = w.x_i / |w| of every sample of each walker's repeat-mode dataset, from weights
 * (e.g. the trainer's snapshots): the "h_i of the repeated samples" rows of the repetition notebooks,
 * for tiny datasets (1 to a few samples). The trainer itself records only the latest repeated sample's
 * preactivation; this regenerates the dataset samples from the dataset stream (they are never stored),
 * so it costs datasetSize x d work per walker and runs on the host.
 *
 * @example The preactivations of a 2-sample dataset for 3 walkers
 * ```ts
 * import assert from "node:assert";
 * import { Perceptron } from "./samplers.ts";
 * import { initializeWeights } from "./init.ts";
 * import { datasetPreactivations } from "./dataset_preactivations.ts";
 * const model = new Perceptron({ d: 50, seed: 1 });
 * const weights = initializeWeights(model.direction, 3, 1);
 * const h = datasetPreactivations(model, weights, 3, 2); // [walker][i]: h[k * 2 + i]
 * assert.ok(h.length === 6 && h.every((v) => Math.abs(v) < 8));
 * ```
 *
 * @module
 */
import { type DataModel, drawSample } from "./samplers.ts";
import { DATASET_STREAM } from "./philox_layout.ts";

/**
 * h_i = w_k.x_i / |w_k| for every walker k and dataset position i.
 *
 * @param model The data model of the run (its seed keys the dataset stream).
 * @param weights Weights [walkers, d] (any scale; rows are normalised).
 * @param walkers Number of rows.
 * @param datasetSize Samples per walker's dataset (the run's `datasetSize`).
 * @param walkerOffset Global index of the first row (the run's `walkerOffset`, 0 by default).
 * @returns [walkers, datasetSize] preactivations.
 * @throws {RangeError} On a weights length other than walkers x d, or a non-positive size.
 */
export function datasetPreactivations(
  model: DataModel,
  weights: ArrayLike<number>,
  walkers: number,
  datasetSize: number,
  walkerOffset = 0,
): Float64Array {
  const d = model.d;
  if (!Number.isInteger(walkers) || walkers < 1 || weights.length !== walkers * d) {
    throw new RangeError(
      `Cannot compute dataset preactivations: weights has length ${weights.length}, expected walkers ${walkers} x d ${d}`,
    );
  }
  if (!Number.isInteger(datasetSize) || datasetSize < 1) {
    throw new RangeError(
      `Cannot compute dataset preactivations: datasetSize is ${datasetSize}, must be >= 1`,
    );
  }
  const params = model.params, x = new Float64Array(d);
  const out = new Float64Array(walkers * datasetSize);
  for (let k = 0; k < walkers; k++) {
    let ww = 0;
    for (let j = 0; j < d; j++) ww += weights[k * d + j] ** 2;
    const scale = 1 / Math.sqrt(ww);
    for (let i = 0; i < datasetSize; i++) {
      drawSample(params, model.direction, model.seed, DATASET_STREAM, i, walkerOffset + k, x);
      let h = 0;
      for (let j = 0; j < d; j++) h += weights[k * d + j] * x[j];
      out[k * datasetSize + i] = h * scale;
    }
  }
  return out;
}
