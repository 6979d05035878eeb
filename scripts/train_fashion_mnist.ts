/**
 * Trains an MLP or the CNN on Fashion-MNIST with plain SGD and prints the falling loss: the
 * shortest path from the loaders (lib/data/) through a model (lib/models/) to a training loop,
 * on the GPU when there is one.
 *
 * ```
 * deno run -A scripts/train_fashion_mnist.ts                     # mlp 784-512-512-10, squared loss
 * deno run -A scripts/train_fashion_mnist.ts --loss crossEntropy --steps 1000 --learning-rate 0.1
 * deno run -A scripts/train_fashion_mnist.ts --model cnn         # the cnn preset on 1x28x28 images
 * deno run -A scripts/train_fashion_mnist.ts --model cnn --out runs/cnn1   # and keep a run directory
 * ```
 *
 * A seeded subset of `n` training images (normalised by its own channel mean and std, one-hot
 * targets) is shuffled each epoch by a seeded permutation and uploaded once per epoch; each step
 * evaluates the loss and gradient on the next `batch` rows and takes `params <- params - lr * gradient`
 * (one axpy over the flat parameter vector). The batch loss is read back every `logEvery` steps only
 * (each read waits for the GPU). The defaults depend on `--model` (`--model cnn --help` lists the
 * CNN's): the CNN's gradient runs at ~20 samples/s on a 2-core CPU adapter, so its defaults are small.
 * With `--out`, the run directory (lib/io/run_dir.ts) holds `config.json`, `metrics.jsonl` (the
 * logged batch losses and the full-batch losses) and `done.json` (the final numbers).
 * Needs `apt-get install -y dataset-fashion-mnist` or `--data-dir` with the IDX files.
 *
 * @module
 */
import type { Backend } from "../lib/backend/backend.ts";
import type { Tensor } from "../lib/backend/tensor.ts";
import { type BackendChoice, getBackend } from "../lib/backend/select.ts";
import { COMMON_OPTIONS, type OptionSpec, runCli } from "../lib/cli.ts";
import { channelStatistics, datasetTensors, seededSubset, selectSamples } from "../lib/data/dataset.ts";
import { fashionMnistDir, loadFashionMnist } from "../lib/data/fashion_mnist.ts";
import type { MetricsWriter } from "../lib/io/metrics.ts";
import { RunDir } from "../lib/io/run_dir.ts";
import { CNN_PRESETS, cnnPreset, type CnnPresetName, type CnnSpec } from "../lib/models/cnn.ts";
import { Cnn } from "../lib/models/cnn_model.ts";
import type { LossName } from "../lib/models/losses.ts";
import { MLP_PRESETS, mlpPreset, type MlpPresetName, type MlpSpec } from "../lib/models/mlp.ts";
import { Mlp } from "../lib/models/mlp_model.ts";
import { Progress, setProgressQuiet } from "../lib/progress.ts";

const NAME = "train_fashion_mnist";

/** The model families this script trains. */
export type ModelName = "mlp" | "cnn";

/** The presets of each model family. */
export const MODEL_PRESETS: Readonly<Record<ModelName, readonly string[]>> = {
  mlp: Object.keys(MLP_PRESETS),
  cnn: Object.keys(CNN_PRESETS),
};

