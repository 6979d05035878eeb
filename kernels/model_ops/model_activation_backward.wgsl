// model_activation_backward: the chain rule through an elementwise activation, and its
// R-operator (the directional derivative used by exact Hessian-vector products):
//   out[i] = u[i] act'(z[i])                              (second_order = 0)
//   out[i] = u[i] act'(z[i]) + w[i] act''(z[i]) s[i]      (second_order = 1)
// Backward: u = dL/da gives dL/dz. R-forward: u = R(z) gives R(a). R-backward: u = R(h), w = h,
// s = R(z) gives R(g) (see lib/models/mlp_reference.ts).
//
// Bindings: 0 z (read), 1 u (read), 2 w (read), 3 s (read) (w and s dummies unless second_order),
//           4 out (read_write), 5 params (uniform), 6 coefficients (uniform, activation library).
// Grid: one invocation per element, workgroups from grid1d(size, WORKGROUP_SIZE).
// Reference: mlpReference (lib/models/mlp_reference.ts), evaluateActivation (lib/activations.ts).

struct Params {
  size: u32,
  second_order: u32,
}

override WORKGROUP_SIZE: u32 = 64u;

@group(0) @binding(0) var<storage, read> z: array<f32>;
@group(0) @binding(1) var<storage, read> u: array<f32>;
@group(0) @binding(2) var<storage, read> w: array<f32>;
@group(0) @binding(3) var<storage, read> s: array<f32>;
@group(0) @binding(4) var<storage, read_write> out: array<f32>;
@group(0) @binding(5) var<uniform> params: Params;
@group(0) @binding(6) var<uniform> coefficients: array<vec4<f32>, 3>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = gid.x + gid.y * groups.x * WORKGROUP_SIZE;
  if (i >= params.size) {
    return;
  }
  var v = u[i] * activation_apply(coefficients, z[i], 1u);
  if (params.second_order != 0u) {
    v = fma(w[i] * activation_apply(coefficients, z[i], 2u), s[i], v);
  }
  out[i] = v;
}
