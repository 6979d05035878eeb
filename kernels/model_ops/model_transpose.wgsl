// model_transpose: out = x^T for a row-major [rows, cols] matrix x, so that products with a
// transposed operand can use matmul's faster untransposed (vec4) path:
//   out[c rows + r] = x[r cols + c]
//
// Bindings: 0 x (read), 1 out (read_write), 2 params (uniform).
// Grid: one invocation per element, workgroups from grid1d(rows * cols, WORKGROUP_SIZE).
// Reference: the index map above (tests compare the passes that use it with lib/models/mlp_reference.ts).

struct Params {
  rows: u32,
  cols: u32,
}

override WORKGROUP_SIZE: u32 = 64u;

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@group(0) @binding(2) var<uniform> params: Params;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = gid.x + gid.y * groups.x * WORKGROUP_SIZE;
  if (i >= params.rows * params.cols) {
    return;
  }
  let c = i / params.rows;
  let r = i - c * params.rows;
  out[i] = x[r * params.cols + c];
}
