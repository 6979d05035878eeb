// batch_norm_reduce: per-channel sums of batch norm over the M = N H W elements of each channel
// (e = n area + q, element (n C + c) area + q), into slots a and b of `out`:
//   mode 0 (mean):      out[a + c] (+)= (1 / M) sum_e src
//   mode 1 (variance):  out[a + c] (+)= (1 / M) sum_e (src - mu)^2, mu = out[b + c] (the mean of mode 0)
//   mode 2 (gradients): out[a + c] (+)= sum_e g = dbeta, out[b + c] (+)= sum_e g xhat = dgamma,
//                       src = g, xhat = (x - mean) / sqrt(var + eps), mean and var from `stats`
// One invocation per channel loops over the elements [e_begin, e_end) of this dispatch
// (e_end - e_begin + 1 loop iterations); the host splits the elements into dispatches within the
// loop budget and later dispatches accumulate. No barriers.
//
// Bindings: 0 src [N, C, H, W] (read), 1 x [N, C, H, W] (read; mode 2), 2 stats (read; mode 2:
//   mean [C] at stats_offset, var [C] after it), 3 out (read_write).
// Grid: workgroups from grid1d(C, WORKGROUP_SIZE).
// Reference: statistics and batchNormBackwardReference in lib/reference/batch_norm.ts, float64.

struct Params {
  channels: u32,
  area: u32,
  count: u32,
  e_begin: u32,
  e_end: u32,
  accumulate: u32,
  mode: u32,
  eps: f32,
  stats_offset: u32,
  slot_a: u32,
  slot_b: u32,
}

override WORKGROUP_SIZE: u32 = 64u;

@group(0) @binding(0) var<storage, read> src: array<f32>;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> stats: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;
@group(0) @binding(4) var<uniform> params: Params;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let c = gid.x + gid.y * groups.x * WORKGROUP_SIZE;
  if (c >= params.channels) {
    return;
  }
  var center = 0.0;
  var inv_std = 0.0;
  if (params.mode == 1u) {
    center = out[params.slot_b + c];
  } else if (params.mode == 2u) {
    center = stats[params.stats_offset + c];
    inv_std = inverseSqrt(stats[params.stats_offset + params.channels + c] + params.eps);
  }
  var sum_a = 0.0;
  var sum_b = 0.0;
  for (var e = params.e_begin; e < params.e_end; e++) {
    let index = ((e / params.area) * params.channels + c) * params.area + e % params.area;
    let v = src[index];
    if (params.mode == 0u) {
      sum_a += v;
    } else if (params.mode == 1u) {
      sum_a += (v - center) * (v - center);
    } else {
      sum_a += v;
      sum_b += v * (x[index] - center) * inv_std;
    }
  }
  let scale = select(1.0 / f32(params.count), 1.0, params.mode == 2u);
  var a = scale * sum_a;
  var b = sum_b;
  if (params.accumulate != 0u) {
    a += out[params.slot_a + c];
    if (params.mode == 2u) {
      b += out[params.slot_b + c];
    }
  }
  out[params.slot_a + c] = a;
  if (params.mode == 2u) {
    out[params.slot_b + c] = b;
  }
}
