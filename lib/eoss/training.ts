/**
 * The EoSS training engine (specs/seed003 sections 2.4-2.5, issue 16 points 1, 4, 5, 6): plain SGD (or
 * heavy-ball momentum) at a constant step size on an MLP preset, with measurements on the current
 * parameters before each step's update at the cadence of {@linkcode EossTrainingConfig.cadences}.
 *
 * Per step t: the live batch is rows [i b, (i + 1) b) of epoch e's order (a seeded permutation of the n
 * samples, seed `seeds.order + e`, or the replayed `--batch-order` row; a last partial batch dropped);
 * its loss and gradient are evaluated; when a measurement is due the loss history is read (a NaN stops the
 * run) and the measurements run on the parameters before the update; then the optimizer (lib/optim) takes
 * the step. The batch losses stay on the backend between read-backs (lib/training's LossHistory), so
 * without measurements the host waits once per `historyChunk` steps. The run stops at `steps`, on a NaN
 * or infinite loss (status "diverged"), on the stop rule (status "stopLoss") or on `signal` ("aborted").
 *
 * This is its own loop rather than lib/training's runTrainingLoop because its callbacks run after an
 * update (no step-0 measurement, no stop on a measured loss) and its data order is fixed per epoch
 * upload; the pieces (LossHistory, Optimizer, the checkpoint file) are the library's.
 *
 * @example A quick run on synthetic data (reference backend)
 * ```ts
 * import assert from "node:assert";
 * import { ReferenceBackend } from "../backend/reference.ts";
 * import { eossConfig, runEossTraining } from "./mod.ts";
 * const config = eossConfig({
 *   model: { hidden: [8] },
 *   data: { dataset: "synthetic", n: 16, inputs: 4, classes: 3 },
 *   optimizer: { batchSize: 4, learningRate: 0.05, steps: 8 },
 *   cadences: { lambdaMax: { every: 4 }, batchSharpness: { every: 4 }, fullLoss: { every: 4 }, stepSharpness: null },
 *   settings: { batchSharpnessMaxSamples: 8 },
 * });
 * const { rows, summary } = await runEossTraining(config, { backend: new ReferenceBackend() });
 * assert.ok(rows.length === 2 && summary.status === "complete");
 * ```
 *
 * @module
 */
import type { Tensor } from "../backend/tensor.ts";
import { saveCheckpoint } from "../checkpoint.ts";
import { seededSubset } from "../data/dataset.ts";
import type { MetricsWriter } from "../io/metrics.ts";
import { RunDir } from "../io/run_dir.ts";
import { mlpPreset } from "../models/mlp.ts";
import { Mlp } from "../models/mlp_model.ts";
import { Optimizer } from "../optim/optimizer.ts";
import { Progress } from "../progress.ts";
import { LossHistory } from "../training/loss_history.ts";
import { MEASUREMENT_NAMES, type MeasurementName, measurementsDue } from "./cadence.ts";
import {
  captureCheckpoint,
  checkpointFile,
  type EpochSegment,
  forkFingerprint,
  forkPlan,
  loadForkCheckpoint,
  locateStep,
  restoreOptimizer,
} from "./fork.ts";
import { emptyRow, type EossRow, rowToJson } from "./metrics.ts";
import { plateauSummary } from "./plateau.ts";
import type { EossRunOptions, EossRunResult, EossStatus, EossSummary } from "./training_result.ts";
import {
  checkBatchOrder,
  checkInitParams,
  checkSubsetIndices,
  readReplayFiles,
  type ReplayInput,
} from "./replay.ts";
import { checkEossConfig, type EossTrainingConfig } from "./training_config.ts";
import { loadEossData } from "./training_data.ts";
import { type MeasureContext, measureStep } from "./training_measure.ts";

export type {
  EossRunOptions,
  EossRunResult,
  EossStatus,
  EossSummary,
  EossUpdateContext,
} from "./training_result.ts";

/**
 * Trains with measurements (see the module doc).
 *
 * @param config The settings (merge partial ones over the defaults with `eossConfig`).
 * @param options Backend, run directory, callbacks, abort signal, preloaded data or replay arrays.
 * @returns The measurement rows, a summary with the plateaus, the batch losses and the final parameters.
 * @throws {RangeError|TypeError} On bad settings (before any data is read).
 * @throws {DataError|DatasetFileError|CheckpointError} On bad replay files, dataset files or a fork checkpoint (exit 3).
 */
