// batch_norm_running: updates batch norm's running statistics from a training batch's, per channel:
//   running_mean = (1 - momentum) running_mean + momentum mean
//   running_var  = (1 - momentum) running_var  + momentum unbias var,  unbias = M / (M - 1) (1 when M = 1)
// One invocation per channel, no loops.
//
// Bindings: 0 stats (read; batch mean [C] at 0, biased var [C] after it), 1 running (read_write;
//   mean [C] at running_offset, var [C] after it), 2 params (uniform).
// Grid: workgroups from grid1d(C, WORKGROUP_SIZE).
// Reference: batchNormForwardReference (runningMean, runningVar) in lib/reference/batch_norm.ts.

struct Params {
  channels: u32,
  running_offset: u32,
  momentum: f32,
  unbias: f32,
}

override WORKGROUP_SIZE: u32 = 64u;

@group(0) @binding(0) var<storage, read> stats: array<f32>;
@group(0) @binding(1) var<storage, read_write> running: array<f32>;
@group(0) @binding(2) var<uniform> params: Params;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let c = gid.x + gid.y * groups.x * WORKGROUP_SIZE;
  if (c >= params.channels) {
    return;
  }
  let m = params.momentum;
  let mean_slot = params.running_offset + c;
  let var_slot = mean_slot + params.channels;
  running[mean_slot] = (1.0 - m) * running[mean_slot] + m * stats[c];
  running[var_slot] = (1.0 - m) * running[var_slot] + m * params.unbias * stats[params.channels + c];
}
