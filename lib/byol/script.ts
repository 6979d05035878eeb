/**
 * What scripts/byol_seed_variant.ts and scripts/byol_canonical.ts share: the configuration (quick scale:
 * narrow channels 16/32/64; `--full`: the seed project's widths, batch and steps), the data (synthetic
 * shapes, or Fashion-MNIST with the shapes as fallback when it is not installed), the run and its figure
 * (loss against step) with the summary numbers.
 *
 * @module
 */
import { type BackendChoice, getBackend } from "../backend/select.ts";
import { type OptionSpec, requireOption } from "../cli.ts";
import { loadFashionMnist } from "../data/fashion_mnist.ts";
import { type FigureResult, VEGA_LITE_SCHEMA } from "../plot/figure.ts";
import { type ByolWidths, QUICK_WIDTHS, SEED_WIDTHS } from "./networks.ts";
import type { ByolVariant } from "./trainer.ts";
import { imageViewSource, shapesViewSource, type ViewAugmentation, type ViewSource } from "./views.ts";
import { runByolExperiment } from "./experiment.ts";

/** A BYOL script's configuration. */
export interface ByolScriptConfig extends Record<string, unknown> {
  /** "shapes" or "fashion-mnist". */
  dataset: string;
  /** Conv channels, comma-separated (three). */
  channels: string;
  hidden: number;
  projection: number;
  steps: number;
  batch: number;
  lr: number;
  /** The target momentum (seed variant: constant; canonical: tau_0 of the cosine schedule). */
  tau: number;
  /** Training images (shapes: indices 0..trainImages-1; Fashion-MNIST: the first of the train split). */
  trainImages: number;
  /** Held-out images probed and exported. */
  evalRows: number;
  /** "gpu" (the augmentation kernels), "host" (float64 on the host) or "none". */
  augment: string;
  logEvery: number;
  /** Where the `.npy` exports go (a subfolder per dataset); empty: no export. */
  exportDir: string;
  seed: number;
  backend: BackendChoice;
}

/** Quick scale: narrow channels, a short run (minutes on an idle 2-core CPU adapter). */
export function quickConfig(variant: ByolVariant): ByolScriptConfig {
  return {
    dataset: "shapes",
    channels: QUICK_WIDTHS.channels.join(","),
    hidden: QUICK_WIDTHS.hidden,
    projection: QUICK_WIDTHS.projection,
    steps: 40,
    batch: 32,
    lr: 1e-3,
    tau: 0.99,
    trainImages: 5000,
    evalRows: 500,
    augment: "gpu",
    logEvery: 5,
    exportDir: `out/byol_${variant}`,
    seed: 42,
    backend: "auto",
  };
}

/** The seed project's scale: widths 64/128/256, projector 512 -> 128, batch 32, 1000 steps, 1000 exported. */
export function fullConfig(variant: ByolVariant): ByolScriptConfig {
  return {
    ...quickConfig(variant),
    channels: SEED_WIDTHS.channels.join(","),
    hidden: SEED_WIDTHS.hidden,
    projection: SEED_WIDTHS.projection,
    steps: 1000,
    evalRows: 1000,
    logEvery: 20,
  };
}

/** Tiny scale for tests (seconds). */
export function testConfig(variant: ByolVariant): ByolScriptConfig {
  return {
    ...quickConfig(variant),
    channels: "4,4,8",
    hidden: 16,
    projection: 8,
    steps: 4,
    batch: 8,
    trainImages: 64,
    evalRows: 40,
    augment: "host",
    logEvery: 2,
    exportDir: "",
  };
}

function widthsOf(config: ByolScriptConfig): ByolWidths {
  const channels = config.channels.split(",").map(Number);
  if (channels.length !== 3 || channels.some((c) => !Number.isInteger(c) || c < 1)) {
    throw new RangeError(
      `Invalid --channels "${config.channels}": expected three positive integers like 16,32,64`,
    );
  }
  return {
    channels: channels as [number, number, number],
    hidden: config.hidden,
    projection: config.projection,
  };
}

async function loadSource(config: ByolScriptConfig, augment: ViewAugmentation): Promise<ViewSource> {
  if (config.dataset === "fashion-mnist") {
    try {
      const train = await loadFashionMnist({ split: "train" }),
        test = await loadFashionMnist({ split: "test" });
      const count = Math.min(config.trainImages, train.shape[0]), n = 28 * 28;
      const scaled = (images: Uint8Array, rows: number) =>
        Float64Array.from(images.subarray(0, rows * n), (v) => v / 255);
      const testRows = Math.min(config.evalRows, test.shape[0]);
      return imageViewSource({
        name: `fashion-mnist (${train.source})`,
        height: 28,
        width: 28,
        classes: 10,
        train: { images: scaled(train.images, count), count },
        test: { images: scaled(test.images, testRows), labels: test.labels, count: testRows },
        seed: config.seed,
        augment,
      });
    } catch (e) {
      console.error(
        `Fashion-MNIST not available (${(e as Error).message.split("\n")[0]}): using synthetic shapes`,
      );
    }
  } else if (config.dataset !== "shapes") {
    throw new RangeError(`Cannot load dataset "${config.dataset}": expected shapes or fashion-mnist`);
  }
  return shapesViewSource({ size: config.trainImages, seed: config.seed, augment });
}

