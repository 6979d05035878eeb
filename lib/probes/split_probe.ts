/**
 * The seed project's probe protocol: a stratified, seeded 80/20 split of exported activations, the
 * logistic-regression probe fitted on the train part on the backend, accuracy on both parts.
 *
 * @module
 */
import type { Backend } from "../backend/backend.ts";
import {
  fitLogisticProbe,
  type LogisticProbeFit,
  type LogisticProbeOptions,
  probeAccuracy,
} from "./logistic_probe.ts";
import { stratifiedSplit } from "./stratified_split.ts";

/** Result of {@linkcode splitProbe}. */
export interface SplitProbeResult {
  trainAccuracy: number;
  testAccuracy: number;
  fit: LogisticProbeFit;
  /** Wall-clock seconds of the fit. */
  fitSeconds: number;
  trainRows: number;
  testRows: number;
}

/**
 * Splits, fits and scores.
 *
 * @param backend Where the probe runs.
 * @param features Activations [rows, dims] row-major (host values, uploaded here).
 * @param labels Integer labels, one per row.
 * @param dims Features per row.
 * @param options Probe options plus `testFraction` (0.2), `seed` (0) and `classes` (max label + 1).
 * @returns Accuracies and the fit.
 */
export async function splitProbe(
  backend: Backend,
  features: ArrayLike<number>,
  labels: ArrayLike<number>,
  dims: number,
  options: LogisticProbeOptions & { testFraction?: number; seed?: number; classes?: number } = {},
): Promise<SplitProbeResult> {
  const { testFraction = 0.2, seed = 0 } = options;
  const classes = options.classes ?? Math.max(...Array.from(labels)) + 1;
  const { train, test } = stratifiedSplit(labels, testFraction, seed);
  const rowsOf = (idx: number[]) => {
    const out = new Float64Array(idx.length * dims);
    idx.forEach((r, i) => {
      for (let j = 0; j < dims; j++) out[i * dims + j] = features[r * dims + j];
    });
    return backend.tensor(out, [idx.length, dims]);
  };
  const xTrain = rowsOf(train), xTest = rowsOf(test);
  const yTrain = train.map((r) => labels[r]), yTest = test.map((r) => labels[r]);
  const start = performance.now();
  const fit = await fitLogisticProbe(backend, xTrain, yTrain, classes, options);
  const fitSeconds = (performance.now() - start) / 1000;
  const trainAccuracy = await probeAccuracy(backend, xTrain, yTrain, fit);
  const testAccuracy = await probeAccuracy(backend, xTest, yTest, fit);
  backend.dispose(xTrain, xTest);
  return { trainAccuracy, testAccuracy, fit, fitSeconds, trainRows: train.length, testRows: test.length };
}
