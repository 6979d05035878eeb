// seed_layer_apply: the apply phase of one seed-LPL layer update (spec 3.6; float64 reference
// seedLayerUpdate in lib/reference/lpl_seed_layer.ts), a function library for kernels/lpl/seed_layer.wgsl
// that uses struct Layer, is_finite and y_quad of kernels/lpl/seed_layer_update.wgsl (listed before it) and
// the sums that library's phases left in rows, partial and partial_w:
//   apply    W <- clamp(W + s dW, -5, 5), s = min(1, 1/|dW|); P likewise with the rank-1 dP
// with h = eta_h y_t, q = eta_p (yhat - y_t1), y_c = clamp(y_t, -10, 10), S = eta_s c (c = 5/|y_c| when
// |y_c| > 5, else 1): dW = A - e W, A = h x_t^T + q x_t1^T - S y_c u^T (rank 3), e = 1e-6 S. Its norm needs no
// pass over W: |dW|^2 = sum_rr' (alpha_r.alpha_r')(beta_r.beta_r') - 2 e <A, W> + e^2 |W|^2 with
// alpha = (h, q, -S y_c), beta = (x_t, x_t1, u), <A, W> = h.a_t + q.a_t1 - S u.u (W^T y_c = u), and |W|^2
// kept from the last apply (partial_w). |dP|^2 = eta_p^2 |y_t1 - yhat|^2 |y_t|^2. A non-finite norm skips.

// The row sums the apply phase needs, which every invocation recomputes: (S, |y_t1 - yhat|^2 |y_t|^2)
// and the alpha Gram (h.h, h.q, h.y_c, q.q, q.y_c, y_c.y_c) with sum_i rows[i].w.
struct RowSums {
  gram0: vec4<f32>,
  gram1: vec4<f32>,
}

fn layer_row_sums(l: Layer) -> RowSums {
  var g0 = vec4<f32>(0.0);
  var g1 = vec4<f32>(0.0);
  var e2 = 0.0;
  var y2 = 0.0;
  for (var i = 0u; i < l.m; i++) {
    let r = rows[i];
    g0 += vec4<f32>(r.x * r.x, r.x * r.y, r.x * r.z, r.y * r.y);
    g1 += vec4<f32>(r.y * r.z, r.z * r.z, r.w, 0.0);
    let e = ys[l.y + l.m + i] - ys[l.y + 2u * l.m + i];
    let yt = ys[l.y + i];
    e2 += e * e;
    y2 += yt * yt;
  }
  g1.w = e2 * y2;
  return RowSums(g0, g1);
}

// |W|^2 before the update (read before the barrier that precedes apply, which overwrites partial_w).
fn layer_weight_sum(l: Layer) -> f32 {
  var w2 = 0.0;
  for (var t = 0u; t < WORKGROUP_SIZE; t++) {
    w2 += partial_w[t][l.index];
  }
  return w2;
}

// Applies dW and dP; leaves this invocation's share of |W_new|^2 in partial_w; returns updates skipped.
fn layer_apply(l: Layer, s: Model, lid: u32, r: RowSums, w2_old: f32) -> u32 {
  var x0 = vec4<f32>(0.0);
  var x1 = vec2<f32>(0.0);
  for (var t = 0u; t < WORKGROUP_SIZE; t++) {
    x0 += partial[t];
    x1 += partial[WORKGROUP_SIZE + t].xy;
  }
  let yc_norm = sqrt(r.gram1.y);
  let stab = s.stab * select(1.0, 5.0 / yc_norm, yc_norm > 5.0);
  let e = 1e-6 * stab;
  // sum_rr' (alpha_r.alpha_r')(beta_r.beta_r'), alpha_3 = -S y_c.
  let gram = r.gram0.x * x0.x + r.gram0.w * x0.w + stab * stab * r.gram1.y * x1.y +
    2.0 * (r.gram0.y * x0.y - stab * r.gram0.z * x0.z - stab * r.gram1.x * x1.x);
  let norm2 = gram - 2.0 * e * (r.gram1.z - stab * x1.y) + e * e * w2_old;
  let ok = is_finite(norm2);
  let scale = select(1.0, inverseSqrt(norm2), norm2 > 1.0);
  var w2 = 0.0;
  for (var c = lid; c < l.n4; c += WORKGROUP_SIZE) {
    let xt = xs[l.x + c];
    let xt1 = xs[l.x + l.n4 + c];
    let u = xs[l.x + 2u * l.n4 + c];
    for (var i = 0u; i < l.m; i++) {
      let at = l.w + i * l.n4 + c;
      let row = rows[i];
      var w = weights[at];
      if (ok) {
        let d = row.x * xt + row.y * xt1 - stab * (row.z * u + 1e-6 * w);
        w = clamp(w + scale * d, vec4<f32>(-5.0), vec4<f32>(5.0));
        weights[at] = w;
      }
      w2 += dot(w, w);
    }
  }
  partial_w[lid][l.index] = w2;
  let dp2 = s.pred * s.pred * r.gram1.w;
  let p_ok = is_finite(dp2);
  if (s.pred != 0.0 && p_ok) {
    let sp = s.pred * select(1.0, inverseSqrt(dp2), dp2 > 1.0);
    let m4 = l.m / 4u;
    for (var at = lid; at < l.m * m4; at += WORKGROUP_SIZE) {
      let i = at / m4;
      let err = ys[l.y + l.m + i] - ys[l.y + 2u * l.m + i];
      let p = weights[l.p + at] + sp * err * y_quad(l.y, at % m4);
      weights[l.p + at] = clamp(p, vec4<f32>(-5.0), vec4<f32>(5.0));
    }
  }
  return select(0u, 1u, !ok) + select(0u, 1u, s.pred != 0.0 && !p_ok);
}
