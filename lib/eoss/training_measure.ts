/**
 * The measurements of an EoSS run at one step (training.ts calls it before the step's update): full loss
 * and accuracy, lambda_max (power iteration or Lanczos, warm-started from the previous measurement's vector),
 * batch sharpness (and momentum batch sharpness with momentum), step sharpness on the live batch, GNI, the
 * Hutchinson trace and the second-moment contraction, each timed. All measurement batches come from seeded
 * streams keyed by the step, so a measurement is a pure function of (parameters, step, seeds, warm start).
 *
 * @module
 */
import type { Tensor } from "../backend/tensor.ts";
import type { ParameterOptimizer } from "../optim/optimizer.ts";
import { batchSharpness, type SharpnessProblem, stepSharpness } from "./batch_sharpness.ts";
import type { MeasurementName } from "./cadence.ts";
import { gradientNoiseInteraction, hutchinsonTrace } from "./full_batch.ts";
import { modelHvpOperator } from "./hvp_operator.ts";
import { lambdaMax, lambdaMaxRows } from "./lambda_max.ts";
import type { EossRow } from "./metrics.ts";
import { momentumBatchSharpness } from "./momentum.ts";
import { secondMomentContraction } from "./second_moment.ts";
import type { EossTrainingConfig } from "./training_config.ts";

/** What the measurements need besides the problem. */
export interface MeasureContext {
  problem: SharpnessProblem & { model: { forward(params: Tensor, x: Tensor): Promise<Tensor> } };
  config: EossTrainingConfig;
  /** Labels of the n training samples (accuracy). */
  labels: Uint8Array;
  classes: number;
  optimizer: ParameterOptimizer;
  /** The warm start of lambda_max (replaced by each measurement; the caller disposes the last). */
  lambdaVector?: Tensor;
  /** Seconds spent per measurement (accumulated). */
  seconds: Record<MeasurementName, number>;
}

/**
 * Fills `row` with the measurements `due` at `row.step` on the current parameters.
 *
 * @param context Problem, settings and the warm-start state (updated).
 * @param row The row (its step and epoch set).
 * @param due The measurements to take.
 * @param liveBatch Indices (into the subset) of the step's batch (step sharpness).
 */
export async function measureStep(
  context: MeasureContext,
  row: EossRow,
  due: readonly MeasurementName[],
  liveBatch: Uint32Array,
): Promise<void> {
  const { problem, config } = context, { model, params, x, y } = problem, backend = model.backend;
  const s = config.settings, b = config.optimizer.batchSize, seed = config.seeds.measure, step = row.step;
  for (const name of due) {
    const t0 = performance.now();
    if (name === "fullLoss") {
      const r = await model.evaluate(params, x, y);
      row.full_loss = (await backend.read(r.loss))[0];
      backend.dispose(r.loss);
      const outputs = await model.forward(params, x);
      const values = await backend.read(outputs);
      backend.dispose(outputs);
      let correct = 0;
      for (let i = 0; i < context.labels.length; i++) {
        const out = values.subarray(i * context.classes, (i + 1) * context.classes);
        if (out.indexOf(Math.max(...out)) === context.labels[i]) correct++;
      }
      row.accuracy = correct / context.labels.length;
    } else if (name === "lambdaMax") {
      const r = await lambdaMax(problem, {
        start: context.lambdaVector,
        seed,
        tolerance: s.lambdaMaxTolerance,
        maxIterations: s.lambdaMaxIterations,
        solver: s.lambdaMaxSolver,
        maxRows: s.lambdaMaxRows,
        subsetSeed: seed,
      });
      if (context.lambdaVector) backend.dispose(context.lambdaVector);
      context.lambdaVector = r.vector;
      row.lambda_max = r.eigenvalue;
      row.lambda_max_iterations = r.iterations;
      row.lambda_max_residual = r.residual;
    } else if (name === "batchSharpness") {
      const r = await batchSharpness(problem, {
        batchSize: b,
        seed,
        measurement: step,
        maxSamples: s.batchSharpnessMaxSamples,
        relativeError: s.batchSharpnessRelativeError,
        minSamples: Math.min(20, s.batchSharpnessMaxSamples),
      });
      row.batch_sharpness = r.batchSharpness;
      row.batch_sharpness_se = r.standardError;
      row.batch_sharpness_samples = r.samples;
      row.batch_sharpness_inside = r.expectationInside;
      row.mean_gradient_norm_squared = r.meanGradientNormSquared;
      if (config.optimizer.momentum > 0) {
        const state = await context.optimizer.exportState();
        const first = state.arrays.first;
        const momentum = first ? backend.tensor(first, [first.length]) : backend.zeros([model.layout.count]);
        const m = await momentumBatchSharpness(problem, {
          batchSize: b,
          beta: config.optimizer.momentum,
          momentum,
          seed,
          measurement: step,
          maxSamples: s.batchSharpnessMaxSamples,
          relativeError: s.batchSharpnessRelativeError,
          minSamples: Math.min(20, s.batchSharpnessMaxSamples),
        });
        backend.dispose(momentum);
        row.momentum_batch_sharpness = m.momentumBatchSharpness;
      }
    } else if (name === "stepSharpness") {
      row.step_sharpness = (await stepSharpness(problem, liveBatch)).stepSharpness;
    } else if (name === "gni") {
      const r = await gradientNoiseInteraction(problem, {
        batchSize: b,
        seed,
        measurement: step,
        minSamples: s.gniSamples,
        maxSamples: s.gniSamples,
      });
      row.gni = r.gni;
    } else if (name === "trace") {
      const indices = lambdaMaxRows(x.shape[0], s.lambdaMaxRows, seed);
      const op = await modelHvpOperator(model, params, x, y, { indices });
      try {
        const r = await hutchinsonTrace(op, {
          seed: (seed + step) >>> 0,
          minSamples: s.traceSamples,
          maxSamples: s.traceSamples,
        });
        row.trace = r.trace;
      } finally {
        op.dispose();
      }
    } else if (name === "secondMoment") {
      const r = await secondMomentContraction(problem, {
        learningRate: config.optimizer.learningRate,
        batchSize: b,
        batches: s.secondMomentBatches,
        seed,
        measurement: step,
      });
      row.second_moment_contraction = r.contraction;
    }
    context.seconds[name] += (performance.now() - t0) / 1000;
  }
}
