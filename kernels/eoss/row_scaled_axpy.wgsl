// eoss row-scaled axpy: y[r * cols + c] <- alpha * s[r] * x[r * cols + c] + y[r * cols + c], r < rows.
//
// With cols = 1 it is the elementwise y <- alpha s * x + y (a diagonal-covariance noise, a sum of
// squares); with cols = outputs it scales each sample's row (the per-sample loss weights of noisy GD).
// Bindings: 0 s (read, [rows]), 1 x (read, [rows * cols]), 2 y (read_write, [rows * cols]),
//           3 params (uniform).
// Grid: one invocation per element of y, grid1d(size, WORKGROUP_SIZE);
//       i = gid.x + gid.y * groups.x * WORKGROUP_SIZE.
// Reference: rowScaledAxpyReference (lib/eoss/noisy_gd_reference.ts), float64.

struct Params {
  size: u32,
  cols: u32,
  alpha: f32,
}

override WORKGROUP_SIZE: u32 = 64u;

@group(0) @binding(0) var<storage, read> s: array<f32>;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;
@group(0) @binding(3) var<uniform> params: Params;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = gid.x + gid.y * groups.x * WORKGROUP_SIZE;
  if (i >= params.size) {
    return;
  }
  y[i] = fma(params.alpha * s[i / params.cols], x[i], y[i]);
}
