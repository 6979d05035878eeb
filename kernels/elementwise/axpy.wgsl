// axpy: y[i] <- alpha * x[i] + y[i] for i < size.
//
// Bindings: 0 x (read), 1 y (read_write), 2 params (uniform).
// Grid: one invocation per element, workgroups from grid1d(size, WORKGROUP_SIZE);
//       linear index = gid.x + gid.y * num_workgroups.x * WORKGROUP_SIZE.
// Reference: ReferenceBackend.axpy (lib/backend/reference.ts), float64.

struct Params {
  size: u32,
  alpha: f32,
}

override WORKGROUP_SIZE: u32 = 64u;

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> y: array<f32>;
@group(0) @binding(2) var<uniform> params: Params;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = gid.x + gid.y * groups.x * WORKGROUP_SIZE;
  if (i >= params.size) {
    return;
  }
  y[i] = fma(params.alpha, x[i], y[i]);
}
