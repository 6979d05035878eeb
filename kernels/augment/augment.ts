/**
 * Wrapper of the image-augmentation kernels: per-sample draws (augment_params.wgsl), the geometric part and
 * brightness (augment_geometry.wgsl), each sample's mean (augment_mean.wgsl), contrast and blur
 * (augment_photometric.wgsl). Four dispatches per batch, recorded and not submitted; the parameter
 * table, the intermediate image and the means are scratch buffers freed after the next flush. Options,
 * draws and their layout: ./augment_types.ts; the float64 oracle: lib/reference/augment.ts.
 *
 * @module
 */
import paramsSource from "./augment_params.wgsl" with { type: "text" };
import geometrySource from "./augment_geometry.wgsl" with { type: "text" };
import meanSource from "./augment_mean.wgsl" with { type: "text" };
import photometricSource from "./augment_photometric.wgsl" with { type: "text" };
import tableSource from "./augment_table.wgsl" with { type: "text" };
import { PHILOX_WGSL } from "../random/random.ts";
import { type CommandRecorder, dispatch1d } from "../../lib/gpu/recorder.ts";
import type { KernelSource } from "../../lib/gpu/pipelines.ts";
import { loopBudget } from "../../lib/gpu/loop_budget.ts";
import { StructLayout } from "../../lib/gpu/params.ts";
import { createBuffer } from "../../lib/gpu/buffers.ts";
import { twoPointThreshold } from "../../lib/rng/philox.ts";
import {
  AUGMENT_PARAMETER_COUNT,
  type AugmentKey,
  type AugmentShape,
  checkAugmentShapeAndKey,
  type ResolvedAugment,
} from "./augment_types.ts";

const WORKGROUP_SIZE = 64;
const CONSTANTS = { WORKGROUP_SIZE };

/** The library the table kernels share (PARAMETERS, reflect_index), listed before each. */
const TABLE_WGSL = { file: "kernels/augment/augment_table.wgsl", code: tableSource };

/** The four kernels. */
export const AUGMENT_KERNELS = {
  params: {
    label: "augment_params",
    parts: [PHILOX_WGSL, TABLE_WGSL, { file: "kernels/augment/augment_params.wgsl", code: paramsSource }],
  },
  geometry: {
    label: "augment_geometry",
    parts: [TABLE_WGSL, { file: "kernels/augment/augment_geometry.wgsl", code: geometrySource }],
  },
  mean: { label: "augment_mean", parts: [{ file: "kernels/augment/augment_mean.wgsl", code: meanSource }] },
  photometric: {
    label: "augment_photometric",
    parts: [TABLE_WGSL, { file: "kernels/augment/augment_photometric.wgsl", code: photometricSource }],
  },
} satisfies Record<string, KernelSource>;

const PARAMS_LAYOUT = new StructLayout(
  "Params",
  "kernels/augment/augment_params.wgsl",
  [
    ["batch", "u32"],
    ["sample_offset", "u32"],
    ["step", "u32"],
    ["view", "u32"],
    ["seed", "u32"],
    ["height", "u32"],
    ["width", "u32"],
    ["resized", "u32"],
    ["scale_min", "f32"],
    ["scale_max", "f32"],
    ["log_ratio_min", "f32"],
    ["log_ratio_max", "f32"],
    ["padding", "u32"],
    ["flip_threshold", "u32"],
    ["jitter_threshold", "u32"],
    ["blur_threshold", "u32"],
    ["brightness", "f32"],
    ["contrast", "f32"],
    ["sigma_min", "f32"],
    ["sigma_max", "f32"],
  ] as const,
);

const GEOMETRY_LAYOUT = new StructLayout(
  "Params",
  "kernels/augment/augment_geometry.wgsl",
  [
    ["batch", "u32"],
    ["channels", "u32"],
    ["height", "u32"],
    ["width", "u32"],
    ["padding", "u32"],
    ["reflect", "u32"],
    ["resized", "u32"],
    ["clamp", "u32"],
  ] as const,
);

const MEAN_LAYOUT = new StructLayout(
  "Params",
  "kernels/augment/augment_mean.wgsl",
  [
    ["batch", "u32"],
    ["size", "u32"],
    ["pad0", "u32"],
    ["pad1", "u32"],
  ] as const,
);

const PHOTOMETRIC_LAYOUT = new StructLayout(
  "Params",
  "kernels/augment/augment_photometric.wgsl",
  [
    ["batch", "u32"],
    ["channels", "u32"],
    ["height", "u32"],
    ["width", "u32"],
    ["radius", "u32"],
    ["clamp", "u32"],
    ["pad0", "u32"],
    ["pad1", "u32"],
  ] as const,
);

