// batch_norm_apply: the elementwise part of batch norm, per element of channel c:
//   mode 0 (forward):        y  = gamma (x - mean) / sqrt(var + eps) + beta
//   mode 1 (backward train): dx = gamma / sqrt(var + eps) (g - dbeta / M - xhat dgamma / M)
//   mode 2 (backward eval):  dx = gamma / sqrt(var + eps) g
// with mean, var from `stats` (the batch's in train mode, the running ones in eval mode) and dbeta,
// dgamma the sums of kernels/batch_norm/batch_norm_reduce.wgsl (mode 2). One invocation per element, no
// loops.
//
// Bindings: 0 src (read; x in mode 0, g otherwise), 1 x (read), 2 stats (read; mean [C] at
//   stats_offset, var [C] after it), 3 affine (read; gamma [C] at gamma_offset, beta [C] at beta_offset),
//   4 sums (read; dbeta [C] at dbeta_offset, dgamma [C] at dgamma_offset; mode 1), 5 out (read_write).
// Grid: workgroups from grid1d(N C H W, WORKGROUP_SIZE).
// Reference: batchNormForwardReference, batchNormBackwardReference in lib/reference/batch_norm.ts.

struct Params {
  size: u32,
  channels: u32,
  area: u32,
  count: u32,
  mode: u32,
  eps: f32,
  stats_offset: u32,
  gamma_offset: u32,
  beta_offset: u32,
  dbeta_offset: u32,
  dgamma_offset: u32,
}

override WORKGROUP_SIZE: u32 = 64u;

@group(0) @binding(0) var<storage, read> src: array<f32>;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> stats: array<f32>;
@group(0) @binding(3) var<storage, read> affine: array<f32>;
@group(0) @binding(4) var<storage, read> sums: array<f32>;
@group(0) @binding(5) var<storage, read_write> out: array<f32>;
@group(0) @binding(6) var<uniform> params: Params;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let index = gid.x + gid.y * groups.x * WORKGROUP_SIZE;
  if (index >= params.size) {
    return;
  }
  let c = (index / params.area) % params.channels;
  let mean = stats[params.stats_offset + c];
  let inv_std = inverseSqrt(stats[params.stats_offset + params.channels + c] + params.eps);
  let gamma = affine[params.gamma_offset + c];
  if (params.mode == 0u) {
    out[index] = gamma * (src[index] - mean) * inv_std + affine[params.beta_offset + c];
    return;
  }
  let g = src[index];
  if (params.mode == 2u) {
    out[index] = gamma * inv_std * g;
    return;
  }
  let m = f32(params.count);
  let xhat = (x[index] - mean) * inv_std;
  let dbeta = sums[params.dbeta_offset + c];
  let dgamma = sums[params.dgamma_offset + c];
  out[index] = gamma * inv_std * (g - dbeta / m - xhat * dgamma / m);
}
