// teacher_student_row_cache: a library part (no entry point) listed before the thread-per-walker kernel
// (kernels/teacher_student/teacher_student_sgd.wgsl): where it reads and writes a walker's rows, block b of
// its row w, of its current sample's z, and of the teacher u, from a cache in invocation memory when
// CACHE_ROWS, else from the storage buffers of kernels/teacher_student/teacher_student_step.wgsl.

// Keep the walker's rows w, z and the teacher u in invocation memory for the whole dispatch (needs
// blocks <= CACHE_BLOCKS). On llvmpipe, where the loop index is uniform across SIMD lanes, these
// become plain vector loads while storage accesses are per-lane gathers: 20-28% more walker-steps per
// CPU-second at d = 200 and 1000 (bench/teacher_student.ts). Off on GPUs (the rows would spill).
override CACHE_ROWS: bool = false;
const CACHE_BLOCKS: u32 = 256u;
alias RowCache = array<vec4<f32>, CACHE_BLOCKS>;

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
