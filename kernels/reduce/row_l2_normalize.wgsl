// row_l2_normalize: y[r, :] = x[r, :] / max(||x[r, :]||_2, eps), each row of a [rows, cols] tensor scaled
// to unit length (torch.nn.functional.normalize(x, dim=1, eps=eps)).
// One invocation per row: two loops over the row (2 cols iterations; the host keeps that within the
// adapter's loop budget). No barriers.
//
// Bindings: 0 x [rows, cols] (read), 1 y [rows, cols] (read_write), 2 params (uniform).
// Grid: one invocation per row, workgroups from grid1d(rows, WORKGROUP_SIZE).
// Reference: rowL2NormalizeReference (lib/reference/backend_ops.ts), float64.

struct Params {
  rows: u32,
  cols: u32,
  eps: f32,
}

override WORKGROUP_SIZE: u32 = 64u;

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> y: array<f32>;
@group(0) @binding(2) var<uniform> params: Params;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let r = gid.x + gid.y * groups.x * WORKGROUP_SIZE;
  if (r >= params.rows) {
    return;
  }
  let base = r * params.cols;
  var squares = 0.0;
  for (var c = 0u; c < params.cols; c++) {
    let v = x[base + c];
    squares += v * v;
  }
  let inverse = 1.0 / max(sqrt(squares), params.eps);
  for (var c = 0u; c < params.cols; c++) {
    y[base + c] = x[base + c] * inverse;
  }
}
