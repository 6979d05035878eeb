/**
 * The experiments behind EnhancedSGD's figures (scripts/enhanced_sgd_fig*.ts): the controller on a noisy
 * quadratic (cheap, never NaN at the lrs the faithful controller reaches: figures F2.1, F2.2), training an MLP
 * on a Fashion-MNIST subset (or a synthetic fallback) with SGD, momentum, Adam and EnhancedSGD clean (with and
 * without Lookahead) and faithful (F2.3, F2.5), and the entropies of Gaussian gradients against their scale
 * (F2.4).
 *
 * @module
 */
import type { Backend } from "../backend/backend.ts";
import type { Tensor } from "../backend/tensor.ts";
import { channelStatistics, datasetTensors, seededSubset, selectSamples } from "../data/dataset.ts";
import { loadFashionMnist } from "../data/fashion_mnist.ts";
import { Mlp } from "../models/mlp_model.ts";
import { mlpPreset, type MlpPresetName } from "../models/mlp.ts";
import { Optimizer, type ParameterOptimizer } from "../optim/optimizer.ts";
import { ParameterLayout } from "../models/parameters.ts";
import { randomReference } from "../rng/philox.ts";
import { EpochStream } from "../training/data_stream.ts";
import { runTrainingLoop, TrainingDivergedError } from "../training/loop.ts";
import { createEnhancedSgd } from "./create.ts";
import type { EnhancedSgdOptions } from "./options.ts";
import { EnhancedSGD, type EsgdTelemetry } from "./optimizer.ts";

/** Settings of {@linkcode noisyQuadraticRun}. */
export interface QuadraticRun {
  steps: number;
  stepsPerEpoch: number;
  dims: number;
  /** Curvature h of L = h/2 mean(θ²). */
  curvature: number;
  /** Std of the gradient noise. */
  noise: number;
  seed: number;
}

/**
 * EnhancedSGD on L(θ) = h/2 mean(θ²) with the per-element gradient h θ_i + noise (computed on the host
 * each step). Stops early when the lr, loss or parameters stop being finite.
 *
 * @returns The telemetry rows (one per step for faithful or controllerEvery = 1) and the step reached.
 */
export async function noisyQuadraticRun(
  backend: Backend,
  run: QuadraticRun,
  options: EnhancedSgdOptions,
): Promise<{ telemetry: EsgdTelemetry[]; steps: number }> {
  const { dims, curvature: h } = run;
  const layout = new ParameterLayout([{ name: "theta", shape: [dims] }]);
  const opt = new EnhancedSGD(backend, layout, {
    ...options,
    stepsPerEpoch: run.stepsPerEpoch,
    seed: run.seed,
  });
  let theta = randomReference(1, dims, { seed: run.seed, stream: 11 }) as Float64Array;
  const params = backend.tensor(theta);
  let steps = 0;
  try {
    for (let t = 0; t < run.steps; t++) {
      const xi = randomReference(1, dims, { seed: run.seed, stream: 12, step: t }) as Float64Array;
      const g = theta.map((v, i) => h * v + run.noise * xi[i]);
      const loss = 0.5 * h * theta.reduce((s, v) => s + v * v, 0) / dims;
      const gradient = backend.tensor(g), lossTensor = backend.tensor([loss]);
      await opt.step(params, gradient, lossTensor);
      backend.dispose(gradient, lossTensor);
      theta = Float64Array.from(await backend.read(params));
      steps = t + 1;
      if (!Number.isFinite(opt.lr) || !Number.isFinite(loss) || theta.some((v) => !Number.isFinite(v))) break;
    }
    return { telemetry: opt.telemetry, steps };
  } finally {
    opt.dispose();
    backend.dispose(params);
  }
}

/** A classification task's tensors and where they came from. */
export interface ClassificationTask {
  x: Tensor;
  y: Tensor;
  rows: number;
  inputs: number;
  source: string;
}

