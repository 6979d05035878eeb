// teacher_student_sgd: many walkers of online SGD of a single-index student sigma(w.x) on the unit
// sphere, many steps per dispatch, one invocation per walker (barrier-free: walkers across SIMD lanes).
//
// Step s of walker k (global index k + walker_offset) picks a sample (lib/teacher_student/philox_layout.ts):
// fresh sample s (s / 2 in "twice" mode; walker 0's when shared), or in repeat mode with probability
// p_repeat position mulhi(c1, n) of the walker's dataset, regenerated from the dataset stream. Every
// sample is x = z + s u (z ~ N(0, I) from Philox, u the teacher direction); s and y come from the
// sample's scalar words (Perceptron: s = 0, y = g(u.z) + noise eps; spiked: s = amp g + uzc u.z).
// Every optimizer (single, twice, extragradient; MSE or correlation loss; spherical projection
// optional) is w' = A w + B x with scalars A, B computed from w.z, u.z, z.z, w.u, w.w
// (lib/teacher_student/steps.ts). One pass over the row per step applies step s and, in the same
// loop, draws z of step s + 1 into a scratch row and sums its dot products with the new w (a prologue
// pass draws the dispatch's first sample). Renormalisation is lazy: the stored row is w' and the scale
// r = 1 / |w'| multiplies it when read; r is carried across dispatches in state[k].z (the host scales
// rows by it when it reads them), so every bit is independent of how steps are split into dispatches.
// At save time t (t = s + 1 == save_times[next]) it writes history[(slot * 4 + q) * walkers + k],
// slot = next - save_base, q: overlap w.u / |w|, |grad(w)| of this step, repeats since the last save,
// last repeated preactivation.
//
// Loop budget (DESIGN.md section 3): ceil(d / 4) + 2 iterations per step (llvmpipe also counts loop-
// condition checks) plus 2 (ceil(d / 4) + 2) per dispatch (the prologue, and the cache write-back);
// the host plans steps with maxStepsPerDispatch and checks completed[chunk, walker].
//
// Bindings: 0 teacher u [blocks] vec4 (read), 1 weights [blocks, walkers] vec4 (read_write; block-major
//           so SIMD lanes read neighbouring walkers), 2 scratch [blocks, walkers] vec4 (read_write),
//           3 save_times (read), 4 history (read_write), 5 state [walkers] vec4 (read_write: repeats since
//           the last save, last repeated preactivation, scale r, unused),
//           6 completed [chunks, walkers] (read_write), 7 params, 8 teacher activation, 9 student activation.
// Grid: grid1d(walkers, WORKGROUP_SIZE).
// Reference: teacherStudentSgdReference (lib/reference/teacher_student_sgd.ts), float64.

struct Params {
  d: u32, blocks: u32, walkers: u32, walker_offset: u32,
  steps: u32, step_offset: u32, seed: u32, chunk: u32,
  sampling: u32, shared_sample: u32, dataset_size: u32, repeat_threshold: u32,
  labels: u32, class_threshold: u32, latent: u32, latent_threshold: u32,
  latent_low: f32, latent_high: f32, spike_amplitude: f32, uz_coefficient: f32,
  noise: f32, loss: u32, optimizer: u32, spherical: f32,
  normalize: u32, eta: f32, rho: f32, uu: f32,
  save_next: u32, save_end: u32, save_base: u32, pad: u32,
}

const FRESH_STREAM: u32 = 0x7501u;
const DATASET_STREAM: u32 = 0x7502u;
const CONTROL_STREAM: u32 = 0x7503u;

override WORKGROUP_SIZE: u32 = 64u;
// Keep the walker's rows w, z and the teacher u in invocation memory for the whole dispatch (needs
// blocks <= CACHE_BLOCKS). On llvmpipe, where the loop index is uniform across SIMD lanes, these
// become plain vector loads while storage accesses are per-lane gathers: 20-28% more walker-steps per
// CPU-second at d = 200 and 1000 (bench/teacher_student.ts). Off on GPUs (the rows would spill).
override CACHE_ROWS: bool = false;
const CACHE_BLOCKS: u32 = 256u;
alias RowCache = array<vec4<f32>, CACHE_BLOCKS>;

