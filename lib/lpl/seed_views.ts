/**
 * The seed project's "weak" temporal views of a grey image (spec 3.6, train_lpl.py): reflect-pad 4,
 * a random crop back to the image size (offset 0..8 per axis), a horizontal translation by -2..2 px
 * (zero fill), + N(0, 0.05^2) noise, clamp to [0, 1]. Deterministic in (seed, view index).
 *
 * @module
 */
import type { PhiloxStream } from "../rng/philox.ts";

/**
 * One view of a row-major [height, width] image with pixels in [0, 1].
 *
 * @param image The image.
 * @param height Rows.
 * @param width Columns.
 * @param rng The seeded stream.
 * @param view The view's counter (each view draws from its own Philox row).
 */
export function seedWeakView(
  image: ArrayLike<number>,
  height: number,
  width: number,
  rng: PhiloxStream,
  view: number,
): Float64Array {
  const pad = 4;
  const dy = Math.floor(rng.uniform(view, 0, 0) * (2 * pad + 1)) - pad;
  const dx = Math.floor(rng.uniform(view, 0, 1) * (2 * pad + 1)) - pad;
  const shift = Math.floor(rng.uniform(view, 0, 2) * 5) - 2;
  const reflect = (k: number, n: number) => (k < 0 ? -k : k >= n ? 2 * (n - 1) - k : k);
  const out = new Float64Array(height * width);
  for (let i = 0; i < height; i++) {
    for (let j = 0; j < width; j++) {
      const jj = j - shift; // translation after the crop, zero fill
      let v = 0;
      if (jj >= 0 && jj < width) v = image[reflect(i + dy, height) * width + reflect(jj + dx, width)];
      out[i * width + j] = Math.min(1, Math.max(0, v + 0.05 * rng.normal(view, 1, i * width + j)));
    }
  }
  return out;
}
