// pool_avg_backward: the input gradient of the global average pool (kernels/pool/pool_avg_forward.wgsl):
//   dx[p, q] = scale g[p], scale = 1 / (H W), p = n C + c.
// One invocation per input element, no loops, no barriers.
//
// Bindings: 0 g [N, C] (read), 1 dx [N, C, H, W] (read_write), 2 params (uniform).
// Grid: workgroups from grid1d(N C H W, WORKGROUP_SIZE).
// Reference: globalAvgPoolBackwardReference in lib/reference/pool.ts, float64.

struct Params {
  planes: u32,
  area: u32,
  scale: f32,
}

override WORKGROUP_SIZE: u32 = 64u;

@group(0) @binding(0) var<storage, read> g: array<f32>;
@group(0) @binding(1) var<storage, read_write> dx: array<f32>;
@group(0) @binding(2) var<uniform> params: Params;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let index = gid.x + gid.y * groups.x * WORKGROUP_SIZE;
  if (index >= params.planes * params.area) {
    return;
  }
  dx[index] = params.scale * g[index / params.area];
}
