// conv2d_forward: a 2-D convolution (cross-correlation) of an NCHW batch, stride 1, zero padding:
//   y[n, o, i, j] = (accumulate ? y[n, o, i, j] : b[o]) + sum_{c in [c_begin, c_end), u, v}
//                   w[o, c, u, v] x[n, c, i + u - PADDING, j + v - PADDING]
// One invocation per output element, no barriers. Each invocation loops over the input channels
// of this dispatch (1 + channels (1 + (K + 1)^2) loop iterations); the host splits the channels into
// dispatches within the loop budget and later dispatches accumulate.
//
// Bindings: 0 x [N, C_in, H, W] (read), 1 weight (read; [C_out, C_in, K, K] from weight_offset),
//   2 bias (read; [C_out] from bias_offset, unused unless has_bias), 3 y [N, C_out, H_out, W_out]
//   (read_write), 4 params (uniform).
// Grid: one invocation per output element, workgroups from grid1d(N C_out H_out W_out, WORKGROUP_SIZE).
// Reference: conv2dForwardReference in lib/reference/conv2d.ts, float64.

struct Params {
  batch: u32,
  in_channels: u32,
  out_channels: u32,
  height: u32,
  width: u32,
  out_height: u32,
  out_width: u32,
  c_begin: u32,
  c_end: u32,
  accumulate: u32,
  has_bias: u32,
  weight_offset: u32,
  bias_offset: u32,
}

override WORKGROUP_SIZE: u32 = 64u;
override KERNEL_SIZE: i32 = 3;
override PADDING: i32 = 0;

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> weight: array<f32>;
@group(0) @binding(2) var<storage, read> bias: array<f32>;
@group(0) @binding(3) var<storage, read_write> y: array<f32>;
@group(0) @binding(4) var<uniform> params: Params;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let index = gid.x + gid.y * groups.x * WORKGROUP_SIZE;
  let plane = params.out_height * params.out_width;
  if (index >= params.batch * params.out_channels * plane) {
    return;
  }
  let j = i32(index % params.out_width);
  let i = i32((index / params.out_width) % params.out_height);
  let o = (index / plane) % params.out_channels;
  let n = index / (plane * params.out_channels);
  let h = i32(params.height);
  let w = i32(params.width);
  let k = u32(KERNEL_SIZE);

  var sum = 0.0;
  for (var c = params.c_begin; c < params.c_end; c++) {
    let x_plane = (n * params.in_channels + c) * params.height * params.width;
    let w_base = params.weight_offset + (o * params.in_channels + c) * k * k;
    for (var u = 0; u < KERNEL_SIZE; u++) {
      let row = i + u - PADDING;
      if (row < 0 || row >= h) {
        continue;
      }
      for (var v = 0; v < KERNEL_SIZE; v++) {
        let col = j + v - PADDING;
        if (col < 0 || col >= w) {
          continue;
        }
        sum += weight[w_base + u32(u * KERNEL_SIZE + v)] * x[x_plane + u32(row * w + col)];
      }
    }
  }
  if (params.accumulate != 0u) {
    sum += y[index];
  } else if (params.has_bias != 0u) {
    sum += bias[params.bias_offset + o];
  }
  y[index] = sum;
}
