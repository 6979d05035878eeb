// conv2d_pack_weight: a conv2d weight [C_out, C_in, K, K] (from weight_offset, and its bias [C_out]
// from bias_offset) laid out as the left operand of the patch-matrix products of kernels/conv/conv2d_gemm.ts,
// each row zero-padded to k_padded (a multiple of 4, for matmul's vec4 path):
//   flipped 0 (forward), [C_out, k_padded]: out[o, q] = w[o, q] for q < C_in K K,
//     out[o, C_in K K] = has_bias ? b[o] : 0, 0 after;
//   flipped 1 (input gradient = the convolution of the padded output gradient with the flipped
//     kernel), [C_in, k_padded]: out[c, (o K + u) K + v] = w[o, c, K - 1 - u, K - 1 - v] for
//     q < C_out K K, 0 after.
// One invocation per output element, no loops, no barriers.
//
// Bindings: 0 weight (read), 1 bias (read; may be the weight's buffer, unused unless has_bias),
//   2 out (read_write), 3 params (uniform).
// Grid: workgroups from grid1d((flipped ? C_in : C_out) k_padded, WORKGROUP_SIZE).
// Reference: packWeightReference in lib/reference/conv2d_im2col.ts, exact (a copy).

struct Params {
  in_channels: u32,
  out_channels: u32,
  k_padded: u32,
  weight_offset: u32,
  bias_offset: u32,
  has_bias: u32,
  flipped: u32,
}

override WORKGROUP_SIZE: u32 = 64u;
override KERNEL_SIZE: u32 = 3u;

@group(0) @binding(0) var<storage, read> weight: array<f32>;
@group(0) @binding(1) var<storage, read> bias: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
@group(0) @binding(3) var<uniform> params: Params;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let index = gid.x + gid.y * groups.x * WORKGROUP_SIZE;
  let kk = KERNEL_SIZE * KERNEL_SIZE;
  let rows = select(params.out_channels, params.in_channels, params.flipped != 0u);
  if (index >= rows * params.k_padded) {
    return;
  }
  let row = index / params.k_padded;
  let q = index - row * params.k_padded;
  var value = 0.0;
  if (params.flipped == 0u) {
    let k_dim = params.in_channels * kk;
    if (q < k_dim) {
      value = weight[params.weight_offset + row * k_dim + q];
    } else if (q == k_dim && params.has_bias != 0u) {
      value = bias[params.bias_offset + row];
    }
  } else if (q < params.out_channels * kk) {
    let o = q / kk;
    let uv = q - o * kk;
    let u = uv / KERNEL_SIZE;
    let v = uv - u * KERNEL_SIZE;
    let flipped_uv = (KERNEL_SIZE - 1u - u) * KERNEL_SIZE + (KERNEL_SIZE - 1u - v);
    value = weight[params.weight_offset + (o * params.in_channels + row) * kk + flipped_uv];
  }
  out[index] = value;
}
