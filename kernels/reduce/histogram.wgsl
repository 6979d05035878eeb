// histogram: counts of x[0..size) in `bins` equal-width bins over [low, high], plus underflow
// (x < low), overflow (x > high) and NaN counts: out = [counts(bins), underflow, overflow, nan].
// Binning is float32 arithmetic: bin = min(floor((x - low) * scale), bins - 1) for low <= x <= high,
// where scale = f32(bins / (high - low)) comes from the host, so x == high lands in the last bin
// and the reference reproduces every bin exactly with Math.fround. NaN is found by its bit pattern
// (compilers may fold x != x). out must be zero on entry.
//
// Bindings: 0 x (read), 1 out (read_write, atomic u32, bins + 3 words), 2 params (uniform).
// Grid: one invocation per element, workgroups from grid1d(size, WORKGROUP_SIZE);
//       linear index = gid.x + gid.y * num_workgroups.x * WORKGROUP_SIZE.
// Reference: histogramReference (lib/reference/reduce.ts).

struct Params {
  size: u32,
  bins: u32,
  low: f32,
  high: f32,
  scale: f32,
}

override WORKGROUP_SIZE: u32 = 64u;

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> out: array<atomic<u32>>;
@group(0) @binding(2) var<uniform> params: Params;

fn is_nan(v: f32) -> bool {
  return (bitcast<u32>(v) & 0x7fffffffu) > 0x7f800000u;
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let index = gid.x + gid.y * groups.x * WORKGROUP_SIZE;
  if (index >= params.size) {
    return;
  }
  let v = x[index];
  var slot: u32;
  if (is_nan(v)) {
    slot = params.bins + 2u;
  } else if (v < params.low) {
    slot = params.bins;
  } else if (v > params.high) {
    slot = params.bins + 1u;
  } else {
    slot = u32(min(floor((v - params.low) * params.scale), f32(params.bins - 1u)));
  }
  atomicAdd(&out[slot], 1u);
}
