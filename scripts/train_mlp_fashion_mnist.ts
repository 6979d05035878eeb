/**
 * Trains an MLP preset on Fashion-MNIST with plain SGD and prints the falling loss:
 * the shortest path from the loaders (lib/data/) through the model (lib/models/) to a
 * training loop, on the GPU when there is one.
 *
 * ```
 * deno run -A scripts/train_mlp_fashion_mnist.ts                     # mlp 784-512-512-10, squared loss
 * deno run -A scripts/train_mlp_fashion_mnist.ts --loss crossEntropy --steps 1000 --learning-rate 0.1
 * ```
 *
 * A seeded subset of `n` training images (normalised by its own channel mean and std,
 * one-hot targets) is shuffled each epoch by a seeded permutation and uploaded once per
 * epoch; each step evaluates the loss and gradient on the next `batch` rows and takes
 * `params <- params - lr * gradient` (one axpy over the flat parameter vector). The
 * batch loss is read back every `logEvery` steps only (each read waits for the GPU).
 * Needs `apt-get install -y dataset-fashion-mnist` or `--data-dir` with the IDX files.
 *
 * @module
 */
import type { Backend } from "../lib/backend/backend.ts";
import type { Tensor } from "../lib/backend/tensor.ts";
import { type BackendChoice, getBackend } from "../lib/backend/select.ts";
import { COMMON_OPTIONS, runCli } from "../lib/cli.ts";
import { channelStatistics, datasetTensors, seededSubset, selectSamples } from "../lib/data/dataset.ts";
import { fashionMnistDir, loadFashionMnist } from "../lib/data/fashion_mnist.ts";
import type { LossName } from "../lib/models/losses.ts";
import { MLP_PRESETS, mlpPreset, type MlpPresetName } from "../lib/models/mlp.ts";
import { Mlp } from "../lib/models/mlp_model.ts";

/** Settings of a training run. */
export interface TrainMlpConfig {
  preset: MlpPresetName;
  loss: LossName;
  /** Training images used (a seeded subset of the 60,000). */
  n: number;
  batch: number;
  steps: number;
  learningRate: number;
  initScale: number;
  /** Init seed. */
  seed: number;
  /** Seed of the subset and the epoch permutations. */
  dataSeed: number;
  logEvery: number;
  /** Test images for the final accuracy (0: none). */
  testSamples: number;
  /** Directory of the IDX files ("" for the default). */
  dataDir: string;
  backend: BackendChoice;
}

/** Defaults: about 10-20 s on a 2-core CPU adapter. */
export const defaultConfig: TrainMlpConfig = {
  preset: "mlp",
  loss: "squared",
  n: 4096,
  batch: 64,
  steps: 300,
  learningRate: 0.05,
  initScale: 0.2,
  seed: 1312,
  dataSeed: 1011,
  logEvery: 25,
  testSamples: 2000,
  dataDir: "",
  backend: "auto",
};

/** What a run measured. */
export interface TrainMlpResult {
  /** Batch losses at the logged steps (before that step's update). */
  log: { step: number; batchLoss: number }[];
  /** Loss on the whole training subset before and after training. */
  initialLoss: number;
  finalLoss: number;
  /** Accuracy on the first `testSamples` test images (NaN when 0). */
  testAccuracy: number;
  /** Wall seconds of the SGD steps. */
  seconds: number;
}

/**
 * Checks the numeric settings before any data is read.
 *
 * @throws {RangeError} Naming the option and its allowed range.
 */
export function checkTrainMlpConfig(config: TrainMlpConfig): void {
  const integer = (name: keyof TrainMlpConfig, min: number, max = Infinity) => {
    const v = config[name] as number;
    if (!Number.isInteger(v) || v < min || v > max) {
      throw new RangeError(`Cannot train: --${kebab(name)} is ${v}, must be an integer in [${min}, ${max}]`);
    }
  };
  integer("n", 1, 60000);
  integer("batch", 1, config.n);
  integer("steps", 1);
  integer("logEvery", 1);
  integer("testSamples", 0, 10000);
  for (const name of ["learningRate", "initScale"] as const) {
    if (!(Number.isFinite(config[name]) && config[name] > 0)) {
      throw new RangeError(`Cannot train: --${kebab(name)} is ${config[name]}, must be a finite number > 0`);
    }
  }
}

const kebab = (name: string) => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

async function readScalar(backend: Backend, t: Tensor): Promise<number> {
  return (await backend.read(t))[0];
}

/**
 * Trains and returns the loss trajectory.
 *
 * @param config The settings.
 * @param print Where progress lines go (`console.log` by default).
 * @param backend A backend to use instead of `config.backend`.
 * @returns Losses, accuracy and time.
 */
