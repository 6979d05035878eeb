// row_l2_normalize_backward: dL/dx of y = x / max(||x||, eps) per row, given g = dL/dy:
//   ||x|| > eps:  dx = (g - y (y . g)) / ||x||   (the component of g along y removed)
//   otherwise:    dx = g / eps                    (the denominator is the constant eps)
// One invocation per row: three loops over the row (3 cols iterations; the host keeps that within the
// adapter's loop budget). No barriers.
//
// Bindings: 0 x [rows, cols] (read), 1 grad_output [rows, cols] (read), 2 grad_input [rows, cols]
//   (read_write), 3 params (uniform).
// Grid: one invocation per row, workgroups from grid1d(rows, WORKGROUP_SIZE).
// Reference: rowL2NormalizeBackwardReference (lib/reference/backend_ops.ts), float64.

struct Params {
  rows: u32,
  cols: u32,
  eps: f32,
}

override WORKGROUP_SIZE: u32 = 64u;

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> grad_output: array<f32>;
@group(0) @binding(2) var<storage, read_write> grad_input: array<f32>;
@group(0) @binding(3) var<uniform> params: Params;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let r = gid.x + gid.y * groups.x * WORKGROUP_SIZE;
  if (r >= params.rows) {
    return;
  }
  let base = r * params.cols;
  var squares = 0.0;
  var x_dot_g = 0.0;
  for (var c = 0u; c < params.cols; c++) {
    let v = x[base + c];
    squares += v * v;
    x_dot_g += v * grad_output[base + c];
  }
  let norm = sqrt(squares);
  if (norm > params.eps) {
    let inverse = 1.0 / norm;
    // y . g = (x . g) / ||x||, so y (y . g) = x (x . g) / ||x||^2.
    let along = x_dot_g * inverse * inverse;
    for (var c = 0u; c < params.cols; c++) {
      grad_input[base + c] = (grad_output[base + c] - x[base + c] * along) * inverse;
    }
  } else {
    let inverse = 1.0 / params.eps;
    for (var c = 0u; c < params.cols; c++) {
      grad_input[base + c] = grad_output[base + c] * inverse;
    }
  }
}
