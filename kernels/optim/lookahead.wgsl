// optim lookahead sync (Zhang et al. 2019): slow <- slow + alpha (fast - slow); fast <- slow.
//
// Bindings: 0 fast (rw: the model's parameters), 1 slow (rw: the slow weights), 2 params (uniform).
// Grid: one invocation per element, grid1d(size, WORKGROUP_SIZE); i = gid.x + gid.y * groups.x * WORKGROUP_SIZE.
// Reference: lookaheadSyncReference (lib/reference/optim.ts), float64.

struct Params {
  size: u32,
  alpha: f32,
}

override WORKGROUP_SIZE: u32 = 64u;

@group(0) @binding(0) var<storage, read_write> fast: array<f32>;
@group(0) @binding(1) var<storage, read_write> slow: array<f32>;
@group(0) @binding(2) var<uniform> params: Params;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) grid: vec3<u32>) {
  let i = gid.x + gid.y * grid.x * WORKGROUP_SIZE;
  if (i >= params.size) {
    return;
  }
  let s = fma(params.alpha, fast[i] - slow[i], slow[i]);
  slow[i] = s;
  fast[i] = s;
}
