/**
 * Assertions with explicit tolerances (STYLE.md habit 5), over `node:assert`.
 *
 * Elementwise: |got - want| <= atol + rtol |want|. For dot products, matmuls and
 * reductions pass the per-element bound `atol + 8u sum_k |a_k b_k|` as `bounds`.
 * On failure the message names the worst index; on success the max difference is
 * returned so tests can print it.
 *
 * @module
 */
import assert from "node:assert/strict";

export { assert };

/** float32 unit roundoff, 2^-24. */
export const U32 = 2 ** -24;

/** Tolerance of an elementwise comparison. */
export interface Tolerance {
  /** Absolute tolerance. */
  atol?: number;
  /** Relative tolerance (times |want|). */
  rtol?: number;
  /** Per-element bounds that replace atol + rtol |want|. */
  bounds?: ArrayLike<number>;
}

/**
 * Asserts `got` matches `want` elementwise; NaN must match NaN, infinities must match exactly.
 *
 * @returns The largest absolute difference among finite elements.
 */
export function assertClose(
  got: ArrayLike<number>,
  want: ArrayLike<number>,
  tol: Tolerance,
  what = "values",
): number {
  assert.equal(got.length, want.length, `${what}: length ${got.length}, expected ${want.length}`);
  let worst = -1, worstExcess = 0, maxDiff = 0;
  for (let i = 0; i < want.length; i++) {
    const g = got[i], w = want[i];
    if (Number.isNaN(w) || Number.isNaN(g) || !Number.isFinite(w) || !Number.isFinite(g)) {
      if (!(Object.is(g, w) || (Number.isNaN(g) && Number.isNaN(w)) || g === w)) {
        throw new assert.AssertionError({ message: `${what}[${i}] = ${g}, expected ${w}` });
      }
      continue;
    }
    const diff = Math.abs(g - w);
    maxDiff = Math.max(maxDiff, diff);
    const bound = tol.bounds ? tol.bounds[i] : (tol.atol ?? 0) + (tol.rtol ?? 0) * Math.abs(w);
    if (diff > bound && diff - bound > worstExcess) {
      worst = i;
      worstExcess = diff - bound;
    }
  }
  if (worst >= 0) {
    const bound = tol.bounds ? tol.bounds[worst] : (tol.atol ?? 0) + (tol.rtol ?? 0) * Math.abs(want[worst]);
    throw new assert.AssertionError({
      message: `${what}[${worst}] = ${got[worst]}, expected ${want[worst]} (diff ${
        Math.abs(got[worst] - want[worst])
      } > bound ${bound}); max diff ${maxDiff}`,
    });
  }
  return maxDiff;
}

/** Asserts exact equality elementwise (zero tolerance), with -0 and 0 distinguished when `signedZero`. */
export function assertExact(
  got: ArrayLike<number>,
  want: ArrayLike<number>,
  what = "values",
  signedZero = false,
): void {
  assert.equal(got.length, want.length, `${what}: length ${got.length}, expected ${want.length}`);
  for (let i = 0; i < want.length; i++) {
    const ok = signedZero
      ? Object.is(got[i], want[i])
      : (got[i] === want[i] || (Number.isNaN(got[i]) && Number.isNaN(want[i])));
    if (!ok) {
      throw new assert.AssertionError({ message: `${what}[${i}] = ${got[i]}, expected exactly ${want[i]}` });
    }
  }
}

/** Rounds each value to float32 (what the GPU sees as input). */
export function toF32(values: ArrayLike<number>): Float64Array {
  return Float64Array.from(Float32Array.from(values as ArrayLike<number>));
}

/** A deterministic pseudo-random array in [lo, hi) (xorshift32, for test inputs only). */
export function testValues(n: number, seed = 1, lo = -1, hi = 1): Float64Array {
  let s = (seed * 2654435761) >>> 0 || 1;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    out[i] = lo + (hi - lo) * (s / 4294967296);
  }
  return toF32(out);
}
