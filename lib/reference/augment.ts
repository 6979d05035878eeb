/**
 * Float64 oracle of the image augmentations (kernels/augment/): the per-sample draws from Philox and
 * the pipeline resized crop -> pad-and-crop -> flip -> brightness/contrast -> blur on NCHW images, written
 * to be read. The kernels match it to float32 rounding; every discrete decision (offsets, flips, which
 * samples are jittered or blurred) bit for bit. Draw layout: kernels/augment/augment_types.ts.
 *
 * @module
 */
import { philox4x32_10, twoPointThreshold, uniformFromU32 } from "../rng/philox.ts";
import {
  AUGMENT_STREAM,
  type AugmentKey,
  type AugmentSampleParameters,
  type AugmentShape,
  type ResolvedAugment,
} from "../../kernels/augment/augment_types.ts";

/** `(w >> 8) < ceil(p 2^24)`: the integer probability test of the kernels. */
const happens = (w: number, p: number): boolean => (w >>> 8) < twoPointThreshold(p);

/**
 * The augmentation of one sample (see the draw table of kernels/augment/augment_types.ts).
 *
 * @param shape The batch shape (height and width are used).
 * @param o Resolved options.
 * @param key Seed, step, view.
 * @param sample The sample's index in the data set (sampleOffset + row).
 */
export function augmentSampleParameters(
  shape: AugmentShape,
  o: ResolvedAugment,
  key: AugmentKey,
  sample: number,
): AugmentSampleParameters {
  const { height: h, width: w } = shape, view = key.view ?? 0;
  const [c0, c1, c2, c3] = philox4x32_10(key.seed, AUGMENT_STREAM, 0, key.step, sample, view);
  const [p0, p1, p2, p3] = philox4x32_10(key.seed, AUGMENT_STREAM, 1, key.step, sample, view);
  const [j0, j1, j2, j3] = philox4x32_10(key.seed, AUGMENT_STREAM, 2, key.step, sample, view);
  let cropX = 0, cropY = 0, cropWidth = w, cropHeight = h;
  if (o.resized) {
    const s = o.scaleMin + uniformFromU32(c0) * (o.scaleMax - o.scaleMin);
    const r = Math.exp(o.logRatioMin + uniformFromU32(c1) * (o.logRatioMax - o.logRatioMin));
    cropWidth = Math.min(w, Math.sqrt(h * w * s * r));
    cropHeight = Math.min(h, Math.sqrt(h * w * s / r));
    cropX = uniformFromU32(c2) * (w - cropWidth);
    cropY = uniformFromU32(c3) * (h - cropHeight);
  }
  const span = 2 * o.padding + 1;
  const jitter = happens(p3, o.jitterProbability), blur = happens(j2, o.blurProbability);
  return {
    cropX,
    cropY,
    cropWidth,
    cropHeight,
    offsetX: Math.floor(((p0 >>> 8) * span) / 2 ** 24),
    offsetY: Math.floor(((p1 >>> 8) * span) / 2 ** 24),
    flip: happens(p2, o.flipProbability) ? 1 : 0,
    brightness: jitter ? 1 - o.brightness + 2 * o.brightness * uniformFromU32(j0) : 1,
    contrast: jitter ? 1 - o.contrast + 2 * o.contrast * uniformFromU32(j1) : 1,
    sigma: blur ? o.sigmaMin + uniformFromU32(j3) * (o.sigmaMax - o.sigmaMin) : 0,
    jitter: jitter ? 1 : 0,
  };
}

/** Reflects an index into [0, n) (edge pixel not repeated: -1 -> 1, n -> n - 2). */
export function reflectIndex(q: number, n: number): number {
  if (q < 0) return -q;
  if (q >= n) return 2 * (n - 1) - q;
  return q;
}

/** A source plane sampled bilinearly at (y, x) in pixel-centre coordinates, clamped at the border. */
function bilinear(
  plane: ArrayLike<number>,
  base: number,
  h: number,
  w: number,
  y: number,
  x: number,
): number {
  const y0 = Math.floor(y), x0 = Math.floor(x), fy = y - y0, fx = x - x0;
  const at = (yy: number, xx: number) =>
    plane[base + Math.min(h - 1, Math.max(0, yy)) * w + Math.min(w - 1, Math.max(0, xx))];
  return (1 - fy) * ((1 - fx) * at(y0, x0) + fx * at(y0, x0 + 1)) +
    fy * ((1 - fx) * at(y0 + 1, x0) + fx * at(y0 + 1, x0 + 1));
}

