// fill: x[i] <- bits for i < size, where bits is the value's 32-bit pattern
// (a u32, or an f32 reinterpreted by the host), so one kernel fills both dtypes exactly.
//
// Bindings: 0 x (read_write, as u32 words), 1 params (uniform).
// Grid: one invocation per element, workgroups from grid1d(size, WORKGROUP_SIZE).
// Reference: ReferenceBackend.fill (lib/backend/reference.ts).

struct Params {
  size: u32,
  bits: u32,
}

override WORKGROUP_SIZE: u32 = 64u;

@group(0) @binding(0) var<storage, read_write> x: array<u32>;
@group(0) @binding(1) var<uniform> params: Params;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = gid.x + gid.y * groups.x * WORKGROUP_SIZE;
  if (i >= params.size) {
    return;
  }
  x[i] = params.bits;
}
