// dyson_gaussian_rbm: many seeds of the Gaussian "scalar field" RBM trained by exact positive
// phase + PCD-k, many epochs per dispatch, one invocation per seed (barrier-free), sizes up to
// 12 x 12 held as three vec4 lanes per row (zero-padded).
//
// Per epoch t (global) of seed (setting s, member m), as lib/dyson/gaussian_rbm_reference.ts:
// each of the seed's B chains runs h ~ N(sigma^2 W v + eta, sigma^2), then k times
// {v ~ N(W^T h / mu^2, 1 / mu^2), h ~ ...} (the last h is not drawn); C = mean v v^T,
// vbar = mean v; dW = sigma^2 W (K^-1 - C) - eta vbar^T; momentum, l2, optional mu update; a
// non-finite W or mu marks the seed failed (failed[seed] = t + 1) and it is not updated again;
// snapshots of W and mu after epoch t when (t + 1) % save_interval == 0. Normals: Philox key
// (setting.key0, stream), counter ((b 2k + draw) blocks_per_draw + block, t, m, 0).
//
// Loop budget: per epoch B (1 + k (1 + 2 N_h) + N_v) + N_h N_v + 3 N_h + N_v + 4 iterations
// (gaussianRbmIterationsPerEpoch); the host checks completed[chunk, seed].
//
// Bindings: 0 settings [settings] (read), 1 kinv [36 vec4] (read), 2 state [seeds, 81 vec4]
//   (read_write: W 36, W momentum 36, mu 3, mu momentum 3, eta 3), 3 chains [chains, 3 vec4]
//   (read_write), 4 snapshots [seeds, slots, 39 vec4] (read_write), 5 failed [seeds] (read_write),
//   6 completed [chunks, seeds] (read_write), 7 params (uniform).
// Grid: grid1d(seeds, WORKGROUP_SIZE). Reference: gaussianRbmReference, float64.
// Listed after kernels/random/philox.wgsl and kernels/dyson/dyson_gaussian_rbm_steps.wgsl (run_chains, the
// negative phase, and update_weights, the W step).

struct Setting {
  lr: f32,
  l2: f32,
  momentum: f32,
  mu_mode: u32, // 0 frozen, 1 global, 2 local
  batch: u32,
  chain_offset: u32,
  key0: u32,
  pad: u32,
}

struct Params {
  seeds_per_setting: u32,
  seeds: u32,
  epochs: u32,
  epoch_offset: u32,
  blocks_per_draw: u32,
  save_interval: u32,
  slots: u32,
  chunk: u32,
  stream: u32,
  sigma: f32,
  sigma2: f32,
}

override WORKGROUP_SIZE: u32 = 64u;
// Sizes are override constants: with known trip counts the compiler unrolls the row loops and
// keeps W in registers (1.9x faster on llvmpipe than uniform sizes).
override NV: u32 = 10u; // visible units, <= 12
override NH: u32 = 10u; // hidden units, <= 12
override GIBBS: u32 = 3u; // Gibbs steps k
const STATE_STRIDE: u32 = 81u;
const SNAPSHOT_STRIDE: u32 = 39u;

@group(0) @binding(0) var<storage, read> settings: array<Setting>;
@group(0) @binding(1) var<storage, read> kinv: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read_write> state: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read_write> chains: array<vec4<f32>>;
@group(0) @binding(4) var<storage, read_write> snapshots: array<vec4<f32>>;
@group(0) @binding(5) var<storage, read_write> failed: array<u32>;
@group(0) @binding(6) var<storage, read_write> completed: array<u32>;
@group(0) @binding(7) var<uniform> params: Params;

var<private> w: array<vec4<f32>, 36>;
var<private> mw: array<vec4<f32>, 36>;
var<private> c: array<vec4<f32>, 36>;
var<private> h: array<f32, 12>;

fn lanes_below(n: u32, block: u32) -> vec4<f32> {
  let e = vec4<u32>(4u * block) + vec4<u32>(0u, 1u, 2u, 3u);
  return select(vec4<f32>(0.0), vec4<f32>(1.0), e < vec4<u32>(n));
}

