// toy_neuron: the toy 2-D LPL neuron (spec section 3.3, paper Fig. 2) and its baselines, every
// setting x repetition of a sweep in one launch, many SGD steps per dispatch, one invocation per
// sequence (setting * repetitions + repetition; barrier-free, w in registers).
//
// Step k (global, 1-based) of a sequence: each sample b of the batch keeps its cluster (flipped when
// (word >> 8) < flip_threshold, word = lane b % 4 of Philox block (b / 4, k, rep, 0) on flip_stream),
// draws (z1, z2) = Box-Muller lanes (0, 1) / (2, 3) of block (b / 2, k, rep, 0) on data_stream, and
// becomes x = (+-1 + 0.1 z1, sigma_y z2). The cluster is read from the sign of the stored previous x1:
// |0.1 z1| <= 0.58 < 1 since Box-Muller normals are bounded by 5.77 (lib/rng/philox.ts).
// The batch enters the update only through its moments: S = sum x, Q = sum x x^T, R = sum x x_prev^T,
// so with C = Q - S S^T / B, var = w.C w / (B - 1):
//   gradient rules: g = pred (2/B)(Q w - R w_past) + hebb h C w, h = -2/((B-1)(var+eps)) (log),
//     -2/(B-1) (naive), -1/((B-1) sqrt(var+eps)) while 1 - sqrt(var+eps) >= 0 (vicreg), 0 (none);
//     w <- w - lr (g + wd w);  Oja: w <- w + lr (Q w - (w.Q w) w) / B - lr wd w.
// w_past = w (recomputed past output) or the previous step's w (stored_past = 1). Batch 0 (labels:
// first half cluster +1) is drawn in the dispatch with step_offset 0. When k % record_every == 0 the
// activity mean |w.x| (before the update) goes to history slot k / record_every - 1.
//
// Loop budget: (ceil(B/4) + 2) iterations per step and ceil(B/4) + 2 fixed (toyNeuronIterations);
// the host checks completed[chunk, sequence].
//
// Bindings: 0 settings [settings] (read), 1 weights [sequences] vec4 (w, w_prev) (read_write),
//   2 previous [sequences, B] vec2 (read_write), 3 history [sequences, history_len] (read_write),
//   4 completed [chunks, sequences] (read_write), 5 params (uniform).
// Grid: grid1d(sequences, WORKGROUP_SIZE). Reference: toySequenceReference
// (lib/reference/lpl_toy_neuron.ts), float64.

struct Setting {
  sigma_y: f32,
  learning_rate: f32,
  weight_decay: f32,
  pred_coefficient: f32,
  hebb_coefficient: f32,
  hebb_kind: u32,
  oja: u32,
  flip_threshold: u32,
  stored_past: u32,
  pad: u32,
}

struct Params {
  sequences: u32,
  repetitions: u32,
  batch: u32,
  steps: u32,
  step_offset: u32,
  record_every: u32,
  history_len: u32,
  chunk: u32,
  seed: u32,
  data_stream: u32,
  flip_stream: u32,
  pad: u32,
}

// Moments of one batch: S = sum x, Q = (sum x1^2, sum x1 x2, sum x2^2), R = (x1 p1, x1 p2, x2 p1, x2 p2)
// summed (p the previous batch's x), activity = sum |w.x|.
struct Moments {
  s: vec2<f32>,
  q: vec3<f32>,
  r: vec4<f32>,
  activity: f32,
}

override WORKGROUP_SIZE: u32 = 64u;
const CENTER: f32 = 1.0;
const JITTER: f32 = 0.1;
const EPSILON: f32 = 1e-8;

@group(0) @binding(0) var<storage, read> settings: array<Setting>;
@group(0) @binding(1) var<storage, read_write> weights: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read_write> previous: array<vec2<f32>>;
@group(0) @binding(3) var<storage, read_write> history: array<f32>;
@group(0) @binding(4) var<storage, read_write> completed: array<u32>;
@group(0) @binding(5) var<uniform> params: Params;

// Sample b of batch 0: cluster +1 for the first half, -1 for the rest.
fn first_sample(base: u32, b: u32, z: vec2<f32>, sigma_y: f32) {
  if (b < params.batch) {
    let center = select(CENTER, -CENTER, b >= params.batch / 2u);
    previous[base + b] = vec2<f32>(center + JITTER * z.x, sigma_y * z.y);
  }
}

// Sample b of the next batch: moves it in `previous` and adds it to the moments.
fn next_sample(m: ptr<function, Moments>, base: u32, b: u32, flip: bool, z: vec2<f32>, sigma_y: f32, w: vec2<f32>) {
  if (b < params.batch) {
    let p = previous[base + b];
    let negative = (p.x < 0.0) != flip;
    let x = vec2<f32>(select(CENTER, -CENTER, negative) + JITTER * z.x, sigma_y * z.y);
    previous[base + b] = x;
    (*m).s += x;
    (*m).q += vec3<f32>(x.x * x.x, x.x * x.y, x.y * x.y);
    (*m).r += vec4<f32>(x.x * p, x.y * p);
    (*m).activity += abs(dot(w, x));
  }
}

