// pool_avg_forward: global average pool of an NCHW batch, y[p] = (1 / (H W)) sum_q x[p, q], p = n C + c.
// One invocation per (sample, channel) sums the pixels [q_begin, q_end) of this dispatch
// (q_end - q_begin + 1 loop iterations); the host splits the pixels into dispatches within the loop
// budget and later dispatches accumulate. Each dispatch adds scale * its partial sum (scale = 1 / (H W)).
//
// Bindings: 0 x [N, C, H, W] (read), 1 y [N, C] (read_write), 2 params (uniform).
// Grid: workgroups from grid1d(N C, WORKGROUP_SIZE).
// Reference: globalAvgPoolForwardReference in lib/reference/pool.ts, float64.

struct Params {
  planes: u32,
  area: u32,
  q_begin: u32,
  q_end: u32,
  accumulate: u32,
  scale: f32,
}

override WORKGROUP_SIZE: u32 = 64u;

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> y: array<f32>;
@group(0) @binding(2) var<uniform> params: Params;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let p = gid.x + gid.y * groups.x * WORKGROUP_SIZE;
  if (p >= params.planes) {
    return;
  }
  let base = p * params.area;
  var sum = 0.0;
  for (var q = params.q_begin; q < params.q_end; q++) {
    sum += x[base + q];
  }
  var v = params.scale * sum;
  if (params.accumulate != 0u) {
    v += y[p];
  }
  y[p] = v;
}
