// pool_max_backward: the input gradient of the 2x2 max-pool (kernels/pool/pool_max_forward.wgsl):
//   dx[p, s, t] = g[p, s / 2, t / 2] if (s, t) is the first maximum of its window in row-major order,
//   else 0 (also for rows and columns the forward pass dropped).
// One invocation per input element recomputes its window's maximum (no index buffer, no loops), with
// kernels/pool/pool_max_window.wgsl (listed before this file).
//
// Bindings: 0 x [N, C, H, W] (read), 1 g [N, C, H / 2, W / 2] (read), 2 dx [N, C, H, W] (read_write),
//   3 params (uniform).
// Grid: workgroups from grid1d(N C H W, WORKGROUP_SIZE).
// Reference: maxPool2dBackwardReference in lib/reference/pool.ts, float64.

struct Params {
  planes: u32,
  height: u32,
  width: u32,
  out_height: u32,
  out_width: u32,
}

override WORKGROUP_SIZE: u32 = 64u;

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> g: array<f32>;
@group(0) @binding(2) var<storage, read_write> dx: array<f32>;
@group(0) @binding(3) var<uniform> params: Params;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let index = gid.x + gid.y * groups.x * WORKGROUP_SIZE;
  if (index >= params.planes * params.height * params.width) {
    return;
  }
  let t = index % params.width;
  let s = (index / params.width) % params.height;
  let p = index / (params.width * params.height);
  let i = s / 2u;
  let j = t / 2u;
  if (i >= params.out_height || j >= params.out_width) {
    dx[index] = 0.0;
    return;
  }
  // The window's four values in row-major order, and which of them this invocation is.
  let top = (p * params.height + 2u * i) * params.width + 2u * j;
  let bottom = top + params.width;
  let w = vec4<f32>(x[top], x[top + 1u], x[bottom], x[bottom + 1u]);
  let mine = (s % 2u) * 2u + t % 2u;
  let first = window_first_max(w);
  dx[index] = select(0.0, g[(p * params.out_height + i) * params.out_width + j], mine == first);
}
