// augment_photometric: the contrast step and the blur, one output pixel per invocation. On jittered
// samples g = contrast v + (1 - contrast) mean (clamped to [0, 1] when clamp is 1), else g = v; with
// sigma > 0 the output is the separable Gaussian sum_{dy,dx in [-radius, radius]} k(dy) k(dx) g(reflected
// neighbour), k(d) = exp(-d^2 / (2 sigma^2)) normalised; else g. At most (2 radius + 1)^2 <= 49 taps
// (needs the augment_table.wgsl library part first: PARAMETERS, reflect_index).
//
// Bindings: 0 geometric (read, [batch, channels, height, width]), 1 table (read, [batch, 12]),
//   2 means (read, [batch]), 3 images (read_write, the output), 4 params (uniform).
// Grid: workgroups from grid1d(batch channels height width, WORKGROUP_SIZE).
// Reference: augmentReference in lib/reference/augment.ts, float64.

struct Params {
  batch: u32,
  channels: u32,
  height: u32,
  width: u32,
  radius: u32,
  clamp: u32,
  pad0: u32,
  pad1: u32,
}

override WORKGROUP_SIZE: u32 = 64u;

@group(0) @binding(0) var<storage, read> geometric: array<f32>;
@group(0) @binding(1) var<storage, read> table: array<f32>;
@group(0) @binding(2) var<storage, read> means: array<f32>;
@group(0) @binding(3) var<storage, read_write> images: array<f32>;
@group(0) @binding(4) var<uniform> params: Params;

// The contrast step of the value at index i of sample n.
fn colour(i: u32, n: u32) -> f32 {
  let t = n * PARAMETERS;
  var v = geometric[i];
  if (table[t + 10u] == 1.0) {
    let c = table[t + 8u];
    v = c * v + (1.0 - c) * means[n];
    if (params.clamp == 1u) {
      v = clamp(v, 0.0, 1.0);
    }
  }
  return v;
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let e = gid.x + gid.y * groups.x * WORKGROUP_SIZE;
  let plane = params.height * params.width;
  if (e >= params.batch * params.channels * plane) {
    return;
  }
  let n = e / (params.channels * plane);
  let sigma = table[n * PARAMETERS + 9u];
  if (sigma <= 0.0) {
    images[e] = colour(e, n);
    return;
  }
  let x = i32(e % params.width);
  let y = i32((e / params.width) % params.height);
  let base = (e / plane) * plane;
  let r = i32(params.radius);
  let inv = 1.0 / (2.0 * sigma * sigma);
  var total = 0.0;
  for (var d = -r; d <= r; d++) {
    total += exp(-f32(d * d) * inv);
  }
  var sum = 0.0;
  for (var dy = -r; dy <= r; dy++) {
    let yy = u32(reflect_index(y + dy, i32(params.height)));
    let ky = exp(-f32(dy * dy) * inv);
    for (var dx = -r; dx <= r; dx++) {
      let xx = u32(reflect_index(x + dx, i32(params.width)));
      sum += ky * exp(-f32(dx * dx) * inv) * colour(base + yy * params.width + xx, n);
    }
  }
  images[e] = sum / (total * total);
}
