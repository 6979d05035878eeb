// matmul_tiled: C[b] = act(op(A[b]) op(B[b]) + bias) with workgroup shared-memory tiles,
// for real GPUs. A 16x16 workgroup computes a 64x64 tile of C; each invocation a 4x4 block
// (rows ty + 16 i, columns tx + 16 j, strided so shared-memory reads are conflict-free).
// Per step of TILE_K = 16 along K, the workgroup stages a 64x16 tile of op(A) and a 16x64
// tile of op(B) in shared memory (zero outside the matrices), then barriers.
// The tile geometry is `const`: workgroup arrays need sizes fixed at shader creation.
//
// Strides (transposes), K chunks with `accumulate`, bias and activation: kernels/matmul/matmul_epilogue.wgsl
// (listed before this file).
//
// Bindings: 0 a (read), 1 b (read); 2-5 those of kernels/matmul/matmul_epilogue.wgsl.
// Grid: (ceil(n / 64), ceil(m / 64), batches of this dispatch).
// Loop trips per invocation: 17 per TILE_K step of K.
// Reference: matmulReference (lib/reference/matmul.ts), float64.

const TILE: u32 = 64u;
const TILE_K: u32 = 16u;
const THREADS: u32 = 16u; // per side; THREADS * 4 == TILE

@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read> b: array<f32>;

var<workgroup> a_tile: array<f32, 1024>; // [p][i], TILE_K x TILE
var<workgroup> b_tile: array<f32, 1024>; // [p][j], TILE_K x TILE

// Stages element e (0..1023) of both tiles for the K step starting at p0. Consecutive
// invocations walk the contiguous axis of each operand (coalesced loads on GPUs).
fn stage(e: u32, p0: u32, row0: u32, col0: u32, a_base: u32, b_base: u32) {
  var i = e % TILE;
  var p = e / TILE;
  if (params.a_k_stride == 1u) {
    i = e / TILE_K;
    p = e % TILE_K;
  }
  let a_in = row0 + i < params.m && p0 + p < params.k_end;
  let a_index = a_base + min(row0 + i, params.m - 1u) * params.a_row_stride + min(p0 + p, params.k_end - 1u) * params.a_k_stride;
  a_tile[p * TILE + i] = select(0.0, a[a_index], a_in);
  var j = e % TILE;
  var q = e / TILE;
  if (params.b_col_stride != 1u) {
    j = e / TILE_K;
    q = e % TILE_K;
  }
  let b_in = col0 + j < params.n && p0 + q < params.k_end;
  let b_index = b_base + min(p0 + q, params.k_end - 1u) * params.b_k_stride + min(col0 + j, params.n - 1u) * params.b_col_stride;
  b_tile[q * TILE + j] = select(0.0, b[b_index], b_in);
}

fn store(row: u32, col: u32, c_base: u32, partial: f32) {
  if (row < params.m && col < params.n) {
    store_c(c_base + row * params.n + col, col, partial);
  }
}

fn store_row(row: u32, col: u32, c_base: u32, v: vec4<f32>) {
  store(row, col, c_base, v.x);
  store(row, col + THREADS, c_base, v.y);
  store(row, col + 2u * THREADS, c_base, v.z);
  store(row, col + 3u * THREADS, c_base, v.w);
}

@compute @workgroup_size(16, 16)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let batch = wid.z + params.batch_base;
  let row0 = wid.y * TILE;
  let col0 = wid.x * TILE;
  let a_base = batch * params.stride_a;
  let b_base = batch * params.stride_b;
  let flat = lid.y * THREADS + lid.x;
  var acc = array<vec4<f32>, 4>(vec4<f32>(0.0), vec4<f32>(0.0), vec4<f32>(0.0), vec4<f32>(0.0));
  // Uniform trip count: every invocation reaches every barrier.
  for (var p0 = params.k_begin; p0 < params.k_end; p0 += TILE_K) {
    stage(flat, p0, row0, col0, a_base, b_base);
    stage(flat + 256u, p0, row0, col0, a_base, b_base);
    stage(flat + 512u, p0, row0, col0, a_base, b_base);
    stage(flat + 768u, p0, row0, col0, a_base, b_base);
    workgroupBarrier();
    for (var p = 0u; p < TILE_K; p++) {
      let ar = p * TILE + lid.y;
      let bc = p * TILE + lid.x;
      let av = vec4<f32>(a_tile[ar], a_tile[ar + THREADS], a_tile[ar + 2u * THREADS], a_tile[ar + 3u * THREADS]);
      let bv = vec4<f32>(b_tile[bc], b_tile[bc + THREADS], b_tile[bc + 2u * THREADS], b_tile[bc + 3u * THREADS]);
      acc[0] = fma(vec4<f32>(av.x), bv, acc[0]);
      acc[1] = fma(vec4<f32>(av.y), bv, acc[1]);
      acc[2] = fma(vec4<f32>(av.z), bv, acc[2]);
      acc[3] = fma(vec4<f32>(av.w), bv, acc[3]);
    }
    workgroupBarrier();
  }
  let c_base = batch * params.stride_c;
  store_row(row0 + lid.y, col0 + lid.x, c_base, acc[0]);
  store_row(row0 + lid.y + THREADS, col0 + lid.x, c_base, acc[1]);
  store_row(row0 + lid.y + 2u * THREADS, col0 + lid.x, c_base, acc[2]);
  store_row(row0 + lid.y + 3u * THREADS, col0 + lid.x, c_base, acc[3]);
}