/**
 * The geometric part and brightness of one output pixel (the geometry kernel's value).
 *
 * @returns The value, or 0 where pad-and-crop reads zero padding.
 */
function geometryPixel(
  images: ArrayLike<number>,
  shape: AugmentShape,
  o: ResolvedAugment,
  p: AugmentSampleParameters,
  n: number,
  c: number,
  oy: number,
  ox: number,
): number {
  const { channels, height: h, width: w } = shape;
  const x = p.flip === 1 ? w - 1 - ox : ox;
  let qx = x + p.offsetX - o.padding, qy = oy + p.offsetY - o.padding;
  let v: number;
  if (qx < 0 || qx >= w || qy < 0 || qy >= h) {
    if (!o.reflect) return 0;
    qx = reflectIndex(qx, w);
    qy = reflectIndex(qy, h);
  }
  const base = (n * channels + c) * h * w;
  if (o.resized) {
    const sx = p.cropX + ((qx + 0.5) * p.cropWidth) / w - 0.5;
    const sy = p.cropY + ((qy + 0.5) * p.cropHeight) / h - 0.5;
    v = bilinear(images, base, h, w, sy, sx);
  } else v = images[base + qy * w + qx];
  if (p.jitter === 1) {
    v *= p.brightness;
    if (o.clamp) v = Math.min(1, Math.max(0, v));
  }
  return v;
}

/**
 * The augmented batch in float64, NCHW like the input.
 *
 * @param shape The batch shape.
 * @param images The input images, N C H W values.
 * @param o Resolved options (resolveAugmentOptions in kernels/augment/augment_types.ts).
 * @param key Seed, step, view, sample offset.
 * @returns The augmented images.
 */
export function augmentReference(
  shape: AugmentShape,
  images: ArrayLike<number>,
  o: ResolvedAugment,
  key: AugmentKey,
): Float64Array {
  const { batch, channels, height: h, width: w } = shape, plane = h * w, size = channels * plane;
  const out = new Float64Array(batch * size);
  const geometric = new Float64Array(size);
  for (let n = 0; n < batch; n++) {
    const p = augmentSampleParameters(shape, o, key, (key.sampleOffset ?? 0) + n);
    let sum = 0;
    for (let c = 0; c < channels; c++) {
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w; x++) {
          const v = geometryPixel(images, shape, o, p, n, c, y, x);
          geometric[c * plane + y * w + x] = v;
          sum += v;
        }
      }
    }
    const mean = sum / size;
    const colour = (i: number) => {
      let v = geometric[i];
      if (p.jitter === 1) {
        v = p.contrast * v + (1 - p.contrast) * mean;
        if (o.clamp) v = Math.min(1, Math.max(0, v));
      }
      return v;
    };
    const taps = [];
    if (p.sigma > 0) {
      let total = 0;
      for (let d = -o.radius; d <= o.radius; d++) total += Math.exp(-(d * d) / (2 * p.sigma * p.sigma));
      for (let d = -o.radius; d <= o.radius; d++) {
        taps.push(Math.exp(-(d * d) / (2 * p.sigma * p.sigma)) / total);
      }
    }
    for (let c = 0; c < channels; c++) {
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w; x++) {
          let v: number;
          if (p.sigma > 0) {
            v = 0;
            for (let dy = -o.radius; dy <= o.radius; dy++) {
              for (let dx = -o.radius; dx <= o.radius; dx++) {
                const yy = reflectIndex(y + dy, h), xx = reflectIndex(x + dx, w);
                v += taps[dy + o.radius] * taps[dx + o.radius] * colour(c * plane + yy * w + xx);
              }
            }
          } else v = colour(c * plane + y * w + x);
          out[n * size + c * plane + y * w + x] = v;
        }
      }
    }
  }
  return out;
}
