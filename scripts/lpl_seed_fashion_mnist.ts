/**
 * The seed project's single-layer "LPL" (LPL-10, 15): 784 -> 128 on Fashion-MNIST (or 1024 -> 128 on
 * synthetic shapes when `--dataset shapes`, or when Fashion-MNIST is not installed), per-sample updates
 * with the learned predictor and the stability clamps, for each ablation condition. Exports the layer's
 * activations of the first `exportRows` training images before and after training as .npy with labels,
 * and reports per condition: activation statistics, the logistic-regression probe (C = 1, stratified
 * 80/20 split, on the backend) before and after, intra/inter-class distances, before/after cosine,
 * participation ratio and PCA; plus the pixel readout. The figure plots |W|_F and Var(y) against step.
 *
 * Run: `deno run -A scripts/lpl_seed_fashion_mnist.ts` (quick: 5000 steps, every condition),
 * `--full` (50,000 steps, the seed README's longest run). `--batched` trains every condition together on the
 * backend (lib/lpl/seed_gpu.ts: one fused kernel on webgpu) instead of the float64 host loop one condition
 * after another; webgpu needs `outputs` and the image size to be multiples of 4.
 *
 * @module
 */
import { requireOption } from "../lib/cli.ts";
import { type BackendChoice, getBackend } from "../lib/backend/select.ts";
import { type FigureResult, VEGA_LITE_SCHEMA } from "../lib/plot/figure.ts";
import { figureMain } from "../lib/plot/figure_script.ts";
import { loadFashionMnist } from "../lib/data/fashion_mnist.ts";
import { SHAPE_SIZE, syntheticShapes } from "../lib/data/synthetic_shapes.ts";
import {
  SEED_CONDITIONS,
  type SeedCondition,
  type SeedImages,
  seedLayerActivations,
  trainSeedLayer,
} from "../lib/lpl/seed_training.ts";
import { trainSeedLayers } from "../lib/lpl/seed_gpu.ts";
import { splitProbe } from "../lib/probes/split_probe.ts";
import { activationStats, beforeAfterCosine } from "../lib/probes/activation_stats.ts";
import { classDistances } from "../lib/probes/class_distances.ts";
import { participationRatio } from "../lib/probes/participation_ratio.ts";
import { pca } from "../lib/probes/pca.ts";
import { exportActivations } from "../lib/probes/activation_export.ts";

/** Configuration. */
export interface SeedFashionConfig extends Record<string, unknown> {
  dataset: string;
  /** Training images drawn from (the first `trainImages` of the split). */
  trainImages: number;
  outputs: number;
  steps: number;
  conditions: string;
  exportRows: number;
  exportDir: string;
  logEvery: number;
  seed: number;
  backend: BackendChoice;
  /** Train every condition together on the backend (the fused kernel on webgpu). */
  batched: boolean;
}

/** Quick scale: the README's 5000 steps, every condition (about a minute on 2 CPU cores). */
export const defaultConfig: SeedFashionConfig = {
  dataset: "fashion-mnist",
  trainImages: 10000,
  outputs: 128,
  steps: 5000,
  conditions: SEED_CONDITIONS.join(","),
  exportRows: 1000,
  exportDir: "out/lpl_seed",
  logEvery: 500,
  seed: 42,
  backend: "auto",
  batched: false,
};

/** The seed README's longest run. */
export const fullConfig: SeedFashionConfig = {
  ...defaultConfig,
  steps: 50000,
  trainImages: 60000,
  logEvery: 1000,
};

/** Tiny scale for tests. */
export const testConfig: SeedFashionConfig = {
  ...defaultConfig,
  dataset: "shapes",
  trainImages: 200,
  outputs: 16,
  steps: 400,
  conditions: "full,no-stab",
  exportRows: 100,
  logEvery: 200,
  exportDir: "",
};

async function loadImages(config: SeedFashionConfig): Promise<{ images: SeedImages; name: string }> {
  if (config.dataset === "fashion-mnist") {
    try {
      const d = await loadFashionMnist({ split: "train" });
      const count = Math.min(config.trainImages, d.shape[0]), n = 28 * 28;
      const pixels = new Float64Array(count * n);
      for (let e = 0; e < count * n; e++) pixels[e] = d.images[e] / 255;
      return {
        images: { pixels, labels: d.labels.slice(0, count), count, height: 28, width: 28 },
        name: "fashion-mnist",
      };
    } catch (e) {
      console.error(
        `Fashion-MNIST not available (${(e as Error).message.split("\n")[0]}): using synthetic shapes`,
      );
    }
  } else if (config.dataset !== "shapes") {
    throw new RangeError(`Cannot load dataset "${config.dataset}": expected fashion-mnist or shapes`);
  }
  const s = syntheticShapes(0, config.trainImages, { seed: config.seed });
  return {
    images: {
      pixels: Float64Array.from(s.images),
      labels: s.labels,
      count: config.trainImages,
      height: SHAPE_SIZE,
      width: SHAPE_SIZE,
    },
    name: "synthetic shapes",
  };
}

const r4 = (v: number) => Math.round(v * 1e4) / 1e4;

