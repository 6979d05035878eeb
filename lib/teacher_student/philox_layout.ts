/**
 * Where every random number of the teacher-student line comes from in the Philox stream.
 *
 * All draws use Philox4x32-10 (lib/rng/philox.ts, kernels/random/philox.wgsl) with key
 * `(seed, stream)`; the stream id says what the numbers are for, the counter says which.
 * GPU kernels and the float64 references read the same words, so a run reproduces on both
 * backends (normals agree to float32 transcendental accuracy, every discrete choice bit for bit).
 *
 * | stream | counter (c0, c1, c2, c3) | words / lanes | used for |
 * |---|---|---|---|
 * | {@linkcode FRESH_STREAM} | (floor(e / 4), index, walker, 0) | normal lane e % 4 | z_e of fresh sample `index` of `walker` |
 * | same | (0, index, walker, 1) | q0, q1, q2, q3 | q0: class (label +1 when `(q0 >> 8) < ceil(p_spike 2^24)`), q1: latent g, (q2, q3): Box-Muller noise eps (first output) |
 * | {@linkcode DATASET_STREAM} | as the fresh stream, index = position in the walker's fixed dataset | | repeat mode's dataset (regenerated on the fly, never stored) |
 * | {@linkcode CONTROL_STREAM} | (0, step, walker, 0) | c0, c1 | c0: repeat when `(c0 >> 8) < ceil(p_repeat 2^24)`; c1: dataset position `mulhi(c1, n)` |
 * | {@linkcode TEACHER_STREAM} | normal elements of row 0 | | teacher / spike direction u (normalised, rounded to float32) |
 * | {@linkcode STUDENT_STREAM} | normal elements of row `walker` (`step` 0: direction, 1: fixed-mode complement) | | initial student weights |
 *
 * Fresh sample `index` is the step in online mode, floor(step / 2) in "twice" mode. With the
 * shared-sample option (the original's latest commit, kept only as an explicit option) every
 * walker reads the fresh words of walker 0. `walker` is always the global walker index, so a
 * walker's trajectory does not depend on which walkers run beside it.
 *
 * @module
 */
import { mulhi32, normalPairFromU32, philox4x32_10, twoPointThreshold } from "../rng/philox.ts";

/** Stream of fresh samples. */
export const FRESH_STREAM = 0x7501;
/** Stream of the per-walker fixed datasets of repeat mode. */
export const DATASET_STREAM = 0x7502;
/** Stream of the per-step repeat decisions and dataset positions. */
export const CONTROL_STREAM = 0x7503;
/** Stream of the teacher / spike direction. */
export const TEACHER_STREAM = 0x7504;
/** Stream of the initial student weights. */
export const STUDENT_STREAM = 0x7505;

/** The standard normals z of one sample (stream, index, walker), float64 Box-Muller. */
export function sampleNormals(
  d: number,
  seed: number,
  stream: number,
  index: number,
  walker: number,
  out: Float64Array = new Float64Array(d),
): Float64Array {
  for (let block = 0; 4 * block < d; block++) {
    const w = philox4x32_10(seed, stream, block, index, walker, 0);
    const [z0, z1] = normalPairFromU32(w[0], w[1]);
    const [z2, z3] = normalPairFromU32(w[2], w[3]);
    const e = 4 * block;
    out[e] = z0;
    if (e + 1 < d) out[e + 1] = z1;
    if (e + 2 < d) out[e + 2] = z2;
    if (e + 3 < d) out[e + 3] = z3;
  }
  return out;
}

/** The four scalar words of one sample: class, latent, and the noise pair. */
export function sampleWords(
  seed: number,
  stream: number,
  index: number,
  walker: number,
): [number, number, number, number] {
  return philox4x32_10(seed, stream, 0, index, walker, 1);
}

/** True with probability `p` from word `w`, exactly as the kernels test it. */
export function bernoulliFromU32(w: number, p: number): boolean {
  return (w >>> 8) < twoPointThreshold(p);
}

/** The output noise eps ~ N(0, 1) of a sample from its words (q2, q3). */
export function noiseFromWords(q: readonly number[]): number {
  return normalPairFromU32(q[2], q[3])[0];
}

/** The repeat decision and dataset position of one step of one walker. */
export function controlDraw(
  seed: number,
  step: number,
  walker: number,
  pRepeat: number,
  datasetSize: number,
): { repeat: boolean; position: number } {
  const c = philox4x32_10(seed, CONTROL_STREAM, 0, step, walker, 0);
  return { repeat: bernoulliFromU32(c[0], pRepeat), position: mulhi32(c[1], datasetSize) };
}
