/**
 * Figure F4.5 (paper Fig. 3 at small scale; LPL-06, 07, 08): a conv net trained layer-locally with paper
 * LPL on the global-average-pooled output of each block, two augmented views of each image as the two
 * "time" steps, for LPL and its ablations (pred off, Hebb off, decorr off; shuffled positives on
 * request), beside the random-init network. Per block and rule: the logistic probe's test accuracy on the
 * block's GAP features (C = 1, stratified 80/20 split of `probeRows` held-out test images, features
 * standardised on the probe's training split), the participation ratio and the mean activity; the pixel
 * readout and chance as reference lines. Panels: (a) last-block readout accuracy per rule, (b) readout
 * accuracy against block, (c) participation ratio against block (log y), (d) mean activity against block.
 *
 * Quick scale: Fashion-MNIST (the shipped subset when the full set is not installed), blocks 8/16/32/32
 * channels with pooling after blocks 1-3. `--full`: VGG-11 (64 ... 512 channels) on CIFAR-10 from
 * `--data-dir` (or CIFAR10_DIR): the paper's setting, meant for a GPU.
 *
 * Run: `deno run -A scripts/lpl_fig5_deep_net.ts` (quick) or `--full --data-dir <cifar-10-batches-bin>`.
 *
 * @module
 */
import { requireOption } from "../lib/cli.ts";
import { type BackendChoice, getBackend } from "../lib/backend/select.ts";
import { ReferenceBackend } from "../lib/backend/reference.ts";
import type { Backend } from "../lib/backend/backend.ts";
import { type FigureResult, VEGA_LITE_SCHEMA } from "../lib/plot/figure.ts";
import { figureMain } from "../lib/plot/figure_script.ts";
import { Progress } from "../lib/progress.ts";
import { loadFashionMnist } from "../lib/data/fashion_mnist.ts";
import { loadCifar10 } from "../lib/data/cifar10.ts";
import { seededSubset } from "../lib/data/dataset.ts";
import { SHAPE_SIZE, syntheticShapes } from "../lib/data/synthetic_shapes.ts";
import { splitProbe } from "../lib/probes/split_probe.ts";
import { stratifiedSplit } from "../lib/probes/stratified_split.ts";
import { LPL_ABLATIONS, type LplAblation, lplAblation } from "../lib/lpl/dense_stack.ts";
import { LplConvNet, type LplConvNetSpec } from "../lib/lpl/deep_net.ts";
import { evaluateLplConvNet, standardized, trainLplConvNet } from "../lib/lpl/deep_training.ts";
import { type AugmentOptions, SIMCLR_AUGMENT } from "../lib/lpl/augment_views.ts";

/** Configuration. */
export interface LplFig5Config extends Record<string, unknown> {
  /** fashion-mnist, shapes or cifar10. */
  dataset: string;
  /** The CIFAR-10 directory (cifar-10-batches-bin), else CIFAR10_DIR. */
  dataDir: string;
  /** Output channels per block, comma-separated. */
  channels: string;
  /** 1 (pool) or 0 per block, comma-separated. */
  pool: string;
  rules: string;
  steps: number;
  batch: number;
  /** Adam's learning rate. */
  learningRate: number;
  /** On the weights (the paper: 1.5e-6). */
  weightDecay: number;
  /** "symmetric" (the deep-net code's mse(z1, z2)) or "past-detached". */
  predictive: string;
  /** Smallest area fraction of the random resized crop. */
  cropScale: number;
  /** Brightness and contrast jitter strength. */
  jitter: number;
  /** Probability of the Gaussian blur. */
  blur: number;
  trainImages: number;
  probeRows: number;
  seed: number;
  backend: BackendChoice;
}

