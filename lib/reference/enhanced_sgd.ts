/**
 * Float64 reference of EnhancedSGD's kernels (kernels/enhanced_sgd/): the gradient statistics of one step
 * (per-tensor means, pooled unbiased variance, its EMA with the jump guard, the clip bound, the 100-bin
 * histogram over [min, max] with the normalised Shannon entropy and the original's density "entropy", the loss
 * accumulators) and the per-element update. Written for reading, not speed.
 *
 * @module
 */
import type { StatisticsSettings } from "../../kernels/enhanced_sgd/enhanced_sgd.ts";

/** Statistics of one step, by name (the same fields as the GPU's state buffer). */
export interface GradientStatistics {
  vbar: number;
  vbarPrev: number;
  variance: number;
  entropyRaw: number;
  entropyNorm: number;
  clip: number;
  gradMin: number;
  gradMax: number;
  gradMean: number;
  loss: number;
  accLoss: number;
  accVbar: number;
  accEntropyRaw: number;
  accEntropyNorm: number;
  accSteps: number;
}

/** The statistics before the first step (all zero). */
export function initialStatistics(): GradientStatistics {
  return {
    vbar: 0,
    vbarPrev: 0,
    variance: 0,
    entropyRaw: 0,
    entropyNorm: 0,
    clip: 0,
    gradMin: 0,
    gradMax: 0,
    gradMean: 0,
    loss: 0,
    accLoss: 0,
    accVbar: 0,
    accEntropyRaw: 0,
    accEntropyNorm: 0,
    accSteps: 0,
  };
}

/** "No clipping" bound, as the GPU writes it. */
export const NO_CLIP = 3.4e38;

/**
 * The histogram of `values` in `bins` bins over [min, max] as numpy.histogram counts them (max in the last
 * bin; min = max widens the range to [min - 0.5, max + 0.5]).
 *
 * @returns The counts and the bin width.
 */
export function histogramReference(
  values: ArrayLike<number>,
  bins: number,
): { counts: Float64Array; width: number } {
  let lo = Infinity, hi = -Infinity;
  for (let i = 0; i < values.length; i++) {
    lo = Math.min(lo, values[i]);
    hi = Math.max(hi, values[i]);
  }
  let width = (hi - lo) / bins;
  if (!(hi > lo)) {
    lo -= 0.5;
    width = 1 / bins;
  }
  const counts = new Float64Array(bins);
  for (let i = 0; i < values.length; i++) {
    counts[Math.min(Math.floor(Math.max((values[i] - lo) / width, 0)), bins - 1)]++;
  }
  return { counts, width };
}

/**
 * Both entropies of a histogram: `normalised = -sum p ln p / ln bins` with `p = count / n` (Shannon, in
 * [0, 1], the same at every gradient scale) and the original's `raw = -sum h ln h` with
 * `h = count / (n width) + 1e-12` (numpy's density, which depends on the scale through the width).
 */
export function histogramEntropies(
  counts: ArrayLike<number>,
  width: number,
): { raw: number; normalised: number } {
  let n = 0;
  for (let b = 0; b < counts.length; b++) n += counts[b];
  let shannon = 0, raw = 0;
  for (let b = 0; b < counts.length; b++) {
    const c = counts[b];
    if (c > 0) shannon -= (c / n) * Math.log(c / n);
    const h = c / (n * width) + 1e-12;
    raw -= h * Math.log(h);
  }
  return { raw, normalised: shannon / Math.log(counts.length) };
}

/** Settings of {@linkcode gradientStatisticsReference}: the kernel's statistics settings and the bin count. */
export interface StatisticsReferenceSettings extends StatisticsSettings {
  bins: number;
}

/**
 * One step's statistics from the raw gradient (finish.wgsl's formulas).
 *
 * @param gradient The flat raw gradient.
 * @param tensors Each parameter tensor's [begin, end).
 * @param previous The previous step's statistics.
 * @param loss This step's loss, or undefined (0 is recorded).
 * @param s Settings.
 * @returns The new statistics, the per-tensor means and the histogram counts.
 */
export function gradientStatisticsReference(
  gradient: ArrayLike<number>,
  tensors: readonly { begin: number; end: number }[],
  previous: GradientStatistics,
  loss: number | undefined,
  s: StatisticsReferenceSettings,
): { state: GradientStatistics; means: Float64Array; counts: Float64Array } {
  const n = gradient.length;
  const means = Float64Array.from(tensors, ({ begin, end }) => {
    let sum = 0;
    for (let i = begin; i < end; i++) sum += gradient[i];
    return sum / (end - begin);
  });
  let total = 0, lo = Infinity, hi = -Infinity;
  for (let i = 0; i < n; i++) {
    total += gradient[i];
    lo = Math.min(lo, gradient[i]);
    hi = Math.max(hi, gradient[i]);
  }
  const mean = total / n;
  let square = 0;
  for (let i = 0; i < n; i++) square += (gradient[i] - mean) ** 2;
  const variance = square / Math.max(n - 1, 1);
  const { counts, width } = histogramReference(gradient, s.bins);
  const { raw, normalised } = histogramEntropies(counts, width);
  const prev = previous.vbar;
  let vbar = prev + s.smoothing * (variance - prev);
  if (Math.abs(vbar - prev) > s.guard) vbar = vbar + s.guard * (prev - vbar);
  const clip = s.clipping && vbar > 0
    ? Math.min(Math.max(s.clipKappa * Math.sqrt(vbar * s.biasCorrection), s.clipMin), s.clipMax)
    : NO_CLIP;
  const l = loss ?? 0;
  const keep = s.reset ? 0 : 1;
  const state: GradientStatistics = {
    vbar,
    vbarPrev: prev,
    variance,
    entropyRaw: raw,
    entropyNorm: normalised,
    clip,
    gradMin: lo,
    gradMax: hi,
    gradMean: mean,
    loss: l,
    accLoss: keep * previous.accLoss + l,
    accVbar: keep * previous.accVbar + vbar,
    accEntropyRaw: keep * previous.accEntropyRaw + raw,
    accEntropyNorm: keep * previous.accEntropyNorm + normalised,
    accSteps: keep * previous.accSteps + 1,
  };
  return { state, means, counts };
}

/** Scalars of {@linkcode enhancedSgdUpdateReference} (update.wgsl's Params). */
export interface UpdateReferenceScalars {
  lr: number;
  momentum: number;
  centering: boolean;
  clip: number;
  /** Standard normals (scaled by `noiseScale`), or undefined for none. */
  noise?: ArrayLike<number>;
  noiseScale: number;
  /** 1 - lr weightDecay, or 1. */
  decay: number;
}

/**
 * The per-element update in place: g = clamp(grad - mean_tensor, -clip, clip) + noiseScale noise;
 * b = momentum b + g; p = p decay - lr b.
 */
export function enhancedSgdUpdateReference(
  params: Float64Array,
  gradient: ArrayLike<number>,
  velocity: Float64Array,
  means: ArrayLike<number>,
  tensors: readonly { begin: number; end: number }[],
  u: UpdateReferenceScalars,
): void {
  tensors.forEach(({ begin, end }, j) => {
    const center = u.centering ? means[j] : 0;
    for (let i = begin; i < end; i++) {
      let g = Math.min(Math.max(gradient[i] - center, -u.clip), u.clip);
      if (u.noise) g += u.noiseScale * u.noise[i];
      velocity[i] = u.momentum * velocity[i] + g;
      params[i] = params[i] * u.decay - u.lr * velocity[i];
    }
  });
}