// dL_hebb/dy_b = factor (y_b - ybar) for the setting's Hebbian kind.
fn hebb_factor(kind: u32, variance: f32, n: f32) -> f32 {
  if (kind == 1u) {
    return -2.0 / ((n - 1.0) * (variance + EPSILON));
  }
  if (kind == 2u) {
    return -2.0 / (n - 1.0);
  }
  if (kind == 3u) {
    let sd = sqrt(variance + EPSILON);
    return select(0.0, -1.0 / ((n - 1.0) * sd), 1.0 - sd >= 0.0);
  }
  return 0.0;
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let sequence = gid.x + gid.y * groups.x * WORKGROUP_SIZE;
  if (sequence >= params.sequences) {
    return;
  }
  let s = settings[sequence / params.repetitions];
  let rep = sequence % params.repetitions;
  let base = sequence * params.batch;
  let quads = (params.batch + 3u) / 4u;
  let data_key = vec2<u32>(params.seed, params.data_stream);
  let flip_key = vec2<u32>(params.seed, params.flip_stream);
  let n = f32(params.batch);
  if (params.step_offset == 0u) {
    for (var q = 0u; q < quads; q++) {
      let z0 = philox_normal4(philox4x32_10(vec4<u32>(2u * q, 0u, rep, 0u), data_key));
      let z1 = philox_normal4(philox4x32_10(vec4<u32>(2u * q + 1u, 0u, rep, 0u), data_key));
      first_sample(base, 4u * q, z0.xy, s.sigma_y);
      first_sample(base, 4u * q + 1u, z0.zw, s.sigma_y);
      first_sample(base, 4u * q + 2u, z1.xy, s.sigma_y);
      first_sample(base, 4u * q + 3u, z1.zw, s.sigma_y);
    }
  }
  let state = weights[sequence];
  var w = state.xy;
  var w_prev = state.zw;
  var done = 0u;
  for (var t = 0u; t < params.steps; t++) {
    let k = params.step_offset + t + 1u;
    var m = Moments(vec2<f32>(0.0), vec3<f32>(0.0), vec4<f32>(0.0), 0.0);
    for (var q = 0u; q < quads; q++) {
      var words = vec4<u32>(0xFFFFFFFFu);
      if (s.flip_threshold > 0u) {
        words = philox4x32_10(vec4<u32>(q, k, rep, 0u), flip_key);
      }
      let flips = (words >> vec4<u32>(8u)) < vec4<u32>(s.flip_threshold);
      let z0 = philox_normal4(philox4x32_10(vec4<u32>(2u * q, k, rep, 0u), data_key));
      let z1 = philox_normal4(philox4x32_10(vec4<u32>(2u * q + 1u, k, rep, 0u), data_key));
      next_sample(&m, base, 4u * q, flips.x, z0.xy, s.sigma_y, w);
      next_sample(&m, base, 4u * q + 1u, flips.y, z0.zw, s.sigma_y, w);
      next_sample(&m, base, 4u * q + 2u, flips.z, z1.xy, s.sigma_y, w);
      next_sample(&m, base, 4u * q + 3u, flips.w, z1.zw, s.sigma_y, w);
    }
    if (k % params.record_every == 0u) {
      let slot = k / params.record_every - 1u;
      if (slot < params.history_len) {
        history[sequence * params.history_len + slot] = m.activity / n;
      }
    }
    let c = m.q - vec3<f32>(m.s.x * m.s.x, m.s.x * m.s.y, m.s.y * m.s.y) / n;
    let cw = vec2<f32>(c.x * w.x + c.y * w.y, c.y * w.x + c.z * w.y);
    let qw = vec2<f32>(m.q.x * w.x + m.q.y * w.y, m.q.y * w.x + m.q.z * w.y);
    var next: vec2<f32>;
    if (s.oja == 1u) {
      next = w + s.learning_rate * (qw - dot(w, qw) * w) / n - s.learning_rate * s.weight_decay * w;
    } else {
      let variance = dot(w, cw) / (n - 1.0);
      let w_past = select(w, w_prev, s.stored_past == 1u);
      let rw = vec2<f32>(m.r.x * w_past.x + m.r.y * w_past.y, m.r.z * w_past.x + m.r.w * w_past.y);
      let g = s.pred_coefficient * (2.0 / n) * (qw - rw) + s.hebb_coefficient * hebb_factor(s.hebb_kind, variance, n) * cw;
      next = w - s.learning_rate * (g + s.weight_decay * w);
    }
    w_prev = w;
    w = next;
    done += 1u;
  }
  weights[sequence] = vec4<f32>(w, w_prev);
  completed[params.chunk * params.sequences + sequence] = done;
}
