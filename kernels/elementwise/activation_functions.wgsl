// activation_functions: a function library (no entry point) prepended as a part to
// kernels that apply an activation. activation_apply(c, x, order) evaluates
// sum_s c_s f_s^(order)(x) over the 12 basis slots of lib/activations.ts:
//   0..5 normalised Hermite He_k(x)/sqrt(k!), 6 relu, 7 tanh, 8 sigmoid, 9 silu.
// The first nonzero term initialises the sum (so relu(-0) = -0), like
// evaluateActivation. There are no loops: loop iterations count toward the CPU
// adapter's per-invocation limit (DESIGN.md section 3).
// The caller passes the coefficients (a uniform array<vec4<f32>, 3> it declares).
// Reference: evaluateActivation / basisFunction in lib/activations.ts (float64).

fn act_is_nan(x: f32) -> bool {
  return (bitcast<u32>(x) & 0x7fffffffu) > 0x7f800000u;
}

// Normalised probabilists' Hermite polynomial He_k(x)/sqrt(k!), k in 0..5; 0 for k < 0.
fn act_hermite(k: i32, x: f32) -> f32 {
  let x2 = x * x;
  switch k {
    case 0: { return 1.0; }
    case 1: { return x; }
    case 2: { return (x2 - 1.0) * 0.70710678118654752; }
    case 3: { return x * (x2 - 3.0) * 0.40824829046386302; }
    case 4: { return (x2 * (x2 - 6.0) + 3.0) * 0.20412414523193151; }
    case 5: { return x * (x2 * (x2 - 10.0) + 15.0) * 0.091287092917527685; }
    default: { return 0.0; }
  }
}

// tanh accurate in relative terms everywhere. The builtin is (e^2x - 1)/(e^2x + 1) on some
// drivers (llvmpipe: tanh(1e-8) = 3e-8); below |x| = 0.625 use the Cephes tanhf polynomial,
// above it 1 - 2/(e^2|x| + 1), which cannot cancel there; |x| is clamped so exp stays finite.
fn act_tanh(x: f32) -> f32 {
  if (act_is_nan(x)) { return x; }
  let a = min(abs(x), 20.0);
  if (a < 0.625) {
    let z = x * x;
    let p = (((-5.70498872745e-3 * z + 2.06390887954e-2) * z - 5.37397155531e-2) * z + 1.33314422036e-1) * z -
      3.33332819422e-1;
    return p * z * x + x;
  }
  let t = 1.0 - 2.0 / (exp(2.0 * a) + 1.0);
  return select(t, -t, x < 0.0);
}

fn act_sigmoid(x: f32) -> f32 {
  if (x >= 0.0) {
    return 1.0 / (1.0 + exp(-x));
  }
  let e = exp(x);
  return e / (1.0 + e);
}

// One basis function (or its derivative) at x.
fn act_basis(slot: u32, x: f32, order: u32) -> f32 {
  if (slot <= 5u) {
    let k = i32(slot);
    let kf = f32(slot);
    if (order == 0u) { return act_hermite(k, x); }
    if (order == 1u) { return sqrt(kf) * act_hermite(k - 1, x); }
    return sqrt(kf * (kf - 1.0)) * act_hermite(k - 2, x);
  }
  if (slot == 6u) {
    // NaN checked by bits: GL drivers may fold a NaN comparison into select(x, 0, x < 0) = 0.
    if (act_is_nan(x)) { return x; }
    if (order == 0u) { return select(x, 0.0, x < 0.0); }
    if (order == 1u) { return select(0.0, 1.0, x > 0.0); }
    return 0.0;
  }
  if (slot == 7u) {
    let t = act_tanh(x);
    if (order == 0u) { return t; }
    if (order == 1u) { return 1.0 - t * t; }
    return -2.0 * t * (1.0 - t * t);
  }
  let s = act_sigmoid(x);
  if (slot == 8u) {
    if (order == 0u) { return s; }
    if (order == 1u) { return s * (1.0 - s); }
    return s * (1.0 - s) * (1.0 - 2.0 * s);
  }
  if (slot == 9u) {
    if (order == 0u) { return x * s; }
    if (order == 1u) { return s + x * s * (1.0 - s); }
    return s * (1.0 - s) * (2.0 + x * (1.0 - 2.0 * s));
  }
  return 0.0;
}

fn act_term(c: f32, slot: u32, x: f32, order: u32, sum: ptr<function, f32>, any: ptr<function, bool>) {
  if (c != 0.0) {
    let term = c * act_basis(slot, x, order);
    *sum = select(term, *sum + term, *any);
    *any = true;
  }
}

// sum_s c_s f_s^(order)(x), skipping zero coefficients (0 when all are zero).
fn activation_apply(c: array<vec4<f32>, 3>, x: f32, order: u32) -> f32 {
  var sum = 0.0;
  var any = false;
  act_term(c[0].x, 0u, x, order, &sum, &any);
  act_term(c[0].y, 1u, x, order, &sum, &any);
  act_term(c[0].z, 2u, x, order, &sum, &any);
  act_term(c[0].w, 3u, x, order, &sum, &any);
  act_term(c[1].x, 4u, x, order, &sum, &any);
  act_term(c[1].y, 5u, x, order, &sum, &any);
  act_term(c[1].z, 6u, x, order, &sum, &any);
  act_term(c[1].w, 7u, x, order, &sum, &any);
  act_term(c[2].x, 8u, x, order, &sum, &any);
  act_term(c[2].y, 9u, x, order, &sum, &any);
  return sum;
}
