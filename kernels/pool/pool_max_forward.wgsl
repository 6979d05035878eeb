// pool_max_forward: 2x2 max-pool with stride 2 of an NCHW batch (odd trailing rows/columns dropped):
//   y[p, i, j] = max(x[p, 2i, 2j], x[p, 2i, 2j + 1], x[p, 2i + 1, 2j], x[p, 2i + 1, 2j + 1]), p = n C + c.
// One invocation per output element, no loops, no barriers.
//
// Bindings: 0 x [N, C, H, W] (read), 1 y [N, C, H / 2, W / 2] (read_write), 2 params (uniform).
// Grid: workgroups from grid1d(N C floor(H / 2) floor(W / 2), WORKGROUP_SIZE).
// Reference: maxPool2dForwardReference in lib/reference/pool.ts, float64.

struct Params {
  planes: u32,
  height: u32,
  width: u32,
  out_height: u32,
  out_width: u32,
}

override WORKGROUP_SIZE: u32 = 64u;

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> y: array<f32>;
@group(0) @binding(2) var<uniform> params: Params;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let index = gid.x + gid.y * groups.x * WORKGROUP_SIZE;
  if (index >= params.planes * params.out_height * params.out_width) {
    return;
  }
  let j = index % params.out_width;
  let i = (index / params.out_width) % params.out_height;
  let p = index / (params.out_width * params.out_height);
  let top = (p * params.height + 2u * i) * params.width + 2u * j;
  let bottom = top + params.width;
  y[index] = max(max(x[top], x[top + 1u]), max(x[bottom], x[bottom + 1u]));
}
