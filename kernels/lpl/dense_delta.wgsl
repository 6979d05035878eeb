// lpl_dense_delta: dL/da of one view of a dense LPL layer, elementwise over [batch, units]
// (the closed-form rule of lib/reference/lpl_dense.ts; the caller then forms dL/dW = delta^T x):
//   g = pred_scale (z - z_other)
//     - hebb_scale (z - hebb_mean_i) / (hebb_var_i + epsilon)
//     + decorr_scale (p[b, i] / (batch - 1) - centred[b, i] var_i)      (sum_{k != i} Zc_k C_ik)
//   delta = g f'(a)
// where p = Zc (Zc^T Zc) (two matmuls on the host side), stats = [mean(units), var(units)] of this
// view and hebb_stats the same layout, either this view's or the stale estimates.
//
// Bindings: 0 z, 1 z_other, 2 centred, 3 p, 4 stats, 5 hebb_stats, 6 fprime (all read),
//           7 delta (read_write), 8 params (uniform).
// Grid: (ceil(batch units / WORKGROUP_SIZE)) in x, split into y by the host's grid1d.
// Reference: lplDenseOutputGradient (lib/reference/lpl_dense.ts) times f'(a), float64.

struct Params {
  batch: u32,
  units: u32,
  pred_scale: f32,
  hebb_scale: f32,
  decorr_scale: f32,
  inv_batch_minus_one: f32,
  epsilon: f32,
  pad: u32,
}

override WORKGROUP_SIZE: u32 = 64u;

@group(0) @binding(0) var<storage, read> z: array<f32>;
@group(0) @binding(1) var<storage, read> z_other: array<f32>;
@group(0) @binding(2) var<storage, read> centred: array<f32>;
@group(0) @binding(3) var<storage, read> p: array<f32>;
@group(0) @binding(4) var<storage, read> stats: array<f32>;
@group(0) @binding(5) var<storage, read> hebb_stats: array<f32>;
@group(0) @binding(6) var<storage, read> fprime: array<f32>;
@group(0) @binding(7) var<storage, read_write> delta: array<f32>;
@group(0) @binding(8) var<uniform> params: Params;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) groups: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let e = (wid.y * groups.x + wid.x) * WORKGROUP_SIZE + lid;
  let m = params.units;
  if (e >= params.batch * m) {
    return;
  }
  let i = e % m;
  let pred = params.pred_scale * (z[e] - z_other[e]);
  let hebb = params.hebb_scale * (z[e] - hebb_stats[i]) / (hebb_stats[m + i] + params.epsilon);
  let decorr = params.decorr_scale * (p[e] * params.inv_batch_minus_one - centred[e] * stats[m + i]);
  delta[e] = (pred - hebb + decorr) * fprime[e];
}
