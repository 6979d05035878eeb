// activation_backward: gradInput[i] <- gradOutput[i] f'(x[i]), the backward pass of an elementwise
// activation y = f(x) given g = dL/dy at the pre-activation x. f = sum_s c_s basis_s (lib/activations.ts),
// f' evaluated by activation_apply(coefficients, x, 1) from kernels/elementwise/activation_functions.wgsl
// (prepended as a part).
//
// Bindings: 0 x (read), 1 grad_output (read), 2 grad_input (read_write), 3 params (uniform),
//           4 coefficients (uniform array<vec4<f32>, 3>, the 12 basis coefficients).
// Grid: one invocation per element, workgroups from grid1d(size, WORKGROUP_SIZE).
// Reference: activationBackwardReference (lib/reference/backend_ops.ts), float64.

struct Params {
  size: u32,
}

override WORKGROUP_SIZE: u32 = 64u;

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> grad_output: array<f32>;
@group(0) @binding(2) var<storage, read_write> grad_input: array<f32>;
@group(0) @binding(3) var<uniform> params: Params;
@group(0) @binding(4) var<uniform> coefficients: array<vec4<f32>, 3>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = gid.x + gid.y * groups.x * WORKGROUP_SIZE;
  if (i >= params.size) {
    return;
  }
  grad_input[i] = grad_output[i] * activation_apply(coefficients, x[i], 1u);
}