/**
 * Runs a BYOL script: trains, analyses, exports, and returns the loss figure with the summary.
 *
 * @param variant The BYOL variant.
 * @param config The configuration.
 * @param gpuAugment The augmentation for `augment: "gpu"` (the scripts pass the kernels' `augmentBatch`).
 */
export async function runByolScript(
  variant: ByolVariant,
  config: ByolScriptConfig,
  gpuAugment: ViewAugmentation,
): Promise<FigureResult> {
  for (
    const [name, value] of [["steps", config.steps], ["batch", config.batch], [
      "evalRows",
      config.evalRows,
    ]] as const
  ) {
    requireOption(name, value, { integer: true, min: name === "evalRows" ? 20 : 1 });
  }
  requireOption("lr", config.lr, { positive: true });
  requireOption("tau", config.tau, { min: 0, max: 1 });
  const augment = config.augment === "gpu" ? gpuAugment : config.augment;
  if (augment !== "host" && augment !== "none" && typeof augment !== "function") {
    throw new RangeError(`Invalid --augment "${config.augment}": expected gpu, host or none`);
  }
  const backend = await getBackend(config.backend);
  const source = await loadSource(config, augment);
  const widths = widthsOf(config);
  const exportDir = config.exportDir === "" ? null : `${config.exportDir}/${config.dataset}`;
  const result = await runByolExperiment(backend, source, {
    variant,
    widths,
    steps: config.steps,
    batch: config.batch,
    lr: config.lr,
    tau: config.tau,
    evalRows: config.evalRows,
    logEvery: config.logEvery,
    seed: config.seed,
    exportDir,
  });
  const title = variant === "seed"
    ? "BYOL, the seed project's variant (conv1 trained, no predictor)"
    : "BYOL, canonical (projector, predictor, EMA target)";
  return {
    spec: {
      $schema: VEGA_LITE_SCHEMA,
      title: `${title} on ${source.name}: loss against step`,
      description: `channels ${widths.channels.join("/")}, batch ${config.batch}, ${config.steps} steps, ` +
        `encoder probe ${result.encoder.before.probeTestAccuracy} -> ${result.encoder.after.probeTestAccuracy}`,
      data: { values: result.log },
      width: 420,
      height: 200,
      mark: { type: "line", point: true },
      encoding: {
        x: { field: "step", type: "quantitative", title: "step" },
        y: {
          field: "loss",
          type: "quantitative",
          title: variant === "seed" ? "(MSE(q1,z2) + MSE(q2,z1)) / 2" : "loss (2 - 2 cos, both directions)",
        },
      },
    },
    summary: {
      config,
      variant,
      dataset: source.name,
      backend: backend.description,
      chance: Math.round(1e4 / source.classes) / 1e4,
      firstLoss: result.log[0]?.loss,
      lastLoss: result.log.at(-1)?.loss,
      ...result,
      log: undefined,
    },
  };
}

/** The command-line options both BYOL scripts take (`tau` is described per variant). */
export function byolCliOptions(
  variant: ByolVariant,
): Record<string, Omit<OptionSpec, "default"> & { default?: OptionSpec["default"] }> {
  return {
    dataset: { type: "string", description: "shapes or fashion-mnist" },
    channels: { type: "string", description: "conv1,conv2,conv3 output channels" },
    hidden: {
      type: "number",
      description: "hidden width of the projector (and predictor)",
      integer: true,
      min: 1,
    },
    projection: { type: "number", description: "projection width", integer: true, min: 1 },
    steps: { type: "number", description: "training steps", integer: true, min: 1 },
    batch: { type: "number", description: "samples per step (two views each)", integer: true, min: 2 },
    lr: { type: "number", description: "Adam learning rate", positive: true },
    tau: {
      type: "number",
      description: variant === "seed"
        ? "EMA momentum of the target conv1"
        : "base EMA momentum tau_0 (cosine schedule to 1)",
      min: 0,
      max: 1,
    },
    trainImages: { type: "number", description: "training images drawn from", integer: true, min: 1 },
    evalRows: { type: "number", description: "held-out images probed and exported", integer: true, min: 20 },
    augment: { type: "string", description: "gpu (augmentation kernels), host (float64) or none" },
    logEvery: { type: "number", description: "log the loss every this many steps", integer: true, min: 1 },
    exportDir: { type: "string", description: "where the .npy exports go (empty: no export)" },
  };
}