/** Quick scale: a few minutes on the CPU adapter. */
export const defaultConfig: LplFig5Config = {
  dataset: "fashion-mnist",
  dataDir: "",
  channels: "8,16,32,32",
  pool: "1,1,1,0",
  rules: ["random", "lpl", "pred-off", "hebb-off", "decorr-off"].join(","),
  steps: 40,
  batch: 64,
  learningRate: 1e-2,
  weightDecay: 1.5e-6,
  predictive: "symmetric",
  cropScale: 0.2,
  jitter: 0.4,
  blur: 0,
  trainImages: 10000,
  probeRows: 1000,
  seed: 1,
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

interface Images {
  name: string;
  /** [count, C, H, W] in [0, 1]. */
  pixels: Float32Array;
  labels: Uint8Array;
  count: number;
  channels: number;
  side: number;
}

async function load(config: LplFig5Config, split: "train" | "test"): Promise<Images> {
  const count = split === "train" ? config.trainImages : config.probeRows;
  if (config.dataset === "fashion-mnist") {
    const d = await loadFashionMnist({ split });
    const n = Math.min(count, d.shape[0]);
    const pixels = Float32Array.from(d.images.subarray(0, n * 784), (v) => v / 255);
    return { name: d.name, pixels, labels: d.labels.slice(0, n), count: n, channels: 1, side: 28 };
  }
  if (config.dataset === "cifar10") {
    const total = split === "train" ? 50000 : 10000, n = Math.min(count, total);
    const d = await loadCifar10({
      split,
      dataDir: config.dataDir || undefined,
      indices: seededSubset(total, n, config.seed),
    });
    const pixels = Float32Array.from(d.images, (v) => v / 255);
    return { name: d.name, pixels, labels: d.labels, count: n, channels: 3, side: 32 };
  }
  if (config.dataset !== "shapes") {
    throw new RangeError(
      `Cannot load dataset "${config.dataset}": expected fashion-mnist, shapes or cifar10`,
    );
  }
  const s = syntheticShapes(split === "train" ? 0 : 1_000_000, count, { seed: config.seed });
  return {
    name: "synthetic shapes",
    pixels: Float32Array.from(s.images),
    labels: s.labels,
    count,
    channels: 1,
    side: SHAPE_SIZE,
  };
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

/** Trains each rule, probes every block, and draws the four panels. */
export async function run(config: LplFig5Config = defaultConfig): Promise<FigureResult> {
  requireOption("steps", config.steps, { integer: true, min: 0 });
  requireOption("batch", config.batch, { integer: true, min: 2 });
  requireOption("probeRows", config.probeRows, { integer: true, min: 20 });
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
  const train = await load(config, "train"), test = await load(config, "test");
  const backend: Backend = await getBackend(config.backend);
  // The probes are small (<= 512 features, probeRows rows): float64 on the host beats a GPU readback per
  // L-BFGS iteration on the CPU adapter, and is the oracle.
  const probeBackend = new ReferenceBackend();
  const spec: LplConvNetSpec = {
    inChannels: train.channels,
    height: train.side,
    width: train.side,
    channels,
    pool: pool.map((p) => p === 1),
  };
  const imageSize = train.channels * train.side * train.side, rows = test.count;
  const fitRows = stratifiedSplit(test.labels, 0.2, config.seed).train;
  const pixel = await splitProbe(
    probeBackend,
    standardized(test.pixels, rows, imageSize, fitRows),
    test.labels,
    imageSize,
    { seed: config.seed },
  );
  const trainTensor = backend.tensor(train.pixels, [train.count, imageSize]);
  const augment = fig5Augment(config);
  const results: Record<string, unknown>[] = [];
  const trained = rules.filter((r) => r !== "random").length;
  const progress = new Progress({ total: trained * config.steps, label: "lpl_fig5", unit: "steps" });
  let done = 0;
  for (const rule of rules) {
    const ablation = lplAblation(rule === "random" ? "lpl" : rule as LplAblation);
    const net = await LplConvNet.create(backend, spec, {
      seed: config.seed,
      learningRate: config.learningRate,
      weightDecay: config.weightDecay,
      coefficients: ablation.coefficients,
      shufflePositives: ablation.shufflePositives,
      predictive: config.predictive as "symmetric" | "past-detached",
    });
    const trainSeconds = rule === "random" ? 0 : await trainLplConvNet(net, trainTensor, train.count, {
      steps: config.steps,
      batch: config.batch,
      augment,
      seed: config.seed,
      onStep: () => progress.update(++done),
    });
    const evaluation = await evaluateLplConvNet(net, test.pixels, test.labels, probeBackend, config.seed);
    for (const e of evaluation) {
      results.push({
        rule,
        layer: e.layer,
        channels: e.channels,
        probeTestAccuracy: r4(e.probeTestAccuracy),
        probeConverged: e.probeConverged,
        participationRatio: r4(e.participationRatio),
        meanActivity: r4(e.meanActivity),
        trainSeconds: r4(trainSeconds),
      });
    }
    net.dispose();
  }
  progress.finish();
  backend.dispose(trainTensor);
  const chance = 1 / (Math.max(...test.labels) + 1), last = channels.length;
  const lastLayer = Object.fromEntries(
    results.filter((r) => r.layer === last).map((r) => [
      r.rule,
      {
        probeTestAccuracy: r.probeTestAccuracy,
        participationRatio: r.participationRatio,
        meanActivity: r.meanActivity,
      },
    ]),
  );
  return {
    spec: fig5Spec(results, last, r4(pixel.testAccuracy), r4(chance), train.name, config),
    summary: {
      config,
      dataset: train.name,
      backend: backend.description,
      architecture: channels.map((c, l) => `${c}${pool[l] ? "+pool" : ""}`).join(" -> "),
      pixelReadoutTestAccuracy: r4(pixel.testAccuracy),
      chance: r4(chance),
      lastLayer,
      results,
    },
  };
}

function fig5Spec(
  results: Record<string, unknown>[],
  last: number,
  pixel: number,
  chance: number,
  dataset: string,
  config: LplFig5Config,
): FigureResult["spec"] {
  const size = { width: 200, height: 180 };
  const byLayer = (field: string, title: string, log = false) => ({
    mark: { type: "line" as const, point: true },
    encoding: {
      x: { field: "layer", type: "ordinal" as const, title: "block" },
      y: {
        field,
        type: "quantitative" as const,
        title,
        ...(log ? { scale: { type: "log" as const } } : {}),
      },
      color: { field: "rule", type: "nominal" as const },
    },
  });
  const lines = [
    { mark: { type: "rule" as const, strokeDash: [6, 3] }, encoding: { y: { datum: pixel } } },
    { mark: { type: "rule" as const, strokeDash: [1, 3] }, encoding: { y: { datum: chance } } },
  ];
  return {
    $schema: VEGA_LITE_SCHEMA,
    title: `Layer-local LPL conv net on ${dataset} (F4.5): readout, dimensionality, activity`,
    description: `${config.steps} steps of ${config.batch} view pairs, Adam lr ${config.learningRate}; ` +
      `probe on ${config.probeRows} test images (80/20); dashed: pixel readout ${pixel}, dotted: chance ${chance}`,
    data: { values: results },
    hconcat: [
      {
        ...size,
        layer: [
          {
            transform: [{ filter: `datum.layer == ${last}` }],
            mark: "bar",
            encoding: {
              x: { field: "rule", type: "nominal", title: `rule (block ${last})` },
              y: {
                field: "probeTestAccuracy",
                type: "quantitative",
                title: "linear readout accuracy",
                scale: { domain: [0, 1] },
              },
              color: { field: "rule", type: "nominal" },
            },
          },
          ...lines,
        ],
      },
      { ...size, layer: [byLayer("probeTestAccuracy", "linear readout accuracy"), ...lines] },
      // a block whose features are all 0 has PR 0: left off the log axis
      {
        ...size,
        transform: [{ filter: "datum.participationRatio > 0" }],
        ...byLayer("participationRatio", "participation ratio", true),
      },
      { ...size, ...byLayer("meanActivity", "mean activity") },
    ],
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
      learningRate: { type: "number", description: "Adam learning rate" },
      weightDecay: { type: "number", description: "weight decay on the conv weights" },
      predictive: { type: "string", description: "symmetric (the deep-net code) or past-detached" },
      cropScale: { type: "number", description: "smallest area fraction of the random resized crop" },
      jitter: { type: "number", description: "brightness and contrast jitter strength" },
      blur: { type: "number", description: "probability of the Gaussian blur (0: none)" },
      trainImages: { type: "number", description: "training images the views are drawn from" },
      probeRows: { type: "number", description: "test images probed (80/20 split)" },
    },
    defaultConfig,
    fullConfig,
    run,
  });
}
