/**
 * Training and evaluation of the layer-local LPL conv net (paper Fig. 3 at small scale): each step draws
 * a batch of training images (seeded, on the backend), makes two augmented views of it (the "time" pair:
 * lib/lpl/augment_views.ts) and takes one local step of every block; the evaluation gives, per block, the
 * logistic probe's test accuracy on the GAP features (stratified 80/20 split of held-out images,
 * lib/probes), the participation ratio and the mean activity.
 *
 * @module
 */
import type { Backend } from "../backend/backend.ts";
import type { Tensor } from "../backend/tensor.ts";
import { PhiloxStream } from "../rng/philox.ts";
import { tensorView } from "../models/tensor_views.ts";
import { splitProbe } from "../probes/split_probe.ts";
import { fitLogisticProbe, probeAccuracy } from "../probes/logistic_probe.ts";
import { participationRatio } from "../probes/participation_ratio.ts";
import { stratifiedSplit } from "../probes/stratified_split.ts";
import { augmentBatch, type AugmentOptions } from "./augment_views.ts";
import type { LplConvNet } from "./deep_net.ts";

/** Settings of {@linkcode trainLplConvNet}. */
export interface LplConvTrainingOptions {
  steps: number;
  batch: number;
  augment: AugmentOptions;
  /** Seed of the batch draws and the augmentations. */
  seed: number;
  /** Called after each step with the step count (progress). */
  onStep?: (step: number) => void;
}

/** Philox stream id of the batch draws ("batch"). */
const BATCH_STREAM = 0xba7c;

/**
 * Trains `net` for `steps` steps on images held on the backend as [count, C H W] rows.
 *
 * @param net The net (its backend holds `images`).
 * @param images Training images in [0, 1], [count, C H W] (or N C H W).
 * @param count Number of images.
 * @param options Steps, batch, augmentations, seed.
 * @returns Wall-clock seconds.
 */
export async function trainLplConvNet(
  net: LplConvNet,
  images: Tensor,
  count: number,
  options: LplConvTrainingOptions,
): Promise<number> {
  const { backend, spec } = net, { batch } = options;
  const size = spec.inChannels * spec.height * spec.width;
  if (images.size !== count * size || count < 1) {
    throw new RangeError(`Cannot train: ${images.size} values for ${count} images of ${size}`);
  }
  const rows = tensorView(images, [count, size]);
  const rng = new PhiloxStream(options.seed, BATCH_STREAM);
  const shape = { batch, channels: spec.inChannels, height: spec.height, width: spec.width };
  const started = performance.now();
  for (let step = 0; step < options.steps; step++) {
    const picks = Array.from({ length: batch }, (_, b) => Math.floor(rng.uniform(step, 0, b) * count));
    const x = await backend.gatherRows(rows, picks);
    // sample index = step batch + row: every (step, row) has its own draws whatever the batch split
    const key = { shape, sampleOffset: step * batch };
    const x1 = await augmentBatch(backend, x, options.augment, options.seed, 0, { ...key, view: 0 });
    const x2 = await augmentBatch(backend, x, options.augment, options.seed, 0, { ...key, view: 1 });
    backend.dispose(x);
    await net.step(x1, x2, batch);
    backend.dispose(x1, x2);
    options.onStep?.(step + 1);
  }
  await backend.read(net.blocks[net.blocks.length - 1].bias); // wait for the work, for the timing
  return (performance.now() - started) / 1000;
}

/** One block's evaluation. */
export interface LplLayerEvaluation {
  layer: number;
  channels: number;
  probeTestAccuracy: number;
  /** Binomial standard error of the test accuracy, sqrt(acc (1 - acc) / test rows). */
  probeTestStandardError: number;
  probeTestRows: number;
  probeTrainAccuracy: number;
  probeConverged: boolean;
  participationRatio: number;
  meanActivity: number;
}

/**
 * Probes every block's GAP features of held-out images.
 *
 * @param net The net.
 * @param images Images in [0, 1], N C H W values on the host.
 * @param labels One label per image.
 * @param probeBackend Where the probes are fitted (the float64 reference is fast at these sizes).
 * @param seed Seed of the 80/20 split.
 * @param standardize Probe standardised features (each feature's mean and std over the probe's training
 *   split; scikit-learn's StandardScaler), so that the probe's L2 penalty does not depend on the features'
 *   scale; true by default. Constant features stay 0.
 */
