/**
 * Shapes, options and per-sample random draws of the image-augmentation kernels (kernels/augment/), shared
 * with the float64 reference (lib/reference/augment.ts) and the backend-level op (lib/lpl/augment_views.ts).
 *
 * Every sample of every view draws its own numbers: Philox4x32-10 with key (seed, AUGMENT_STREAM) and
 * counter (block, step, sample, view), where `sample` is the sample's index in the whole data set
 * (`sampleOffset` + its row in the batch), so a view never depends on how a data set is split into batches.
 * Three blocks, twelve words, one fixed word per decision (an operation turned off leaves the others'
 * draws unchanged):
 *
 * | block | word 0 | word 1 | word 2 | word 3 |
 * |---|---|---|---|---|
 * | 0 | crop area fraction | crop log aspect ratio | crop x position | crop y position |
 * | 1 | pad-crop x offset | pad-crop y offset | flip | colour jitter applied |
 * | 2 | brightness factor | contrast factor | blur applied | blur sigma |
 *
 * Uniforms are `(w >> 8) 2^-24` (exact in float32); a probability test is the integer comparison
 * `(w >> 8) < ceil(p 2^24)` and a pad offset is `((w >> 8) (2 padding + 1)) >> 24`, so every discrete
 * decision is the same bit for bit on the GPU and in float64.
 *
 * @module
 */

/** Key word 1 of the augmentation draws ("augment"). */
export const AUGMENT_STREAM = 0xa06e;

/** Floats per sample in the parameter table (see {@linkcode AugmentSampleParameters}). */
export const AUGMENT_PARAMETER_COUNT = 12;

/** A batch of images, NCHW. */
export interface AugmentShape {
  batch: number;
  channels: number;
  height: number;
  width: number;
}

/**
 * Random resized crop (torchvision's RandomResizedCrop, continuous box): a box of area fraction
 * s ~ U(scale) and aspect ratio r = exp(U(log ratio)) of the image, width sqrt(H W s r) and height
 * sqrt(H W s / r) (each clamped to the image: torchvision would redraw up to 10 times), at a uniform
 * position inside the image, resampled bilinearly to the full H x W (pixel centres, align_corners false).
 */
export interface ResizedCropOptions {
  /** Area fraction range, [0.08, 1] by default (SimCLR). */
  scale?: readonly [number, number];
  /** Aspect ratio range, [3/4, 4/3] by default. */
  ratio?: readonly [number, number];
}

/** Pad by `padding` pixels, then take an H x W window at integer offsets (dx, dy) in [0, 2 padding]. */
export interface PadCropOptions {
  padding: number;
  /** What the padding holds: `"zero"` (default) or `"reflect"` (the seed project's reflect-pad). */
  mode?: "zero" | "reflect";
}

/** Horizontal flip with a probability (0.5 by default). */
export interface FlipOptions {
  probability?: number;
}

/**
 * Colour jitter for grey or colour images, applied with `probability` (1 by default): brightness
 * v <- b v, b ~ U(1 - brightness, 1 + brightness), then contrast v <- c v + (1 - c) mean,
 * c ~ U(1 - contrast, 1 + contrast), the mean over all the sample's channels and pixels after the
 * brightness step (torchvision's order; it takes the mean of the greyscale image: the same for one
 * channel). Each step clamps to [0, 1] when `clamp` is on (only on the samples the jitter was drawn for,
 * as torchvision clamps inside its jitter ops).
 */
export interface BrightnessContrastOptions {
  brightness?: number;
  contrast?: number;
  probability?: number;
}

/**
 * Gaussian blur with a (2 radius + 1)^2 kernel (radius 1: torchvision's k = 3 for 32 px images),
 * sigma ~ U(sigma), reflect padding, applied with `probability` (0.5 by default).
 */
export interface BlurOptions {
  probability?: number;
  /** Sigma range, [0.1, 2] by default. */
  sigma?: readonly [number, number];
  /** Kernel radius in pixels, 1 by default (at most 3). */
  radius?: number;
}

/**
 * Which augmentations run, in this order: resized crop, pad-and-crop, flip, brightness/contrast, blur.
 * An absent entry is off; `{}` leaves images unchanged.
 */