@group(0) @binding(0) var<storage, read> teacher: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read_write> weights: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read_write> scratch: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read> save_times: array<u32>;
@group(0) @binding(4) var<storage, read_write> history: array<f32>;
@group(0) @binding(5) var<storage, read_write> state: array<vec4<f32>>;
@group(0) @binding(6) var<storage, read_write> completed: array<u32>;
@group(0) @binding(7) var<uniform> params: Params;
@group(0) @binding(8) var<uniform> teacher_act: array<vec4<f32>, 3>;
@group(0) @binding(9) var<uniform> student_act: array<vec4<f32>, 3>;

// grad_w L = c x: correlation c = -y sigma'(h), MSE c = -(y - sigma(h)) sigma'(h).
fn grad_coefficient(h: f32, y: f32) -> f32 {
  let ds = activation_apply(student_act, h, 1u);
  if (params.loss == 1u) {
    return -(y - activation_apply(student_act, h, 0u)) * ds;
  }
  return -y * ds;
}

// Block b of walker k's row w, of its current sample's z, and of the teacher u: from the cache in
// invocation memory when CACHE_ROWS, else from the storage buffers (layout [blocks, walkers]).
fn w_block(cache: ptr<function, RowCache>, b: u32, k: u32) -> vec4<f32> {
  if (CACHE_ROWS) {
    return (*cache)[b];
  }
  return weights[b * params.walkers + k];
}

fn set_w_block(cache: ptr<function, RowCache>, b: u32, k: u32, w: vec4<f32>) {
  if (CACHE_ROWS) {
    (*cache)[b] = w;
  } else {
    weights[b * params.walkers + k] = w;
  }
}

fn z_block(cache: ptr<function, RowCache>, b: u32, k: u32) -> vec4<f32> {
  if (CACHE_ROWS) {
    return (*cache)[b];
  }
  return scratch[b * params.walkers + k];
}

fn set_z_block(cache: ptr<function, RowCache>, b: u32, k: u32, z: vec4<f32>) {
  if (CACHE_ROWS) {
    (*cache)[b] = z;
  } else {
    scratch[b * params.walkers + k] = z;
  }
}

fn u_block(cache: ptr<function, RowCache>, b: u32) -> vec4<f32> {
  if (CACHE_ROWS) {
    return (*cache)[b];
  }
  return teacher[b];
}

// Where a step's sample lives: Philox key, sample index, counter walker, and whether it is repeated.
struct Pick {
  key: vec2<u32>,
  index: u32,
  walker: u32,
  repeated: bool,
}

fn choose_sample(step: u32, walker: u32) -> Pick {
  if (params.sampling == 1u) {
    let c = philox4x32_10(vec4<u32>(0u, step, walker, 0u), vec2<u32>(params.seed, CONTROL_STREAM));
    if ((c.x >> 8u) < params.repeat_threshold) {
      return Pick(vec2<u32>(params.seed, DATASET_STREAM), philox_mulhi(c.y, params.dataset_size), walker, true);
    }
  }
  let index = select(step, step / 2u, params.sampling == 2u);
  return Pick(vec2<u32>(params.seed, FRESH_STREAM), index, select(walker, 0u, params.shared_sample == 1u), false);
}

