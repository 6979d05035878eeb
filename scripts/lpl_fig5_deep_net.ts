/**
 * Figure F4.5 (paper Fig. 3 at small scale; LPL-06, 07, 08): a conv net trained layer-locally with paper
 * LPL on the global-average-pooled output of each block, two augmented views of each image as the two
 * "time" steps, for LPL and its ablations (pred off, Hebb off, decorr off; shuffled positives on
 * request), beside the random-init network, for one or more seeds (`--seeds`). Per block and rule: the
 * logistic probe's test accuracy on the block's GAP features (C = 1, standardised with the probe's
 * training-set statistics; fitted on `probeRows` labelled training images, tested on `probeRows` test images,
 * with its binomial standard error), the participation ratio and the mean activity; the pixel readout and
 * chance as reference lines. Panels (means over seeds, points per seed in (a)): (a) last-block readout
 * accuracy per rule, (b) readout accuracy against block, (c) participation ratio against block (log y),
 * (d) mean activity against block. The summary gives each rule's last-block accuracy per seed, their mean
 * and sd, and whether LPL's is above random init's and Hebb-off's for each seed.
 *
 * Quick scale: Fashion-MNIST (the shipped subset when the full set is not installed), blocks 8/16/32/32
 * channels with pooling after blocks 1-3, 40 steps of 64 view pairs, the views normalised with the training
 * pixels' mean and std (as the paper's SimCLR views), Adam with block l's learning rate
 * 1e-2 sqrt(fanIn_1 / fanIn_l) (every block moves by the same fraction of its initial weight scale per step).
 * `--full`: VGG-11 (64 ... 512 channels) on CIFAR-10 from `--data-dir` (or CIFAR10_DIR): the paper's
 * setting (one Adam lr 1e-3), meant for a GPU.
 *
 * Run: `deno run -A scripts/lpl_fig5_deep_net.ts` (quick) or `--full --data-dir <cifar-10-batches-bin>`.
 *
 * @module
 */
import { requireOption } from "../lib/cli.ts";
import { getBackend } from "../lib/backend/select.ts";
import { ReferenceBackend } from "../lib/backend/reference.ts";
import type { Backend } from "../lib/backend/backend.ts";
import type { Tensor } from "../lib/backend/tensor.ts";
import type { FigureResult } from "../lib/plot/figure.ts";
import { figureMain } from "../lib/plot/figure_script.ts";
import { Progress } from "../lib/progress.ts";
import { fitLogisticProbe, probeAccuracy } from "../lib/probes/logistic_probe.ts";
import { LPL_ABLATIONS, type LplAblation, lplAblation } from "../lib/lpl/dense_stack.ts";
import { fanInScaledLearningRates, LplConvNet, type LplConvNetSpec } from "../lib/lpl/deep_net.ts";
import {
  binomialStandardError,
  probeLplConvNet,
  standardized,
  trainLplConvNet,
} from "../lib/lpl/deep_training.ts";
import { type AugmentOptions, SIMCLR_AUGMENT } from "../lib/lpl/augment_views.ts";
import type { LplFig5Config } from "./lpl_deep_net_config.ts";
import { type Images, load } from "./lpl_deep_net_images.ts";
import { fig5Spec } from "./lpl_deep_net_figure.ts";

export type { LplFig5Config } from "./lpl_deep_net_config.ts";

/** Quick scale: about 2 minutes on the CPU adapter (one core) for one seed. */
export const defaultConfig: LplFig5Config = {
  dataset: "fashion-mnist",
  dataDir: "",
  channels: "8,16,32,32",
  pool: "1,1,1,0",
  rules: ["random", "lpl", "pred-off", "hebb-off", "decorr-off"].join(","),
  steps: 40,
  batch: 64,
  learningRate: 1e-2,
  lrScaling: "fan-in",
  normalize: true,
  weightDecay: 1.5e-6,
  predictive: "symmetric",
  cropScale: 0.2,
  jitter: 0.4,
  blur: 0,
  trainImages: 10000,
  probeRows: 2000,
  seed: 1,
  seeds: 1,
  varyData: false,
  backend: "auto",
};

