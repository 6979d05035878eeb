// pool_max_gather: the 2x2 max-pool's choice of maxima applied to another tensor (its R-operator):
//   y[p, i, j] = v[p, 2i + u, 2j + w] where (u, w) is the first maximum of x's window in row-major order
//   (the rule of kernels/pool/pool_max_backward.wgsl), p = n C + c; odd trailing rows/columns are dropped.
// One invocation per output element, no loops, no barriers; the choice is window_first_max of
// kernels/pool/pool_max_window.wgsl (listed before this file), the one the backward pass uses.
//
// Bindings: 0 x [N, C, H, W] (read), 1 v [N, C, H, W] (read), 2 y [N, C, H / 2, W / 2] (read_write),
//   3 params (uniform).
// Grid: workgroups from grid1d(N C floor(H / 2) floor(W / 2), WORKGROUP_SIZE).
// Reference: maxPool2dGatherReference in lib/reference/pool_gather.ts, float64.

struct Params {
  planes: u32,
  height: u32,
  width: u32,
  out_height: u32,
  out_width: u32,
}

override WORKGROUP_SIZE: u32 = 64u;

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> v: array<f32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;
@group(0) @binding(3) var<uniform> params: Params;

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
  // The window's element indices in row-major order, and the first maximum among their values.
  let at = vec4<u32>(top, top + 1u, bottom, bottom + 1u);
  y[index] = v[at[window_first_max(vec4<f32>(x[at.x], x[at.y], x[at.z], x[at.w]))]];
}
