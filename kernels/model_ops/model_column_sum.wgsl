// model_column_sum: column sums of a row-major [rows, cols] matrix written into a range of a
// flat vector (a bias gradient into the flat gradient, a loss into its slot):
//   out[offset + j] = (accumulate ? out[offset + j] : 0) + scale * sum_{r in [row_begin, row_end)} x[r cols + j]
// One invocation per column loops over the rows of this dispatch; the host splits the rows
// into dispatches within the loop budget (later dispatches accumulate).
//
// Bindings: 0 x (read), 1 out (read_write), 2 params (uniform).
// Grid: (ceil(cols / WORKGROUP_SIZE)).
// Reference: accumulateWeightGradient (db) in lib/models/mlp_reference.ts, float64.

struct Params {
  row_begin: u32,
  row_end: u32,
  cols: u32,
  offset: u32,
  accumulate: u32,
  scale: f32,
}

override WORKGROUP_SIZE: u32 = 64u;

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@group(0) @binding(2) var<uniform> params: Params;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let j = gid.x;
  if (j >= params.cols) {
    return;
  }
  var total = 0.0;
  for (var r = params.row_begin; r < params.row_end; r++) {
    total += x[r * params.cols + j];
  }
  var v = params.scale * total;
  if (params.accumulate != 0u) {
    v += out[params.offset + j];
  }
  out[params.offset + j] = v;
}
