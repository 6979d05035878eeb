// teacher_student_sgd: many walkers of online SGD of a single-index student sigma(w.x) on the unit
// sphere, many steps per dispatch, one invocation per walker (barrier-free: walkers across SIMD lanes).
// Listed after kernels/teacher_student/teacher_student_step.wgsl (Params, bindings, samples, step scalars:
// read its header for the algorithm), kernels/teacher_student/teacher_student_row_cache.wgsl (the rows w, z
// and u in invocation memory or storage), kernels/random/philox.wgsl and
// kernels/elementwise/activation_functions.wgsl.
//
// One pass over the row per step applies step s and, in the same loop, draws z of step s + 1 into the
// scratch row and sums its dot products with the new w (a prologue pass draws the dispatch's first
// sample). Renormalisation is lazy: the stored row is w' and the scale r = 1 / |w'| multiplies it when
// read; r is carried across dispatches in state[k].z (the host scales rows by it when it reads them),
// so every bit is independent of how steps are split into dispatches. At a save time (t = s + 1 ==
// save_times[next]) the pass also sums |x - p h w|^2 for the gradient norm, and the step writes
// history[(slot * 4 + q) * walkers + k], slot = next - save_base, q: overlap w.u / |w|, |grad(w)| of
// this step, repeats since the last save, last repeated preactivation.
//
// Loop budget (DESIGN.md section 3): ceil(ceil(d / 4) / 2) + 2 iterations per step (two blocks per
// trip; llvmpipe also counts loop-condition checks) plus 2 (ceil(d / 4) + 2) per dispatch (the
// prologue, and the cache write-back);
// the host plans steps with maxStepsPerDispatch and checks completed[chunk, walker].
//
// Bindings: those of kernels/teacher_student/teacher_student_step.wgsl.
// Grid: grid1d(walkers, WORKGROUP_SIZE).
// Reference: teacherStudentSgdReference (lib/reference/teacher_student_sgd.ts), float64.

override WORKGROUP_SIZE: u32 = 64u;
// What a step's pass sums over the row: w'.z', u.z', z'.z' (z' the next sample), w'.w', w'.u, |g|^2.
struct PassSums {
  wz: f32,
  uz: f32,
  zz: f32,
  nn: f32,
  nu: f32,
  gg: f32,
}

// Block b of a step's pass: w' = A r w + B (z + s u) (and at save times |x - p h w|^2), then the next
// sample's z and its dot products with w'.
fn pass_block(
  w_cache: ptr<function, RowCache>,
  z_cache: ptr<function, RowCache>,
  u_cache: ptr<function, RowCache>,
  sums: ptr<function, PassSums>,
  b: u32,
  k: u32,
  st: Step,
  ar: f32,
  phr: f32,
  saving: bool,
  following: Pick,
  has_next: bool,
) {
  let u = u_block(u_cache, b);
  let x = z_block(z_cache, b, k) + st.s * u;
  let w_old = w_block(w_cache, b, k);
  if (saving) {
    let g = x - phr * w_old; // grad(w) / c
    (*sums).gg += dot(g, g);
  }
  let w = ar * w_old + st.b * x;
  set_w_block(w_cache, b, k, w);
  (*sums).nn += dot(w, w);
  (*sums).nu += dot(w, u);
  if (has_next) {
    let z = draw_z(following, b);
    set_z_block(z_cache, b, k, z);
    (*sums).wz += dot(w, z);
    (*sums).uz += dot(u, z);
    (*sums).zz += dot(z, z);
  }
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let k = gid.x + gid.y * groups.x * WORKGROUP_SIZE;
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
  var wz = 0.0;
  var uz = 0.0;
  var zz = 0.0;
  var wu = 0.0;
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
  }
  wz *= r;
  wu *= r;
  for (var t = 0u; t < params.steps; t++) {
    let step = params.step_offset + t;
    let st = sample_step(pick, wz, uz, zz, wu);
    if (pick.repeated) {
      repeats += 1.0;
      repeated_h = st.h;
    }
    // One pass: w' = A r stored + B (z + s u), and the next step's z with its dot products with w'.
    let saving = is_save_time(next, step);
    let has_next = t + 1u < params.steps;
    let following = choose_sample(step + 1u, walker);
    let ar = st.a * r;
    let phr = params.spherical * st.h * r;
    var sums = PassSums(0.0, 0.0, 0.0, 0.0, 0.0, 0.0);
    // Two blocks per trip: half the loop overhead on llvmpipe (+5%) and half the loop budget.
    for (var b = 0u; b < params.blocks; b += 2u) {
      pass_block(&w_cache, &z_cache, &u_cache, &sums, b, k, st, ar, phr, saving, following, has_next);
      if (b + 1u < params.blocks) {
        pass_block(&w_cache, &z_cache, &u_cache, &sums, b + 1u, k, st, ar, phr, saving, following, has_next);
      }
    }
    let nn = sums.nn;
    let nu = sums.nu;
    r = select(1.0, inverseSqrt(nn), params.normalize == 1u);
    wz = sums.wz * r;
    uz = sums.uz;
    zz = sums.zz;
    wu = nu * r;
    pick = following;
    if (saving) {
      save_observables(next, k, nu * inverseSqrt(nn), abs(st.c) * sqrt(sums.gg), repeats, repeated_h);
      repeats = 0.0;
      next += 1u;
    }
    done += 1u;
  }
  if (CACHE_ROWS) {
    var b = 0u;
    for (; b < params.blocks; b++) {
      weights[b * nw + k] = w_cache[b];
    }
    if (b < params.blocks) {
      done = 0u; // the loop limit cut the write-back short: report the dispatch as incomplete
    }
  }
  state[k] = vec4<f32>(repeats, repeated_h, r, 0.0);
  completed[params.chunk * nw + k] = done;
}