/** Settings of a training run. */
export interface TrainConfig {
  model: ModelName;
  /** A preset of the model ({@linkcode MODEL_PRESETS}). */
  preset: string;
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

/** Defaults per model: each run takes about 20 s (mlp) or 90 s (cnn) on a 2-core CPU adapter. */
export const DEFAULT_CONFIGS: Readonly<Record<ModelName, TrainConfig>> = {
  mlp: {
    model: "mlp",
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
  },
  cnn: {
    model: "cnn",
    preset: "cnn",
    loss: "squared",
    n: 512,
    batch: 16,
    steps: 60,
    learningRate: 0.1,
    initScale: 0.3,
    seed: 1312,
    dataSeed: 1011,
    logEvery: 10,
    testSamples: 1000,
    dataDir: "",
    backend: "auto",
  },
};

/** The defaults of `--model mlp`. */
export const defaultConfig: TrainConfig = DEFAULT_CONFIGS.mlp;

/** What a run measured. */
export interface TrainResult {
  /** Batch losses at the logged steps (before that step's update). */
  log: { step: number; batchLoss: number }[];
  /** Loss on the whole training subset before and after training. */
  initialLoss: number;
  finalLoss: number;
  /** Accuracy on the first `testSamples` test images (NaN when 0). */
  testAccuracy: number;
  /** Wall seconds of the SGD steps alone, and of the whole run (data, losses, accuracy). */
  seconds: number;
  totalSeconds: number;
  /** The run directory, when one was written. */
  runDir?: string;
}

/** How {@linkcode train} runs; every field is optional. */
export interface TrainOptions {
  /** Where progress lines go (`console.log` by default). */
  print?: (line: string) => void;
  /** A backend to use instead of `config.backend`. */
  backend?: Backend;
  /** A new run directory to write (config.json, metrics.jsonl, done.json). */
  out?: string;
  /** The stderr progress display (default auto: a bar on a terminal, a line every 30 s otherwise). */
  progress?: "auto" | "quiet";
  /** A model to train instead of the preset (its kind must be `config.model`; tests use tiny ones). */
  spec?: MlpSpec | CnnSpec;
}

const kebab = (name: string) => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/**
 * Checks the settings before any data is read.
 *
 * @throws {TypeError} On an unknown model or a preset of another model.
 * @throws {RangeError} Naming the option and its allowed range.
 */
export function checkTrainConfig(config: TrainConfig): void {
  const presets = MODEL_PRESETS[config.model];
  if (!presets) {
    throw new TypeError(`Cannot train: --model is "${config.model}", must be one of mlp, cnn`);
  }
  if (!presets.includes(config.preset)) {
    throw new TypeError(
      `Cannot train: --preset is "${config.preset}", --model ${config.model} takes one of ${
        presets.join(", ")
      }`,
    );
  }
  const integer = (name: keyof TrainConfig, min: number, max = Infinity) => {
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
  for (const seed of ["seed", "dataSeed"] as const) integer(seed, 0, 2 ** 32 - 1); // before any directory
  for (const name of ["learningRate", "initScale"] as const) {
    if (!(Number.isFinite(config[name]) && config[name] > 0)) {
      throw new RangeError(`Cannot train: --${kebab(name)} is ${config[name]}, must be a finite number > 0`);
    }
  }
}

/** The model of a config (or `spec`) on a backend, and a one-line description of it. */
function makeModel(config: TrainConfig, backend: Backend, spec?: MlpSpec | CnnSpec) {
  if (config.model === "cnn") {
    const cnnSpec = (spec as CnnSpec | undefined) ??
      cnnPreset(config.preset as CnnPresetName, { channels: 1, size: 28, initScale: config.initScale });
    const cnn = new Cnn(backend, cnnSpec, config.loss);
    const { input } = cnnSpec;
    const blocks = cnn.shapes.blocks.map((b) =>
      `conv${b.kernelSize}x${b.kernelSize}-${b.outChannels}${b.pool ? "+pool" : ""}`
    );
    const about = `${input.channels}x${input.height}x${input.width} ${blocks.join(" ")} fc ${
      cnn.shapes.dense.join("-")
    }`;
    return { model: cnn, about };
  }
  const mlpSpec = (spec as MlpSpec | undefined) ??
    mlpPreset(config.preset as MlpPresetName, { inputs: 784, initScale: config.initScale });
  const mlp = new Mlp(backend, mlpSpec, config.loss);
  return { model: mlp as Mlp | Cnn, about: mlpSpec.sizes.join("-") };
}

async function readScalar(backend: Backend, t: Tensor): Promise<number> {
  return (await backend.read(t))[0];
}

/**
 * Trains and returns the loss trajectory.
 *
 * @param config The settings.
 * @param options Output, backend, run directory, progress display, a model to use instead of the preset.
 * @returns Losses, accuracy and times.
 * @throws {TypeError|RangeError} On bad settings (before any data is read).
 */
export async function train(config: TrainConfig, options: TrainOptions = {}): Promise<TrainResult> {
  checkTrainConfig(config);
  if (options.spec && ("convs" in options.spec) !== (config.model === "cnn")) {
    throw new TypeError(`Cannot train: the given spec is not a ${config.model} spec`);
  }
  const start = performance.now();
  const print = options.print ?? console.log;
  const backend = options.backend ?? await getBackend(config.backend);
  const dataDir = config.dataDir || fashionMnistDir();
  const all = await loadFashionMnist({ split: "train", dataDir });
  const testAll = config.testSamples > 0 ? await loadFashionMnist({ split: "test", dataDir }) : undefined;
  const { model, about } = makeModel(config, backend, options.spec);
  let metrics: MetricsWriter | undefined;
  try {
    const run = options.out
      ? await RunDir.create(options.out, {
        name: NAME,
        parameters: { ...config },
        seed: config.seed,
        backend,
      })
      : undefined;
    metrics = await run?.metrics();
    const subset = selectSamples(all, seededSubset(all.shape[0], config.n, config.dataSeed));
    const normalization = channelStatistics(subset);
    const params = model.init(config.seed);
    print(
      `${config.preset} ${about} (${model.layout.count} parameters), ${config.loss} loss, ` +
        `n ${config.n}, batch ${config.batch}, lr ${config.learningRate}, on ${backend.description}`,
    );
    const epochData = (epoch: number) => {
      const order = seededSubset(config.n, config.n, (config.dataSeed + 1 + epoch) >>> 0);
      return datasetTensors(backend, selectSamples(subset, order), { normalization });
    };
    const full = datasetTensors(backend, subset, { normalization });
    const fullBatchLoss = async (step: number) => {
      const value = await readScalar(backend, (await model.evaluate(params, full.x, full.y)).loss);
      metrics?.write({ step, fullBatchLoss: value });
      return value;
    };
    const initialLoss = await fullBatchLoss(0);
    print(`step 0: full-batch loss ${initialLoss.toFixed(4)}`);

    const stepsPerEpoch = Math.floor(config.n / config.batch);
    const loss = backend.zeros([1]), gradient = backend.zeros([model.layout.count]);
    const log: TrainResult["log"] = [];
    const progress = new Progress({
      total: config.steps,
      label: NAME,
      unit: "steps",
      mode: options.progress,
    });
    let data = epochData(0);
    const t0 = performance.now();
    for (let step = 0; step < config.steps; step++) {
      const epoch = Math.floor(step / stepsPerEpoch), slot = step % stepsPerEpoch;
      if (slot === 0 && epoch > 0) {
        backend.dispose(data.x, data.y);
        data = epochData(epoch);
      }
      const rows = { begin: slot * config.batch, end: (slot + 1) * config.batch };
      await model.evaluate(params, data.x, data.y, { gradient: true, rows, into: { loss, gradient } });
      if (step % config.logEvery === 0 || step === config.steps - 1) {
        const batchLoss = await readScalar(backend, loss);
        log.push({ step, batchLoss });
        metrics?.write({ step, batchLoss });
        print(`step ${step}: batch loss ${batchLoss.toFixed(4)}`);
      }
      await backend.axpy(-config.learningRate, gradient, params);
      progress.tick();
    }
    await readScalar(backend, loss); // waits for the last step, so `seconds` is the steps' time
    const seconds = (performance.now() - t0) / 1000;
    progress.finish();
    const finalLoss = await fullBatchLoss(config.steps);
    print(
      `step ${config.steps}: full-batch loss ${finalLoss.toFixed(4)} (${
        (config.steps / seconds).toFixed(2)
      } steps/s, ${(config.steps * config.batch / seconds).toFixed(1)} samples/s)`,
    );
    backend.dispose(data.x, data.y, full.x, full.y, loss, gradient);

    let testAccuracy = NaN;
    if (testAll) {
      const count = Math.min(config.testSamples, testAll.shape[0]);
      const first = Array.from({ length: count }, (_, i) => i);
      const test = datasetTensors(backend, selectSamples(testAll, first), { normalization });
      const outputs = await backend.read(await model.forward(params, test.x));
      let correct = 0;
      for (let i = 0; i < count; i++) {
        const row = outputs.subarray(i * 10, i * 10 + 10);
        if (row.indexOf(Math.max(...row)) === testAll.labels[i]) correct++;
      }
      testAccuracy = correct / count;
      backend.dispose(test.x, test.y);
      print(`test accuracy on ${count} images: ${(100 * testAccuracy).toFixed(1)}%`);
    }
    backend.dispose(params);
    const totalSeconds = (performance.now() - start) / 1000;
    print(`done in ${totalSeconds.toFixed(1)} s${run ? `; run directory ${run.path}` : ""}`);
    metrics?.close();
    await run?.complete({ initialLoss, finalLoss, testAccuracy, seconds, totalSeconds });
    return { log, initialLoss, finalLoss, testAccuracy, seconds, totalSeconds, runDir: run?.path };
  } finally {
    metrics?.close();
    model.dispose();
  }
}

/** The `--model` the arguments ask for (flags over the `--config` file), to pick the defaults. */
function requestedModel(args: string[]): ModelName {
  let model: unknown;
  const configAt = args.findLastIndex((a) => a === "--config" || a.startsWith("--config="));
  if (configAt >= 0) {
    const file = args[configAt].includes("=") ? args[configAt].split("=")[1] : args[configAt + 1];
    try {
      model = JSON.parse(Deno.readTextFileSync(file)).model;
    } catch { /* parseCli reports an unreadable file */ }
  }
  const at = args.findLastIndex((a) => a === "--model" || a.startsWith("--model="));
  if (at >= 0) model = args[at].includes("=") ? args[at].split("=")[1] : args[at + 1];
  return model === "cnn" ? "cnn" : "mlp"; // an unknown name is reported by parseCli
}

/** The command-line options, with the defaults of `model`. */
function cliOptions(model: ModelName): Record<string, OptionSpec> {
  const d = DEFAULT_CONFIGS[model];
  const number = (name: keyof TrainConfig, description: string): OptionSpec => ({
    type: "number",
    default: d[name] as number,
    description,
  });
  return {
    model: { type: "string", default: model, description: "model family", choices: ["mlp", "cnn"] },
    preset: {
      type: "string",
      default: d.preset,
      description: `${model} preset (the cnn preset in its 1x28x28 variant)`,
      choices: MODEL_PRESETS[model],
    },
    loss: { type: "string", default: d.loss, description: "loss", choices: ["squared", "crossEntropy"] },
    n: number("n", "training images (seeded subset)"),
    batch: number("batch", "batch size"),
    steps: number("steps", "SGD steps"),
    learningRate: number("learningRate", "learning rate"),
    initScale: number("initScale", "init std multiplier"),
    seed: { ...COMMON_OPTIONS.seed, default: d.seed, description: "init seed" },
    dataSeed: number("dataSeed", "subset and shuffle seed"),
    logEvery: number("logEvery", "steps between printed losses"),
    testSamples: number("testSamples", "test images for accuracy"),
    dataDir: { type: "string", default: "", description: "directory of the Fashion-MNIST IDX files" },
    out: { type: "string", default: "", description: "new run directory to write (none by default)" },
    quiet: { type: "boolean", default: false, description: "no progress bar on stderr" },
    backend: COMMON_OPTIONS.backend,
    config: COMMON_OPTIONS.config,
  };
}

if (import.meta.main) {
  const model = requestedModel(Deno.args);
  await runCli({
    usage: `deno run -A scripts/${NAME}.ts`,
    description: "Train an MLP or the CNN on Fashion-MNIST with plain SGD and print the falling loss " +
      `(defaults of --model ${model}; --model ${model === "mlp" ? "cnn" : "mlp"} --help lists the others).`,
    options: cliOptions(model),
  }, async (parsed) => {
    setProgressQuiet(Boolean(parsed.quiet));
    const { out, quiet: _q, config: _c, ...settings } = parsed;
    await train(settings as unknown as TrainConfig, { out: String(out) || undefined });
  });
}
