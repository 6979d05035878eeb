// teacher_student_step: the part shared by the two teacher-student SGD kernels (a library, no entry
// point; listed before kernels/teacher_student/teacher_student_sgd.wgsl, thread per walker, or
// kernels/teacher_student/teacher_student_sgd_workgroup.wgsl, workgroup per walker): Params, the bindings,
// the choice and drawing of a step's sample, and the scalars of a step.
//
// Step s of walker k (global index k + walker_offset) picks a sample (lib/teacher_student/philox_layout.ts):
// fresh sample s (s / 2 in "twice" mode; walker 0's when shared), or in repeat mode with probability
// p_repeat position mulhi(c1, n) of the walker's dataset, regenerated from the dataset stream. Every
// sample is x = z + s u (z ~ N(0, I) from Philox, u the teacher direction); s and y come from the
// sample's scalar words (Perceptron: s = 0, y = g(u.z) + noise eps; spiked: s = amp g + uzc u.z).
// Every optimizer (single, twice, extragradient; MSE or correlation loss; spherical projection
// optional) is w' = A w + B x with scalars A, B computed from w.z, u.z, z.z, w.u, w.w
// (lib/teacher_student/steps.ts).
//
// Bindings: 0 teacher u [blocks] vec4 (read), 1 weights [blocks, walkers] vec4 (read_write; block-major
//           so SIMD lanes read neighbouring walkers), 2 scratch [blocks, walkers] vec4 (read_write: the
//           current sample's z), 3 save_times (read), 4 history (read_write), 5 state [walkers] vec4
//           (read_write: repeats since the last save, last repeated preactivation, scale r, unused),
//           6 completed [chunks, walkers] (read_write), 7 params, 8 teacher activation, 9 student activation.

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

// A step on sample x = z + s u: w' = a w + b x, with h = w.x and grad(w) = c (x - p h w).
struct Step {
  a: f32,
  b: f32,
  s: f32,
  h: f32,
  c: f32,
}

// The step's scalars from the sample's scalar words and the dot products w.z, u.z, z.z, w.u of the
// current w (its true scale: r times the stored row).
fn sample_step(pick: Pick, wz: f32, uz: f32, zz: f32, wu: f32) -> Step {
  let eta = params.eta;
  let p = params.spherical;
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
  let c = grad_coefficient(h, y);
  var result = Step(1.0 + eta * c * p * h, -eta * c, s, h, c);
  if (params.optimizer != 0u) {
    // Look-ahead point w_a = A1 w + B1 x (rate eta for twice, rho for extragradient), h_a = w_a.x.
    let xx = zz + 2.0 * s * uz + s * s * params.uu;
    let rate = select(params.rho, eta, params.optimizer == 1u);
    let a1 = 1.0 + rate * c * p * h;
    let b1 = -rate * c;
    let ha = a1 * h + b1 * xx;
    let ca = grad_coefficient(ha, y);
    if (params.optimizer == 1u) {
      // w' = w_a - eta c_a (x - p h_a w_a)
      result.a = (1.0 + eta * ca * p * ha) * a1;
      result.b = (1.0 + eta * ca * p * ha) * b1 - eta * ca;
    } else {
      // w' = w - eta c_a (x - p h_a w_a)
      result.a = 1.0 + eta * ca * p * ha * a1;
      result.b = -eta * ca + eta * ca * p * ha * b1;
    }
  }
  return result;
}

// Whether the state after step `step` is saved (the host passes the chunk's save times).
fn is_save_time(next: u32, step: u32) -> bool {
  return next < params.save_end && save_times[next] == step + 1u;
}

// Writes the observables of save slot next - save_base for walker k.
fn save_observables(next: u32, k: u32, overlap: f32, grad_norm: f32, repeats: f32, repeated_h: f32) {
  let nw = params.walkers;
  let slot = next - params.save_base;
  history[(slot * 4u) * nw + k] = overlap;
  history[(slot * 4u + 1u) * nw + k] = grad_norm;
  history[(slot * 4u + 2u) * nw + k] = repeats;
  history[(slot * 4u + 3u) * nw + k] = repeated_h;
}
