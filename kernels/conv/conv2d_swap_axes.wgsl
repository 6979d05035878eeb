// conv2d_swap_axes: rows [sample_begin, sample_begin + rows) of an NCHW tensor [N, C, P] (P = H W)
// as a channel-major matrix [C, rows P], the left operand of the weight-gradient product
// dW = g^T patches of kernels/conv/conv2d_gemm.ts:
//   out[(c rows + r) P + p] = g[((sample_begin + r) C + c) P + p]
// One invocation per output element, no loops, no barriers, no divisions (the grid spans p, r, c).
//
// Bindings: 0 g [N, C, P] (read), 1 out [C, rows, P] (read_write), 2 params (uniform).
// Grid: (ceil(P / WORKGROUP_SIZE), rows, C); the host splits y and z past the device limit with
//   y_begin and z_begin.
// Reference: the index map above (tests compare the weight gradient it feeds with
// lib/reference/conv2d.ts).

struct Params {
  channels: u32,
  pixels: u32,
  sample_begin: u32,
  rows: u32,
  y_begin: u32,
  z_begin: u32,
}

override WORKGROUP_SIZE: u32 = 64u;

@group(0) @binding(0) var<storage, read> g: array<f32>;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@group(0) @binding(2) var<uniform> params: Params;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let p = gid.x;
  let r = gid.y + params.y_begin;
  let c = gid.z + params.z_begin;
  if (p >= params.pixels || r >= params.rows || c >= params.channels) {
    return;
  }
  let index = (c * params.rows + r) * params.pixels + p;
  out[index] = g[((params.sample_begin + r) * params.channels + c) * params.pixels + p];
}
