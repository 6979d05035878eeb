// linear_regression_sgd: many walkers of online SGD on a noiseless linear teacher, many steps
// per dispatch, one invocation per walker (barrier-free: walkers run across SIMD lanes).
//
// Step s of walker k draws a fresh x ~ N(0, I_d) from Philox (key (seed, stream), counter
// (block, s, k, 0), lanes as in Backend.random), predicts yhat = w.x / sqrt(d) against
// y = w*.x / sqrt(d), and updates w <- w - lr (yhat - y) x / sqrt(d). x is regenerated for
// the update instead of being stored (counter-based RNG: the same bits). After step s, when
// (s + 1) % record_every == 0, it records the error |w - w*|^2 / d in history slot
// (s + 1) / record_every - 1, so records do not depend on how steps are split into dispatches.
//
// Loop budget (DESIGN.md section 3): each step costs 2 (ceil(d / 4) + 1) + 1 loop checks; the host
// plans steps per dispatch with maxStepsPerDispatch and checks completed[chunk, walker].
//
// Bindings: 0 teacher w* [d] (read), 1 weights [walkers, d] (read_write),
//           2 history [walkers, history_len] (read_write), 3 completed [chunks, walkers] (read_write),
//           4 params (uniform).
// Grid: grid1d(walkers, WORKGROUP_SIZE).
// Reference: linearRegressionSgdReference (lib/reference/linear_regression_sgd.ts), float64.

struct Params {
  d: u32,
  walkers: u32,
  steps: u32,
  step_offset: u32,
  seed: u32,
  stream: u32,
  record_every: u32,
  history_len: u32,
  chunk: u32,
  lr: f32,
  inv_sqrt_d: f32,
}

override WORKGROUP_SIZE: u32 = 64u;

@group(0) @binding(0) var<storage, read> teacher: array<f32>;
@group(0) @binding(1) var<storage, read_write> weights: array<f32>;
@group(0) @binding(2) var<storage, read_write> history: array<f32>;
@group(0) @binding(3) var<storage, read_write> completed: array<u32>;
@group(0) @binding(4) var<uniform> params: Params;

// x_e for the four lanes of block b, with lanes past d zeroed.
fn sample_block(b: u32, step: u32, walker: u32) -> vec4<f32> {
  let z = philox_normal4(philox4x32_10(vec4<u32>(b, step, walker, 0u), vec2<u32>(params.seed, params.stream)));
  let e = vec4<u32>(4u * b, 4u * b + 1u, 4u * b + 2u, 4u * b + 3u);
  return select(vec4<f32>(0.0), z, e < vec4<u32>(params.d));
}

fn load4(base: u32, b: u32) -> vec4<f32> {
  let e = 4u * b;
  let d = params.d;
  return vec4<f32>(
    select(0.0, weights[base + min(e, d - 1u)], e < d),
    select(0.0, weights[base + min(e + 1u, d - 1u)], e + 1u < d),
    select(0.0, weights[base + min(e + 2u, d - 1u)], e + 2u < d),
    select(0.0, weights[base + min(e + 3u, d - 1u)], e + 3u < d),
  );
}

fn teacher4(b: u32) -> vec4<f32> {
  let e = 4u * b;
  let d = params.d;
  return vec4<f32>(
    select(0.0, teacher[min(e, d - 1u)], e < d),
    select(0.0, teacher[min(e + 1u, d - 1u)], e + 1u < d),
    select(0.0, teacher[min(e + 2u, d - 1u)], e + 2u < d),
    select(0.0, teacher[min(e + 3u, d - 1u)], e + 3u < d),
  );
}

fn store_lane(index: u32, e: u32, value: f32) {
  if (e < params.d) {
    weights[index] = value;
  }
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let walker = gid.x + gid.y * groups.x * WORKGROUP_SIZE;
  if (walker >= params.walkers) {
    return;
  }
  let base = walker * params.d;
  let blocks = (params.d + 3u) / 4u;
  var done = 0u;
  for (var t = 0u; t < params.steps; t++) {
    let step = params.step_offset + t;
    var student = 0.0;
    var label = 0.0;
    for (var b = 0u; b < blocks; b++) {
      let x = sample_block(b, step, walker);
      student += dot(load4(base, b), x);
      label += dot(teacher4(b), x);
    }
    let factor = params.lr * (student - label) * params.inv_sqrt_d * params.inv_sqrt_d;
    var error = 0.0;
    for (var b = 0u; b < blocks; b++) {
      let x = sample_block(b, step, walker);
      let w = load4(base, b) - factor * x;
      let diff = w - teacher4(b);
      error += dot(diff, diff);
      let e = base + 4u * b;
      store_lane(e, 4u * b, w.x);
      store_lane(e + 1u, 4u * b + 1u, w.y);
      store_lane(e + 2u, 4u * b + 2u, w.z);
      store_lane(e + 3u, 4u * b + 3u, w.w);
    }
    if ((step + 1u) % params.record_every == 0u) {
      let slot = (step + 1u) / params.record_every - 1u;
      if (slot < params.history_len) {
        history[walker * params.history_len + slot] = error / f32(params.d);
      }
    }
    done += 1u;
  }
  completed[params.chunk * params.walkers + walker] = done;
}
