// loop_probe: runs up to params.iterations loop iterations in one invocation and
// writes how many it completed, so the host can measure the adapter's silent
// per-invocation loop limit (Mesa llvmpipe stops every loop after ~65,535
// iterations with no error; DESIGN.md section 3) and tests can show a kernel
// that stops early being caught.
//
// Bindings: 0 out (read_write, u32 [completed, hash]), 1 params (uniform).
// Grid: one workgroup of one invocation.
// Reference: a loop that completes all iterations (out[0] == params.iterations).

struct Params {
  iterations: u32,
  seed: u32,
}

@group(0) @binding(0) var<storage, read_write> out: array<u32>;
@group(0) @binding(1) var<uniform> params: Params;

@compute @workgroup_size(1)
fn main() {
  var completed = 0u;
  var hash = params.seed;
  for (var i = 0u; i < params.iterations; i++) {
    // An LCG step keeps the compiler from replacing the loop by its trip count.
    hash = hash * 1664525u + 1013904223u;
    completed += 1u;
  }
  out[0] = completed;
  out[1] = hash;
}
