/**
 * Paper LPL (LPL-01..03, 07, 08) on Fashion-MNIST at small scale: a layer-local stack of dense ReLU
 * layers (784 -> 128 by default; add layers with --sizes) trained with the closed-form rule on the backend, two weak
 * augmentations of each image as the two "time" views, for LPL and its ablations (pred off, Hebb off,
 * decorr off, shuffled positives) and the random-init network. Per layer and rule: the logistic probe's
 * test accuracy (C = 1, stratified 80/20 split of `probeRows` held-out test images), participation
 * ratio and mean activity; the pixel readout and chance beside them. Falls back to synthetic shapes
 * when Fashion-MNIST is not installed.
 *
 * Run: `deno run -A scripts/lpl_dense_fashion_mnist.ts` (quick), `--full` (more steps and rows).
 *
 * @module
 */
import { requireOption } from "../lib/cli.ts";
import { type BackendChoice, getBackend } from "../lib/backend/select.ts";
import type { Backend } from "../lib/backend/backend.ts";
import { type FigureResult, VEGA_LITE_SCHEMA } from "../lib/plot/figure.ts";
import { figureMain } from "../lib/plot/figure_script.ts";
import { loadFashionMnist } from "../lib/data/fashion_mnist.ts";
import { SHAPE_SIZE, syntheticShapes } from "../lib/data/synthetic_shapes.ts";
import { PhiloxStream } from "../lib/rng/philox.ts";
import { LPL_ABLATIONS, type LplAblation, lplAblation, LplDenseStack } from "../lib/lpl/dense_stack.ts";
import { seedWeakView } from "../lib/lpl/seed_views.ts";
import { splitProbe } from "../lib/probes/split_probe.ts";
import { participationRatio } from "../lib/probes/participation_ratio.ts";

/** Configuration. */
export interface LplDenseFashionConfig extends Record<string, unknown> {
  dataset: string;
  sizes: string;
  rules: string;
  steps: number;
  batch: number;
  learningRate: number;
  weightDecay: number;
  /** Hebbian term with the previous batch's mean and variance. */
  staleEstimates: boolean;
  trainImages: number;
  probeRows: number;
  seed: number;
  backend: BackendChoice;
}

/** Quick scale. */
export const defaultConfig: LplDenseFashionConfig = {
  dataset: "fashion-mnist",
  sizes: "784,128",
  rules: ["random", ...LPL_ABLATIONS].join(","),
  steps: 200,
  batch: 128,
  learningRate: 0.05,
  weightDecay: 0,
  staleEstimates: false,
  trainImages: 20000,
  probeRows: 1000,
  seed: 1,
  backend: "auto",
};

/** Larger scale. */
export const fullConfig: LplDenseFashionConfig = {
  ...defaultConfig,
  sizes: "784,256,256",
  steps: 3000,
  batch: 256,
  probeRows: 5000,
};

/** Tiny scale for tests. */
export const testConfig: LplDenseFashionConfig = {
  ...defaultConfig,
  dataset: "shapes",
  sizes: "1024,16,8",
  rules: "random,lpl,hebb-off",
  steps: 20,
  batch: 16,
  trainImages: 64,
  probeRows: 100,
};

interface Images {
  pixels: Float64Array;
  labels: Uint8Array;
  count: number;
  side: number;
}

async function load(
  config: LplDenseFashionConfig,
  split: "train" | "test",
): Promise<Images & { name: string }> {
  const count = split === "train" ? config.trainImages : config.probeRows;
  if (config.dataset === "fashion-mnist") {
    try {
      const d = await loadFashionMnist({ split });
      const n = Math.min(count, d.shape[0]), pixels = new Float64Array(n * 784);
      for (let e = 0; e < n * 784; e++) pixels[e] = d.images[e] / 255;
      return { pixels, labels: d.labels.slice(0, n), count: n, side: 28, name: "fashion-mnist" };
    } catch (e) {
      console.error(
        `Fashion-MNIST not available (${(e as Error).message.split("\n")[0]}): using synthetic shapes`,
      );
    }
  } else if (config.dataset !== "shapes") {
    throw new RangeError(`Cannot load dataset "${config.dataset}": expected fashion-mnist or shapes`);
  }
  const s = syntheticShapes(split === "train" ? 0 : 1_000_000, count, { seed: config.seed });
  return {
    pixels: Float64Array.from(s.images),
    labels: s.labels,
    count,
    side: SHAPE_SIZE,
    name: "synthetic shapes",
  };
}

async function batchViews(backend: Backend, images: Images, batch: number, rng: PhiloxStream, step: number) {
  const n = images.side * images.side, x1 = new Float64Array(batch * n), x2 = new Float64Array(batch * n);
  for (let b = 0; b < batch; b++) {
    const r = Math.floor(rng.uniform(step, 0x77, b) * images.count);
    const img = images.pixels.subarray(r * n, (r + 1) * n);
    x1.set(seedWeakView(img, images.side, images.side, rng, (step * batch + b) * 2), b * n);
    x2.set(seedWeakView(img, images.side, images.side, rng, (step * batch + b) * 2 + 1), b * n);
  }
  return [backend.tensor(x1, [batch, n]), backend.tensor(x2, [batch, n])];
}