/** Trains every condition and analyses the exports. */
export async function run(config: SeedFashionConfig = defaultConfig): Promise<FigureResult> {
  const backend = await getBackend(config.backend);
  requireOption("steps", config.steps, { integer: true, min: config.logEvery });
  requireOption("exportRows", config.exportRows, { integer: true, min: 10 });
  const conditions = config.conditions.split(",").map((c) => c.trim()) as SeedCondition[];
  for (const c of conditions) {
    if (!(SEED_CONDITIONS as readonly string[]).includes(c)) {
      throw new RangeError(`Unknown condition "${c}": expected some of ${SEED_CONDITIONS.join(", ")}`);
    }
  }
  const { images, name } = await loadImages(config);
  const rows = Math.min(config.exportRows, images.count), n = images.height * images.width;
  const labels = images.labels.slice(0, rows);
  const pixel = await splitProbe(backend, images.pixels.subarray(0, rows * n), labels, n, {
    seed: config.seed,
  });
  const log: Record<string, unknown>[] = [];
  const byCondition = [];
  const trainOptions = {
    outputs: config.outputs,
    steps: config.steps,
    seed: config.seed,
    logEvery: config.logEvery,
  };
  const batchStarted = performance.now();
  const batch = config.batched
    ? (await trainSeedLayers(backend, images, { ...trainOptions, seeds: [config.seed], conditions })).runs
    : null;
  const batchSeconds = (performance.now() - batchStarted) / 1000;
  for (const [index, condition] of conditions.entries()) {
    const started = performance.now();
    const r = batch?.[index] ?? trainSeedLayer(images, { ...trainOptions, condition });
    // Batched: every condition shares the one run's walltime.
    const trainSeconds = batch ? batchSeconds : (performance.now() - started) / 1000;
    for (const row of r.log) {
      log.push({ condition, step: row.step, quantity: "|W|_F", value: row.weightNorm });
      log.push({ condition, step: row.step, quantity: "Var(y_t)", value: row.varY });
    }
    const before = seedLayerActivations(r.before, images, rows),
      after = seedLayerActivations(r.after, images, rows);
    const dir = config.exportDir === "" ? null : `${config.exportDir}/${condition}`;
    if (dir) {
      await exportActivations(dir, "before", before, labels, config.outputs);
      await exportActivations(dir, "after", after, labels, config.outputs);
    }
    const analyse = async (a: Float64Array) => {
      const probe = await splitProbe(backend, a, labels, config.outputs, { seed: config.seed });
      const d = classDistances(a, labels, config.outputs), s = activationStats(a, rows, config.outputs);
      return {
        probeTestAccuracy: r4(probe.testAccuracy),
        probeTrainAccuracy: r4(probe.trainAccuracy),
        probeConverged: probe.fit.converged,
        probeFitSeconds: r4(probe.fitSeconds),
        interIntraRatio: r4(d.ratio),
        participationRatio: r4(participationRatio(a, rows, config.outputs)),
        pcaExplained2: Array.from(pca(a, rows, config.outputs, 2).explainedRatio, r4),
        mean: r4(s.mean),
        std: r4(s.std),
        min: r4(s.min),
        max: r4(s.max),
        collapsed: s.collapsed,
      };
    };
    byCondition.push({
      condition,
      trainSeconds: r4(trainSeconds),
      skippedUpdates: r.after.skipped,
      trainedTogether: batch !== null,
      finalWeightNorm: r4(r.log.at(-1)!.weightNorm),
      before: await analyse(before),
      after: await analyse(after),
      beforeAfterCosine: r4(beforeAfterCosine(before, after, config.outputs).mean),
      exportDir: dir,
    });
  }
  const spec: FigureResult["spec"] = {
    $schema: VEGA_LITE_SCHEMA,
    title: `Seed-LPL ${n} -> ${config.outputs} on ${name}: |W| and Var(y) against step`,
    description: `${config.steps} per-sample steps per condition (${
      conditions.join(", ")
    }), seed ${config.seed}`,
    data: { values: log },
    facet: { row: { field: "quantity", type: "nominal" } },
    spec: {
      width: 420,
      height: 160,
      mark: { type: "line" },
      encoding: {
        x: { field: "step", type: "quantitative", title: "step" },
        y: { field: "value", type: "quantitative", title: null },
        color: { field: "condition", type: "nominal" },
      },
    },
    resolve: { scale: { y: "independent" } },
  };
  return {
    spec,
    summary: {
      config,
      dataset: name,
      backend: backend.description,
      exportRows: rows,
      pixelReadoutTestAccuracy: r4(pixel.testAccuracy),
      chance: r4(1 / (Math.max(...labels) + 1)),
      byCondition,
    },
  };
}

if (import.meta.main) {
  await figureMain<SeedFashionConfig>({
    name: "lpl_seed_fashion_mnist",
    description: "seed-LPL single layer on Fashion-MNIST: ablations, exports, probe before/after",
    options: {
      dataset: { type: "string", description: "fashion-mnist or shapes" },
      trainImages: { type: "number", description: "images the training pairs are drawn from" },
      outputs: { type: "number", description: "output units" },
      steps: { type: "number", description: "per-sample updates per condition" },
      conditions: {
        type: "string",
        description: "comma-separated: full, no-hebb, no-pred, no-stab, shuffle",
      },
      exportRows: { type: "number", description: "images exported and probed (first of the split)" },
      exportDir: { type: "string", description: "where the .npy exports go (empty: no export)" },
      logEvery: { type: "number", description: "log |W| and Var(y) every this many steps" },
      batched: {
        type: "boolean",
        description: "train every condition together on the backend (fused kernel)",
      },
    },
    defaultConfig,
    fullConfig,
    run,
  });
}
