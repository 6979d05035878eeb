// optim norm finish: out[0] = sum of partials[0..partialCount) (the squared global gradient norm).
//
// One workgroup: each invocation sums a strided share of the partials, then a tree reduction in workgroup
// memory (one barrier per level). Second stage after norm_partials.wgsl.
// Bindings: 0 partials (read), 1 out (rw), 2 params (uniform).
// Grid: exactly one workgroup.
// Reference: gradientNormReference (lib/reference/optim.ts), float64.

struct Params {
  partialCount: u32,
}

override WORKGROUP_SIZE: u32 = 64u;

@group(0) @binding(0) var<storage, read> partials: array<f32>;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@group(0) @binding(2) var<uniform> params: Params;

var<workgroup> shared_sums: array<f32, WORKGROUP_SIZE>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(local_invocation_index) t: u32) {
  var sum = 0.0;
  for (var j = t; j < params.partialCount; j += WORKGROUP_SIZE) {
    sum += partials[j];
  }
  shared_sums[t] = sum;
  workgroupBarrier();
  for (var width = WORKGROUP_SIZE / 2u; width > 0u; width /= 2u) {
    if (t < width) {
      shared_sums[t] += shared_sums[t + width];
    }
    workgroupBarrier();
  }
  if (t == 0u) {
    out[0] = shared_sums[0];
  }
}