/** Arguments of {@linkcode encodeAugment}. */
export interface AugmentArgs {
  shape: AugmentShape;
  options: ResolvedAugment;
  key: AugmentKey;
  /** Input images, N C H W floats. */
  images: GPUBuffer;
  /** Receives the augmented images (N C H W floats; must not be `images`). */
  output: GPUBuffer;
  /** Receives the per-sample parameter table [N, 12] when given (for tests); else a scratch buffer. */
  table?: GPUBuffer;
}

/**
 * Records the augmentation of a batch (four dispatches).
 *
 * @throws {RangeError} On a bad shape or key, buffers too small, or a sample larger than the loop budget.
 */
export async function encodeAugment(rec: CommandRecorder, a: AugmentArgs): Promise<void> {
  const { shape, options: o, key } = a;
  checkAugmentShapeAndKey(shape, key);
  const { batch, channels, height, width } = shape;
  const sampleSize = channels * height * width, elements = batch * sampleSize;
  if (a.images.size < elements * 4 || a.output.size < elements * 4) {
    throw new RangeError(
      `Cannot dispatch "augment": ${elements} floats need ${elements * 4} bytes per buffer`,
    );
  }
  if (a.images === a.output) throw new RangeError(`Cannot dispatch "augment": output must not be the input`);
  if (sampleSize + 1 > loopBudget(rec.gpu)) {
    throw new RangeError(
      `Cannot dispatch "augment_mean": a sample of ${sampleSize} values exceeds the loop budget ${
        loopBudget(rec.gpu)
      }`,
    );
  }
  const scratch = (floats: number, label: string) => {
    const b = createBuffer(rec.gpu, floats * 4, label);
    rec.releaseAfterFlush(b);
    return b;
  };
  const table = a.table ?? scratch(batch * AUGMENT_PARAMETER_COUNT, "augment table");
  if (table.size < batch * AUGMENT_PARAMETER_COUNT * 4) {
    throw new RangeError(
      `Cannot dispatch "augment_params": the table needs ${batch * AUGMENT_PARAMETER_COUNT} floats`,
    );
  }
  const geometric = scratch(elements, "augment geometric"), means = scratch(batch, "augment means");
  const paramsBytes = PARAMS_LAYOUT.bytes({
    batch,
    sample_offset: key.sampleOffset ?? 0,
    step: key.step,
    view: key.view ?? 0,
    seed: key.seed,
    height,
    width,
    resized: o.resized ? 1 : 0,
    scale_min: o.scaleMin,
    scale_max: o.scaleMax,
    log_ratio_min: o.logRatioMin,
    log_ratio_max: o.logRatioMax,
    padding: o.padding,
    flip_threshold: twoPointThreshold(o.flipProbability),
    jitter_threshold: twoPointThreshold(o.jitterProbability),
    blur_threshold: twoPointThreshold(o.blurProbability),
    brightness: o.brightness,
    contrast: o.contrast,
    sigma_min: o.sigmaMin,
    sigma_max: o.sigmaMax,
  });
  await dispatch1d(rec, {
    kernel: AUGMENT_KERNELS.params,
    constants: CONSTANTS,
    invocations: batch,
    bindings: [table, rec.uniform(paramsBytes, "augment_params params")],
  });
  const clamp = o.clamp ? 1 : 0;
  const geometryBytes = GEOMETRY_LAYOUT.bytes({
    batch,
    channels,
    height,
    width,
    padding: o.padding,
    reflect: o.reflect ? 1 : 0,
    resized: o.resized ? 1 : 0,
    clamp,
  });
  await dispatch1d(rec, {
    kernel: AUGMENT_KERNELS.geometry,
    constants: CONSTANTS,
    invocations: elements,
    bindings: [a.images, table, geometric, rec.uniform(geometryBytes, "augment_geometry params")],
  });
  const meanBytes = MEAN_LAYOUT.bytes({ batch, size: sampleSize, pad0: 0, pad1: 0 });
  await dispatch1d(rec, {
    kernel: AUGMENT_KERNELS.mean,
    constants: CONSTANTS,
    invocations: batch,
    bindings: [geometric, means, rec.uniform(meanBytes, "augment_mean params")],
  });
  const photometricBytes = PHOTOMETRIC_LAYOUT.bytes({
    batch,
    channels,
    height,
    width,
    radius: o.radius,
    clamp,
    pad0: 0,
    pad1: 0,
  });
  await dispatch1d(rec, {
    kernel: AUGMENT_KERNELS.photometric,
    constants: CONSTANTS,
    invocations: elements,
    bindings: [
      geometric,
      table,
      means,
      a.output,
      rec.uniform(photometricBytes, "augment_photometric params"),
    ],
  });
}
