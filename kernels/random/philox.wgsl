// philox: Philox4x32-10 counter-based random numbers and their conversions (a function library, no
// entry point). Kernels that need random numbers list this file before their own (PHILOX_WGSL in
// kernels/random/random.ts). Every function matches lib/rng/philox.ts bit for bit, except Box-Muller, whose
// float32 transcendentals agree with the float64 reference within ~1e-6 (tests/random_test.ts).
//
// The rounds are written out, not looped: on the CPU adapter every loop iteration counts towards an
// invocation's ~65,535-iteration limit (DESIGN.md section 3), and fused kernels call this many times.

const PHILOX_M0: u32 = 0xD2511F53u; // Random123 PHILOX_M4x32_0
const PHILOX_M1: u32 = 0xCD9E8D57u; // Random123 PHILOX_M4x32_1
const PHILOX_W0: u32 = 0x9E3779B9u; // Weyl key increments, golden ratio
const PHILOX_W1: u32 = 0xBB67AE85u; // and sqrt(3) - 1
const PHILOX_UNIFORM_STEP: f32 = 5.9604644775390625e-8; // 2^-24
const PHILOX_PI: f32 = 3.14159265358979;

// Both words of the 64-bit product a b: (low, high), from 16-bit halves with the carries chained so
// every partial sum stays below 2^32 (WGSL has no 64-bit integers or mulhi): t = a_lo b_lo,
// u = a_hi b_lo + t_hi, v = a_lo b_hi + u_lo; then a b = (a_hi b_hi + u_hi + v_hi) 2^32 + v_lo 2^16 + t_lo.
fn philox_mul_wide(a: u32, b: u32) -> vec2<u32> {
  let a_lo = a & 0xFFFFu;
  let a_hi = a >> 16u;
  let b_lo = b & 0xFFFFu;
  let b_hi = b >> 16u;
  let t = a_lo * b_lo;
  let u = a_hi * b_lo + (t >> 16u);
  let v = a_lo * b_hi + (u & 0xFFFFu);
  return vec2<u32>((v << 16u) | (t & 0xFFFFu), a_hi * b_hi + (u >> 16u) + (v >> 16u));
}

// floor(a b / 2^32).
fn philox_mulhi(a: u32, b: u32) -> u32 {
  return philox_mul_wide(a, b).y;
}

// One Philox round (Random123's philox4x32round); the low words come with the high ones.
fn philox_round(x: vec4<u32>, key: vec2<u32>) -> vec4<u32> {
  let p1 = philox_mul_wide(PHILOX_M1, x.z);
  let p0 = philox_mul_wide(PHILOX_M0, x.x);
  return vec4<u32>(p1.y ^ x.y ^ key.x, p1.x, p0.y ^ x.w ^ key.y, p0.x);
}

fn philox_bump(key: vec2<u32>) -> vec2<u32> {
  return key + vec2<u32>(PHILOX_W0, PHILOX_W1);
}

// Philox4x32-10 of counter (ctr.x = Random123 ctr.v[0], ...) and key (key.x = key.v[0]).
fn philox4x32_10(ctr: vec4<u32>, key: vec2<u32>) -> vec4<u32> {
  var k = key;
  var x = philox_round(ctr, k);
  k = philox_bump(k);
  x = philox_round(x, k);
  k = philox_bump(k);
  x = philox_round(x, k);
  k = philox_bump(k);
  x = philox_round(x, k);
  k = philox_bump(k);
  x = philox_round(x, k);
  k = philox_bump(k);
  x = philox_round(x, k);
  k = philox_bump(k);
  x = philox_round(x, k);
  k = philox_bump(k);
  x = philox_round(x, k);
  k = philox_bump(k);
  x = philox_round(x, k);
  k = philox_bump(k);
  return philox_round(x, k);
}

// Uniform in [0, 1): (w >> 8) 2^-24, exact (24-bit integers convert exactly).
fn philox_uniform(w: u32) -> f32 {
  return f32(w >> 8u) * PHILOX_UNIFORM_STEP;
}

// Rademacher sign: +1 when the top bit is set, else -1.
fn philox_rademacher(w: u32) -> f32 {
  return select(-1.0, 1.0, (w >> 31u) == 1u);
}

