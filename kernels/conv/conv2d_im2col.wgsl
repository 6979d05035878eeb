// conv2d_im2col: unfolds rows [sample_begin, sample_begin + rows) of an NCHW batch into the patch
// matrix of a stride-1, zero-padded KERNEL_SIZE x KERNEL_SIZE convolution, so the convolution is a
// matrix product (kernels/conv/conv2d_gemm.ts). For sample r, patch index q = (c K + u) K + v < k_dim and
// output pixel p = i W_out + j:
//   patch(r, q, p) = x[sample_begin + r, c, i + u - padding, j + v - padding]   (0 outside the image)
//   patch(r, k_dim, p) = ones_row ? 1 : 0   (the bias row), patch(r, q, p) = 0 for q in (k_dim, k_padded)
// stored in one of two layouts:
//   row_layout 0 (columns): out[(r k_padded + q) P + p], one [k_padded, P] matrix per sample;
//   row_layout 1 (rows):    out[(r P + p) k_padded + q], one [rows P, k_padded] matrix for the chunk.
// One invocation per output element, no loops, no barriers. The grid spans (contiguous index,
// other index, r) so that the only division by a runtime size, p / W_out, is done in f32 with the
// host's reciprocal (exact for p < 2^21, checked by the host); divisions by K are by a constant.
//
// Bindings: 0 x [N, C, H, W] (read), 1 out (read_write, rows k_padded P floats), 2 params (uniform).
// Grid: columns (ceil(P / WORKGROUP_SIZE), k_padded, rows), rows (ceil(k_padded / WORKGROUP_SIZE),
//   P, rows); the host splits y and z past the device limit with y_begin and z_begin.
// Reference: im2colReference in lib/reference/conv2d_im2col.ts, exact (a copy).

struct Params {
  channels: u32,
  height: u32,
  width: u32,
  out_height: u32,
  out_width: u32,
  inv_out_width: f32,
  padding: u32,
  sample_begin: u32,
  rows: u32,
  k_dim: u32,
  k_padded: u32,
  ones_row: u32,
  row_layout: u32,
  y_begin: u32,
  z_begin: u32,
}

override WORKGROUP_SIZE: u32 = 64u;
override KERNEL_SIZE: u32 = 3u;

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@group(0) @binding(2) var<uniform> params: Params;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let pixels = params.out_height * params.out_width;
  let r = gid.z + params.z_begin;
  let y = gid.y + params.y_begin;
  let columns = params.row_layout == 0u;
  let p = select(y, gid.x, columns);
  let q = select(gid.x, y, columns);
  if (r >= params.rows || p >= pixels || q >= params.k_padded) {
    return;
  }
  var value = 0.0;
  if (q < params.k_dim) {
    let c = q / (KERNEL_SIZE * KERNEL_SIZE);
    let uv = q - c * KERNEL_SIZE * KERNEL_SIZE;
    let u = uv / KERNEL_SIZE;
    let v = uv - u * KERNEL_SIZE;
    // p / W_out: (p + 1/2) / W_out is at least 1 / (2 W_out) away from an integer, far more than
    // the f32 error for p < 2^21.
    let i = u32((f32(p) + 0.5) * params.inv_out_width);
    let j = p - i * params.out_width;
    // Unsigned wrap-around makes the padded positions (row or col < padding) fail the bounds test.
    let row = i + u - params.padding;
    let col = j + v - params.padding;
    if (row < params.height && col < params.width) {
      let plane = ((params.sample_begin + r) * params.channels + c) * params.height;
      value = x[(plane + row) * params.width + col];
    }
  } else if (q == params.k_dim && params.ones_row != 0u) {
    value = 1.0;
  }
  let index = select((r * pixels + p) * params.k_padded + q, (r * params.k_padded + q) * pixels + p, columns);
  out[index] = value;
}
