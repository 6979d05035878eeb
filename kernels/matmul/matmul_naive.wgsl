// matmul_naive: C[b] = act(op(A[b]) op(B[b]) + bias), one invocation per element of C.
// The fallback and the benchmark baseline: a plain dot product over the K range
// [k_begin, k_end) of this dispatch, no blocking, no shared memory.
//
// Strides (transposes), K chunks with `accumulate`, bias and activation: kernels/matmul/matmul_epilogue.wgsl
// (listed before this file).
//
// Bindings: 0 a (read), 1 b (read); 2-5 those of kernels/matmul/matmul_epilogue.wgsl.
// Grid: (ceil(n / WORKGROUP_X), ceil(m / WORKGROUP_Y), batches of this dispatch).
// Loop trips per invocation: k_end - k_begin.
// Reference: matmulReference (lib/reference/matmul.ts), float64.

override WORKGROUP_X: u32 = 16u;
override WORKGROUP_Y: u32 = 4u;

@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read> b: array<f32>;

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
  store_c(batch * params.stride_c + row * params.n + col, col, sum);
}