export async function train(
  config: TrainMlpConfig,
  print: (line: string) => void = console.log,
  backend?: Backend,
): Promise<TrainMlpResult> {
  checkTrainMlpConfig(config);
  backend ??= await getBackend(config.backend);
  const dataDir = config.dataDir || fashionMnistDir();
  const all = await loadFashionMnist({ split: "train", dataDir });
  const subset = selectSamples(all, seededSubset(all.shape[0], config.n, config.dataSeed));
  const normalization = channelStatistics(subset);
  const mlp = new Mlp(
    backend,
    mlpPreset(config.preset, { inputs: 784, initScale: config.initScale }),
    config.loss,
  );
  const params = mlp.init(config.seed);
  print(
    `${config.preset} ${mlp.spec.sizes.join("-")} (${mlp.layout.count} parameters), ${config.loss} loss, ` +
      `n ${config.n}, batch ${config.batch}, lr ${config.learningRate}, on ${backend.description}`,
  );
  const epochData = (epoch: number) => {
    const order = seededSubset(config.n, config.n, (config.dataSeed + 1 + epoch) >>> 0);
    return datasetTensors(backend, selectSamples(subset, order), { normalization });
  };
  const full = datasetTensors(backend, subset, { normalization });
  const initialLoss = await readScalar(backend, (await mlp.evaluate(params, full.x, full.y)).loss);
  print(`step 0: full-batch loss ${initialLoss.toFixed(4)}`);

  const stepsPerEpoch = Math.floor(config.n / config.batch);
  const loss = backend.zeros([1]), gradient = backend.zeros([mlp.layout.count]);
  const log: TrainMlpResult["log"] = [];
  let data = epochData(0);
  const t0 = performance.now();
  for (let step = 0; step < config.steps; step++) {
    const epoch = Math.floor(step / stepsPerEpoch), slot = step % stepsPerEpoch;
    if (slot === 0 && epoch > 0) {
      backend.dispose(data.x, data.y);
      data = epochData(epoch);
    }
    const rows = { begin: slot * config.batch, end: (slot + 1) * config.batch };
    await mlp.evaluate(params, data.x, data.y, { gradient: true, rows, into: { loss, gradient } });
    if (step % config.logEvery === 0 || step === config.steps - 1) {
      const batchLoss = await readScalar(backend, loss);
      log.push({ step, batchLoss });
      print(`step ${step}: batch loss ${batchLoss.toFixed(4)}`);
    }
    await backend.axpy(-config.learningRate, gradient, params);
  }
  const finalLoss = await readScalar(backend, (await mlp.evaluate(params, full.x, full.y)).loss);
  const seconds = (performance.now() - t0) / 1000;
  print(
    `step ${config.steps}: full-batch loss ${finalLoss.toFixed(4)} (${
      (config.steps / seconds).toFixed(1)
    } steps/s)`,
  );

  let testAccuracy = NaN;
  if (config.testSamples > 0) {
    const testAll = await loadFashionMnist({ split: "test", dataDir });
    const count = Math.min(config.testSamples, testAll.shape[0]);
    const test = datasetTensors(backend, selectSamples(testAll, Array.from({ length: count }, (_, i) => i)), {
      normalization,
    });
    const outputs = await backend.read(await mlp.forward(params, test.x));
    let correct = 0;
    for (let i = 0; i < count; i++) {
      const row = outputs.subarray(i * 10, i * 10 + 10);
      if (row.indexOf(Math.max(...row)) === testAll.labels[i]) correct++;
    }
    testAccuracy = correct / count;
    print(`test accuracy on ${count} images: ${(100 * testAccuracy).toFixed(1)}%`);
  }
  mlp.dispose();
  return { log, initialLoss, finalLoss, testAccuracy, seconds };
}

if (import.meta.main) {
  await runCli({
    usage: "deno run -A scripts/train_mlp_fashion_mnist.ts",
    description: "Train an MLP preset on Fashion-MNIST with plain SGD and print the falling loss.",
    options: {
      preset: {
        type: "string",
        default: defaultConfig.preset,
        description: "MLP preset",
        choices: Object.keys(MLP_PRESETS),
      },
      loss: {
        type: "string",
        default: defaultConfig.loss,
        description: "loss",
        choices: ["squared", "crossEntropy"],
      },
      n: { type: "number", default: defaultConfig.n, description: "training images (seeded subset)" },
      batch: { type: "number", default: defaultConfig.batch, description: "batch size" },
      steps: { type: "number", default: defaultConfig.steps, description: "SGD steps" },
      learningRate: { type: "number", default: defaultConfig.learningRate, description: "learning rate" },
      initScale: { type: "number", default: defaultConfig.initScale, description: "init std multiplier" },
      seed: { ...COMMON_OPTIONS.seed, default: defaultConfig.seed, description: "init seed" },
      dataSeed: { type: "number", default: defaultConfig.dataSeed, description: "subset and shuffle seed" },
      logEvery: {
        type: "number",
        default: defaultConfig.logEvery,
        description: "steps between printed losses",
      },
      testSamples: {
        type: "number",
        default: defaultConfig.testSamples,
        description: "test images for accuracy",
      },
      dataDir: { type: "string", default: "", description: "directory of the Fashion-MNIST IDX files" },
      backend: COMMON_OPTIONS.backend,
      config: COMMON_OPTIONS.config,
    },
  }, async (options) => {
    await train({ ...defaultConfig, ...options } as unknown as TrainMlpConfig);
  });
}