/** Paper scale (spec 3.2): VGG-11 on CIFAR-10, SimCLR views, Adam 1e-3, batch 256; meant for a GPU. */
export const fullConfig: LplFig5Config = {
  ...defaultConfig,
  dataset: "cifar10",
  channels: "64,128,256,256,512,512,512,512",
  pool: "1,1,0,1,0,1,0,1",
  rules: ["random", ...LPL_ABLATIONS].join(","),
  steps: 20000,
  batch: 256,
  learningRate: 1e-3,
  lrScaling: "none",
  cropScale: 0.08,
  jitter: 0.8,
  blur: 0.5,
  trainImages: 50000,
  probeRows: 10000,
};

/** Tiny scale for tests (seconds). */
export const testConfig: LplFig5Config = {
  ...defaultConfig,
  dataset: "shapes",
  channels: "4,8",
  pool: "1,1",
  rules: "random,lpl,hebb-off",
  steps: 3,
  batch: 8,
  trainImages: 32,
  probeRows: 60,
};

/** Mean and sample standard deviation (0 for one value). */
function meanSd(values: number[]): { mean: number; sd: number } {
  const mean = values.reduce((a, v) => a + v, 0) / values.length;
  const sq = values.reduce((a, v) => a + (v - mean) ** 2, 0);
  return { mean, sd: values.length > 1 ? Math.sqrt(sq / (values.length - 1)) : 0 };
}

/** The views of the config: resized crop, flip, brightness/contrast (p 0.8), blur. */
export function fig5Augment(config: LplFig5Config): AugmentOptions {
  return {
    resizedCrop: { ...SIMCLR_AUGMENT.resizedCrop, scale: [config.cropScale, 1] },
    flip: { probability: 0.5 },
    brightnessContrast: { brightness: config.jitter, contrast: config.jitter, probability: 0.8 },
    ...(config.blur > 0 ? { blur: { probability: config.blur, sigma: [0.1, 2] as const, radius: 1 } } : {}),
  };
}

function parseList(name: string, text: string): number[] {
  const values = text.split(",").map((s) => Number(s.trim()));
  if (values.length === 0 || values.some((v) => !Number.isInteger(v) || v < 0)) {
    throw new RangeError(`Cannot parse --${name} "${text}": expected comma-separated non-negative integers`);
  }
  return values;
}

const r4 = (v: number) => Math.round(v * 1e4) / 1e4;

/** The probe's test accuracy on raw pixels (standardised on the probe's training set). */
async function pixelReadout(probeBackend: Backend, fit: Images, test: Images): Promise<number> {
  const size = fit.channels * fit.side * fit.side, rows = fit.count + test.count;
  const both = new Float64Array(rows * size);
  both.set(fit.pixels);
  both.set(test.pixels, fit.count * size);
  const s = standardized(both, rows, size, Array.from({ length: fit.count }, (_, i) => i));
  const xFit = probeBackend.tensor(s.subarray(0, fit.count * size), [fit.count, size]);
  const xTest = probeBackend.tensor(s.subarray(fit.count * size), [test.count, size]);
  const classes = Math.max(...fit.labels, ...test.labels) + 1;
  const probe = await fitLogisticProbe(probeBackend, xFit, fit.labels, classes);
  const accuracy = await probeAccuracy(probeBackend, xTest, test.labels, probe);
  probeBackend.dispose(xFit, xTest);
  return accuracy;
}

/** A data draw: LPL's images (also on the backend), the probe's sets, their pixel readout, the input scaling. */
interface SeedData {
  train: Images;
  fit: Images;
  test: Images;
  trainTensor: Tensor;
  pixel: number;
  inputNormalization?: { mean: number; std: number };
}

/** Loads the draw of `seed` and measures its pixel readout. */
async function seedData(
  config: LplFig5Config,
  seed: number,
  backend: Backend,
  probeBackend: Backend,
): Promise<SeedData> {
  const train = await load(config, "train", seed);
  const fit = await load(config, "probe-fit", seed), test = await load(config, "probe-test", seed);
  const pixel = await pixelReadout(probeBackend, fit, test);
  const moments = meanSd(Array.from(train.pixels));
  const inputNormalization = config.normalize
    ? {
      mean: moments.mean,
      std: Math.sqrt(moments.sd ** 2 * (train.pixels.length - 1) / train.pixels.length),
    }
    : undefined;
  const trainTensor = backend.tensor(train.pixels, [train.count, train.channels * train.side * train.side]);
  return { train, fit, test, trainTensor, pixel, inputNormalization };
}

