// synthetic_shapes: draws views of the synthetic-shapes dataset (specs/seed004 section 3.6) on the GPU:
// per sample index = begin + k, label = floor(4 u) (Philox key (seed, LABEL_STREAM),
// counter (index, 0, 0, 0));
// per view seed v (index, or 2 index + view for pairs) a jitter tx, ty ~ U(-max_shift, max_shift),
// angle ~ U(-max_rotation, max_rotation) (key (seed, TRANSFORM_STREAM), counter (v, 0, 0, 0)); each pixel
// p = (j, i) samples the class template at R(-angle) (p - centre - t) + centre bilinearly (zero padding),
// adds noise_std z (key (seed, NOISE_STREAM), counter (pixel / 4, v, 0, 0), lane pixel % 4) and
// clamps to [0, 1].
// One invocation per output pixel; no loops, no barriers (needs the Philox library part first).
//
// Bindings: 0 images (read_write; [views, count, 1, 32, 32], view-major), 1 labels (read_write; [count]),
//   2 params (uniform).
// Grid: workgroups from grid1d(views count 1024, WORKGROUP_SIZE).
// Reference: syntheticShapes in lib/data/synthetic_shapes.ts, float64.

struct Params {
  begin: u32,
  count: u32,
  views: u32,
  seed: u32,
  max_shift: f32,
  max_rotation: f32,
  noise_std: f32,
}

override WORKGROUP_SIZE: u32 = 64u;

const SIZE: i32 = 32;
const LABEL_STREAM: u32 = 0x5a11u;
const TRANSFORM_STREAM: u32 = 0x7f0eu;
const NOISE_STREAM: u32 = 0x2015eu;

@group(0) @binding(0) var<storage, read_write> images: array<f32>;
@group(0) @binding(1) var<storage, read_write> labels: array<u32>;
@group(0) @binding(2) var<uniform> params: Params;

fn in_bar(k: i32) -> bool {
  return k >= 15 && k <= 17;
}

// The class template at row i, column j (0 outside the image).
fn template_value(label: u32, i: i32, j: i32) -> f32 {
  if (i < 0 || i >= SIZE || j < 0 || j >= SIZE) {
    return 0.0;
  }
  var on = false;
  switch label {
    case 0u: { on = in_bar(j); }
    case 1u: { on = in_bar(i); }
    case 2u: { on = abs(i - j) <= 1; }
    default: { on = in_bar(i) || in_bar(j); }
  }
  return select(0.0, 1.0, on);
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let out = gid.x + gid.y * groups.x * WORKGROUP_SIZE;
  let pixels = u32(SIZE * SIZE);
  if (out >= params.views * params.count * pixels) {
    return;
  }
  let pixel = out % pixels;
  let k = (out / pixels) % params.count;
  let view = out / (pixels * params.count);
  let index = params.begin + k;
  let label_word = philox4x32_10(vec4<u32>(index, 0u, 0u, 0u), vec2<u32>(params.seed, LABEL_STREAM)).x;
  let label = u32(floor(4.0 * philox_uniform(label_word)));
  if (view == 0u && pixel == 0u) {
    labels[k] = label;
  }
  let view_seed = select(index, 2u * index + view, params.views == 2u);

  let w = philox4x32_10(vec4<u32>(view_seed, 0u, 0u, 0u), vec2<u32>(params.seed, TRANSFORM_STREAM));
  let tx = params.max_shift * (2.0 * philox_uniform(w.x) - 1.0);
  let ty = params.max_shift * (2.0 * philox_uniform(w.y) - 1.0);
  let angle = params.max_rotation * (2.0 * philox_uniform(w.z) - 1.0);
  let c = cos(angle);
  let s = sin(angle);
  let centre = f32(SIZE - 1) / 2.0;
  let dx = f32(pixel % u32(SIZE)) - centre - tx;
  let dy = f32(pixel / u32(SIZE)) - centre - ty;
  let sx = c * dx + s * dy + centre;
  let sy = -s * dx + c * dy + centre;
  let x0 = i32(floor(sx));
  let y0 = i32(floor(sy));
  let fx = sx - floor(sx);
  let fy = sy - floor(sy);
  let top = (1.0 - fx) * template_value(label, y0, x0) + fx * template_value(label, y0, x0 + 1);
  let bottom = (1.0 - fx) * template_value(label, y0 + 1, x0) + fx * template_value(label, y0 + 1, x0 + 1);
  let value = (1.0 - fy) * top + fy * bottom;

  let n = philox4x32_10(vec4<u32>(pixel / 4u, view_seed, 0u, 0u), vec2<u32>(params.seed, NOISE_STREAM));
  let lane = pixel % 4u;
  let pair = select(philox_box_muller(n.x, n.y), philox_box_muller(n.z, n.w), lane >= 2u);
  let z = select(pair.x, pair.y, (lane % 2u) == 1u);
  images[out] = clamp(value + params.noise_std * z, 0.0, 1.0);
}
