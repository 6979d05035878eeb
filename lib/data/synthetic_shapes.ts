/**
 * The synthetic-shapes dataset of the seed LPL project (specs/seed004 section 3.6), float64
 * reference, written to be read: 32x32 grey images of 4 classes with affine jitter, bilinear
 * sampling, noise, deterministic per index.
 *
 * - Templates: background 0, bars of thickness 3 (rows/columns 15..17) with value 1:
 *   0 vertical bar (full height), 1 horizontal bar, 2 diagonal |i - j| <= 1, 3 cross (0 and 1).
 * - Labels: label(index) = floor(4 u), u uniform from Philox key (seed, LABEL_STREAM), counter (index, 0, 0, 0).
 * - A view with view seed v: tx, ty ~ U(-3, 3) px and an angle ~ U(-10, 10) degrees from the words of
 *   Philox key (seed, TRANSFORM_STREAM), counter (v, 0, 0, 0). The output pixel p = (column j, row i)
 *   samples the template at s = R(-angle) (p - centre - t) + centre, centre = (15.5, 15.5), bilinearly
 *   with zero padding (the image is rotated by `angle` about its centre, then moved by t).
 * - Noise: + 0.05 z with z ~ N(0, 1) from Philox key (seed, NOISE_STREAM), counter (pixel / 4, v, 0, 0),
 *   lane pixel % 4 (Box-Muller on lane pairs, as `philox_normal4`), then clamp to [0, 1].
 * - Single images use view seed v = index; pairs use 2 index and 2 index + 1 (the seed project's rule;
 *   its separate "noise seed = transform seed + 1000" is a separate Philox stream here).
 *
 * The draws use Philox rather than torch's generator, so images match the seed project in
 * distribution, not bit for bit.
 *
 * @module
 */
import { normalPairFromU32, philox4x32_10, uniformFromU32 } from "../rng/philox.ts";
import type { SyntheticShapesOptions } from "../../kernels/synthetic_shapes/synthetic_shapes.ts";
export { type SyntheticShapesOptions } from "../../kernels/synthetic_shapes/synthetic_shapes.ts";

/** Class names by label. */
export const SHAPE_CLASSES = ["vertical bar", "horizontal bar", "diagonal bar", "cross"] as const;
/** Image side in pixels. */
export const SHAPE_SIZE = 32;
/** Philox stream of the labels. */
export const LABEL_STREAM = 0x5a11;
/** Philox stream of the view transforms. */
export const TRANSFORM_STREAM = 0x7f0e;
/** Philox stream of the pixel noise. */
export const NOISE_STREAM = 0x2015e;

/** An affine jitter: translation in pixels and rotation in radians. */
export interface ShapeTransform {
  tx: number;
  ty: number;
  angle: number;
}

function checkSeed(what: string, v: number): void {
  if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) {
    throw new RangeError(`Cannot draw synthetic shapes: ${what} is ${v}, must be an integer in [0, 2^32)`);
  }
}

/**
 * The noiseless 32x32 template of a class.
 *
 * @param label 0 vertical, 1 horizontal, 2 diagonal, 3 cross.
 * @returns Row-major pixels in {0, 1}.
 * @throws {RangeError} When the label is not 0..3.
 */
export function shapeTemplate(label: number): Float64Array {
  if (!Number.isInteger(label) || label < 0 || label > 3) {
    throw new RangeError(`Cannot draw synthetic shapes: label is ${label}, must be 0, 1, 2 or 3`);
  }
  const image = new Float64Array(SHAPE_SIZE * SHAPE_SIZE);
  const inBar = (k: number) => k >= 15 && k <= 17;
  for (let i = 0; i < SHAPE_SIZE; i++) {
    for (let j = 0; j < SHAPE_SIZE; j++) {
      const on = label === 0
        ? inBar(j)
        : label === 1
        ? inBar(i)
        : label === 2
        ? Math.abs(i - j) <= 1
        : inBar(i) || inBar(j);
      image[i * SHAPE_SIZE + j] = on ? 1 : 0;
    }
  }
  return image;
}

/**
 * The label of sample `index`.
 *
 * @param index Sample index in [0, 2^32).
 * @param seed Dataset seed.
 * @returns A label in 0..3.
 */
export function shapeLabel(index: number, seed = 0): number {
  checkSeed("index", index);
  checkSeed("seed", seed);
  return Math.floor(4 * uniformFromU32(philox4x32_10(seed, LABEL_STREAM, index, 0, 0, 0)[0]));
}

/**
 * The affine jitter of a view.
 *
 * @param viewSeed The view seed (index, or 2 index / 2 index + 1 for pairs).
 * @param options Seed and ranges.
 * @returns Translation (px) and angle (radians).
 */
