/**
 * One BYOL experiment, as the scripts run it: train a variant on a view source, logging the loss, and
 * analyse the online network's encoder features (global-average-pooled, eval mode) and projections of
 * held-out images before and after training: the logistic-regression probe (C = 1, stratified 80/20 split,
 * on the backend), participation ratio, intra/inter-class distances, activation statistics, before/after
 * cosine; plus the pixel readout. Exports the features as `.npy` with labels (lib/probes export).
 *
 * @module
 */
import type { Backend } from "../backend/backend.ts";
import { splitProbe } from "../probes/split_probe.ts";
import { activationStats, beforeAfterCosine } from "../probes/activation_stats.ts";
import { classDistances } from "../probes/class_distances.ts";
import { participationRatio } from "../probes/participation_ratio.ts";
import { exportActivations } from "../probes/activation_export.ts";
import { ByolTrainer, type ByolVariant } from "./trainer.ts";
import type { ByolWidths } from "./networks.ts";
import type { ViewSource } from "./views.ts";
import { Progress } from "../progress.ts";

/** Settings of {@linkcode runByolExperiment}. */
export interface ByolExperimentOptions {
  variant: ByolVariant;
  widths: ByolWidths;
  steps: number;
  batch: number;
  lr: number;
  tau: number;
  /** Held-out images probed and exported. */
  evalRows: number;
  /** Log the loss every this many steps (and at the last step). */
  logEvery: number;
  seed: number;
  /** Where the `.npy` exports go (`<dir>/{before,after}_{encoder,projection}_*.npy`), or null for none. */
  exportDir: string | null;
  /** Called after each logged step (progress). */
  onLog?: (step: number, loss: number) => void;
}

const r4 = (v: number) => Math.round(v * 1e4) / 1e4;

/** The analysis of one set of features. */
export async function analyseFeatures(
  backend: Backend,
  features: Float64Array,
  labels: Uint8Array,
  dims: number,
  seed: number,
): Promise<Record<string, number | boolean>> {
  const rows = labels.length;
  const probe = await splitProbe(backend, features, labels, dims, { seed });
  const s = activationStats(features, rows, dims);
  return {
    probeTestAccuracy: r4(probe.testAccuracy),
    probeTrainAccuracy: r4(probe.trainAccuracy),
    probeConverged: probe.fit.converged,
    participationRatio: r4(participationRatio(features, rows, dims)),
    interIntraRatio: r4(classDistances(features, labels, dims).ratio),
    mean: r4(s.mean),
    std: r4(s.std),
    collapsed: s.collapsed,
  };
}

/** The result of {@linkcode runByolExperiment}. */
export interface ByolExperimentResult {
  /** (step, loss) every `logEvery` steps. */
  log: { step: number; loss: number }[];
  trainSeconds: number;
  secondsPerStep: number;
  evalRows: number;
  pixelReadoutTestAccuracy: number;
  encoder: {
    dims: number;
    before: Record<string, number | boolean>;
    after: Record<string, number | boolean>;
  };
  projection: {
    dims: number;
    before: Record<string, number | boolean>;
    after: Record<string, number | boolean>;
    beforeAfterCosine: number;
  };
  exportDir: string | null;
}

/**
 * Trains and analyses one BYOL variant.
 *
 * @param backend The backend.
 * @param source Training views and held-out images.
 * @param options Variant, widths, steps, batch, lr, tau, evaluation rows, logging, seed, export.
 */
export async function runByolExperiment(
  backend: Backend,
  source: ViewSource,
  options: ByolExperimentOptions,
): Promise<ByolExperimentResult> {
  const trainer = new ByolTrainer(backend, {
    variant: options.variant,
    widths: options.widths,
    input: source.shape,
    lr: options.lr,
    tau: options.tau,
    steps: options.steps,
    seed: options.seed,
  });
  const { images, labels } = source.evaluation(options.evalRows);
  const rows = labels.length, pixels = images.length / rows;
  const pixel = await splitProbe(backend, images, labels, pixels, { seed: options.seed });
  const before = await trainer.features(images, rows);
  const log: { step: number; loss: number }[] = [];
  const started = performance.now();
  const progress = new Progress({ total: options.steps, label: `BYOL ${options.variant}`, unit: "steps" });
  for (let step = 0; step < options.steps; step++) {
    const { v1, v2 } = await source.views(backend, step, options.batch);
    const loss = await trainer.step(v1, v2);
    if (step % options.logEvery === 0 || step === options.steps - 1) {
      const value = (await backend.read(loss))[0];
      log.push({ step, loss: value });
      options.onLog?.(step, value);
    }
    backend.dispose(loss, v1, v2);
    progress.tick();
  }
  progress.finish();
  backend.flush();
  const trainSeconds = (performance.now() - started) / 1000;
  const after = await trainer.features(images, rows);
  if (options.exportDir) {
    for (const [name, f] of [["before", before], ["after", after]] as const) {
      await exportActivations(options.exportDir, `${name}_encoder`, f.encoder, labels, f.encoderDims);
      await exportActivations(
        options.exportDir,
        `${name}_projection`,
        f.projection,
        labels,
        f.projectionDims,
      );
    }
  }
  const analyse = (f: Float64Array, dims: number) => analyseFeatures(backend, f, labels, dims, options.seed);
  return {
    log,
    trainSeconds: r4(trainSeconds),
    secondsPerStep: r4(trainSeconds / options.steps),
    evalRows: rows,
    pixelReadoutTestAccuracy: r4(pixel.testAccuracy),
    encoder: {
      dims: before.encoderDims,
      before: await analyse(before.encoder, before.encoderDims),
      after: await analyse(after.encoder, after.encoderDims),
    },
    projection: {
      dims: before.projectionDims,
      before: await analyse(before.projection, before.projectionDims),
      after: await analyse(after.projection, after.projectionDims),
      beforeAfterCosine: r4(
        beforeAfterCosine(before.projection, after.projection, before.projectionDims).mean,
      ),
    },
    exportDir: options.exportDir,
  };
}
