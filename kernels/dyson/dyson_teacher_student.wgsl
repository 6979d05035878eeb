// dyson_teacher_student: every seed of every setting of a linear teacher-student sweep, many
// SGD steps per dispatch, one invocation per seed (barrier-free), W (N x N, N <= 8) in registers.
//
// Step s of seed (setting, member m), j = s % batches: the batch's samples are j B .. j B + B - 1;
// raw = sum over them of the normals m (Philox key (setting.key0, stream), counter
// (e / 4, sample, m, 0), lane e % 4); abar = eps / B (tril(raw) + tril(raw, -1)^T, diagonal
// times sqrt 2); W <- W + lr ((W_T - W) Sigma_j + abar), Sigma_j read from cov (shared inputs,
// computed on the host). After step s, when (s + 1) % steps_per_snapshot == 0, W goes to slot
// (s + 1) / steps_per_snapshot.
//
// Loop budget: per step B (1 + ceil(N^2 / 4)) + N^2 (N + 2) + N^2 + 2 iterations
// (teacherStudentIterationsPerStep); the host checks completed[chunk, seed].
//
// Bindings: 0 settings [settings] (read), 1 teacher [N^2] (read), 2 cov [settings, batches, N^2]
//   (read), 3 weights [seeds, N^2] (read_write), 4 snapshots [seeds, slots, N^2] (read_write),
//   5 completed [chunks, seeds] (read_write), 6 params (uniform).
// Grid: grid1d(seeds, WORKGROUP_SIZE). Reference: teacherStudentReference, float64.

struct Setting {
  lr: f32,
  noise: f32,
  batch: u32,
  key0: u32,
}

struct Params {
  seeds_per_setting: u32,
  seeds: u32,
  steps: u32,
  step_offset: u32,
  batches: u32,
  steps_per_snapshot: u32,
  slots: u32,
  chunk: u32,
  stream: u32,
}

override WORKGROUP_SIZE: u32 = 64u;
override N: u32 = 2u; // matrix size, <= 8 (a constant, so the loops unroll)
const SQRT2: f32 = 1.41421356237;

@group(0) @binding(0) var<storage, read> settings: array<Setting>;
@group(0) @binding(1) var<storage, read> teacher: array<f32>;
@group(0) @binding(2) var<storage, read> cov: array<f32>;
@group(0) @binding(3) var<storage, read_write> weights: array<f32>;
@group(0) @binding(4) var<storage, read_write> snapshots: array<f32>;
@group(0) @binding(5) var<storage, read_write> completed: array<u32>;
@group(0) @binding(6) var<uniform> params: Params;

var<private> w: array<f32, 64>;
var<private> next: array<f32, 64>;
var<private> raw: array<f32, 64>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let seed = gid.x + gid.y * groups.x * WORKGROUP_SIZE;
  if (seed >= params.seeds) {
    return;
  }
  let setting_index = seed / params.seeds_per_setting;
  let setting = settings[setting_index];
  let member = seed % params.seeds_per_setting;
  let key = vec2<u32>(setting.key0, params.stream);
  let nn = N * N;
  let blocks = (nn + 3u) / 4u;
  for (var e = 0u; e < nn; e++) {
    w[e] = weights[seed * nn + e];
  }
  let scale = setting.noise / f32(setting.batch);
  var done = 0u;
  for (var t = 0u; t < params.steps; t++) {
    let step = params.step_offset + t;
    let j = step % params.batches;
    for (var e = 0u; e < nn; e++) {
      raw[e] = 0.0;
    }
    for (var b = 0u; b < setting.batch; b++) {
      let sample = j * setting.batch + b;
      for (var blk = 0u; blk < blocks; blk++) {
        let z = philox_normal4(philox4x32_10(vec4<u32>(blk, sample, member, 0u), key));
        for (var lane = 0u; lane < 4u; lane++) {
          let e = 4u * blk + lane;
          if (e < nn) {
            raw[e] += z[lane];
          }
        }
      }
    }
    let cov_base = (setting_index * params.batches + j) * nn;
    for (var i = 0u; i < N; i++) {
      for (var k = 0u; k < N; k++) {
        var g = 0.0;
        for (var l = 0u; l < N; l++) {
          g += (teacher[i * N + l] - w[i * N + l]) * cov[cov_base + l * N + k];
        }
        let a = select(raw[max(i, k) * N + min(i, k)], SQRT2 * raw[i * N + i], i == k);
        next[i * N + k] = w[i * N + k] + setting.lr * (g + scale * a);
      }
    }
    for (var e = 0u; e < nn; e++) {
      w[e] = next[e];
    }
    if ((step + 1u) % params.steps_per_snapshot == 0u) {
      let slot = (step + 1u) / params.steps_per_snapshot;
      if (slot < params.slots) {
        for (var e = 0u; e < nn; e++) {
          snapshots[(seed * params.slots + slot) * nn + e] = w[e];
        }
      }
    }
    done += 1u;
  }
  for (var e = 0u; e < nn; e++) {
    weights[seed * nn + e] = w[e];
  }
  completed[params.chunk * params.seeds + seed] = done;
}
