/**
 * Mean intra-class and inter-class Euclidean distances of activations (the seed project's analysis):
 * over all unordered pairs of distinct samples with the same label (intra) and different labels
 * (inter), and their ratio inter / intra (> 1: classes are separated).
 *
 * @module
 */

/** Result of {@linkcode classDistances}. */
export interface ClassDistances {
  intra: number;
  inter: number;
  /** inter / intra (NaN when intra is 0 or there is no pair of either kind). */
  ratio: number;
}

/** The mean distances of row-major [rows, dims] features with one label per row. */
export function classDistances(
  features: ArrayLike<number>,
  labels: ArrayLike<number>,
  dims: number,
): ClassDistances {
  const rows = labels.length;
  if (features.length !== rows * dims) {
    throw new RangeError(`Cannot compute class distances: ${features.length} values for ${rows} x ${dims}`);
  }
  let intra = 0, inter = 0, nIntra = 0, nInter = 0;
  for (let a = 0; a < rows; a++) {
    for (let b = a + 1; b < rows; b++) {
      let s = 0;
      for (let j = 0; j < dims; j++) {
        const d = features[a * dims + j] - features[b * dims + j];
        s += d * d;
      }
      if (labels[a] === labels[b]) {
        intra += Math.sqrt(s);
        nIntra++;
      } else {
        inter += Math.sqrt(s);
        nInter++;
      }
    }
  }
  const mi = nIntra ? intra / nIntra : NaN, me = nInter ? inter / nInter : NaN;
  return { intra: mi, inter: me, ratio: mi > 0 ? me / mi : NaN };
}