fn not_finite(x: vec4<f32>) -> bool {
  let exponent = bitcast<vec4<u32>>(x) & vec4<u32>(0x7F800000u);
  return any(exponent == vec4<u32>(0x7F800000u));
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let seed = gid.x + gid.y * groups.x * WORKGROUP_SIZE;
  if (seed >= params.seeds) {
    return;
  }
  let setting = settings[seed / params.seeds_per_setting];
  let member = seed % params.seeds_per_setting;
  let key = vec2<u32>(setting.key0, params.stream);
  let base = seed * STATE_STRIDE;
  for (var i = 0u; i < 36u; i++) {
    w[i] = state[base + i];
    mw[i] = state[base + 36u + i];
  }
  var mu0 = state[base + 72u];
  var mu1 = state[base + 73u];
  var mu2 = state[base + 74u];
  var mmu0 = state[base + 75u];
  var mmu1 = state[base + 76u];
  var mmu2 = state[base + 77u];
  let eta0 = state[base + 78u];
  let eta1 = state[base + 79u];
  let eta2 = state[base + 80u];
  let mask0 = lanes_below(NV, 0u);
  let mask1 = lanes_below(NV, 1u);
  let mask2 = lanes_below(NV, 2u);
  let nv = NV;
  let nh = NH;
  let inv_b = 1.0 / f32(setting.batch);
  var status = failed[seed];
  var done = 0u;
  for (var t = 0u; t < params.epochs; t++) {
    let epoch = params.epoch_offset + t;
    done += 1u;
    if (status != 0u) {
      continue;
    }
    // inverse masses; padded lanes give 0, so padded visible units stay 0.
    let im0 = mask0 / mu0;
    let im1 = mask1 / mu1;
    let im2 = mask2 / mu2;
    let vb = run_chains(setting, member, key, epoch, eta0, eta1, eta2, im0, im1, im2);
    let beta = setting.momentum;
    var bad = update_weights(setting, inv_b, eta0, eta1, eta2, vb[0] * inv_b, vb[1] * inv_b, vb[2] * inv_b);
    if (setting.mu_mode != 0u) {
      var diag = array<vec4<f32>, 3>(vec4<f32>(0.0), vec4<f32>(0.0), vec4<f32>(0.0));
      for (var i = 0u; i < nv; i++) {
        diag[i / 4u][i % 4u] = kinv[3u * i + i / 4u][i % 4u] - inv_b * c[3u * i + i / 4u][i % 4u];
      }
      var dm0 = -mu0 * diag[0] * mask0;
      var dm1 = -mu1 * diag[1] * mask1;
      var dm2 = -mu2 * diag[2] * mask2;
      if (setting.mu_mode == 1u) {
        let mean = dot(dm0 + dm1 + dm2, vec4<f32>(1.0)) / f32(nv);
        dm0 = mean * mask0;
        dm1 = mean * mask1;
        dm2 = mean * mask2;
      }
      mmu0 = beta * mmu0 + (1.0 - beta) * dm0;
      mmu1 = beta * mmu1 + (1.0 - beta) * dm1;
      mmu2 = beta * mmu2 + (1.0 - beta) * dm2;
      mu0 += setting.lr * mmu0;
      mu1 += setting.lr * mmu1;
      mu2 += setting.lr * mmu2;
      bad = bad || not_finite(mu0) || not_finite(mu1) || not_finite(mu2);
    }
    if (bad) {
      status = epoch + 1u;
      continue;
    }
    if ((epoch + 1u) % params.save_interval == 0u) {
      let slot = (epoch + 1u) / params.save_interval;
      if (slot < params.slots) {
        let at = (seed * params.slots + slot) * SNAPSHOT_STRIDE;
        for (var i = 0u; i < 3u * nh; i++) {
          snapshots[at + i] = w[i];
        }
        snapshots[at + 36u] = mu0;
        snapshots[at + 37u] = mu1;
        snapshots[at + 38u] = mu2;
      }
    }
  }
  for (var i = 0u; i < 36u; i++) {
    state[base + i] = w[i];
    state[base + 36u + i] = mw[i];
  }
  state[base + 72u] = mu0;
  state[base + 73u] = mu1;
  state[base + 74u] = mu2;
  state[base + 75u] = mmu0;
  state[base + 76u] = mmu1;
  state[base + 77u] = mmu2;
  failed[seed] = status;
  completed[params.chunk * params.seeds + seed] = done;
}
