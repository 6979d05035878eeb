/**
 * The steps of scripts/train_fashion_mnist.ts's `train()`, each named: open a run to resume or create one,
 * load the data, shuffle it per epoch, describe the run, log the batch losses, and measure the end (final
 * full-batch loss, test accuracy).
 *
 * @module
 */
import type { Backend } from "../lib/backend/backend.ts";
import type { Tensor } from "../lib/backend/tensor.ts";
import { UsageError } from "../lib/cli.ts";
import { datasetTensors, type ImageDataset, seededSubset, selectSamples } from "../lib/data/dataset.ts";
import { fashionMnistDir, loadFashionMnist } from "../lib/data/fashion_mnist.ts";
import { RunDir } from "../lib/io/run_dir.ts";
import { classificationAccuracy, type Classifier } from "../lib/training/accuracy.ts";
import { EpochStream } from "../lib/training/data_stream.ts";
import type { LoopCheckpoint, TrainingLoopOptions } from "../lib/training/loop.ts";
import { type ResumedRun, resumeFromRunDir } from "../lib/training/resume.ts";
import { DEFAULT_CONFIGS, type TrainConfig } from "./train_fashion_mnist_settings.ts";

/** The script's name: its run directories' and checkpoints' kind. */
export const NAME = "train_fashion_mnist";

/** The first value of a tensor, read back. */
export async function readScalar(backend: Backend, t: Tensor): Promise<number> {
  return (await backend.read(t))[0];
}

/** A checkpoint's fingerprint fields: every setting except where the data lives and how to pick a backend. */
export function fingerprintOf(config: TrainConfig): Record<string, string | number | boolean> {
  const { dataDir: _d, backend: _b, ...rest } = config;
  return rest;
}

/** Opens a run directory to resume (its checkpoint and metrics are read by resumeFromRunDir): its config. */
export async function openForResume(path: string): Promise<{ run: RunDir; config: TrainConfig }> {
  const run = await RunDir.open(path);
  if (run.config.name !== NAME) {
    throw new UsageError(`Cannot resume ${path}: it is a "${run.config.name}" run, not "${NAME}"`);
  }
  if (await run.isComplete()) throw new UsageError(`Cannot resume ${path}: the run is already complete`);
  return { run, config: { ...DEFAULT_CONFIGS.mlp, ...run.config.parameters } as TrainConfig };
}

/** The loop's checkpoint in a run directory. */
export function loopCheckpoint(config: TrainConfig, run: RunDir): LoopCheckpoint {
  return {
    path: run.file("checkpoint.ckpt"),
    every: config.checkpointEvery,
    kind: NAME,
    fingerprint: fingerprintOf(config),
  };
}

/** The training images (and the test images when the accuracy is measured). */
export async function loadData(config: TrainConfig): Promise<{ train: ImageDataset; test?: ImageDataset }> {
  const dataDir = config.dataDir || fashionMnistDir();
  const train = await loadFashionMnist({ split: "train", dataDir });
  const test = config.testSamples > 0 ? await loadFashionMnist({ split: "test", dataDir }) : undefined;
  return { train, test };
}

/** The first line a run prints: model, loss, data, optimizer, backend (and the step it resumes at). */
export function runHeadline(
  config: TrainConfig,
  about: string,
  parameters: number,
  backend: Backend,
  resumeStep: number | undefined,
): string {
  return `${config.preset} ${about} (${parameters} parameters), ${config.loss} loss, ` +
    `n ${config.n}, batch ${config.batch}, ${config.optimizer} lr ${config.learningRate}` +
    `${config.schedule === "constant" ? "" : ` (${config.schedule} schedule)`}, on ${backend.description}` +
    (resumeStep !== undefined ? `; resuming at step ${resumeStep}` : "");
}

/** The subset, shuffled each epoch by a seeded permutation and uploaded once per epoch. */
export function epochStream(
  backend: Backend,
  config: TrainConfig,
  subset: ImageDataset,
  normalization: { mean: number[]; std: number[] },
): EpochStream {
  return new EpochStream(backend, config.n, config.batch, (epoch) => {
    const order = seededSubset(config.n, config.n, (config.dataSeed + 1 + epoch) >>> 0);
    return datasetTensors(backend, selectSamples(subset, order), { normalization });
  });
}

/** The batch losses at the logged steps (every `logEvery`, and the last). */
export function loggedLosses(
  losses: Float64Array,
  config: TrainConfig,
): { step: number; batchLoss: number }[] {
  const log: { step: number; batchLoss: number }[] = [];
  losses.forEach((batchLoss, step) => {
    if (step % config.logEvery === 0 || step === config.steps - 1) log.push({ step, batchLoss });
  });
  return log;
}

/** A resumed run's checkpoint and logged initial loss, or a new run directory with `out` (else none). */
export async function prepareRunDir(
  config: TrainConfig,
  backend: Backend,
  run: RunDir | undefined,
  out: string | undefined,
  loop: Pick<TrainingLoopOptions, "optimizer" | "model">,
): Promise<{ run?: RunDir; resumed: ResumedRun }> {
  if (run) {
    return {
      run,
      resumed: await resumeFromRunDir(run, { checkpoint: loopCheckpoint(config, run), ...loop }),
    };
  }
  if (!out) return { resumed: { initialLoss: NaN } };
  const created = await RunDir.create(out, {
    name: NAME,
    parameters: { ...config },
    seed: config.seed,
    backend,
  });
  return { run: created, resumed: { initialLoss: NaN } };
}

/**
 * The end of a complete run: the final full-batch loss (printed with the throughput), then the test accuracy
 * (NaN without test images); frees the full-batch tensors.
 */
export async function finalMeasurements(o: {
  config: TrainConfig;
  print: (line: string) => void;
  backend: Backend;
  model: Classifier;
  params: Tensor;
  full: { x: Tensor; y: Tensor };
  test?: ImageDataset;
  normalization: { mean: number[]; std: number[] };
  fullBatchLoss: (step: number) => Promise<number>;
  stepsRun: number;
  seconds: number;
  hostWaits: number;
}): Promise<{ finalLoss: number; testAccuracy: number }> {
  const { config, print, backend, stepsRun, seconds } = o;
  const finalLoss = await o.fullBatchLoss(config.steps);
  print(
    `step ${config.steps}: full-batch loss ${finalLoss.toFixed(4)} (${
      (stepsRun / seconds).toFixed(2)
    } steps/s, ${(stepsRun * config.batch / seconds).toFixed(1)} samples/s, ${o.hostWaits} host waits)`,
  );
  backend.dispose(o.full.x, o.full.y);
  let testAccuracy = NaN;
  if (o.test) {
    const count = Math.min(config.testSamples, o.test.shape[0]);
    testAccuracy = await classificationAccuracy(backend, o.model, o.params, o.test, count, o.normalization);
    print(`test accuracy on ${count} images: ${(100 * testAccuracy).toFixed(1)}%`);
  }
  return { finalLoss, testAccuracy };
}
