// seed_layer: the seed project's "LPL" layer (spec 3.6; float64 references trainSeedLayer in
// lib/lpl/seed_training.ts and trainHierarchicalReference in lib/lpl/hierarchical.ts), a batch of models
// (ablation conditions x seeds) trained together, many per-sample steps per dispatch, one workgroup per model
// (workgroup_id.x), the phases of kernels/lpl/seed_layer_{update,apply}.wgsl separated by barriers.
//
// Step k (global, 1-based) of model g, key = (models[g].seed, view_stream):
//   picks    a = floor(count u0), b = floor(count u1) (shuffle) else a; u0, u1 words 0, 1 of Philox block
//            (0, PICK_STEP, k, 0), computed as integers ((w >> 8) count) >> 24, exactly the float64 floor.
//   inputs   views mode: weak views 2k of image a (x_t) and 2k + 1 of image b (x_t1): offsets dy, dx from
//            block (0, 0, view, 0) words 0, 1 (0..8, minus 4) and the shift from word 2 (0..4, minus 2);
//            pixel (i, j) = clamp(img[reflect(i + dy), reflect(j - shift + dx)] (0 when j - shift is
//            outside) + 0.05 z, 0, 1), z lane p % 4 of philox_normal4 of block (p / 4, 1, view, 0).
//            pairs mode: x_t = images[2a], x_t1 = images[2b + 1] of a pair dataset [count, 2, inputs].
//   layer 1  updated on (x_t, x_t1); with two layers (outputs2 > 0) its pre-update outputs (y_t, y_t1) are
//            layer 2's inputs, and layer 2 is updated in the same step (LPL-11: simultaneous, local).
//   log      when k % log_every == 0: Var(y_t) across the units (unbiased) and |W|_F after the update, per
//            layer, to history[((g * history_len + k / log_every - 1) * layers + layer) * 2 + (0, 1)].
//
// Loop budget: seedLayerIterations (kernels/lpl/seed_layer.ts) counts invocation 0's loops (it has the most
// trips: ceil in every strided loop, and the log); invocation 0 writes completed[chunk, g]. The skip count
// (non-finite dW or dP) is kept in ys[g * ys_stride + ys_stride - 4] as a float.
//
// Bindings: 0 models [models] (read), 1 images [count, inputs] or [count, 2, inputs] (read),
//   2 weights [models, weight_quads] vec4 (read_write), 3 xs [models, input_quads] vec4 (read_write),
//   4 ys [models, ys_stride] (read_write), 5 history (read_write), 6 completed [chunks, models] (read_write),
//   7 params (uniform). Grid: [models] workgroups of WORKGROUP_SIZE (<= 256).

struct Model {
  seed: u32,
  shuffle: u32,
  hebb: f32,
  pred: f32,
  stab: f32,
  pad0: u32,
  pad1: u32,
  pad2: u32,
}

struct Params {
  models: u32,
  inputs: u32,
  outputs: u32,
  outputs2: u32,
  height: u32,
  width: u32,
  image_count: u32,
  paired: u32,
  steps: u32,
  step_offset: u32,
  log_every: u32,
  history_len: u32,
  chunk: u32,
  view_stream: u32,
  pick_step: u32,
  pad: u32,
}

override WORKGROUP_SIZE: u32 = 64u;

@group(0) @binding(0) var<storage, read> models: array<Model>;
@group(0) @binding(1) var<storage, read> images: array<f32>;
@group(0) @binding(2) var<storage, read_write> weights: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read_write> xs: array<vec4<f32>>;
@group(0) @binding(4) var<storage, read_write> ys: array<f32>;
@group(0) @binding(5) var<storage, read_write> history: array<f32>;
@group(0) @binding(6) var<storage, read_write> completed: array<u32>;
@group(0) @binding(7) var<uniform> params: Params;

// Per-row coefficients of the update (at most 256 outputs), per-invocation partial sums (at most 256
// invocations): the column dot products (2 vec4 per invocation) and |W|^2 per layer.
var<workgroup> rows: array<vec4<f32>, 256>;
var<workgroup> partial: array<vec4<f32>, 512>;
var<workgroup> partial_w: array<vec2<f32>, 256>;

