// augment_geometry: the geometric part and the brightness step of the augmentation, one output pixel per
// invocation: flip (x -> W - 1 - x), pad-and-crop (q = x + offset - padding; zero or reflect padding), then
// the resized-crop box sampled bilinearly at q's pixel centre (border clamped) or the source pixel q;
// on jittered samples v <- brightness v, clamped to [0, 1] when clamp is 1.
// No loops, no barriers (needs the augment_table.wgsl library part first: PARAMETERS, reflect_index).
//
// Bindings: 0 images (read, [batch, channels, height, width]), 1 table (read, [batch, 12], from
//   augment_params), 2 geometric (read_write, like images), 3 params (uniform).
// Grid: workgroups from grid1d(batch channels height width, WORKGROUP_SIZE).
// Reference: geometryPixel in lib/reference/augment.ts, float64.

struct Params {
  batch: u32,
  channels: u32,
  height: u32,
  width: u32,
  padding: u32,
  reflect: u32,
  resized: u32,
  clamp: u32,
}

override WORKGROUP_SIZE: u32 = 64u;

@group(0) @binding(0) var<storage, read> images: array<f32>;
@group(0) @binding(1) var<storage, read> table: array<f32>;
@group(0) @binding(2) var<storage, read_write> geometric: array<f32>;
@group(0) @binding(3) var<uniform> params: Params;

fn source_at(base: u32, y: i32, x: i32) -> f32 {
  let h = i32(params.height);
  let w = i32(params.width);
  let yy = u32(clamp(y, 0, h - 1));
  let xx = u32(clamp(x, 0, w - 1));
  return images[base + yy * params.width + xx];
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let e = gid.x + gid.y * groups.x * WORKGROUP_SIZE;
  let plane = params.height * params.width;
  if (e >= params.batch * params.channels * plane) {
    return;
  }
  let n = e / (params.channels * plane);
  let ox = i32(e % params.width);
  let oy = i32((e / params.width) % params.height);
  let base = (e / plane) * plane;
  let t = n * PARAMETERS;
  let h = i32(params.height);
  let w = i32(params.width);
  let pad = i32(params.padding);
  var x = ox;
  if (table[t + 6u] == 1.0) {
    x = w - 1 - ox;
  }
  var qx = x + i32(table[t + 4u]) - pad;
  var qy = oy + i32(table[t + 5u]) - pad;
  let outside = qx < 0 || qx >= w || qy < 0 || qy >= h;
  if (outside && params.reflect == 0u) {
    geometric[e] = 0.0;
    return;
  }
  qx = reflect_index(qx, w);
  qy = reflect_index(qy, h);
  var v = 0.0;
  if (params.resized == 1u) {
    let sx = table[t] + (f32(qx) + 0.5) * table[t + 2u] / f32(w) - 0.5;
    let sy = table[t + 1u] + (f32(qy) + 0.5) * table[t + 3u] / f32(h) - 0.5;
    let x0 = floor(sx);
    let y0 = floor(sy);
    let fx = sx - x0;
    let fy = sy - y0;
    let ix = i32(x0);
    let iy = i32(y0);
    v = (1.0 - fy) * ((1.0 - fx) * source_at(base, iy, ix) + fx * source_at(base, iy, ix + 1)) +
      fy * ((1.0 - fx) * source_at(base, iy + 1, ix) + fx * source_at(base, iy + 1, ix + 1));
  } else {
    v = images[base + u32(qy) * params.width + u32(qx)];
  }
  if (table[t + 10u] == 1.0) {
    v = v * table[t + 7u];
    if (params.clamp == 1u) {
      v = clamp(v, 0.0, 1.0);
    }
  }
  geometric[e] = v;
}