/**
 * A Fashion-MNIST training subset of `rows` images (normalised), or, when the dataset is not installed, a
 * synthetic 10-class task of the same shape (Gaussian clusters around random class means).
 */
export async function classificationTask(
  backend: Backend,
  rows: number,
  seed: number,
): Promise<ClassificationTask> {
  try {
    const train = await loadFashionMnist();
    const subset = selectSamples(train, seededSubset(train.shape[0], rows, seed));
    const { x, y } = datasetTensors(backend, subset, { normalization: channelStatistics(subset) });
    return { x, y, rows, inputs: 784, source: `Fashion-MNIST train subset of ${rows}` };
  } catch (error) {
    if (!(error instanceof Error && error.name === "DatasetFileError")) throw error;
    const means = randomReference(10, 784, { seed, stream: 21 });
    const noise = randomReference(rows, 784, { seed, stream: 22 });
    const x = new Float64Array(rows * 784), y = new Float64Array(rows * 10);
    for (let r = 0; r < rows; r++) {
      const c = r % 10;
      y[r * 10 + c] = 1;
      for (let i = 0; i < 784; i++) x[r * 784 + i] = 0.3 * means[c * 784 + i] + noise[r * 784 + i];
    }
    return {
      x: backend.tensor(x, [rows, 784]),
      y: backend.tensor(y, [rows, 10]),
      rows,
      inputs: 784,
      source: `synthetic 10-class Gaussian clusters (${rows} rows; Fashion-MNIST not installed)`,
    };
  }
}

/** The optimizers compared in F2.3. */
export const COMPARED = [
  "sgd",
  "momentum",
  "adam",
  "esgd_clean",
  "esgd_clean_lookahead",
  "esgd_faithful",
] as const;
/** One of {@linkcode COMPARED}. */
export type ComparedOptimizer = (typeof COMPARED)[number];

/** Settings of {@linkcode trainOnTask}. */
export interface TrainSettings {
  preset: MlpPresetName;
  steps: number;
  batch: number;
  seed: number;
  /** lr of SGD and momentum SGD (and EnhancedSGD's lr0). */
  lr: number;
  adamLr: number;
  controllerEvery: number;
}

/** One training run: batch losses (NaN from a divergence on), the divergence step, the EnhancedSGD telemetry. */
export interface TrainRun {
  losses: Float64Array;
  divergedAt: number | null;
  telemetry: EsgdTelemetry[];
  seconds: number;
}

function makeOptimizer(
  backend: Backend,
  model: Mlp,
  name: ComparedOptimizer,
  s: TrainSettings,
  stepsPerEpoch: number,
): { optimizer: ParameterOptimizer; esgd?: EnhancedSGD } {
  switch (name) {
    case "sgd":
      return { optimizer: new Optimizer(backend, model.layout, { kind: "sgd", lr: s.lr }) };
    case "momentum":
      return {
        optimizer: new Optimizer(backend, model.layout, { kind: "momentum", lr: s.lr, momentum: 0.9 }),
      };
    case "adam":
      return { optimizer: new Optimizer(backend, model.layout, { kind: "adam", lr: s.adamLr }) };
    case "esgd_faithful":
      return createEnhancedSgd(backend, model.layout, {
        mode: "faithful",
        lr: s.lr,
        stepsPerEpoch,
        seed: s.seed,
      });
    default:
      return createEnhancedSgd(
        backend,
        model.layout,
        { lr: s.lr, controllerEvery: s.controllerEvery, stepsPerEpoch, seed: s.seed },
        name === "esgd_clean_lookahead" ? { k: 5, alpha: 0.5 } : undefined,
      );
  }
}