export function shapeTransform(viewSeed: number, options: SyntheticShapesOptions = {}): ShapeTransform {
  const seed = options.seed ?? 0, shift = options.maxShift ?? 3, degrees = options.maxRotationDegrees ?? 10;
  checkSeed("view seed", viewSeed);
  checkSeed("seed", seed);
  const w = philox4x32_10(seed, TRANSFORM_STREAM, viewSeed, 0, 0, 0);
  const symmetric = (word: number) => 2 * uniformFromU32(word) - 1;
  return {
    tx: shift * symmetric(w[0]),
    ty: shift * symmetric(w[1]),
    angle: (degrees * Math.PI / 180) * symmetric(w[2]),
  };
}

/**
 * Samples a template under an affine transform, bilinearly with zero padding (no noise, no clamp).
 *
 * @param template Row-major SHAPE_SIZE x SHAPE_SIZE pixels.
 * @param t The transform.
 * @returns The transformed image.
 */
export function transformImage(template: ArrayLike<number>, t: ShapeTransform): Float64Array {
  const n = SHAPE_SIZE, centre = (n - 1) / 2, cos = Math.cos(t.angle), sin = Math.sin(t.angle);
  const at = (i: number, j: number) => (i >= 0 && i < n && j >= 0 && j < n ? template[i * n + j] : 0);
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      // s = R(-angle) (p - centre - t) + centre, p = (x = j, y = i).
      const dx = j - centre - t.tx, dy = i - centre - t.ty;
      const sx = cos * dx + sin * dy + centre, sy = -sin * dx + cos * dy + centre;
      const x0 = Math.floor(sx), y0 = Math.floor(sy), fx = sx - x0, fy = sy - y0;
      out[i * n + j] = (1 - fy) * ((1 - fx) * at(y0, x0) + fx * at(y0, x0 + 1)) +
        fy * ((1 - fx) * at(y0 + 1, x0) + fx * at(y0 + 1, x0 + 1));
    }
  }
  return out;
}

/**
 * One view of a template: jitter (from the view seed), noise, clamp to [0, 1].
 *
 * @param label The class.
 * @param viewSeed The view seed.
 * @param options Seed, ranges and noise.
 * @returns Row-major 32x32 pixels in [0, 1].
 */
export function shapeView(
  label: number,
  viewSeed: number,
  options: SyntheticShapesOptions = {},
): Float64Array {
  const seed = options.seed ?? 0, noiseStd = options.noiseStd ?? 0.05;
  const image = transformImage(shapeTemplate(label), shapeTransform(viewSeed, options));
  for (let block = 0; block < image.length / 4; block++) {
    const w = philox4x32_10(seed, NOISE_STREAM, block, viewSeed, 0, 0);
    const z = [...normalPairFromU32(w[0], w[1]), ...normalPairFromU32(w[2], w[3])];
    for (let lane = 0; lane < 4; lane++) {
      const p = 4 * block + lane;
      image[p] = Math.min(1, Math.max(0, image[p] + noiseStd * z[lane]));
    }
  }
  return image;
}

/**
 * A batch of single images (view seed = index) or of pairs (view seeds 2 index and 2 index + 1).
 *
 * @param begin First index.
 * @param count Samples.
 * @param options Seed, ranges, noise, and `pairs` for two views per sample.
 * @returns NCHW images [count, 1, 32, 32] (pairs: `second` holds the other views) and labels.
 * @throws {RangeError} On a bad index range or seed.
 */
export function syntheticShapes(
  begin: number,
  count: number,
  options: SyntheticShapesOptions & { pairs?: boolean } = {},
): { images: Float32Array; second?: Float32Array; labels: Uint8Array } {
  if (!Number.isInteger(count) || count < 0) {
    throw new RangeError(`Cannot draw synthetic shapes: count is ${count}, must be a non-negative integer`);
  }
  checkSeed("begin", begin);
  checkSeed("last index", begin + Math.max(0, count - 1));
  const pixels = SHAPE_SIZE * SHAPE_SIZE;
  const images = new Float32Array(count * pixels), labels = new Uint8Array(count);
  const second = options.pairs ? new Float32Array(count * pixels) : undefined;
  for (let k = 0; k < count; k++) {
    const index = begin + k, label = shapeLabel(index, options.seed ?? 0);
    labels[k] = label;
    if (second) {
      images.set(shapeView(label, 2 * index, options), k * pixels);
      second.set(shapeView(label, 2 * index + 1, options), k * pixels);
    } else {
      images.set(shapeView(label, index, options), k * pixels);
    }
  }
  return second ? { images, second, labels } : { images, labels };
}
