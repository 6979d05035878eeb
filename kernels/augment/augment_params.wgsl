// augment_params: draws every sample's augmentation (kernels/augment/augment_types.ts has the draw table):
// Philox4x32-10 key (seed, AUGMENT_STREAM), counter (block 0..2, step, sample_offset + n, view); writes
// 12 floats per sample: crop x, y, width, height; pad-crop offsets x, y; flip; brightness; contrast;
// blur sigma; jitter flag; 0. Discrete decisions are integer tests on the words (bit-exact with the
// reference); the crop box and factors are float32.
// One invocation per sample, no loops (needs the Philox and augment_table.wgsl library parts first).
//
// Bindings: 0 table (read_write, [batch, 12]), 1 params (uniform).
// Grid: workgroups from grid1d(batch, WORKGROUP_SIZE).
// Reference: augmentSampleParameters in lib/reference/augment.ts, float64.

struct Params {
  batch: u32,
  sample_offset: u32,
  step: u32,
  view: u32,
  seed: u32,
  height: u32,
  width: u32,
  resized: u32,
  scale_min: f32,
  scale_max: f32,
  log_ratio_min: f32,
  log_ratio_max: f32,
  padding: u32,
  flip_threshold: u32,
  jitter_threshold: u32,
  blur_threshold: u32,
  brightness: f32,
  contrast: f32,
  sigma_min: f32,
  sigma_max: f32,
}

override WORKGROUP_SIZE: u32 = 64u;

const AUGMENT_STREAM: u32 = 0xa06eu;
@group(0) @binding(0) var<storage, read_write> table: array<f32>;
@group(0) @binding(1) var<uniform> params: Params;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let n = gid.x + gid.y * groups.x * WORKGROUP_SIZE;
  if (n >= params.batch) {
    return;
  }
  let key = vec2<u32>(params.seed, AUGMENT_STREAM);
  let sample = params.sample_offset + n;
  let c = philox4x32_10(vec4<u32>(0u, params.step, sample, params.view), key);
  let p = philox4x32_10(vec4<u32>(1u, params.step, sample, params.view), key);
  let j = philox4x32_10(vec4<u32>(2u, params.step, sample, params.view), key);
  let h = f32(params.height);
  let w = f32(params.width);
  var crop = vec4<f32>(0.0, 0.0, w, h);
  if (params.resized == 1u) {
    let s = params.scale_min + philox_uniform(c.x) * (params.scale_max - params.scale_min);
    let r = exp(params.log_ratio_min + philox_uniform(c.y) * (params.log_ratio_max - params.log_ratio_min));
    let cw = min(w, sqrt(h * w * s * r));
    let ch = min(h, sqrt(h * w * s / r));
    crop = vec4<f32>(philox_uniform(c.z) * (w - cw), philox_uniform(c.w) * (h - ch), cw, ch);
  }
  let span = 2u * params.padding + 1u;
  let jitter = (p.w >> 8u) < params.jitter_threshold;
  let blur = (j.z >> 8u) < params.blur_threshold;
  let base = n * PARAMETERS;
  table[base] = crop.x;
  table[base + 1u] = crop.y;
  table[base + 2u] = crop.z;
  table[base + 3u] = crop.w;
  table[base + 4u] = f32(((p.x >> 8u) * span) >> 24u);
  table[base + 5u] = f32(((p.y >> 8u) * span) >> 24u);
  table[base + 6u] = select(0.0, 1.0, (p.z >> 8u) < params.flip_threshold);
  var brightness = 1.0;
  var contrast = 1.0;
  if (jitter) {
    brightness = 1.0 - params.brightness + 2.0 * params.brightness * philox_uniform(j.x);
    contrast = 1.0 - params.contrast + 2.0 * params.contrast * philox_uniform(j.y);
  }
  table[base + 7u] = brightness;
  table[base + 8u] = contrast;
  table[base + 9u] = select(0.0, params.sigma_min + philox_uniform(j.w) * (params.sigma_max - params.sigma_min), blur);
  table[base + 10u] = select(0.0, 1.0, jitter);
  table[base + 11u] = 0.0;
}