const r4 = (v: number) => Math.round(v * 1e4) / 1e4;

/** Trains each rule and probes every layer. */
export async function run(config: LplDenseFashionConfig = defaultConfig): Promise<FigureResult> {
  const backend = await getBackend(config.backend);
  requireOption("steps", config.steps, { integer: true, min: 0 });
  requireOption("batch", config.batch, { integer: true, min: 2 });
  const sizes = config.sizes.split(",").map(Number);
  const rules = config.rules.split(",").map((r) => r.trim());
  for (const r of rules) {
    if (r !== "random" && !(LPL_ABLATIONS as readonly string[]).includes(r)) {
      throw new RangeError(`Unknown rule "${r}": expected random or one of ${LPL_ABLATIONS.join(", ")}`);
    }
  }
  const train = await load(config, "train"), test = await load(config, "test");
  if (sizes[0] !== train.side * train.side) sizes[0] = train.side * train.side;
  const rows = test.count, n = sizes[0];
  const pixel = await splitProbe(backend, test.pixels, test.labels, n, { seed: config.seed });
  const results: Record<string, unknown>[] = [];
  const xTest = backend.tensor(test.pixels, [rows, n]);
  for (const rule of rules) {
    const ablation = rule === "random" ? lplAblation("lpl") : lplAblation(rule as LplAblation);
    const stack = await LplDenseStack.create(backend, sizes, {
      seed: config.seed,
      learningRate: config.learningRate,
      weightDecay: config.weightDecay,
      staleEstimates: config.staleEstimates,
      coefficients: ablation.coefficients,
      shufflePositives: ablation.shufflePositives,
    });
    const started = performance.now();
    const rng = new PhiloxStream(config.seed, 0xda7a);
    for (let step = 0; rule !== "random" && step < config.steps; step++) {
      const [x1, x2] = await batchViews(backend, train, config.batch, rng, step);
      await stack.step(x1, x2, config.batch);
      backend.dispose(x1, x2);
    }
    const trainSeconds = (performance.now() - started) / 1000;
    const outs = await stack.forward(xTest);
    for (let l = 0; l < outs.length; l++) {
      const z = Float64Array.from(await backend.read(outs[l]));
      const dims = sizes[l + 1];
      const probe = await splitProbe(backend, z, test.labels, dims, { seed: config.seed });
      results.push({
        rule,
        layer: l + 1,
        probeTestAccuracy: r4(probe.testAccuracy),
        probeConverged: probe.fit.converged,
        participationRatio: r4(participationRatio(z, rows, dims)),
        meanActivity: r4(z.reduce((s, v) => s + v, 0) / z.length),
        trainSeconds: r4(trainSeconds),
      });
      console.error(JSON.stringify(results.at(-1)));
    }
    backend.dispose(...outs);
    stack.dispose();
  }
  backend.dispose(xTest);
  const chance = 1 / (Math.max(...test.labels) + 1);
  const spec: FigureResult["spec"] = {
    $schema: VEGA_LITE_SCHEMA,
    title: `Paper LPL, dense ${sizes.join(" -> ")} on ${train.name}: probe accuracy per layer`,
    description:
      `${config.steps} steps of ${config.batch} pairs, lr ${config.learningRate}; probe on ${rows} ` +
      `test images (80/20); pixel readout ${r4(pixel.testAccuracy)}, chance ${r4(chance)}`,
    data: { values: results },
    layer: [
      {
        mark: { type: "line", point: true },
        encoding: {
          x: { field: "layer", type: "ordinal" },
          y: { field: "probeTestAccuracy", type: "quantitative", title: "linear readout accuracy" },
          color: { field: "rule", type: "nominal" },
        },
      },
      { mark: { type: "rule", strokeDash: [4, 4] }, encoding: { y: { datum: r4(pixel.testAccuracy) } } },
      { mark: { type: "rule", strokeDash: [1, 3] }, encoding: { y: { datum: r4(chance) } } },
    ],
  };
  return {
    spec,
    summary: {
      config,
      dataset: train.name,
      backend: backend.description,
      pixelReadoutTestAccuracy: r4(pixel.testAccuracy),
      chance: r4(chance),
      results,
    },
  };
}

if (import.meta.main) {
  await figureMain<LplDenseFashionConfig>({
    name: "lpl_dense_fashion_mnist",
    description:
      "paper LPL dense stack on Fashion-MNIST: probe accuracy, PR, activity per layer and ablation",
    options: {
      dataset: { type: "string", description: "fashion-mnist or shapes" },
      sizes: { type: "string", description: "layer sizes, comma-separated (the first is the input)" },
      rules: { type: "string", description: "random and/or lpl, pred-off, hebb-off, decorr-off, shuffled" },
      steps: { type: "number", description: "local steps per rule" },
      batch: { type: "number", description: "view pairs per step" },
      learningRate: { type: "number", description: "SGD learning rate" },
      weightDecay: { type: "number", description: "SGD weight decay" },
      staleEstimates: {
        type: "boolean",
        description: "Hebbian term with the previous batch's mean and variance",
      },
      trainImages: { type: "number", description: "training images the views are drawn from" },
      probeRows: { type: "number", description: "test images probed (80/20 split)" },
    },
    defaultConfig,
    fullConfig,
    run,
  });
}
