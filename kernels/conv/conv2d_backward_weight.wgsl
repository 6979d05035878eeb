// conv2d_backward_weight: the weight and bias gradients of conv2d (kernels/conv/conv2d_forward.wgsl)
// given the input x and g = dL/dy, summed over the batch, written into a flat gradient vector:
//   dw[o, c, u, v] (+)= sum_{(n, i) in rows, j} g[n, o, i, j] x[n, c, i + u - PADDING, j + v - PADDING]
//   db[o]          (+)= sum_{(n, i) in rows, j} g[n, o, i, j]
// where "rows" is the range [r_begin, r_end) of flattened (sample, output row) pairs r = n H_out + i.
// One invocation per weight element, then (when has_bias) one per bias element, no barriers; each
// loops over the rows of this dispatch (1 + rows (W_out + 2) loop iterations). The host splits the
// rows into dispatches within the loop budget and later dispatches accumulate.
//
// Bindings: 0 x [N, C_in, H, W] (read), 1 g [N, C_out, H_out, W_out] (read),
//   2 grad (read_write; dw [C_out, C_in, K, K] from weight_offset, db [C_out] from bias_offset),
//   3 params (uniform).
// Grid: workgroups from grid1d(C_out C_in K K + (has_bias ? C_out : 0), WORKGROUP_SIZE).
// Reference: conv2dBackwardWeightReference in lib/reference/conv2d.ts, float64.

struct Params {
  in_channels: u32,
  out_channels: u32,
  height: u32,
  width: u32,
  out_height: u32,
  out_width: u32,
  r_begin: u32,
  r_end: u32,
  accumulate: u32,
  has_bias: u32,
  weight_offset: u32,
  bias_offset: u32,
}

override WORKGROUP_SIZE: u32 = 64u;
override KERNEL_SIZE: i32 = 3;
override PADDING: i32 = 0;

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> g: array<f32>;
@group(0) @binding(2) var<storage, read_write> grad: array<f32>;
@group(0) @binding(3) var<uniform> params: Params;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let index = gid.x + gid.y * groups.x * WORKGROUP_SIZE;
  let k = u32(KERNEL_SIZE);
  let weight_size = params.out_channels * params.in_channels * k * k;
  let is_bias = index >= weight_size;
  if (index >= weight_size + select(0u, params.out_channels, params.has_bias != 0u)) {
    return;
  }
  // A bias invocation reads x at (c, u, v) = (0, 0, 0) and ignores it (uniform loop shape).
  let wi = select(index, 0u, is_bias);
  let v = i32(wi % k);
  let u = i32((wi / k) % k);
  let c = (wi / (k * k)) % params.in_channels;
  let o = select(wi / (k * k * params.in_channels), index - weight_size, is_bias);
  let h = i32(params.height);
  let w = i32(params.width);
  let ho = params.out_height;
  let wo = params.out_width;

  var sum = 0.0;
  for (var r = params.r_begin; r < params.r_end; r++) {
    let n = r / ho;
    let i = i32(r % ho);
    let g_row = ((n * params.out_channels + o) * ho + u32(i)) * wo;
    let row = i + u - PADDING;
    let row_ok = row >= 0 && row < h;
    let x_row = (n * params.in_channels + c) * params.height * params.width + u32(max(row, 0) * w);
    for (var j = 0u; j < wo; j++) {
      let gj = g[g_row + j];
      if (is_bias) {
        sum += gj;
        continue;
      }
      let col = i32(j) + v - PADDING;
      if (row_ok && col >= 0 && col < w) {
        sum += gj * x[x_row + u32(col)];
      }
    }
  }
  let slot = select(params.weight_offset + index, params.bias_offset + o, is_bias);
  if (params.accumulate != 0u) {
    sum += grad[slot];
  }
  grad[slot] = sum;
}