// Layer 1's (y_t, y_t1) as layer 2's (x_t, x_t1).
fn copy_outputs(lower: Layer, upper: Layer, lid: u32) {
  for (var q = lid; q < upper.n4; q += WORKGROUP_SIZE) {
    xs[upper.x + q] = y_quad(lower.y, q);
    xs[upper.x + upper.n4 + q] = y_quad(lower.y + lower.m, q);
  }
}

// One layer's update (its inputs loaded); logs on log steps. Returns updates skipped.
fn update_layer(l: Layer, s: Model, lid: u32, g: u32, k: u32) -> u32 {
  layer_predict(l, s, lid);
  layer_sync();
  layer_columns(l, lid);
  let sums = layer_row_sums(l);
  let w2_old = layer_weight_sum(l);
  layer_sync();
  let skipped = layer_apply(l, s, lid, sums, w2_old);
  layer_sync();
  if (lid == 0u && k % params.log_every == 0u && k / params.log_every <= params.history_len) {
    var mean = 0.0;
    var w2 = 0.0;
    for (var i = 0u; i < l.m; i++) {
      mean += ys[l.y + i] / f32(l.m);
    }
    var v = 0.0;
    for (var i = 0u; i < l.m; i++) {
      v += (ys[l.y + i] - mean) * (ys[l.y + i] - mean);
    }
    for (var t = 0u; t < WORKGROUP_SIZE; t++) {
      w2 += partial_w[t][l.index];
    }
    let layers = select(1u, 2u, params.outputs2 > 0u);
    let at = ((g * params.history_len + k / params.log_every - 1u) * layers + l.index) * 2u;
    history[at] = v / f32(l.m - 1u);
    history[at + 1u] = sqrt(w2);
  }
  return skipped;
}

// Layer `index` (0 or 1) of model g.
fn model_layer(g: u32, index: u32) -> Layer {
  let n4 = params.inputs / 4u;
  let m1 = params.outputs;
  let m2 = params.outputs2;
  let w = g * (m1 * params.inputs + m1 * m1 + m2 * m1 + m2 * m2) / 4u;
  let x = g * (3u * n4 + select(0u, 3u * m1 / 4u, m2 > 0u));
  let y = g * (5u * (m1 + m2) + 4u);
  if (index == 0u) {
    return Layer(w, w + m1 * n4, x, y, n4, m1, 0u);
  }
  let w2 = w + m1 * n4 + m1 * m1 / 4u;
  return Layer(w2, w2 + m2 * m1 / 4u, x + 3u * n4, y + 5u * m1, m1 / 4u, m2, 1u);
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) group: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let g = group.x;
  if (g >= params.models) {
    return;
  }
  let s = models[g];
  let layers = select(1u, 2u, params.outputs2 > 0u);
  let skip_at = (g + 1u) * (5u * (params.outputs + params.outputs2) + 4u) - 4u;
  var skipped = u32(ys[skip_at]);
  var done = 0u;
  for (var layer = 0u; layer < layers; layer++) {
    layer_weight_norm(model_layer(g, layer), lid);
  }
  // One loop over the layers (not the update written twice): the kernel stays quick to compile on GL.
  for (var t = 0u; t < params.steps; t++) {
    let k = params.step_offset + t + 1u;
    load_inputs(model_layer(g, 0u), s, k, lid);
    layer_sync();
    for (var layer = 0u; layer < layers; layer++) {
      let l = model_layer(g, layer);
      layer_forward(l, lid);
      layer_sync();
      if (layer + 1u < layers) {
        copy_outputs(l, model_layer(g, layer + 1u), lid); // layer 1's pre-update outputs
      }
      skipped += update_layer(l, s, lid, g, k);
    }
    done += 1u;
  }
  if (lid == 0u) {
    ys[skip_at] = f32(skipped);
    completed[params.chunk * params.models + g] = done;
  }
}