/** Trains each rule for each seed, probes every block, and draws the four panels. */
export async function run(config: LplFig5Config = defaultConfig): Promise<FigureResult> {
  requireOption("steps", config.steps, { integer: true, min: 0 });
  requireOption("batch", config.batch, { integer: true, min: 2 });
  requireOption("probeRows", config.probeRows, { integer: true, min: 20 });
  requireOption("seeds", config.seeds, { integer: true, min: 1 });
  requireOption("cropScale", config.cropScale, { min: 0.01, max: 1 });
  const channels = parseList("channels", config.channels), pool = parseList("pool", config.pool);
  const rules = config.rules.split(",").map((r) => r.trim());
  for (const r of rules) {
    if (r !== "random" && !(LPL_ABLATIONS as readonly string[]).includes(r)) {
      throw new RangeError(`Unknown rule "${r}": expected random or one of ${LPL_ABLATIONS.join(", ")}`);
    }
  }
  if (config.predictive !== "symmetric" && config.predictive !== "past-detached") {
    throw new RangeError(
      `Cannot use --predictive "${config.predictive}": expected symmetric or past-detached`,
    );
  }
  if (config.lrScaling !== "fan-in" && config.lrScaling !== "none") {
    throw new RangeError(`Cannot use --lr-scaling "${config.lrScaling}": expected fan-in or none`);
  }
  const backend: Backend = await getBackend(config.backend);
  // The probes are small (<= 512 features, probeRows rows): float64 on the host beats a GPU readback per
  // L-BFGS iteration on the CPU adapter, and is the oracle.
  const probeBackend = new ReferenceBackend();
  const seeds = Array.from({ length: config.seeds }, (_, i) => config.seed + i);
  // One data draw for every seed, or (varyData) one per seed.
  const draws = new Map<number, SeedData>();
  for (const seed of config.varyData ? seeds : [config.seed]) {
    draws.set(seed, await seedData(config, seed, backend, probeBackend));
  }
  const dataOf = (seed: number) => draws.get(config.varyData ? seed : config.seed)!;
  const { train, fit, test } = dataOf(config.seed);
  const spec: LplConvNetSpec = {
    inChannels: train.channels,
    height: train.side,
    width: train.side,
    channels,
    pool: pool.map((p) => p === 1),
  };
  const learningRate = config.lrScaling === "fan-in"
    ? fanInScaledLearningRates(spec, config.learningRate)
    : config.learningRate;
  const augment = fig5Augment(config);
  const results: Record<string, unknown>[] = [];
  const trained = rules.filter((r) => r !== "random").length;
  const progress = new Progress({
    total: config.seeds * trained * config.steps,
    label: "lpl_fig5",
    unit: "steps",
  });
  let done = 0;
  for (const seed of seeds) {
    const { trainTensor, inputNormalization, fit, test, train: { count } } = dataOf(seed);
    for (const rule of rules) {
      const ablation = lplAblation(rule === "random" ? "lpl" : rule as LplAblation);
      const net = await LplConvNet.create(backend, spec, {
        seed,
        learningRate,
        weightDecay: config.weightDecay,
        coefficients: ablation.coefficients,
        shufflePositives: ablation.shufflePositives,
        predictive: config.predictive as "symmetric" | "past-detached",
        inputNormalization,
      });
      const trainSeconds = rule === "random" ? 0 : await trainLplConvNet(net, trainTensor, count, {
        steps: config.steps,
        batch: config.batch,
        augment,
        seed,
        onStep: () => progress.update(++done),
      });
      const evaluation = await probeLplConvNet(
        net,
        { images: fit.pixels, labels: fit.labels },
        { images: test.pixels, labels: test.labels },
        probeBackend,
      );
      for (const e of evaluation) {
        results.push({
          seed,
          rule,
          layer: e.layer,
          channels: e.channels,
          probeTestAccuracy: r4(e.probeTestAccuracy),
          probeTestStandardError: r4(e.probeTestStandardError),
          probeConverged: e.probeConverged,
          participationRatio: r4(e.participationRatio),
          meanActivity: r4(e.meanActivity),
          trainSeconds: r4(trainSeconds),
        });
      }
      net.dispose();
    }
  }
  progress.finish();
  for (const d of draws.values()) backend.dispose(d.trainTensor);
  const pixelPerDraw = [...draws.values()].map((d) => d.pixel), pixel = meanSd(pixelPerDraw).mean;
  const chance = 1 / (Math.max(...test.labels) + 1), last = channels.length;
  const lastRows = (rule: string) => results.filter((r) => r.rule === rule && r.layer === last);
  const field = (rows: Record<string, unknown>[], f: string) => rows.map((r) => r[f] as number);
  const lastLayer = Object.fromEntries(rules.map((rule) => {
    const rows = lastRows(rule), acc = meanSd(field(rows, "probeTestAccuracy"));
    return [rule, {
      probeTestAccuracyPerSeed: field(rows, "probeTestAccuracy"),
      probeTestStandardErrorPerSeed: field(rows, "probeTestStandardError"),
      probeTestAccuracyMean: r4(acc.mean),
      probeTestAccuracySdAcrossSeeds: r4(acc.sd),
      participationRatioMean: r4(meanSd(field(rows, "participationRatio")).mean),
      meanActivityMean: r4(meanSd(field(rows, "meanActivity")).mean),
    }];
  }));
  // Done-means check of issue 13: LPL's last block above random init and above Hebb-off, seed by seed
  const perSeedAbove = (other: string) =>
    rules.includes("lpl") && rules.includes(other)
      ? seeds.map((_, i) =>
        (lastRows("lpl")[i].probeTestAccuracy as number) > (lastRows(other)[i].probeTestAccuracy as number)
      )
      : undefined;
  return {
    spec: fig5Spec(results, last, r4(pixel), r4(chance), train.name, config),
    summary: {
      config,
      dataset: train.name,
      backend: backend.description,
      architecture: channels.map((c, l) => `${c}${pool[l] ? "+pool" : ""}`).join(" -> "),
      seeds,
      probe: `logistic (C = 1) on standardised GAP features: fit on ${fit.count} ${fit.name} images, ` +
        `tested on ${test.count} ${test.name} images`,
      dataDraw: config.varyData
        ? "one per seed (LPL's images, the probe's training and test sets)"
        : `one for every seed (seed ${config.seed})`,
      pixelReadoutTestAccuracy: r4(pixel),
      pixelReadoutStandardError: r4(binomialStandardError(pixel, test.count)),
      ...(config.varyData ? { pixelReadoutPerSeed: pixelPerDraw.map(r4) } : {}),
      chance: r4(chance),
      lastLayer,
      lplAboveRandomPerSeed: perSeedAbove("random"),
      lplAboveHebbOffPerSeed: perSeedAbove("hebb-off"),
      results,
    },
  };
}