// z of block b of a sample, lanes past d zeroed.
fn draw_z(pick: Pick, b: u32) -> vec4<f32> {
  let raw = philox_normal4(philox4x32_10(vec4<u32>(b, pick.index, pick.walker, 0u), pick.key));
  let lanes = vec4<u32>(4u * b) + vec4<u32>(0u, 1u, 2u, 3u);
  return select(vec4<f32>(0.0), raw, lanes < vec4<u32>(params.d));
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let k = gid.x + gid.y * groups.x * WORKGROUP_SIZE;
  if (k >= params.walkers) {
    return;
  }
  let nw = params.walkers;
  let walker = params.walker_offset + k;
  let eta = params.eta;
  let p = params.spherical;
  let carried = state[k];
  var repeats = carried.x;
  var repeated_h = carried.y;
  var r = carried.z; // true w = r * stored row
  var next = params.save_next;
  var done = 0u;
  // Prologue: the first sample's z and its dot products with the stored row.
  var pick = choose_sample(params.step_offset, walker);
  var wz = 0.0;
  var uz = 0.0;
  var zz = 0.0;
  var wu = 0.0;
  var ww = 0.0;
  var w_cache: RowCache;
  var z_cache: RowCache;
  var u_cache: RowCache;
  for (var b = 0u; b < params.blocks; b++) {
    let z = draw_z(pick, b);
    set_z_block(&z_cache, b, k, z);
    let w = weights[b * nw + k];
    let u = teacher[b];
    if (CACHE_ROWS) {
      w_cache[b] = w;
      u_cache[b] = u;
    }
    wz += dot(w, z);
    uz += dot(u, z);
    zz += dot(z, z);
    wu += dot(w, u);
    ww += dot(w, w);
  }
  wz *= r;
  wu *= r;
  ww *= r * r;
  for (var t = 0u; t < params.steps; t++) {
    let step = params.step_offset + t;
    // The sample's label and spike scalar s (x = z + s u).
    let q = philox4x32_10(vec4<u32>(0u, pick.index, pick.walker, 1u), pick.key);
    var y = -1.0;
    var s = 0.0;
    if (params.labels == 0u) {
      y = activation_apply(teacher_act, uz, 0u) + params.noise * philox_box_muller(q.z, q.w).x;
    } else if ((q.x >> 8u) < params.class_threshold) {
      var g = philox_rademacher(q.y);
      if (params.latent == 1u) {
        g = select(params.latent_low, params.latent_high, (q.y >> 8u) < params.latent_threshold);
      }
      s = params.spike_amplitude * g + params.uz_coefficient * uz;
      y = 1.0;
    }
    let h = wz + s * wu;
    let xx = zz + 2.0 * s * uz + s * s * params.uu;
    // grad(w) = c (x - p h w); the step is w' = A w + B x.
    let c = grad_coefficient(h, y);
    let grad_norm = abs(c) * sqrt(max(xx - 2.0 * p * h * h + p * h * h * ww, 0.0));
    var a_coef = 1.0 + eta * c * p * h;
    var b_coef = -eta * c;
    if (params.optimizer != 0u) {
      // Look-ahead point w_a = A1 w + B1 x (rate eta for twice, rho for extragradient), h_a = w_a.x.
      let rate = select(params.rho, eta, params.optimizer == 1u);
      let a1 = 1.0 + rate * c * p * h;
      let b1 = -rate * c;
      let ha = a1 * h + b1 * xx;
      let ca = grad_coefficient(ha, y);
      if (params.optimizer == 1u) {
        // w' = w_a - eta c_a (x - p h_a w_a)
        a_coef = (1.0 + eta * ca * p * ha) * a1;
        b_coef = (1.0 + eta * ca * p * ha) * b1 - eta * ca;
      } else {
        // w' = w - eta c_a (x - p h_a w_a)
        a_coef = 1.0 + eta * ca * p * ha * a1;
        b_coef = -eta * ca + eta * ca * p * ha * b1;
      }
    }
    if (pick.repeated) {
      repeats += 1.0;
      repeated_h = h;
    }
    // One pass: w' = A r stored + B (z + s u), and the next step's z with its dot products with w'.
    let has_next = t + 1u < params.steps;
    let following = choose_sample(step + 1u, walker);
    let ar = a_coef * r;
    var nn = 0.0;
    var nu = 0.0;
    wz = 0.0;
    uz = 0.0;
    zz = 0.0;
    for (var b = 0u; b < params.blocks; b++) {
      let u = u_block(&u_cache, b);
      let x = z_block(&z_cache, b, k) + s * u;
      let w = ar * w_block(&w_cache, b, k) + b_coef * x;
      set_w_block(&w_cache, b, k, w);
      nn += dot(w, w);
      nu += dot(w, u);
      if (has_next) {
        let z = draw_z(following, b);
        set_z_block(&z_cache, b, k, z);
        wz += dot(w, z);
        uz += dot(u, z);
        zz += dot(z, z);
      }
    }
    r = select(1.0, inverseSqrt(nn), params.normalize == 1u);
    wz *= r;
    wu = nu * r;
    ww = nn * r * r;
    pick = following;
    if (next < params.save_end && save_times[next] == step + 1u) {
      let slot = next - params.save_base;
      history[(slot * 4u) * nw + k] = nu * inverseSqrt(nn);
      history[(slot * 4u + 1u) * nw + k] = grad_norm;
      history[(slot * 4u + 2u) * nw + k] = repeats;
      history[(slot * 4u + 3u) * nw + k] = repeated_h;
      repeats = 0.0;
      next += 1u;
    }
    done += 1u;
  }
  if (CACHE_ROWS) {
    for (var b = 0u; b < params.blocks; b++) {
      weights[b * nw + k] = w_cache[b];
    }
  }
  state[k] = vec4<f32>(repeats, repeated_h, r, 0.0);
  completed[params.chunk * nw + k] = done;
}
