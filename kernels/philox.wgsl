// philox: Philox4x32-10 counter-based random numbers and their conversions (a function library, no
// entry point). Kernels that need random numbers list this file before their own (PHILOX_WGSL in
// kernels/random.ts). Every function matches lib/rng/philox.ts bit for bit, except Box-Muller, whose
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

// floor(a b / 2^32) from 16-bit halves: every partial product stays below 2^32.
fn philox_mulhi(a: u32, b: u32) -> u32 {
  let a_lo = a & 0xFFFFu;
  let a_hi = a >> 16u;
  let b_lo = b & 0xFFFFu;
  let b_hi = b >> 16u;
  let lohi = a_lo * b_hi;
  let hilo = a_hi * b_lo;
  let middle = ((a_lo * b_lo) >> 16u) + (lohi & 0xFFFFu) + (hilo & 0xFFFFu);
  return a_hi * b_hi + (lohi >> 16u) + (hilo >> 16u) + (middle >> 16u);
}

// One Philox round (Random123's philox4x32round); u32 products wrap, giving the low word.
fn philox_round(x: vec4<u32>, key: vec2<u32>) -> vec4<u32> {
  return vec4<u32>(
    philox_mulhi(PHILOX_M1, x.z) ^ x.y ^ key.x,
    PHILOX_M1 * x.z,
    philox_mulhi(PHILOX_M0, x.x) ^ x.w ^ key.y,
    PHILOX_M0 * x.x,
  );
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

// ln u for u in (0, 1], accurate to a few ulp relative even near 1, where WGSL's log only bounds the
// absolute error (2^-21): that made |z| ~ 3e-4 normals 10% off. On [1/2, 1] it sums
// ln u = 2 atanh s = 2 s sum_j s^2j / (2j + 1), s = (u - 1) / (u + 1) in [-1/3, 0]; terms up to
// s^12 leave a relative error below 9^-7 / 15 = 1.4e-8. u - 1 is exact (Sterbenz).
fn philox_log_unit(u: f32) -> f32 {
  if (u < 0.5) {
    return log(u);
  }
  let s = (u - 1.0) / (u + 1.0);
  let s2 = s * s;
  var series = 1.0 / 11.0 + s2 / 13.0;
  series = 1.0 / 7.0 + s2 * (1.0 / 9.0 + s2 * series);
  series = 1.0 + s2 * (1.0 / 3.0 + s2 * (1.0 / 5.0 + s2 * series));
  return 2.0 * s * series;
}

// Box-Muller: u1 = ((w_even >> 8) + 1) 2^-24 in (0, 1], u2 = (w_odd >> 8) 2^-24 in [0, 1),
// returns sqrt(-2 ln u1) (cos 2 pi u2, sin 2 pi u2). The angle is taken as 2 pi (u2 - 1/2) in
// [-pi, pi), where WGSL bounds the error of cos and sin, and the sign flipped back:
// cos(t + pi) = -cos t. u2 - 1/2 is exact (both are multiples of 2^-24 below 1).
fn philox_box_muller(w_even: u32, w_odd: u32) -> vec2<f32> {
  let u1 = f32((w_even >> 8u) + 1u) * PHILOX_UNIFORM_STEP;
  let angle = 2.0 * PHILOX_PI * (philox_uniform(w_odd) - 0.5);
  // u1 = 1 gives radius 0 without sqrt(0), which WGSL leaves to 1 / inverseSqrt(0).
  let radius_squared = -2.0 * philox_log_unit(u1);
  let radius = select(sqrt(radius_squared), 0.0, radius_squared <= 0.0);
  return -radius * vec2<f32>(cos(angle), sin(angle));
}

// Four standard normals from one block: lanes (0, 1) and (2, 3) are Box-Muller pairs.
fn philox_normal4(w: vec4<u32>) -> vec4<f32> {
  return vec4<f32>(philox_box_muller(w.x, w.y), philox_box_muller(w.z, w.w));
}
