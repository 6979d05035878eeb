// optim norm partials: partials[j] = sum of gradient[i]^2 over i = j, j + partialCount, j + 2 partialCount, ...
//
// First stage of the global gradient norm (no barriers: each invocation owns one strided partial sum, so
// neighbouring invocations read neighbouring elements). The host picks partialCount so that no invocation
// loops more than the adapter's loop budget (kernels/optim/optim.ts). Second stage: norm_finish.wgsl.
// Bindings: 0 gradient (read), 1 partials (rw), 2 params (uniform).
// Grid: one invocation per partial, grid1d(partialCount, WORKGROUP_SIZE).
// Reference: gradientNormReference (lib/reference/optim.ts), float64.

struct Params {
  size: u32,
  partialCount: u32,
}

override WORKGROUP_SIZE: u32 = 64u;

@group(0) @binding(0) var<storage, read> gradient: array<f32>;
@group(0) @binding(1) var<storage, read_write> partials: array<f32>;
@group(0) @binding(2) var<uniform> params: Params;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) grid: vec3<u32>) {
  let j = gid.x + gid.y * grid.x * WORKGROUP_SIZE;
  if (j >= params.partialCount) {
    return;
  }
  var sum = 0.0;
  for (var i = j; i < params.size; i += params.partialCount) {
    let g = gradient[i];
    sum = fma(g, g, sum);
  }
  partials[j] = sum;
}