// ln u for u in [2^-24, 1], branch-free (SIMD lanes on the CPU adapter run both sides of a branch) and
// accurate to a few ulp relative even near 1, where WGSL's log only bounds the absolute error (2^-21:
// that made |z| ~ 3e-4 normals 10% off). u = m 2^e with m in [sqrt(1/2), sqrt(2)), from the bits;
// ln m = 2 atanh s = 2 s sum_j s^2j / (2j + 1), s = (m - 1) / (m + 1), |s| <= 0.172: terms up to s^8
// leave 2e-9 relative. m - 1 is exact (Sterbenz), and e = 0 for u >= sqrt(1/2); ln 2 = LN2_HI + LN2_LO
// with LN2_HI's 16 bits making e LN2_HI exact.
const PHILOX_SQRT2: f32 = 1.41421356;
const PHILOX_LN2_HI: f32 = 0.693145751953125;
const PHILOX_LN2_LO: f32 = 1.42860676533018e-6;

fn philox_log_unit(u: f32) -> f32 {
  let bits = bitcast<u32>(u);
  let mantissa = bitcast<f32>((bits & 0x007FFFFFu) | 0x3F800000u); // in [1, 2)
  let high = mantissa >= PHILOX_SQRT2;
  let m = select(mantissa, 0.5 * mantissa, high);
  let e = f32(i32(bits >> 23u) - 127 + select(0, 1, high));
  let s = (m - 1.0) / (m + 1.0);
  let s2 = s * s;
  let series = 1.0 + s2 * (1.0 / 3.0 + s2 * (1.0 / 5.0 + s2 * (1.0 / 7.0 + s2 * (1.0 / 9.0))));
  return e * PHILOX_LN2_LO + 2.0 * s * series + e * PHILOX_LN2_HI;
}

// (cos 2 pi t, sin 2 pi t) for t in [0, 1) a multiple of 2^-24: t = q / 4 + r exactly, q = round(4 t),
// |r| <= 1 / 8, so x = 2 pi r is in [-pi / 4, pi / 4] with no range-reduction error, where Taylor
// polynomials to x^9 (sin) and x^10 (cos) are within 2e-9; the quarter turns q swap and negate them.
// One shared reduction instead of two builtins (cheaper on the CPU adapter, and branch-free).
fn philox_cos_sin_turns(t: f32) -> vec2<f32> {
  let q = round(4.0 * t);
  let x = 2.0 * PHILOX_PI * (t - 0.25 * q);
  let x2 = x * x;
  let sin_x = x * (1.0 + x2 * (-1.0 / 6.0 + x2 * (1.0 / 120.0 + x2 * (-1.0 / 5040.0 + x2 * (1.0 / 362880.0)))));
  let cos_x = 1.0 + x2 * (-0.5 + x2 * (1.0 / 24.0 + x2 * (-1.0 / 720.0 + x2 * (1.0 / 40320.0 + x2 * (-1.0 / 3628800.0)))));
  let quadrant = u32(q) & 3u;
  let swapped = select(vec2<f32>(cos_x, sin_x), vec2<f32>(-sin_x, cos_x), (quadrant & 1u) == 1u);
  return select(swapped, -swapped, quadrant >= 2u);
}

// Box-Muller: u1 = ((w_even >> 8) + 1) 2^-24 in (0, 1], u2 = (w_odd >> 8) 2^-24 in [0, 1),
// returns sqrt(-2 ln u1) (cos 2 pi u2, sin 2 pi u2).
fn philox_box_muller(w_even: u32, w_odd: u32) -> vec2<f32> {
  let u1 = f32((w_even >> 8u) + 1u) * PHILOX_UNIFORM_STEP;
  // u1 = 1 gives radius 0 without sqrt(0), which WGSL leaves to 1 / inverseSqrt(0).
  let radius_squared = -2.0 * philox_log_unit(u1);
  let radius = select(sqrt(radius_squared), 0.0, radius_squared <= 0.0);
  return radius * philox_cos_sin_turns(philox_uniform(w_odd));
}

// Four standard normals from one block: lanes (0, 1) and (2, 3) are Box-Muller pairs.
fn philox_normal4(w: vec4<u32>) -> vec4<f32> {
  return vec4<f32>(philox_box_muller(w.x, w.y), philox_box_muller(w.z, w.w));
}
