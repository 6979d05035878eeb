/**
 * Fixtures of the EoSS training tests: a tiny synthetic MLP run (a pool of 48 samples, 8 inputs, 3 classes,
 * one hidden layer of 12) that takes milliseconds on the reference backend and a few seconds on the CPU adapter.
 *
 * @module
 */
import {
  eossConfig,
  type EossTrainingConfig,
  type EossTrainingConfigInput,
} from "../lib/eoss/training_config.ts";

/** A tiny run: n 24 of a pool of 48, b 4 (6 steps per epoch), eta 0.1, 18 steps, light measurements. */
export function tinyConfig(input: EossTrainingConfigInput = {}): EossTrainingConfig {
  const base = eossConfig({
    model: { hidden: [12] },
    data: { dataset: "synthetic", n: 24, pool: 48, inputs: 8, classes: 3 },
    seeds: { data: 3, init: 5, order: 7, measure: 9 },
    optimizer: { batchSize: 4, learningRate: 0.1, steps: 18, stopLoss: 0 },
    cadences: {
      fullLoss: { every: 6 },
      lambdaMax: { every: 9 },
      batchSharpness: { every: 6 },
      stepSharpness: { every: 3 },
      gni: null,
      trace: null,
    },
    settings: { batchSharpnessMaxSamples: 24, lambdaMaxIterations: 60, lambdaMaxTolerance: 0.01 },
  });
  return eossConfig(input, base);
}