if (import.meta.main) {
  await figureMain<LplFig5Config>({
    name: "lpl_fig5_deep_net",
    description:
      "F4.5: layer-local LPL conv net and ablations: probe accuracy, participation ratio, activity per block",
    options: {
      dataset: { type: "string", description: "fashion-mnist, shapes or cifar10" },
      dataDir: { type: "string", description: "CIFAR-10 directory (cifar-10-batches-bin), else CIFAR10_DIR" },
      channels: { type: "string", description: "output channels per block, comma-separated" },
      pool: { type: "string", description: "1 (2x2 max-pool) or 0 per block, comma-separated" },
      rules: { type: "string", description: "random and/or lpl, pred-off, hebb-off, decorr-off, shuffled" },
      steps: { type: "number", description: "local steps per rule" },
      batch: { type: "number", description: "view pairs per step" },
      learningRate: {
        type: "number",
        description: "Adam learning rate (block 1's with --lr-scaling fan-in)",
      },
      lrScaling: {
        type: "string",
        description: "fan-in (block l's rate x sqrt(fanIn_1/fanIn_l): same relative step per block) or none",
      },
      normalize: {
        type: "boolean",
        description: "feed (x - mean) / std of the training pixels (the paper's views)",
      },
      seeds: {
        type: "number",
        description: "train every rule for seeds seed, seed + 1, ... (summary: mean, sd)",
      },
      varyData: {
        type: "boolean",
        description: "each seed also draws its own images (LPL's, the probe's training and test sets)",
      },
      weightDecay: { type: "number", description: "weight decay on the conv weights" },
      predictive: { type: "string", description: "symmetric (the deep-net code) or past-detached" },
      cropScale: { type: "number", description: "smallest area fraction of the random resized crop" },
      jitter: { type: "number", description: "brightness and contrast jitter strength" },
      blur: { type: "number", description: "probability of the Gaussian blur (0: none)" },
      trainImages: { type: "number", description: "training images the views are drawn from" },
      probeRows: {
        type: "number",
        description: "probe fitted on this many training images, tested on this many test images",
      },
    },
    defaultConfig,
    fullConfig,
    run,
  });
}
