// activation: out[i] <- f^(order)(x[i]), f = sum_s c_s basis_s (lib/activations.ts),
// evaluated by activation_apply from kernels/elementwise/activation_functions.wgsl (prepended as a part).
//
// Bindings: 0 x (read), 1 out (read_write), 2 params (uniform),
//           3 coefficients (uniform array<vec4<f32>, 3>, the 12 basis coefficients).
// Grid: one invocation per element, workgroups from grid1d(size, WORKGROUP_SIZE).
// Reference: evaluateActivation (lib/activations.ts), float64.

struct Params {
  size: u32,
  order: u32,
}

override WORKGROUP_SIZE: u32 = 64u;

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@group(0) @binding(2) var<uniform> params: Params;
@group(0) @binding(3) var<uniform> coefficients: array<vec4<f32>, 3>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = gid.x + gid.y * groups.x * WORKGROUP_SIZE;
  if (i >= params.size) {
    return;
  }
  out[i] = activation_apply(coefficients, x[i], params.order);
}
