/**
 * Image augmentations as a backend op (issue 13 point 1; the views that play "time" for the LPL deep net
 * and BYOL): random resized crop, pad-and-crop, horizontal flip, brightness/contrast and Gaussian blur on
 * NCHW batches, seeded per sample. On webgpu it records the kernels of kernels/augment/; on reference it
 * runs the float64 oracle lib/reference/augment.ts. Both draw the same Philox numbers: the same seed, step,
 * view and sample index give the same augmentation whatever the batch split.
 *
 * @example Two views of a batch, on the reference backend
 * ```ts
 * import assert from "node:assert";
 * import { ReferenceBackend } from "../backend/reference.ts";
 * import { augmentBatch, SEED_BYOL_AUGMENT } from "./augment_views.ts";
 * const backend = new ReferenceBackend();
 * const images = backend.tensor(new Float64Array(2 * 1 * 8 * 8).fill(0.5), [2, 1, 8, 8]);
 * const v1 = await augmentBatch(backend, images, SEED_BYOL_AUGMENT, 42, 0, { view: 0 });
 * const v2 = await augmentBatch(backend, images, SEED_BYOL_AUGMENT, 42, 0, { view: 1 });
 * assert.ok(v1.shape.join() === "2,1,8,8" && v2.size === 128);
 * ```
 *
 * @module
 */
import type { Backend } from "../backend/backend.ts";
import { formatShape, type Tensor } from "../backend/tensor.ts";
import { buffer, check, recorder, values } from "../models/_layer_ops.ts";
import { encodeAugment } from "../../kernels/augment/augment.ts";
import {
  AUGMENT_PARAMETER_COUNT,
  type AugmentKey,
  type AugmentOptions,
  type AugmentSampleParameters,
  type AugmentShape,
  checkAugmentShapeAndKey,
  resolveAugmentOptions,
} from "../../kernels/augment/augment_types.ts";
import { augmentReference, augmentSampleParameters } from "../reference/augment.ts";

export {
  type AugmentOptions,
  type AugmentSampleParameters,
  type AugmentShape,
  type BlurOptions,
  type BrightnessContrastOptions,
  type FlipOptions,
  type PadCropOptions,
  type ResizedCropOptions,
  SEED_BYOL_AUGMENT,
  SIMCLR_AUGMENT,
} from "../../kernels/augment/augment_types.ts";

/** Which view and where the batch starts in its data set (see {@linkcode augmentBatch}). */
export interface AugmentBatchOptions {
  /** The view (0, 1, ...): separates the draws of the views of one step. 0 by default. */
  view?: number;
  /** Index of the batch's first sample in the data set (per-sample seeding). 0 by default. */
  sampleOffset?: number;
  /** The NCHW shape, when `images` is not already a rank-4 tensor (e.g. flat [N, C H W] rows). */
  shape?: AugmentShape;
}

function batchShape(images: Tensor, given?: AugmentShape): AugmentShape {
  if (given) return given;
  if (images.shape.length !== 4) {
    throw new RangeError(
      `Cannot augment a tensor of shape ${formatShape(images.shape)}: pass { shape } for non-NCHW tensors`,
    );
  }
  const [batch, channels, height, width] = images.shape;
  return { batch, channels, height, width };
}

/**
 * An augmented copy of a batch of images in [0, 1], NCHW, in the order resized crop -> pad-and-crop ->
 * flip -> brightness/contrast -> blur (each only when its option is given).
 *
 * @param backend The backend holding `images`.
 * @param images N C H W values (a rank-4 tensor, or any shape with `extra.shape`).
 * @param options The augmentations (e.g. {@linkcode SIMCLR_AUGMENT}, {@linkcode SEED_BYOL_AUGMENT}).
 * @param seed Seed of the draws, an integer in [0, 2^32).
 * @param step Step counter (e.g. the training step), an integer in [0, 2^32).
 * @param extra View, sample offset, shape.
 * @returns A new tensor [N, C, H, W].
 * @throws {RangeError} On a bad shape, option, seed, step, view or offset.
 * @throws {TypeError} On an unknown option or a tensor of another backend.
 */
export async function augmentBatch(
  backend: Backend,
  images: Tensor,
  options: AugmentOptions,
  seed: number,
  step: number,
  extra: AugmentBatchOptions = {},
): Promise<Tensor> {
  const shape = batchShape(images, extra.shape);
  const key: AugmentKey = { seed, step, view: extra.view ?? 0, sampleOffset: extra.sampleOffset ?? 0 };
  checkAugmentShapeAndKey(shape, key);
  const resolved = resolveAugmentOptions(shape, options);
  const size = shape.batch * shape.channels * shape.height * shape.width;
  check(backend, "augment", "images", images, size);
  const outShape = [shape.batch, shape.channels, shape.height, shape.width];
  if (backend.name === "reference") {
    return backend.tensor(augmentReference(shape, values(images), resolved, key), outShape);
  }
  const output = backend.zeros(outShape);
  await encodeAugment(recorder(backend), {
    shape,
    options: resolved,
    key,
    images: buffer(images),
    output: buffer(output),
  });
  return output;
}

/**
 * The per-sample augmentation parameters that {@linkcode augmentBatch} draws (for tests and figures): on
 * webgpu as the parameter kernel computes them (float32), on reference in float64.
 */
export async function augmentParameters(
  backend: Backend,
  shape: AugmentShape,
  options: AugmentOptions,
  seed: number,
  step: number,
  extra: Omit<AugmentBatchOptions, "shape"> = {},
): Promise<AugmentSampleParameters[]> {
  const key: AugmentKey = { seed, step, view: extra.view ?? 0, sampleOffset: extra.sampleOffset ?? 0 };
  checkAugmentShapeAndKey(shape, key);
  const resolved = resolveAugmentOptions(shape, options);
  if (backend.name === "reference") {
    return Array.from(
      { length: shape.batch },
      (_, n) => augmentSampleParameters(shape, resolved, key, key.sampleOffset! + n),
    );
  }
  const size = shape.batch * shape.channels * shape.height * shape.width;
  const images = backend.zeros([size]), output = backend.zeros([size]);
  const table = backend.zeros([shape.batch, AUGMENT_PARAMETER_COUNT]);
  await encodeAugment(recorder(backend), {
    shape,
    options: resolved,
    key,
    images: buffer(images),
    output: buffer(output),
    table: buffer(table),
  });
  const t = await backend.read(table);
  backend.dispose(images, output, table);
  return Array.from({ length: shape.batch }, (_, n) => {
    const r = t.subarray(n * AUGMENT_PARAMETER_COUNT);
    return {
      cropX: r[0],
      cropY: r[1],
      cropWidth: r[2],
      cropHeight: r[3],
      offsetX: r[4],
      offsetY: r[5],
      flip: r[6],
      brightness: r[7],
      contrast: r[8],
      sigma: r[9],
      jitter: r[10],
    };
  });
}
