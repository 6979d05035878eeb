// scale: x[i] <- alpha * x[i] for i < size.
//
// Bindings: 0 x (read_write), 1 params (uniform).
// Grid: one invocation per element, workgroups from grid1d(size, WORKGROUP_SIZE).
// Reference: ReferenceBackend.scale (lib/backend/reference.ts), float64.

struct Params {
  size: u32,
  alpha: f32,
}

override WORKGROUP_SIZE: u32 = 64u;

@group(0) @binding(0) var<storage, read_write> x: array<f32>;
@group(0) @binding(1) var<uniform> params: Params;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = gid.x + gid.y * groups.x * WORKGROUP_SIZE;
  if (i >= params.size) {
    return;
  }
  x[i] = params.alpha * x[i];
}