export async function runEossTraining(
  config: EossTrainingConfig,
  options: EossRunOptions,
): Promise<EossRunResult> {
  checkEossConfig(config);
  const t0 = performance.now(), backend = options.backend, o = config.optimizer;
  const hidden = config.model.hidden;
  const replay = options.replay ?? await readReplayFiles(config.replay);
  const source = (what: keyof ReplayInput) => config.replay?.[what] ?? `(${what} array)`;
  const subsetCheck = replay.subsetIndices
    ? (count: number) =>
      checkSubsetIndices(replay.subsetIndices!, source("subsetIndices"), config.data.n, count)
    : undefined;
  const data = options.data ?? await loadEossData(config.data, config.seeds.data, subsetCheck);
  const preset = mlpPreset(config.model.preset, {
    inputs: data.inputs,
    outputs: data.classes,
    initScale: config.model.initScale,
  });
  const spec = hidden ? { ...preset, sizes: [data.inputs, ...hidden, data.classes] } : preset;
  const model = new Mlp(backend, spec, config.model.loss);
  const P = model.layout.count, n = data.n;
  const fork = options.resumeFrom ?? (config.fork ? await loadForkCheckpoint(config, P) : undefined);
  const initParams = replay.initParams
    ? checkInitParams(replay.initParams, source("initParams"), P)
    : undefined;
  const order = replay.batchOrder
    ? checkBatchOrder(replay.batchOrder, source("batchOrder"), n, o.batchSize, o.steps)
    : undefined;
  const rowsPerEpoch = order?.m ?? n;
  const startStep = fork?.step ?? 0;
  const plan: EpochSegment[] = fork
    ? forkPlan(fork.meta!.plan as EpochSegment[], startStep, o.batchSize, rowsPerEpoch)
    : [{ step: 0, epoch: 0, batchSize: o.batchSize }];
  if (o.batchSize > rowsPerEpoch) {
    throw new RangeError(
      `Cannot train (EoSS): batch ${o.batchSize} is larger than an epoch's ${rowsPerEpoch} rows`,
    );
  }
  const run = options.runDir
    ? await RunDir.create(options.runDir, {
      name: options.name ?? "eoss_train",
      parameters: { ...config } as Record<string, unknown>,
      seed: config.seeds.init,
      backend,
    })
    : undefined;
  const metrics: MetricsWriter | undefined = await run?.metrics();
  const x = backend.tensor(data.x, [n, data.inputs]), y = backend.tensor(data.y, [n, data.classes]);
  const params = fork
    ? backend.tensor(fork.arrays.params.data as Float32Array | Float64Array, [P])
    : initParams
    ? backend.tensor(initParams, [P])
    : model.init(config.seeds.init);
  const optimizer = new Optimizer(
    backend,
    model.layout,
    o.momentum > 0
      ? { kind: "momentum", lr: o.learningRate, momentum: o.momentum }
      : { kind: "sgd", lr: o.learningRate },
  );
  if (fork) restoreOptimizer(fork, optimizer);
  const seconds = Object.fromEntries(MEASUREMENT_NAMES.map((k) => [k, 0])) as Record<MeasurementName, number>;
  const context: MeasureContext = {
    problem: { model, params, x, y },
    config,
    labels: data.labels,
    classes: data.classes,
    optimizer,
    lambdaVector: fork?.arrays.lambdaVector
      ? backend.tensor(fork.arrays.lambdaVector.data as Float32Array | Float64Array, [P])
      : undefined,
    seconds,
  };
  const history = new LossHistory(backend, options.historyChunk ?? 256);
  const loss = backend.zeros([1]), gradient = backend.zeros([P]);
  const progress = new Progress({
    total: o.steps,
    start: startStep,
    label: options.name ?? "eoss",
    unit: "steps",
    mode: options.progress ?? "quiet",
  });
  const rows: EossRow[] = [], losses: number[] = [];
  let epochData: { epoch: number; order: Uint32Array; x: Tensor; y: Tensor } | undefined;
  let status: EossStatus = "complete", step = startStep, divergedAt: number | undefined;
  const setupSeconds = (performance.now() - t0) / 1000;

  const epochOrder = (epoch: number): Uint32Array =>
    order
      ? order.order.subarray(epoch * order.m, (epoch + 1) * order.m)
      : seededSubset(n, n, (config.seeds.order + epoch) >>> 0);
  const drain = async (): Promise<boolean> => {
    const { firstStep, losses: chunk } = await history.drain();
    for (let k = 0; k < chunk.length; k++) {
      if (!Number.isFinite(chunk[k])) {
        divergedAt = firstStep + k;
        return false;
      }
      losses.push(chunk[k]);
    }
    return true;
  };
  const checkpoint = async (at: number) => {
    const ckpt = await captureCheckpoint({ backend, params, optimizer, lambdaVector: context.lambdaVector }, {
      step: at,
      fingerprint: forkFingerprint(config, P),
      plan,
      learningRate: o.learningRate,
    });
    if (run) {
      await Deno.mkdir(`${run.path}/checkpoints`, { recursive: true });
      await saveCheckpoint(checkpointFile(run.path, at), ckpt);
    }
    options.onCheckpoint?.(ckpt);
  };
  const wantCheckpoint = (s: number) =>
    config.checkpointSteps.includes(s) ||
    (config.checkpointEvery > 0 && s % config.checkpointEvery === 0 && s > 0);

  try {
    for (; step < o.steps; step++) {
      if (options.signal?.aborted) {
        status = "aborted";
        break;
      }
      const at = locateStep(plan, step, rowsPerEpoch);
      if (o.stopRule === "epochMean" && at.slot === 0 && step > startStep) {
        if (!(await drain())) break;
        const perEpoch = Math.floor(rowsPerEpoch / at.batchSize);
        const last = losses.slice(Math.max(0, losses.length - perEpoch));
        if (last.length === perEpoch && last.reduce((s, v) => s + v, 0) / perEpoch < o.stopLoss) {
          status = "stopLoss";
          break;
        }
      }
      if (wantCheckpoint(step) && (step !== startStep || !fork)) await checkpoint(step);
      if (epochData?.epoch !== at.epoch) {
        if (epochData) backend.dispose(epochData.x, epochData.y);
        const ord = epochOrder(at.epoch);
        epochData = {
          epoch: at.epoch,
          order: ord,
          x: await backend.gatherRows(x, ord),
          y: await backend.gatherRows(y, ord),
        };
      }
      const rowsOfStep = { begin: at.begin, end: at.begin + at.batchSize };
      await model.evaluate(params, epochData.x, epochData.y, {
        gradient: true,
        rows: rowsOfStep,
        into: { loss, gradient },
      });
      if (history.full && !(await drain())) break;
      history.record(loss, step);
      const due = measurementsDue(config.cadences, step, config.rareMeasure);
      if (due.length > 0) {
        if (!(await drain())) break;
        const row = emptyRow(at.epoch, step);
        row.batch_loss = losses[step - startStep];
        await measureStep(context, row, due, epochData.order.subarray(rowsOfStep.begin, rowsOfStep.end));
        rows.push(row);
        metrics?.write(rowToJson(row));
        options.onMeasurement?.(row);
        if (due.includes("fullLoss") && !Number.isFinite(row.full_loss)) {
          divergedAt = step;
          break;
        }
        if (o.stopRule === "fullLoss" && row.full_loss < o.stopLoss) {
          status = "stopLoss";
          break;
        }
      }
      if (options.update) {
        await options.update({
          step,
          params,
          gradient,
          loss,
          model,
          x,
          y,
          batchIndices: epochData.order.subarray(rowsOfStep.begin, rowsOfStep.end),
          learningRate: o.learningRate,
        });
      } else await optimizer.step(params, gradient);
      progress.tick();
    }
    if (divergedAt === undefined && (await drain()) && status === "complete" && wantCheckpoint(o.steps)) {
      await checkpoint(o.steps);
    }
    if (divergedAt !== undefined) {
      status = "diverged";
      step = divergedAt;
    }
    progress.finish();
    const finalParams = (await backend.read(params)).slice() as Float32Array | Float64Array;
    const lastFull = rows.findLast((r) => Number.isFinite(r.full_loss));
    const measured = Object.values(seconds).reduce((s, v) => s + v, 0);
    const total = (performance.now() - t0) / 1000;
    const summary: EossSummary = {
      status,
      startStep,
      steps: step,
      ...(divergedAt !== undefined ? { divergedAt } : {}),
      finalFullLoss: lastFull?.full_loss ?? NaN,
      finalAccuracy: lastFull?.accuracy ?? NaN,
      plateau: plateauSummary(rows, o.learningRate, { momentum: o.momentum }),
      dataSource: data.source,
      parameters: P,
      backend: backend.name,
      seconds: {
        setup: setupSeconds,
        training: total - setupSeconds - measured,
        measurements: seconds,
        total,
      },
    };
    metrics?.close();
    if (run) {
      if (status === "diverged") {
        await run.fail(`the loss is not finite at step ${divergedAt}`, { step: divergedAt });
      } else await run.complete(summary as unknown as Record<string, unknown>);
    }
    return { rows, summary, batchLosses: Float64Array.from(losses), params: finalParams };
  } finally {
    metrics?.close();
    history.dispose();
    if (epochData) backend.dispose(epochData.x, epochData.y);
    if (context.lambdaVector) backend.dispose(context.lambdaVector);
    backend.dispose(loss, gradient, params, x, y);
    optimizer.dispose();
    model.dispose();
  }
}
