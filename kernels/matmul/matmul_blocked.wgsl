// matmul_blocked: C[b] = act(op(A[b]) op(B[b]) + bias) for CPU adapters, without barriers.
// Each invocation computes a 4x4 register block of C (rows 4*wid.y + 0..3, columns
// 4*gid.x + 0..3) over the K range [k_begin, k_end) of this dispatch. The rows of a
// workgroup are uniform, so on llvmpipe the A loads are scalar broadcasts and only the
// B loads vary across the 8 SIMD lanes.
//
// Strides (transposes), K chunks with `accumulate`, bias and activation: kernels/matmul/matmul_epilogue.wgsl
// (listed before this file).
//
// Bindings: 0 a (read), 1 b (read); 2-5 those of kernels/matmul/matmul_epilogue.wgsl.
// Grid: (ceil(n / (4 * WORKGROUP_SIZE)), ceil(m / 4), batches of this dispatch).
// Loop trips per invocation: (k_end - k_begin) / 4 + 3.
// Reference: matmulReference (lib/reference/matmul.ts), float64.

override WORKGROUP_SIZE: u32 = 64u;

@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read> b: array<f32>;

// op(A)[rows, p] for the four (clamped, offset) row starts.
fn a_column(rows: vec4<u32>, p: u32) -> vec4<f32> {
  let o = p * params.a_k_stride;
  return vec4<f32>(a[rows.x + o], a[rows.y + o], a[rows.z + o], a[rows.w + o]);
}

// op(B)[p, cols] for the four (clamped, offset) column starts.
fn b_row(cols: vec4<u32>, p: u32) -> vec4<f32> {
  let o = p * params.b_k_stride;
  return vec4<f32>(b[cols.x + o], b[cols.y + o], b[cols.z + o], b[cols.w + o]);
}

// acc[i] += av[i] * bv: one rank-1 update of the 4x4 block.
fn rank1(acc: array<vec4<f32>, 4>, av: vec4<f32>, bv: vec4<f32>) -> array<vec4<f32>, 4> {
  return array<vec4<f32>, 4>(fma(vec4<f32>(av.x), bv, acc[0]), fma(vec4<f32>(av.y), bv, acc[1]),
    fma(vec4<f32>(av.z), bv, acc[2]), fma(vec4<f32>(av.w), bv, acc[3]));
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(global_invocation_id) gid: vec3<u32>) {
  let batch = wid.z + params.batch_base;
  let row0 = wid.y * 4u;
  let col0 = gid.x * 4u;
  let last_row = vec4<u32>(params.m - 1u);
  let last_col = vec4<u32>(params.n - 1u);
  let rows = min(vec4<u32>(row0) + vec4<u32>(0u, 1u, 2u, 3u), last_row);
  let cols = min(vec4<u32>(col0) + vec4<u32>(0u, 1u, 2u, 3u), last_col);
  let a_rows = vec4<u32>(batch * params.stride_a) + rows * params.a_row_stride;
  let b_cols = vec4<u32>(batch * params.stride_b) + cols * params.b_col_stride;

  var acc = array<vec4<f32>, 4>(vec4<f32>(0.0), vec4<f32>(0.0), vec4<f32>(0.0), vec4<f32>(0.0));
  var p = params.k_begin;
  let unrolled_end = p + (params.k_end - p) / 4u * 4u;
  for (; p < unrolled_end; p += 4u) {
    acc = rank1(acc, a_column(a_rows, p), b_row(b_cols, p));
    acc = rank1(acc, a_column(a_rows, p + 1u), b_row(b_cols, p + 1u));
    acc = rank1(acc, a_column(a_rows, p + 2u), b_row(b_cols, p + 2u));
    acc = rank1(acc, a_column(a_rows, p + 3u), b_row(b_cols, p + 3u));
  }
  for (; p < params.k_end; p++) {
    acc = rank1(acc, a_column(a_rows, p), b_row(b_cols, p));
  }

  if (col0 >= params.n) {
    return;
  }
  let c_base = batch * params.stride_c;
  store_c_row4(row0, col0, c_base, acc[0]);
  store_c_row4(row0 + 1u, col0, c_base, acc[1]);
  store_c_row4(row0 + 2u, col0, c_base, acc[2]);
  store_c_row4(row0 + 3u, col0, c_base, acc[3]);
}
