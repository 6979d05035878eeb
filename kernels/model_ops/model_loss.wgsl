// model_loss: per-sample loss, its gradient in the outputs and (optionally) its Hessian in the
// outputs applied to a direction, for a batch of model outputs f [rows, cols] and targets y.
//   loss 0 (squared, no 1/2): l = sum_c (f_c - y_c)^2, g = scale 2 (f - y), rg = scale 2 rf
//   loss 1 (cross-entropy):   l = (sum_c y_c) lse(f) - y . f, g = scale ((sum y) p - y),
//                             rg = scale (sum y) p * (rf - p . rf), p = softmax(f)
// One invocation per sample (row); it loops 3 times over the cols (the host checks 3 cols fits
// the loop budget).
//
// Bindings: 0 f (read), 1 y (read), 2 rf (read; a dummy unless with_direction), 3 g (read_write),
//           4 rg (read_write; a dummy unless with_direction), 5 losses (read_write, [rows]),
//           6 params (uniform).
// Grid: (ceil(rows / WORKGROUP_SIZE)).
// Reference: lossReference (lib/models/losses.ts), float64.

struct Params {
  rows: u32,
  cols: u32,
  loss: u32,
  with_direction: u32,
  scale: f32,
}

override WORKGROUP_SIZE: u32 = 64u;

@group(0) @binding(0) var<storage, read> f: array<f32>;
@group(0) @binding(1) var<storage, read> y: array<f32>;
@group(0) @binding(2) var<storage, read> rf: array<f32>;
@group(0) @binding(3) var<storage, read_write> g: array<f32>;
@group(0) @binding(4) var<storage, read_write> rg: array<f32>;
@group(0) @binding(5) var<storage, read_write> losses: array<f32>;
@group(0) @binding(6) var<uniform> params: Params;

fn squared(sample: u32, row: u32) {
  var total = 0.0;
  for (var c = 0u; c < params.cols; c++) {
    let i = row + c;
    let r = f[i] - y[i];
    total = fma(r, r, total);
    g[i] = params.scale * 2.0 * r;
    if (params.with_direction != 0u) {
      rg[i] = params.scale * 2.0 * rf[i];
    }
  }
  losses[sample] = total;
}

fn cross_entropy(sample: u32, row: u32) {
  var top = f[row];
  for (var c = 1u; c < params.cols; c++) {
    top = max(top, f[row + c]);
  }
  var sum_exp = 0.0;
  var sum_y = 0.0;
  var y_dot_f = 0.0;
  for (var c = 0u; c < params.cols; c++) {
    let i = row + c;
    sum_exp += exp(f[i] - top);
    sum_y += y[i];
    y_dot_f = fma(y[i], f[i], y_dot_f);
  }
  let lse = top + log(sum_exp);
  losses[sample] = sum_y * lse - y_dot_f;
  var p_dot_rf = 0.0;
  for (var c = 0u; c < params.cols; c++) {
    let i = row + c;
    let p = exp(f[i] - lse);
    g[i] = params.scale * (sum_y * p - y[i]);
    if (params.with_direction != 0u) {
      p_dot_rf = fma(p, rf[i], p_dot_rf);
    }
  }
  if (params.with_direction == 0u) {
    return;
  }
  for (var c = 0u; c < params.cols; c++) {
    let i = row + c;
    let p = exp(f[i] - lse);
    rg[i] = params.scale * sum_y * p * (rf[i] - p_dot_rf);
  }
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  if (gid.x >= params.rows) {
    return;
  }
  let row = gid.x * params.cols;
  if (params.loss == 0u) {
    squared(gid.x, row);
  } else {
    cross_entropy(gid.x, row);
  }
}
