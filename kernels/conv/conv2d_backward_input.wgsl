// conv2d_backward_input: the input gradient of conv2d (kernels/conv/conv2d_forward.wgsl) given g = dL/dy:
//   dx[n, c, s, t] = (accumulate ? dx[n, c, s, t] : 0) + sum_{o in [o_begin, o_end), u, v}
//                    g[n, o, s - u + PADDING, t - v + PADDING] w[o, c, u, v]   (g outside its range is 0)
// One invocation per input element, no barriers. Each invocation loops over the output channels
// of this dispatch (1 + channels (1 + (K + 1)^2) loop iterations); the host splits the channels into
// dispatches within the loop budget and later dispatches accumulate.
//
// Bindings: 0 g [N, C_out, H_out, W_out] (read), 1 weight (read; [C_out, C_in, K, K] from weight_offset),
//   2 dx [N, C_in, H, W] (read_write), 3 params (uniform).
// Grid: one invocation per input element, workgroups from grid1d(N C_in H W, WORKGROUP_SIZE).
// Reference: conv2dBackwardInputReference in lib/reference/conv2d.ts, float64.

struct Params {
  batch: u32,
  in_channels: u32,
  out_channels: u32,
  height: u32,
  width: u32,
  out_height: u32,
  out_width: u32,
  o_begin: u32,
  o_end: u32,
  accumulate: u32,
  weight_offset: u32,
}

override WORKGROUP_SIZE: u32 = 64u;
override KERNEL_SIZE: i32 = 3;
override PADDING: i32 = 0;

@group(0) @binding(0) var<storage, read> g: array<f32>;
@group(0) @binding(1) var<storage, read> weight: array<f32>;
@group(0) @binding(2) var<storage, read_write> dx: array<f32>;
@group(0) @binding(3) var<uniform> params: Params;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let index = gid.x + gid.y * groups.x * WORKGROUP_SIZE;
  let plane = params.height * params.width;
  if (index >= params.batch * params.in_channels * plane) {
    return;
  }
  let t = i32(index % params.width);
  let s = i32((index / params.width) % params.height);
  let c = (index / plane) % params.in_channels;
  let n = index / (plane * params.in_channels);
  let ho = i32(params.out_height);
  let wo = i32(params.out_width);
  let k = u32(KERNEL_SIZE);

  var sum = 0.0;
  for (var o = params.o_begin; o < params.o_end; o++) {
    let g_plane = (n * params.out_channels + o) * params.out_height * params.out_width;
    let w_base = params.weight_offset + (o * params.in_channels + c) * k * k;
    for (var u = 0; u < KERNEL_SIZE; u++) {
      let i = s - u + PADDING;
      if (i < 0 || i >= ho) {
        continue;
      }
      for (var v = 0; v < KERNEL_SIZE; v++) {
        let j = t - v + PADDING;
        if (j < 0 || j >= wo) {
          continue;
        }
        sum += g[g_plane + u32(i * wo + j)] * weight[w_base + u32(u * KERNEL_SIZE + v)];
      }
    }
  }
  if (params.accumulate != 0u) {
    sum += dx[index];
  }
  dx[index] = sum;
}