export interface AugmentOptions {
  resizedCrop?: ResizedCropOptions;
  padCrop?: PadCropOptions;
  flip?: FlipOptions;
  brightnessContrast?: BrightnessContrastOptions;
  blur?: BlurOptions;
  /** Clamp to [0, 1] after each colour step (images in [0, 1]); true by default. */
  clamp?: boolean;
}

/** Which draws: the seed, the step (e.g. the training step), the view, the first sample's index. */
export interface AugmentKey {
  seed: number;
  step: number;
  /** 0 for the first view, 1 for the second, ...; 0 by default. */
  view?: number;
  /** Index of the batch's first sample in the data set; 0 by default. */
  sampleOffset?: number;
}

/** One sample's augmentation, as the parameter kernel writes it (floats 0..10 of its row, in this order). */
export interface AugmentSampleParameters {
  /** The resized-crop box in source pixels (0, 0, W, H when off). */
  cropX: number;
  cropY: number;
  cropWidth: number;
  cropHeight: number;
  /** Pad-crop offsets in [0, 2 padding]. */
  offsetX: number;
  offsetY: number;
  /** 1 to flip horizontally, else 0. */
  flip: number;
  /** Brightness and contrast factors (1 when the jitter is off or not drawn). */
  brightness: number;
  contrast: number;
  /** Blur sigma, 0 for no blur. */
  sigma: number;
  /** 1 when the colour jitter was drawn for this sample (its steps clamp), else 0. */
  jitter: number;
}

/** Options with every default filled in and checked: what the kernels' uniforms hold. */
export interface ResolvedAugment {
  resized: boolean;
  scaleMin: number;
  scaleMax: number;
  logRatioMin: number;
  logRatioMax: number;
  padding: number;
  reflect: boolean;
  flipProbability: number;
  jitterProbability: number;
  brightness: number;
  contrast: number;
  blurProbability: number;
  sigmaMin: number;
  sigmaMax: number;
  radius: number;
  clamp: boolean;
}

/** The largest blur radius (the kernel loops over (2 radius + 1)^2 taps). */
export const AUGMENT_MAX_BLUR_RADIUS = 3;

function checkRange(what: string, range: readonly [number, number], lo: number, hi: number): void {
  const [a, b] = range;
  if (!(Number.isFinite(a) && Number.isFinite(b) && a >= lo && b <= hi && a <= b)) {
    throw new RangeError(
      `Cannot augment: ${what} is [${a}, ${b}], must satisfy ${lo} <= low <= high <= ${hi}`,
    );
  }
}

function checkProbability(what: string, p: number): void {
  if (!(p >= 0 && p <= 1)) throw new RangeError(`Cannot augment: ${what} is ${p}, must be in [0, 1]`);
}

/**
 * Fills in the defaults of `options` and checks every value against `shape`.
 *
 * @throws {RangeError} On a value out of range (named in the message).
 * @throws {TypeError} On an unknown option name.
 */
