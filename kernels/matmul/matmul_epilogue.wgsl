// matmul_epilogue: the part every matmul kernel shares (a library, no entry point; listed after
// kernels/elementwise/activation_functions.wgsl and before kernels/matmul/matmul_<variant>.wgsl): the Params
// struct, the output-side bindings, and the store of one element of C.
//
// Element (i, p) of op(A) is a[a_base + i * a_row_stride + p * a_k_stride] and (p, j) of op(B) is
// b[b_base + p * b_k_stride + j * b_col_stride]: the host encodes transposes as strides. With
// `accumulate` the partial sum is added to C (K split into chunks below llvmpipe's per-invocation loop
// limit, DESIGN.md section 3); bias and activation are applied only by the last chunk.
//
// Bindings (0 a and 1 b are each kernel's own: f32 or vec4): 2 c (read_write), 3 bias (read, [n]; a
// dummy when unused), 4 params (uniform Params), 5 coefficients (uniform, activation library).

struct Params {
  m: u32,
  n: u32,
  k_begin: u32,
  k_end: u32,
  a_row_stride: u32,
  a_k_stride: u32,
  b_k_stride: u32,
  b_col_stride: u32,
  stride_a: u32,
  stride_b: u32,
  stride_c: u32,
  batch_base: u32,
  accumulate: u32,
  apply_bias: u32,
  apply_activation: u32,
}

@group(0) @binding(2) var<storage, read_write> c: array<f32>;
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<uniform> params: Params;
@group(0) @binding(5) var<uniform> coefficients: array<vec4<f32>, 3>;

// Stores C[index] (column col): the partial sum (+ earlier chunks) (+ bias) -> activation.
fn store_c(index: u32, col: u32, partial: f32) {
  var v = partial;
  if (params.accumulate != 0u) {
    v = c[index] + v;
  }
  if (params.apply_bias != 0u) {
    v = v + bias[col];
  }
  if (params.apply_activation != 0u) {
    v = activation_apply(coefficients, v, 0u);
  }
  c[index] = v;
}

// Stores four consecutive elements of row `row` from column col0, skipping those outside C.
fn store_c_row4(row: u32, col0: u32, c_base: u32, v: vec4<f32>) {
  if (row >= params.m) {
    return;
  }
  let index = c_base + row * params.n + col0;
  if (col0 < params.n) { store_c(index, col0, v.x); }
  if (col0 + 1u < params.n) { store_c(index + 1u, col0 + 1u, v.y); }
  if (col0 + 2u < params.n) { store_c(index + 2u, col0 + 2u, v.z); }
  if (col0 + 3u < params.n) { store_c(index + 3u, col0 + 3u, v.w); }
}
