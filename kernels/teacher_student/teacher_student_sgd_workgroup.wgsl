// teacher_student_sgd_workgroup: the workgroup-per-walker variant of
// kernels/teacher_student/teacher_student_sgd.wgsl, for real GPUs and few walkers. Listed after
// kernels/teacher_student/teacher_student_step.wgsl (Params, bindings, samples, step scalars: read its header
// for the algorithm), kernels/random/philox.wgsl and kernels/elementwise/activation_functions.wgsl. Same
// Philox counters, buffers, outputs and lazy renormalisation as the thread-per-walker kernel; only the work
// split differs. One workgroup per walker; its WORKGROUP_SIZE threads stride over the ceil(d / 4) blocks
// (thread t owns blocks t, t + WG, ...: no other thread touches its weights or scratch z), and the dot
// products of a step (w.z, u.z, z.z, w.u, w.w, and |x - p h w|^2 at save times) are summed by a tree
// reduction in workgroup memory. Every thread then computes the step scalars from the same sums (identical
// bits, so no broadcast barrier); thread 0 alone writes history, state and completed. Sums are added in a
// fixed order, so results are bit-identical however steps are split into dispatches, and agree with the
// thread kernel to float32 rounding (its sums run sequentially).
//
// Loop budget (DESIGN.md section 3, llvmpipe counts loop-condition checks; thread 0 has the most
// blocks): ceil(blocks / WG) + log2(WG) + 2 iterations per step and per dispatch (the prologue).
//
// Bindings: those of kernels/teacher_student/teacher_student_step.wgsl.
// Grid: one workgroup per walker, [min(walkers, max per dimension), ceil(walkers / that)].
// Reference: teacherStudentSgdReference (lib/reference/teacher_student_sgd.ts), float64.

// Threads per walker: a power of two in [2, 256].
override WORKGROUP_SIZE: u32 = 64u;

// Per-thread partial sums (w.z, u.z, z.z, w.u) and (w.w, |g|^2), and the reduced totals in two slots.
var<workgroup> partial_dots: array<vec4<f32>, WORKGROUP_SIZE>;
var<workgroup> partial_norms: array<vec2<f32>, WORKGROUP_SIZE>;
var<workgroup> total_dots: array<vec4<f32>, 2>;
var<workgroup> total_norms: array<vec2<f32>, 2>;

// The workgroup's sums of (dots, norms) in a fixed tree order, returned to every thread. The totals
// alternate between two slots (slot = call parity), so a thread's next write never races a read.
struct Sums {
  dots: vec4<f32>,
  norms: vec2<f32>,
}

fn workgroup_sum(tid: u32, dots: vec4<f32>, norms: vec2<f32>, slot: u32) -> Sums {
  partial_dots[tid] = dots;
  partial_norms[tid] = norms;
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
  let carried = state[k];
  var repeats = carried.x;
  var repeated_h = carried.y;
  var r = carried.z; // true w = r * stored row
  var next = params.save_next;
  var done = 0u;
  // Prologue: the first sample's z and its dot products with the stored row.
  var pick = choose_sample(params.step_offset, walker);
  var dots = vec4<f32>(0.0); // w.z, u.z, z.z, w.u of this thread's blocks
  for (var b = tid; b < params.blocks; b += WORKGROUP_SIZE) {
    let z = draw_z(pick, b);
    scratch[b * nw + k] = z;
    let w = weights[b * nw + k];
    let u = teacher[b];
    dots += vec4<f32>(dot(w, z), dot(u, z), dot(z, z), dot(w, u));
  }
  var sums = workgroup_sum(tid, dots, vec2<f32>(0.0), 0u);
  var wz = sums.dots.x * r;
  var uz = sums.dots.y;
  var zz = sums.dots.z;
  var wu = sums.dots.w * r;
  for (var t = 0u; t < params.steps; t++) {
    let step = params.step_offset + t;
    let st = sample_step(pick, wz, uz, zz, wu);
    if (pick.repeated) {
      repeats += 1.0;
      repeated_h = st.h;
    }
    // One pass over this thread's blocks: w' = A r stored + B (z + s u), and the next step's z.
    let saving = is_save_time(next, step);
    let has_next = t + 1u < params.steps;
    let following = choose_sample(step + 1u, walker);
    let ar = st.a * r;
    let phr = params.spherical * st.h * r;
    dots = vec4<f32>(0.0);
    var norms = vec2<f32>(0.0); // w'.w', |x - p h w|^2
    for (var b = tid; b < params.blocks; b += WORKGROUP_SIZE) {
      let u = teacher[b];
      let x = scratch[b * nw + k] + st.s * u;
      let w_old = weights[b * nw + k];
      if (saving) {
        let g = x - phr * w_old; // grad(w) / c
        norms.y += dot(g, g);
      }
      let w = ar * w_old + st.b * x;
      weights[b * nw + k] = w;
      if (has_next) {
        let z = draw_z(following, b);
        scratch[b * nw + k] = z;
        dots += vec4<f32>(dot(w, z), dot(u, z), dot(z, z), 0.0);
      }
      dots.w += dot(w, u);
      norms.x += dot(w, w);
    }
    sums = workgroup_sum(tid, dots, norms, (t + 1u) & 1u);
    let nu = sums.dots.w;
    let nn = sums.norms.x;
    r = select(1.0, inverseSqrt(nn), params.normalize == 1u);
    wz = sums.dots.x * r;
    uz = sums.dots.y;
    zz = sums.dots.z;
    wu = nu * r;
    pick = following;
    if (saving) {
      if (tid == 0u) {
        save_observables(next, k, nu * inverseSqrt(nn), abs(st.c) * sqrt(sums.norms.y), repeats, repeated_h);
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
