// seed_layer_update: the phases of one seed-LPL layer update before its apply (spec 3.6; float64 reference
// seedLayerUpdate in lib/reference/lpl_seed_layer.ts), a function library for kernels/lpl/seed_layer.wgsl
// (whose bindings weights, xs, ys and workgroup arrays rows, partial, partial_w these functions use). One
// workgroup trains one model; each phase spreads rows or column quads over the workgroup, and the caller
// puts a barrier (layer_sync) between phases:
//   forward  a = W x, y = 5 tanh(a / 5) for x_t and x_t1               (invocation per 4 rows)
//   predict  yhat = P y_t; rows[i] = (h_i, q_i, y_c,i, h_i a_t,i + q_i a_t1,i) (invocation per row)
//   columns  u = y_c^T W and this invocation's share of x_t.x_t, x_t.x_t1, x_t.u, x_t1.x_t1, x_t1.u, u.u
// with h = eta_h y_t, q = eta_p (yhat - y_t1), y_c = clamp(y_t, -10, 10). The apply phase (W and P updated
// from these sums) is kernels/lpl/seed_layer_apply.wgsl, listed after this library.

// One layer of one model: where its arrays start.
struct Layer {
  w: u32, // vec4 index of W [m, n4] (row-major) in weights
  p: u32, // vec4 index of P [m, m / 4] in weights
  x: u32, // vec4 index of x_t [n4] in xs; x_t1 and u follow
  y: u32, // f32 index of y_t [m] in ys; y_t1, yhat, a_t, a_t1 follow
  n4: u32, // inputs / 4
  m: u32, // outputs
  index: u32, // 0 or 1 (its |W|^2 in partial_w)
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

// |W|^2 of this invocation's column quads into partial_w (once per dispatch).
fn layer_weight_norm(l: Layer, lid: u32) {
  var w2 = 0.0;
  for (var c = lid; c < l.n4; c += WORKGROUP_SIZE) {
    for (var i = 0u; i < l.m; i++) {
      let w = weights[l.w + i * l.n4 + c];
      w2 += dot(w, w);
    }
  }
  partial_w[lid][l.index] = w2;
}

// Invocation per quad of rows: each x load serves four rows (on the CPU adapter every load is a per-lane loop).
fn layer_forward(l: Layer, lid: u32) {
  for (var r = lid; r < l.m / 4u; r += WORKGROUP_SIZE) {
    var at = vec4<f32>(0.0);
    var at1 = vec4<f32>(0.0);
    let row = l.w + 4u * r * l.n4;
    for (var k = 0u; k < l.n4; k++) {
      let xt = xs[l.x + k];
      let xt1 = xs[l.x + l.n4 + k];
      let w = mat4x4<f32>(weights[row + k], weights[row + l.n4 + k], weights[row + 2u * l.n4 + k], weights[row + 3u * l.n4 + k]);
      at += xt * w;
      at1 += xt1 * w;
    }
    // tanh of a clamped argument: some drivers' tanh gives NaN for large |a| (exp overflow).
    let yt = 5.0 * tanh(clamp(at / 5.0, vec4<f32>(-15.0), vec4<f32>(15.0)));
    let yt1 = 5.0 * tanh(clamp(at1 / 5.0, vec4<f32>(-15.0), vec4<f32>(15.0)));
    for (var c = 0u; c < 4u; c++) {
      let i = 4u * r + c;
      ys[l.y + i] = yt[c];
      ys[l.y + l.m + i] = yt1[c];
      ys[l.y + 3u * l.m + i] = at[c];
      ys[l.y + 4u * l.m + i] = at1[c];
    }
  }
}

fn layer_predict(l: Layer, s: Model, lid: u32) {
  let m4 = l.m / 4u;
  for (var i = lid; i < l.m; i += WORKGROUP_SIZE) {
    var yhat = 0.0;
    for (var k = 0u; k < m4; k++) {
      yhat += dot(weights[l.p + i * m4 + k], y_quad(l.y, k));
    }
    ys[l.y + 2u * l.m + i] = yhat;
    let yt = ys[l.y + i];
    let h = s.hebb * yt;
    let q = s.pred * (yhat - ys[l.y + l.m + i]);
    rows[i] = vec4<f32>(h, q, clamp(yt, -10.0, 10.0), h * ys[l.y + 3u * l.m + i] + q * ys[l.y + 4u * l.m + i]);
  }
}

fn layer_columns(l: Layer, lid: u32) {
  var d0 = vec4<f32>(0.0);
  var d1 = vec2<f32>(0.0);
  for (var c = lid; c < l.n4; c += WORKGROUP_SIZE) {
    var u = vec4<f32>(0.0);
    for (var i = 0u; i < l.m; i++) {
      u += rows[i].z * weights[l.w + i * l.n4 + c];
    }
    xs[l.x + 2u * l.n4 + c] = u;
    let xt = xs[l.x + c];
    let xt1 = xs[l.x + l.n4 + c];
    d0 += vec4<f32>(dot(xt, xt), dot(xt, xt1), dot(xt, u), dot(xt1, xt1));
    d1 += vec2<f32>(dot(xt1, u), dot(u, u));
  }
  partial[lid] = vec4<f32>(d0);
  partial[WORKGROUP_SIZE + lid] = vec4<f32>(d1, 0.0, 0.0);
}
