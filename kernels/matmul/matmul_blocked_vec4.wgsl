// matmul_blocked_vec4: the blocked kernel's fast path when A and B are not transposed and
// k and n are multiples of 4, so rows of A and of B are whole vec4s. Each invocation
// computes a ROWSx4 register block of C (rows ROWS*wid.y + 0..ROWS-1, columns 4*gid.x + 0..3),
// reading A as vec4 along K (uniform across the workgroup) and B as vec4 along N.
// Same Params, bindings, chunking and epilogue as matmul_blocked.wgsl, with A and B bound as
// array<vec4<f32>> (one robustness bounds check per 4 values). ROWS = 16 with 16 invocations
// per workgroup was fastest on llvmpipe (n = 1024: ROWS 4 ~3.4, 8 ~8.4, 16 ~14 GFLOP/s): the
// uniform A loads are scalar broadcasts, so more rows reuse each B vec4 more.
//
// Bindings: 0 a (read, vec4), 1 b (read, vec4); 2-5 those of kernels/matmul/matmul_epilogue.wgsl.
// Grid: (ceil(n / (4 * WORKGROUP_SIZE)), ceil(m / ROWS), batches of this dispatch).
// Loop trips per invocation: (k_end - k_begin) / 4.
// Reference: matmulReference (lib/reference/matmul.ts), float64.

override WORKGROUP_SIZE: u32 = 16u;
const ROWS: u32 = 16u;

@group(0) @binding(0) var<storage, read> a: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read> b: array<vec4<f32>>;

// acc += a_row (4 values along K) times the 4x4 block of B rows.
fn row_update(acc: vec4<f32>, av: vec4<f32>, b0: vec4<f32>, b1: vec4<f32>, b2: vec4<f32>, b3: vec4<f32>) -> vec4<f32> {
  return fma(vec4<f32>(av.w), b3, fma(vec4<f32>(av.z), b2, fma(vec4<f32>(av.y), b1, fma(vec4<f32>(av.x), b0, acc))));
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(global_invocation_id) gid: vec3<u32>) {
  let batch = wid.z + params.batch_base;
  let row0 = wid.y * ROWS;
  let col0 = gid.x * 4u;
  let n4 = params.n / 4u;
  let k4 = params.a_row_stride / 4u;
  let last_row = params.m - 1u;
  let a_base = (batch * params.stride_a) / 4u + params.k_begin / 4u;
  let a0 = a_base + min(row0 + 0u, last_row) * k4;
  let a1 = a_base + min(row0 + 1u, last_row) * k4;
  let a2 = a_base + min(row0 + 2u, last_row) * k4;
  let a3 = a_base + min(row0 + 3u, last_row) * k4;
  let a4 = a_base + min(row0 + 4u, last_row) * k4;
  let a5 = a_base + min(row0 + 5u, last_row) * k4;
  let a6 = a_base + min(row0 + 6u, last_row) * k4;
  let a7 = a_base + min(row0 + 7u, last_row) * k4;
  let a8 = a_base + min(row0 + 8u, last_row) * k4;
  let a9 = a_base + min(row0 + 9u, last_row) * k4;
  let a10 = a_base + min(row0 + 10u, last_row) * k4;
  let a11 = a_base + min(row0 + 11u, last_row) * k4;
  let a12 = a_base + min(row0 + 12u, last_row) * k4;
  let a13 = a_base + min(row0 + 13u, last_row) * k4;
  let a14 = a_base + min(row0 + 14u, last_row) * k4;
  let a15 = a_base + min(row0 + 15u, last_row) * k4;
  var bi = (batch * params.stride_b) / 4u + params.k_begin * n4 + min(gid.x, n4 - 1u);
  var acc0 = vec4<f32>(0.0);
  var acc1 = vec4<f32>(0.0);
  var acc2 = vec4<f32>(0.0);
  var acc3 = vec4<f32>(0.0);
  var acc4 = vec4<f32>(0.0);
  var acc5 = vec4<f32>(0.0);
  var acc6 = vec4<f32>(0.0);
  var acc7 = vec4<f32>(0.0);
  var acc8 = vec4<f32>(0.0);
  var acc9 = vec4<f32>(0.0);
  var acc10 = vec4<f32>(0.0);
  var acc11 = vec4<f32>(0.0);
  var acc12 = vec4<f32>(0.0);
  var acc13 = vec4<f32>(0.0);
  var acc14 = vec4<f32>(0.0);
  var acc15 = vec4<f32>(0.0);
  for (var p = params.k_begin; p < params.k_end; p += 4u) {
    let b0 = b[bi];
    let b1 = b[bi + n4];
    let b2 = b[bi + 2u * n4];
    let b3 = b[bi + 3u * n4];
    bi += 4u * n4;
    let q = (p - params.k_begin) / 4u;
    acc0 = row_update(acc0, a[a0 + q], b0, b1, b2, b3);
    acc1 = row_update(acc1, a[a1 + q], b0, b1, b2, b3);
    acc2 = row_update(acc2, a[a2 + q], b0, b1, b2, b3);
    acc3 = row_update(acc3, a[a3 + q], b0, b1, b2, b3);
    acc4 = row_update(acc4, a[a4 + q], b0, b1, b2, b3);
    acc5 = row_update(acc5, a[a5 + q], b0, b1, b2, b3);
    acc6 = row_update(acc6, a[a6 + q], b0, b1, b2, b3);
    acc7 = row_update(acc7, a[a7 + q], b0, b1, b2, b3);
    acc8 = row_update(acc8, a[a8 + q], b0, b1, b2, b3);
    acc9 = row_update(acc9, a[a9 + q], b0, b1, b2, b3);
    acc10 = row_update(acc10, a[a10 + q], b0, b1, b2, b3);
    acc11 = row_update(acc11, a[a11 + q], b0, b1, b2, b3);
    acc12 = row_update(acc12, a[a12 + q], b0, b1, b2, b3);
    acc13 = row_update(acc13, a[a13 + q], b0, b1, b2, b3);
    acc14 = row_update(acc14, a[a14 + q], b0, b1, b2, b3);
    acc15 = row_update(acc15, a[a15 + q], b0, b1, b2, b3);
  }
  if (col0 >= params.n) {
    return;
  }
  let c_base = batch * params.stride_c;
  store_c_row4(row0 + 0u, col0, c_base, acc0);
  store_c_row4(row0 + 1u, col0, c_base, acc1);
  store_c_row4(row0 + 2u, col0, c_base, acc2);
  store_c_row4(row0 + 3u, col0, c_base, acc3);
  store_c_row4(row0 + 4u, col0, c_base, acc4);
  store_c_row4(row0 + 5u, col0, c_base, acc5);
  store_c_row4(row0 + 6u, col0, c_base, acc6);
  store_c_row4(row0 + 7u, col0, c_base, acc7);
  store_c_row4(row0 + 8u, col0, c_base, acc8);
  store_c_row4(row0 + 9u, col0, c_base, acc9);
  store_c_row4(row0 + 10u, col0, c_base, acc10);
  store_c_row4(row0 + 11u, col0, c_base, acc11);
  store_c_row4(row0 + 12u, col0, c_base, acc12);
  store_c_row4(row0 + 13u, col0, c_base, acc13);
  store_c_row4(row0 + 14u, col0, c_base, acc14);
  store_c_row4(row0 + 15u, col0, c_base, acc15);
}