export async function evaluateLplConvNet(
  net: LplConvNet,
  images: Float64Array | Float32Array,
  labels: ArrayLike<number>,
  probeBackend: Backend,
  seed: number,
  standardize = true,
): Promise<LplLayerEvaluation[]> {
  const rows = labels.length;
  const features = await net.features(images, rows);
  const out: LplLayerEvaluation[] = [];
  for (const [l, z] of features.entries()) {
    const dims = net.featureSizes[l];
    const probed = standardize ? standardized(z, rows, dims, stratifiedSplit(labels, 0.2, seed).train) : z;
    const probe = await splitProbe(probeBackend, probed, labels, dims, { seed });
    out.push({
      layer: l + 1,
      channels: dims,
      probeTestAccuracy: probe.testAccuracy,
      probeTestStandardError: binomialStandardError(probe.testAccuracy, probe.testRows),
      probeTestRows: probe.testRows,
      probeTrainAccuracy: probe.trainAccuracy,
      probeConverged: probe.fit.converged,
      participationRatio: participationRatio(z, rows, dims),
      meanActivity: z.reduce((s, v) => s + v, 0) / z.length,
    });
  }
  return out;
}

/** Images in [0, 1] (N C H W values on the host) and one label per image. */
export interface LplProbeSet {
  images: Float64Array | Float32Array;
  labels: ArrayLike<number>;
}

/** sqrt(p (1 - p) / n): the standard error of an accuracy p measured on n independent rows. */
export function binomialStandardError(accuracy: number, rows: number): number {
  return Math.sqrt(accuracy * (1 - accuracy) / rows);
}

/**
 * Probes every block's GAP features as the paper's evaluation does (spec 3.2: the probe trains on one
 * labelled set and is tested on another): a logistic probe (C = 1) fitted on `fit`'s features,
 * standardised with `fit`'s per-feature mean and standard deviation, tested on `test`'s features
 * (standardised the same way). The participation ratio and mean activity are those of `test`'s
 * (unstandardised) features.
 *
 * @param net The net.
 * @param fit The probe's training images (e.g. training-split images: LPL never sees labels).
 * @param test The held-out images the accuracy is measured on.
 * @param probeBackend Where the probes are fitted.
 */
export async function probeLplConvNet(
  net: LplConvNet,
  fit: LplProbeSet,
  test: LplProbeSet,
  probeBackend: Backend,
): Promise<LplLayerEvaluation[]> {
  const fitRows = fit.labels.length, testRows = test.labels.length;
  const classes = Math.max(...Array.from(fit.labels), ...Array.from(test.labels)) + 1;
  const fitFeatures = await net.features(fit.images, fitRows);
  const testFeatures = await net.features(test.images, testRows);
  const everyFitRow = Array.from({ length: fitRows }, (_, i) => i);
  const out: LplLayerEvaluation[] = [];
  for (const [l, dims] of net.featureSizes.entries()) {
    const both = new Float64Array((fitRows + testRows) * dims);
    both.set(fitFeatures[l]);
    both.set(testFeatures[l], fitRows * dims);
    const s = standardized(both, fitRows + testRows, dims, everyFitRow);
    const xFit = probeBackend.tensor(s.subarray(0, fitRows * dims), [fitRows, dims]);
    const xTest = probeBackend.tensor(s.subarray(fitRows * dims), [testRows, dims]);
    const probe = await fitLogisticProbe(probeBackend, xFit, fit.labels, classes);
    const testAccuracy = await probeAccuracy(probeBackend, xTest, test.labels, probe);
    out.push({
      layer: l + 1,
      channels: dims,
      probeTestAccuracy: testAccuracy,
      probeTestStandardError: binomialStandardError(testAccuracy, testRows),
      probeTestRows: testRows,
      probeTrainAccuracy: await probeAccuracy(probeBackend, xFit, fit.labels, probe),
      probeConverged: probe.converged,
      participationRatio: participationRatio(testFeatures[l], testRows, dims),
      meanActivity: testFeatures[l].reduce((a, v) => a + v, 0) / testFeatures[l].length,
    });
    probeBackend.dispose(xFit, xTest);
  }
  return out;
}

/**
 * Features [rows, dims] standardised with the mean and standard deviation of the rows `fitRows`
 * (a feature with zero spread there is set to 0).
 */
export function standardized(
  z: ArrayLike<number>,
  rows: number,
  dims: number,
  fitRows: readonly number[],
): Float64Array {
  const out = new Float64Array(rows * dims);
  for (let j = 0; j < dims; j++) {
    let mean = 0, sq = 0;
    for (const r of fitRows) mean += z[r * dims + j] / fitRows.length;
    for (const r of fitRows) sq += (z[r * dims + j] - mean) ** 2;
    const std = Math.sqrt(sq / fitRows.length);
    for (let r = 0; r < rows; r++) out[r * dims + j] = std > 0 ? (z[r * dims + j] - mean) / std : 0;
  }
  return out;
}
