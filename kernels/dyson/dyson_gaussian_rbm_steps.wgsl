// dyson_gaussian_rbm_steps: the two big steps of an epoch of kernels/dyson/dyson_gaussian_rbm.wgsl, the
// negative phase (run_chains) and the W update (update_weights). A library part listed before that kernel,
// no entry point: Setting, params, the bindings, the private W, mW, C, h and not_finite are declared there.
//
// run_chains: each of the seed's B persistent chains runs h ~ N(sigma^2 W v + eta, sigma^2), then k times
// {v ~ N(W^T h / mu^2, 1 / mu^2), h ~ ...} (the last h is not drawn), stores its v back, and adds v v^T to C
// (zeroed first); returns sum_b v (the caller scales by 1 / B). Normals: Philox key (setting.key0, stream),
// counter ((b 2k + draw) blocks_per_draw + block, t, m, 0). im = mask / mu per lane (0 on padded lanes).

// Normals of block `block` of a draw; zero when the block is past the draw's units.
fn normals(key: vec2<u32>, word0: u32, block: u32, epoch: u32, member: u32) -> vec4<f32> {
  if (block >= params.blocks_per_draw) {
    return vec4<f32>(0.0);
  }
  return philox_normal4(philox4x32_10(vec4<u32>(word0 + block, epoch, member, 0u), key));
}

fn run_chains(
  setting: Setting,
  member: u32,
  key: vec2<u32>,
  epoch: u32,
  eta0: vec4<f32>,
  eta1: vec4<f32>,
  eta2: vec4<f32>,
  im0: vec4<f32>,
  im1: vec4<f32>,
  im2: vec4<f32>,
) -> array<vec4<f32>, 3> {
  let nv = NV;
  let nh = NH;
  let k = GIBBS;
  for (var i = 0u; i < 36u; i++) {
    c[i] = vec4<f32>(0.0);
  }
  var vb0 = vec4<f32>(0.0);
  var vb1 = vec4<f32>(0.0);
  var vb2 = vec4<f32>(0.0);
  for (var b = 0u; b < setting.batch; b++) {
    let chain = setting.chain_offset + member * setting.batch + b;
    var v0 = chains[3u * chain];
    var v1 = chains[3u * chain + 1u];
    var v2 = chains[3u * chain + 2u];
    for (var g = 0u; g < k; g++) {
      let hword = (b * 2u * k + 2u * g) * params.blocks_per_draw;
      for (var r = 0u; r < nh; r++) {
        h[r] = params.sigma2 * (dot(w[3u * r], v0) + dot(w[3u * r + 1u], v1) + dot(w[3u * r + 2u], v2));
      }
      let h0 = vec4<f32>(h[0], h[1], h[2], h[3]) + eta0 + params.sigma * normals(key, hword, 0u, epoch, member);
      let h1 = vec4<f32>(h[4], h[5], h[6], h[7]) + eta1 + params.sigma * normals(key, hword, 1u, epoch, member);
      let h2 = vec4<f32>(h[8], h[9], h[10], h[11]) + eta2 + params.sigma * normals(key, hword, 2u, epoch, member);
      let hs = array<vec4<f32>, 3>(h0, h1, h2);
      var a0 = vec4<f32>(0.0);
      var a1 = vec4<f32>(0.0);
      var a2 = vec4<f32>(0.0);
      for (var r = 0u; r < nh; r++) {
        let hr = hs[r / 4u][r % 4u];
        a0 += hr * w[3u * r];
        a1 += hr * w[3u * r + 1u];
        a2 += hr * w[3u * r + 2u];
      }
      let vword = hword + params.blocks_per_draw;
      v0 = a0 * im0 * im0 + im0 * normals(key, vword, 0u, epoch, member);
      v1 = a1 * im1 * im1 + im1 * normals(key, vword, 1u, epoch, member);
      v2 = a2 * im2 * im2 + im2 * normals(key, vword, 2u, epoch, member);
    }
    chains[3u * chain] = v0;
    chains[3u * chain + 1u] = v1;
    chains[3u * chain + 2u] = v2;
    vb0 += v0;
    vb1 += v1;
    vb2 += v2;
    let vs = array<vec4<f32>, 3>(v0, v1, v2);
    for (var i = 0u; i < nv; i++) {
      let vi = vs[i / 4u][i % 4u];
      c[3u * i] += vi * v0;
      c[3u * i + 1u] += vi * v1;
      c[3u * i + 2u] += vi * v2;
    }
  }
  return array<vec4<f32>, 3>(vb0, vb1, vb2);
}

// update_weights: W's momentum step mW = beta mW + (1 - beta) (sigma^2 W (K^-1 - C / B) - eta vbar^T), then
// W += lr mW - lr l2 W, row by row; returns whether any W value is not finite. vb = vbar (already / B).
fn update_weights(
  setting: Setting,
  inv_b: f32,
  eta0: vec4<f32>,
  eta1: vec4<f32>,
  eta2: vec4<f32>,
  vb0: vec4<f32>,
  vb1: vec4<f32>,
  vb2: vec4<f32>,
) -> bool {
  let nv = NV;
  let nh = NH;
  let etas = array<vec4<f32>, 3>(eta0, eta1, eta2);
  let beta = setting.momentum;
  var bad = false;
  for (var r = 0u; r < nh; r++) {
    // (W (K^-1 - C))_r = sum_j W_rj (K^-1 - C)_j, rows of the symmetric matrix.
    let wr = array<vec4<f32>, 3>(w[3u * r], w[3u * r + 1u], w[3u * r + 2u]);
    var d0 = vec4<f32>(0.0);
    var d1 = vec4<f32>(0.0);
    var d2 = vec4<f32>(0.0);
    for (var j = 0u; j < nv; j++) {
      let wrj = wr[j / 4u][j % 4u];
      d0 += wrj * (kinv[3u * j] - inv_b * c[3u * j]);
      d1 += wrj * (kinv[3u * j + 1u] - inv_b * c[3u * j + 1u]);
      d2 += wrj * (kinv[3u * j + 2u] - inv_b * c[3u * j + 2u]);
    }
    let er = etas[r / 4u][r % 4u];
    mw[3u * r] = beta * mw[3u * r] + (1.0 - beta) * (params.sigma2 * d0 - er * vb0);
    mw[3u * r + 1u] = beta * mw[3u * r + 1u] + (1.0 - beta) * (params.sigma2 * d1 - er * vb1);
    mw[3u * r + 2u] = beta * mw[3u * r + 2u] + (1.0 - beta) * (params.sigma2 * d2 - er * vb2);
    w[3u * r] = wr[0] + setting.lr * mw[3u * r] - setting.lr * setting.l2 * wr[0];
    w[3u * r + 1u] = wr[1] + setting.lr * mw[3u * r + 1u] - setting.lr * setting.l2 * wr[1];
    w[3u * r + 2u] = wr[2] + setting.lr * mw[3u * r + 2u] - setting.lr * setting.l2 * wr[2];
    bad = bad || not_finite(w[3u * r]) || not_finite(w[3u * r + 1u]) || not_finite(w[3u * r + 2u]);
  }
  return bad;
}
