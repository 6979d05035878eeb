// teacher_student_sgd_workgroup: the workgroup-per-walker variant of kernels/teacher_student_sgd.wgsl,
// for real GPUs and few walkers. Same algorithm, Philox counters, sample choice, buffers, outputs and
// lazy renormalisation as the thread-per-walker kernel (read its header for the algorithm); only the
// work split differs. One workgroup per walker; its WORKGROUP_SIZE threads stride over the ceil(d / 4)
// blocks (thread t owns blocks t, t + WG, ...: no other thread touches its weights or scratch z), and
// the five dot products of a step (w.z, u.z, z.z, w.u, w.w) are summed by a tree reduction in workgroup
// memory. Every thread then computes the step scalars A, B from the same sums (identical bits, so no
// broadcast barrier); thread 0 alone writes history, state and completed. Sums are added in a fixed
// order, so results are bit-identical however steps are split into dispatches, and agree with the
// thread kernel to float32 rounding (its sums run sequentially).
// grad_coefficient, Pick, choose_sample and draw_z are copied unchanged from the thread kernel.
//
// Loop budget (DESIGN.md section 3, llvmpipe counts loop-condition checks; thread 0 has the most
// blocks): ceil(blocks / WG) + log2(WG) + 3 iterations per step and per dispatch (the prologue).
//
// Bindings: as kernels/teacher_student_sgd.wgsl: 0 teacher u [blocks] vec4, 1 weights [blocks, walkers]
//           vec4, 2 scratch [blocks, walkers] vec4, 3 save_times, 4 history, 5 state [walkers] vec4,
//           6 completed [chunks, walkers], 7 params, 8 teacher activation, 9 student activation.
// Grid: one workgroup per walker, [min(walkers, max per dimension), ceil(walkers / that)].
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

// Threads per walker: a power of two in [2, 256].
override WORKGROUP_SIZE: u32 = 64u;

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

// Per-thread partial sums (w.z, u.z, z.z, w.u) and w.w, and the reduced totals in two slots.
var<workgroup> partial_dots: array<vec4<f32>, WORKGROUP_SIZE>;
var<workgroup> partial_norms: array<f32, WORKGROUP_SIZE>;
var<workgroup> total_dots: array<vec4<f32>, 2>;
var<workgroup> total_norms: array<f32, 2>;

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

// The workgroup's sums of (dots, norm) in a fixed tree order, returned to every thread. The totals
// alternate between two slots (slot = call parity), so a thread's next write never races a read.
struct Sums {
  dots: vec4<f32>,
  norm: f32,
}

fn workgroup_sum(tid: u32, dots: vec4<f32>, norm: f32, slot: u32) -> Sums {
  partial_dots[tid] = dots;
  partial_norms[tid] = norm;
  workgroupBarrier();
  for (var half = WORKGROUP_SIZE / 2u; half > 1u; half /= 2u) {
    if (tid < half) {
      partial_dots[tid] += partial_dots[tid + half];
      partial_norms[tid] += partial_norms[tid + half];
    }
    workgroupBarrier();
  }
  if (tid == 0u) {
    total_dots[slot] = partial_dots[0] + partial_dots[1];
    total_norms[slot] = partial_norms[0] + partial_norms[1];
  }
  workgroupBarrier();
  return Sums(total_dots[slot], total_norms[slot]);
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(
  @builtin(workgroup_id) group: vec3<u32>,
  @builtin(num_workgroups) groups: vec3<u32>,
  @builtin(local_invocation_index) tid: u32,
) {
  let k = group.x + group.y * groups.x;
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
  var zdots = vec3<f32>(0.0); // w.z, u.z, z.z of this thread's blocks
  var wu = 0.0;
  var ww = 0.0;
  for (var b = tid; b < params.blocks; b += WORKGROUP_SIZE) {
    let z = draw_z(pick, b);
    scratch[b * nw + k] = z;
    let w = weights[b * nw + k];
    let u = teacher[b];
    zdots += vec3<f32>(dot(w, z), dot(u, z), dot(z, z));
    wu += dot(w, u);
    ww += dot(w, w);
  }
  var sums = workgroup_sum(tid, vec4<f32>(zdots, wu), ww, 0u);
  var wz = sums.dots.x * r;
  var uz = sums.dots.y;
  var zz = sums.dots.z;
  wu = sums.dots.w * r;
  ww = sums.norm * r * r;
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
        a_coef = (1.0 + eta * ca * p * ha) * a1;
        b_coef = (1.0 + eta * ca * p * ha) * b1 - eta * ca;
      } else {
        a_coef = 1.0 + eta * ca * p * ha * a1;
        b_coef = -eta * ca + eta * ca * p * ha * b1;
      }
    }
    if (pick.repeated) {
      repeats += 1.0;
      repeated_h = h;
    }
    // One pass over this thread's blocks: w' = A r stored + B (z + s u), and the next step's z.
    let has_next = t + 1u < params.steps;
    let following = choose_sample(step + 1u, walker);
    let ar = a_coef * r;
    zdots = vec3<f32>(0.0);
    var nu = 0.0;
    var nn = 0.0;
    for (var b = tid; b < params.blocks; b += WORKGROUP_SIZE) {
      let u = teacher[b];
      let x = scratch[b * nw + k] + s * u;
      let w = ar * weights[b * nw + k] + b_coef * x;
      weights[b * nw + k] = w;
      if (has_next) {
        let z = draw_z(following, b);
        scratch[b * nw + k] = z;
        zdots += vec3<f32>(dot(w, z), dot(u, z), dot(z, z));
      }
      nu += dot(w, u);
      nn += dot(w, w);
    }
    sums = workgroup_sum(tid, vec4<f32>(zdots, nu), nn, (t + 1u) & 1u);
    nu = sums.dots.w;
    nn = sums.norm;
    r = select(1.0, inverseSqrt(nn), params.normalize == 1u);
    wz = sums.dots.x * r;
    uz = sums.dots.y;
    zz = sums.dots.z;
    wu = nu * r;
    ww = nn * r * r;
    pick = following;
    if (next < params.save_end && save_times[next] == step + 1u) {
      if (tid == 0u) {
        let slot = next - params.save_base;
        history[(slot * 4u) * nw + k] = nu * inverseSqrt(nn);
        history[(slot * 4u + 1u) * nw + k] = grad_norm;
        history[(slot * 4u + 2u) * nw + k] = repeats;
        history[(slot * 4u + 3u) * nw + k] = repeated_h;
      }
      repeats = 0.0;
      next += 1u;
    }
    done += 1u;
  }
  if (tid == 0u) {
    state[k] = vec4<f32>(repeats, repeated_h, r, 0.0);
    completed[params.chunk * nw + k] = done;
  }
}
