// conv2d_scatter_weight: the weight-gradient product dWp [C_out, k_padded] of kernels/conv/conv2d_gemm.ts
// (its column k_dim is the bias gradient when has_bias) written into a flat gradient vector:
//   grad[weight_offset + o k_dim + q] (+)= dWp[o k_padded + q]   for q < k_dim
//   grad[bias_offset + o]             (+)= dWp[o k_padded + k_dim]   (when has_bias)
// where k_dim = C_in K K and (+)= adds when accumulate is set. One invocation per written element
// (o, q) with q <= k_dim, no loops, no barriers.
//
// Bindings: 0 dwp (read), 1 grad (read_write), 2 params (uniform).
// Grid: workgroups from grid1d(C_out (k_dim + 1), WORKGROUP_SIZE).
// Reference: the index map above (tests compare the gradients with lib/reference/conv2d.ts).

struct Params {
  out_channels: u32,
  k_dim: u32,
  k_padded: u32,
  weight_offset: u32,
  bias_offset: u32,
  has_bias: u32,
  accumulate: u32,
}

override WORKGROUP_SIZE: u32 = 64u;

@group(0) @binding(0) var<storage, read> dwp: array<f32>;
@group(0) @binding(1) var<storage, read_write> grad: array<f32>;
@group(0) @binding(2) var<uniform> params: Params;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let index = gid.x + gid.y * groups.x * WORKGROUP_SIZE;
  let width = params.k_dim + 1u;
  if (index >= params.out_channels * width) {
    return;
  }
  let o = index / width;
  let q = index - o * width;
  if (q == params.k_dim && params.has_bias == 0u) {
    return;
  }
  let slot = select(params.weight_offset + o * params.k_dim + q, params.bias_offset + o, q == params.k_dim);
  var value = dwp[o * params.k_padded + q];
  if (params.accumulate != 0u) {
    value += grad[slot];
  }
  grad[slot] = value;
}