/** Trains the preset MLP on the task with one optimizer (the training loop of lib/training). */
export async function trainOnTask(
  backend: Backend,
  task: ClassificationTask,
  name: ComparedOptimizer,
  s: TrainSettings,
): Promise<TrainRun> {
  const model = new Mlp(backend, mlpPreset(s.preset, { inputs: task.inputs }), "crossEntropy");
  const params = model.init(s.seed);
  const data = EpochStream.fixed(backend, task.x, task.y, s.batch);
  const { optimizer, esgd } = makeOptimizer(backend, model, name, s, data.stepsPerEpoch);
  const losses = new Float64Array(s.steps).fill(NaN);
  let divergedAt: number | null = null;
  const t0 = performance.now();
  try {
    await runTrainingLoop({
      model,
      params,
      optimizer,
      data,
      steps: s.steps,
      logEvery: 1,
      historyChunk: 100,
      onLog: (row) => losses[row.step] = row.batchLoss,
    });
  } catch (error) {
    if (!(error instanceof TrainingDivergedError)) throw error;
    divergedAt = error.step;
  } finally {
    optimizer.dispose();
    data.dispose();
    backend.dispose(params);
    model.dispose();
  }
  return { losses, divergedAt, telemetry: esgd?.telemetry ?? [], seconds: (performance.now() - t0) / 1000 };
}

/**
 * Raw and normalised entropies of N standard normals scaled by each std, as EnhancedSGD's statistics
 * compute them on the backend.
 */
export async function entropyAgainstScale(
  backend: Backend,
  stds: readonly number[],
  n: number,
  seed: number,
): Promise<{ std: number; raw: number; normalised: number }[]> {
  const layout = new ParameterLayout([{ name: "g", shape: [n] }]);
  const z = randomReference(1, n, { seed }) as Float64Array;
  const out = [];
  for (const std of stds) {
    const opt = new EnhancedSGD(backend, layout, { applyNoise: false });
    const params = backend.zeros([n]), gradient = backend.tensor(z.map((v) => v * std));
    await opt.step(params, gradient);
    const s = await opt.statistics();
    out.push({ std, raw: s.entropyRaw, normalised: s.entropyNorm });
    opt.dispose();
    backend.dispose(params, gradient);
  }
  return out;
}

const tasks = new WeakMap<Backend, Map<string, Promise<ClassificationTask>>>();
/** Results by backend kind and settings (plain numbers, shared by every backend object of that kind). */
const runs = new Map<string, Promise<unknown>>();

function memo<T>(backend: Backend, key: string, make: () => Promise<T>): Promise<T> {
  const full = `${backend.name}:${key}`;
  let p = runs.get(full) as Promise<T> | undefined;
  if (!p) runs.set(full, p = make());
  return p;
}

/**
 * {@linkcode trainOnTask} on the task of (rows, taskSeed), computed once per process, backend and settings
 * (figures F2.3 and F2.5 share runs in one gallery process).
 */
export function cachedTrain(
  backend: Backend,
  rows: number,
  taskSeed: number,
  name: ComparedOptimizer,
  s: TrainSettings,
): Promise<TrainRun & { source: string }> {
  return memo(backend, JSON.stringify(["train", rows, taskSeed, name, s]), async () => {
    let byKey = tasks.get(backend);
    if (!byKey) tasks.set(backend, byKey = new Map());
    let task = byKey.get(`${rows}/${taskSeed}`);
    if (!task) byKey.set(`${rows}/${taskSeed}`, task = classificationTask(backend, rows, taskSeed));
    const t = await task;
    return { ...(await trainOnTask(backend, t, name, s)), source: t.source };
  });
}

/** {@linkcode noisyQuadraticRun} computed once per process, backend and settings (F2.1 and F2.2 share). */
export function cachedQuadratic(
  backend: Backend,
  run: QuadraticRun,
  options: EnhancedSgdOptions,
): Promise<{ telemetry: EsgdTelemetry[]; steps: number }> {
  return memo(
    backend,
    JSON.stringify(["quadratic", run, options]),
    () => noisyQuadraticRun(backend, run, options),
  );
}
