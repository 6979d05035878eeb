// lpl_dense_stats: per-unit batch statistics of a layer's outputs z [batch, units] (row-major):
//   stats[i] = mean_b z[b, i], stats[units + i] = sum_b (z[b, i] - mean)^2 / (batch - 1),
//   centred[b, i] = z[b, i] - mean.
// One invocation per unit loops twice over the batch (the host checks 2 batch fits the loop budget).
//
// Bindings: 0 z (read), 1 centred (read_write), 2 stats (read_write, [2 units]), 3 params (uniform).
// Grid: (ceil(units / WORKGROUP_SIZE)).
// Reference: lplBatchStats (lib/reference/lpl_dense.ts), float64.

struct Params {
  batch: u32,
  units: u32,
  pad0: u32,
  pad1: u32,
}

override WORKGROUP_SIZE: u32 = 64u;

@group(0) @binding(0) var<storage, read> z: array<f32>;
@group(0) @binding(1) var<storage, read_write> centred: array<f32>;
@group(0) @binding(2) var<storage, read_write> stats: array<f32>;
@group(0) @binding(3) var<uniform> params: Params;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x;
  let m = params.units;
  if (i >= m) {
    return;
  }
  var sum = 0.0;
  for (var b = 0u; b < params.batch; b++) {
    sum += z[b * m + i];
  }
  let mean = sum / f32(params.batch);
  var squares = 0.0;
  for (var b = 0u; b < params.batch; b++) {
    let d = z[b * m + i] - mean;
    centred[b * m + i] = d;
    squares += d * d;
  }
  stats[i] = mean;
  stats[m + i] = squares / f32(params.batch - 1u);
}
