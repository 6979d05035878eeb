// augment_mean: each sample's mean over its channels and pixels (the contrast step's centre),
// means[n] = sum_i geometric[n size + i] / size. One invocation per sample loops over its size values
// (the host checks size fits the loop budget).
//
// Bindings: 0 geometric (read, [batch, size]), 1 means (read_write, [batch]), 2 params (uniform).
// Grid: workgroups from grid1d(batch, WORKGROUP_SIZE).
// Reference: the sum in augmentReference (lib/reference/augment.ts), float64.

struct Params {
  batch: u32,
  size: u32,
  pad0: u32,
  pad1: u32,
}

override WORKGROUP_SIZE: u32 = 64u;

@group(0) @binding(0) var<storage, read> geometric: array<f32>;
@group(0) @binding(1) var<storage, read_write> means: array<f32>;
@group(0) @binding(2) var<uniform> params: Params;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let n = gid.x + gid.y * groups.x * WORKGROUP_SIZE;
  if (n >= params.batch) {
    return;
  }
  let base = n * params.size;
  var sum = 0.0;
  for (var i = 0u; i < params.size; i++) {
    sum += geometric[base + i];
  }
  means[n] = sum / f32(params.size);
}
