// seed_layer_update: the phases of one seed-LPL layer update (spec 3.6; float64 reference
// seedLayerUpdate in lib/reference/lpl_seed_layer.ts), a function library for kernels/lpl/seed_layer.wgsl
// (whose bindings weights, xs, ys and partial these functions use). One workgroup trains one model; each
// phase spreads its rows, column quads or elements over the workgroup, and the caller puts a barrier
// (layer_sync) between phases:
//   forward  y_t, y_t1 = 5 tanh(W x / 5)                      (invocation per row)
//   predict  yhat = P y_t                                     (invocation per row)
//   columns  u = y_c^T W and the partial |dW|^2 of its columns (invocation per column quad)
//   apply    |dW|^2 summed; W <- clamp(W + s dW, -5, 5), s = min(1, 1/|dW|); P likewise with the rank-1
//            dP = eta_p (y_t1 - yhat) y_t^T, |dP|^2 = eta_p^2 |y_t1 - yhat|^2 |y_t|^2; a non-finite norm skips.
// dW_ij = eta_h y_i x_t,j + eta_p (yhat_i - y_t1,i) x_t1,j - eta_s c (y_c,i u_j + 1e-6 W_ij), y_c = clamp(y_t,
// -10, 10), c = 5/|y_c| when |y_c| > 5 else 1.

// One layer of one model: where its arrays start.
struct Layer {
  w: u32, // vec4 index of W [m, n4] (row-major) in weights
  p: u32, // vec4 index of P [m, m / 4] in weights
  x: u32, // vec4 index of x_t [n4] in xs; x_t1 and u follow
  y: u32, // f32 index of y_t [m] in ys; y_t1 and yhat follow
  n4: u32, // inputs / 4
  m: u32, // outputs
}

fn layer_sync() {
  storageBarrier();
  workgroupBarrier();
}

fn is_finite(v: f32) -> bool {
  return abs(v) <= 3.40282347e38; // false for NaN and +-inf
}

fn y_quad(base: u32, k: u32) -> vec4<f32> {
  return vec4<f32>(ys[base + 4u * k], ys[base + 4u * k + 1u], ys[base + 4u * k + 2u], ys[base + 4u * k + 3u]);
}

fn layer_forward(l: Layer, lid: u32) {
  for (var i = lid; i < l.m; i += WORKGROUP_SIZE) {
    var a = vec2<f32>(0.0);
    let row = l.w + i * l.n4;
    for (var k = 0u; k < l.n4; k++) {
      let w = weights[row + k];
      a += vec2<f32>(dot(w, xs[l.x + k]), dot(w, xs[l.x + l.n4 + k]));
    }
    // tanh of a clamped argument: some drivers' tanh gives NaN for large |a| (exp overflow).
    let y = 5.0 * tanh(clamp(a / 5.0, vec2<f32>(-15.0), vec2<f32>(15.0)));
    ys[l.y + i] = y.x;
    ys[l.y + l.m + i] = y.y;
  }
}

fn layer_predict(l: Layer, lid: u32) {
  let m4 = l.m / 4u;
  for (var i = lid; i < l.m; i += WORKGROUP_SIZE) {
    var s = 0.0;
    for (var k = 0u; k < m4; k++) {
      s += dot(weights[l.p + i * m4 + k], y_quad(l.y, k));
    }
    ys[l.y + 2u * l.m + i] = s;
  }
}

// (|y_c|^2, |y_t1 - yhat|^2, |y_t|^2), which every invocation recomputes.
fn layer_norms(l: Layer) -> vec3<f32> {
  var s = vec3<f32>(0.0);
  for (var i = 0u; i < l.m; i++) {
    let yt = ys[l.y + i];
    let yc = clamp(yt, -10.0, 10.0);
    let e = ys[l.y + l.m + i] - ys[l.y + 2u * l.m + i];
    s += vec3<f32>(yc * yc, e * e, yt * yt);
  }
  return s;
}

// eta_s c, the stab term's factor.
fn stab_factor(stab: f32, yc2: f32) -> f32 {
  let n = sqrt(yc2);
  return stab * select(1.0, 5.0 / n, n > 5.0);
}

// dW of row i, column quad c.
fn layer_delta(l: Layer, s: Model, i: u32, c: u32, u: vec4<f32>, stab: f32) -> vec4<f32> {
  let yt = ys[l.y + i];
  let q = s.pred * (ys[l.y + 2u * l.m + i] - ys[l.y + l.m + i]);
  let w = weights[l.w + i * l.n4 + c];
  return s.hebb * yt * xs[l.x + c] + q * xs[l.x + l.n4 + c] - stab * (clamp(yt, -10.0, 10.0) * u + 1e-6 * w);
}

fn layer_columns(l: Layer, s: Model, lid: u32, stab: f32) {
  var acc = 0.0;
  for (var c = lid; c < l.n4; c += WORKGROUP_SIZE) {
    var u = vec4<f32>(0.0);
    for (var i = 0u; i < l.m; i++) {
      u += clamp(ys[l.y + i], -10.0, 10.0) * weights[l.w + i * l.n4 + c];
    }
    xs[l.x + 2u * l.n4 + c] = u;
    for (var i = 0u; i < l.m; i++) {
      let d = layer_delta(l, s, i, c, u, stab);
      acc += dot(d, d);
    }
  }
  partial[lid] = acc;
}

// Applies dW and dP; leaves this invocation's share of |W_new|^2 in partial_w; returns updates skipped.
fn layer_apply(l: Layer, s: Model, lid: u32, stab: f32, norms: vec3<f32>) -> u32 {
  var norm2 = 0.0;
  for (var t = 0u; t < WORKGROUP_SIZE; t++) {
    norm2 += partial[t];
  }
  let ok = is_finite(norm2);
  let scale = select(1.0, inverseSqrt(norm2), norm2 > 1.0);
  var w2 = 0.0;
  for (var c = lid; c < l.n4; c += WORKGROUP_SIZE) {
    let u = xs[l.x + 2u * l.n4 + c];
    for (var i = 0u; i < l.m; i++) {
      let e = l.w + i * l.n4 + c;
      var w = weights[e];
      if (ok) {
        w = clamp(w + scale * layer_delta(l, s, i, c, u, stab), vec4<f32>(-5.0), vec4<f32>(5.0));
        weights[e] = w;
      }
      w2 += dot(w, w);
    }
  }
  partial_w[lid] = w2;
  let dp2 = s.pred * s.pred * norms.y * norms.z;
  let p_ok = is_finite(dp2);
  if (s.pred != 0.0 && p_ok) {
    let sp = s.pred * select(1.0, inverseSqrt(dp2), dp2 > 1.0);
    let m4 = l.m / 4u;
    for (var e = lid; e < l.m * m4; e += WORKGROUP_SIZE) {
      let i = e / m4;
      let err = ys[l.y + l.m + i] - ys[l.y + 2u * l.m + i];
      let p = weights[l.p + e] + sp * err * y_quad(l.y, e % m4);
      weights[l.p + e] = clamp(p, vec4<f32>(-5.0), vec4<f32>(5.0));
    }
  }
  return select(0u, 1u, !ok) + select(0u, 1u, s.pred != 0.0 && !p_ok);
}
