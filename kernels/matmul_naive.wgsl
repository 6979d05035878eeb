// matmul_naive: C[b] = act(op(A[b]) op(B[b]) + bias), one invocation per element of C.
// The fallback and the benchmark baseline: a plain dot product over the K range
// [k_begin, k_end) of this dispatch, no blocking, no shared memory.
//
// Element (i, p) of op(A) is a[a_base + i * a_row_stride + p * a_k_stride] and (p, j) of
// op(B) is b[b_base + p * b_k_stride + j * b_col_stride]: the host encodes transposes as
// strides. With `accumulate` the partial sum is added to C (K split into chunks below
// llvmpipe's per-invocation loop limit, DESIGN.md section 3); bias and activation are
// applied only by the last chunk.
//
// Bindings: 0 a (read), 1 b (read), 2 c (read_write), 3 bias (read, [n]; a dummy when unused),
//           4 params (uniform Params), 5 coefficients (uniform, activation library).
// Grid: (ceil(n / WORKGROUP_X), ceil(m / WORKGROUP_Y), batches of this dispatch).
// Loop trips per invocation: k_end - k_begin.
// Reference: matmulReference (lib/reference/matmul.ts), float64.

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

override WORKGROUP_X: u32 = 16u;
override WORKGROUP_Y: u32 = 4u;

@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read> b: array<f32>;
@group(0) @binding(2) var<storage, read_write> c: array<f32>;
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<uniform> params: Params;
@group(0) @binding(5) var<uniform> coefficients: array<vec4<f32>, 3>;

@compute @workgroup_size(WORKGROUP_X, WORKGROUP_Y)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  let row = gid.y;
  let col = gid.x;
  if (row >= params.m || col >= params.n) {
    return;
  }
  let batch = wid.z + params.batch_base;
  let a_row = batch * params.stride_a + row * params.a_row_stride;
  let b_col = batch * params.stride_b + col * params.b_col_stride;
  var sum = 0.0;
  for (var p = params.k_begin; p < params.k_end; p++) {
    sum = fma(a[a_row + p * params.a_k_stride], b[b_col + p * params.b_k_stride], sum);
  }
  let index = batch * params.stride_c + row * params.n + col;
  if (params.accumulate != 0u) {
    sum = c[index] + sum;
  }
  if (params.apply_bias != 0u) {
    sum = sum + bias[col];
  }
  if (params.apply_activation != 0u) {
    sum = activation_apply(coefficients, sum, 0u);
  }
  c[index] = sum;
}