export function resolveAugmentOptions(shape: AugmentShape, options: AugmentOptions): ResolvedAugment {
  const known = ["resizedCrop", "padCrop", "flip", "brightnessContrast", "blur", "clamp"];
  for (const k of Object.keys(options)) {
    if (!known.includes(k)) {
      throw new TypeError(`Cannot augment: unknown option "${k}", expected one of ${known.join(", ")}`);
    }
  }
  const rc = options.resizedCrop, pc = options.padCrop, bc = options.brightnessContrast, bl = options.blur;
  const scale = rc?.scale ?? [0.08, 1], ratio = rc?.ratio ?? [3 / 4, 4 / 3];
  checkRange("resizedCrop.scale", scale, Number.MIN_VALUE, 1);
  checkRange("resizedCrop.ratio", ratio, Number.MIN_VALUE, Infinity);
  const padding = pc?.padding ?? 0;
  if (!Number.isInteger(padding) || padding < 0 || padding > 127) {
    throw new RangeError(`Cannot augment: padCrop.padding is ${padding}, must be an integer in [0, 127]`);
  }
  if (pc?.mode === "reflect" && padding >= Math.min(shape.height, shape.width)) {
    throw new RangeError(
      `Cannot augment: reflect padding ${padding} needs images larger than ${padding} pixels, got ${shape.height} x ${shape.width}`,
    );
  }
  if (pc?.mode !== undefined && pc.mode !== "zero" && pc.mode !== "reflect") {
    throw new TypeError(`Cannot augment: padCrop.mode is "${pc.mode}", expected "zero" or "reflect"`);
  }
  const flipProbability = options.flip ? options.flip.probability ?? 0.5 : 0;
  checkProbability("flip.probability", flipProbability);
  const jitterProbability = bc ? bc.probability ?? 1 : 0;
  checkProbability("brightnessContrast.probability", jitterProbability);
  const brightness = bc?.brightness ?? 0, contrast = bc?.contrast ?? 0;
  for (const [what, v] of [["brightness", brightness], ["contrast", contrast]] as const) {
    if (!(v >= 0 && v <= 1)) throw new RangeError(`Cannot augment: ${what} is ${v}, must be in [0, 1]`);
  }
  const blurProbability = bl ? bl.probability ?? 0.5 : 0;
  checkProbability("blur.probability", blurProbability);
  const sigma = bl?.sigma ?? [0.1, 2];
  checkRange("blur.sigma", sigma, Number.MIN_VALUE, Infinity);
  const radius = bl?.radius ?? 1;
  if (!Number.isInteger(radius) || radius < 1 || radius > AUGMENT_MAX_BLUR_RADIUS) {
    throw new RangeError(
      `Cannot augment: blur.radius is ${radius}, must be an integer in [1, ${AUGMENT_MAX_BLUR_RADIUS}]`,
    );
  }
  if (bl && radius >= Math.min(shape.height, shape.width)) {
    throw new RangeError(`Cannot augment: blur.radius ${radius} needs images larger than ${radius} pixels`);
  }
  return {
    resized: rc !== undefined,
    scaleMin: scale[0],
    scaleMax: scale[1],
    logRatioMin: Math.log(ratio[0]),
    logRatioMax: Math.log(ratio[1]),
    padding,
    reflect: pc?.mode === "reflect",
    flipProbability,
    jitterProbability,
    brightness,
    contrast,
    blurProbability,
    sigmaMin: sigma[0],
    sigmaMax: sigma[1],
    radius,
    clamp: options.clamp ?? true,
  };
}

/**
 * Checks a batch shape and a key.
 *
 * @throws {RangeError} On a non-positive extent, or a seed, step, view or sample index outside [0, 2^32).
 */
export function checkAugmentShapeAndKey(shape: AugmentShape, key: AugmentKey): void {
  for (const [what, v] of Object.entries(shape)) {
    if (!Number.isInteger(v) || v < 1) {
      throw new RangeError(`Cannot augment: ${what} is ${v}, must be a positive integer`);
    }
  }
  const last = (key.sampleOffset ?? 0) + shape.batch - 1;
  for (
    const [what, v] of [["seed", key.seed], ["step", key.step], ["view", key.view ?? 0], [
      "sampleOffset",
      key.sampleOffset ?? 0,
    ], ["last sample index", last]] as const
  ) {
    if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) {
      throw new RangeError(`Cannot augment: ${what} is ${v}, must be an integer in [0, 2^32)`);
    }
  }
}

/** The SimCLR-style views of the LPL deep net (spec 3.2) for grey images: no saturation, hue or greyscale. */
export const SIMCLR_AUGMENT: Readonly<AugmentOptions> = {
  resizedCrop: { scale: [0.08, 1], ratio: [3 / 4, 4 / 3] },
  flip: { probability: 0.5 },
  brightnessContrast: { brightness: 0.8, contrast: 0.8, probability: 0.8 },
  blur: { probability: 0.5, sigma: [0.1, 2], radius: 1 },
};

/** The seed project's BYOL views (spec 3.7): reflect-pad 4 and crop, flip, brightness and contrast 0.8-1.2. */
export const SEED_BYOL_AUGMENT: Readonly<AugmentOptions> = {
  padCrop: { padding: 4, mode: "reflect" },
  flip: { probability: 0.5 },
  brightnessContrast: { brightness: 0.2, contrast: 0.2, probability: 1 },
};
