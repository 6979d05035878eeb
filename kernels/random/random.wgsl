// random: values[r, e] for r < rows, e < cols is a value of the chosen distribution made from lane e % 4 of
// philox4x32_10(counter = (floor(e / 4), step, index + r, 0), key = (seed, stream)). One invocation
// computes one Philox block, i.e. up to four adjacent elements of one row (fewer at a row's end).
//
// Needs: kernels/random/philox.wgsl (prepended).
// Bindings: 0 values (read_write, u32 words: raw words for "u32", f32 bit patterns otherwise), 1 params.
// Grid: one invocation per block, rows * ceil(cols / 4) of them, workgroups from
//   grid1d(blocks, WORKGROUP_SIZE); the linear index is gid.x + gid.y * num_workgroups.x * WORKGROUP_SIZE.
// Reference: randomReference in lib/rng/philox.ts (bit-identical except "normal": f32 transcendentals).

struct Params {
  rows: u32,
  cols: u32,
  blocks_per_row: u32, // ceil(cols / 4)
  blocks: u32, // rows * blocks_per_row
  seed: u32,
  stream: u32,
  step: u32,
  index: u32, // counter word 2 of row 0
  distribution: u32, // 0 u32, 1 uniform, 2 normal, 3 rademacher, 4 two-point
  two_point_threshold: u32, // high when (w >> 8) < threshold, i.e. uniform(w) < probabilityHigh
  two_point_low: f32,
  two_point_high: f32,
}

override WORKGROUP_SIZE: u32 = 64u;

@group(0) @binding(0) var<storage, read_write> values: array<u32>;
@group(0) @binding(1) var<uniform> params: Params;

fn to_bits(v: vec4<f32>) -> vec4<u32> {
  return bitcast<vec4<u32>>(v);
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = gid.x + gid.y * groups.x * WORKGROUP_SIZE;
  if (i >= params.blocks) {
    return;
  }
  let row = i / params.blocks_per_row;
  let block = i - row * params.blocks_per_row;
  let counter = vec4<u32>(block, params.step, params.index + row, 0u);
  let w = philox4x32_10(counter, vec2<u32>(params.seed, params.stream));

  var bits: vec4<u32>;
  switch params.distribution {
    case 0u: {
      bits = w;
    }
    case 1u: {
      bits = to_bits(vec4<f32>(
        philox_uniform(w.x), philox_uniform(w.y), philox_uniform(w.z), philox_uniform(w.w),
      ));
    }
    case 2u: {
      bits = to_bits(philox_normal4(w));
    }
    case 3u: {
      bits = to_bits(vec4<f32>(
        philox_rademacher(w.x), philox_rademacher(w.y), philox_rademacher(w.z), philox_rademacher(w.w),
      ));
    }
    default: {
      let high = (w >> vec4<u32>(8u)) < vec4<u32>(params.two_point_threshold);
      bits = to_bits(select(vec4<f32>(params.two_point_low), vec4<f32>(params.two_point_high), high));
    }
  }

  // Four lanes at most, fewer in a row's last block when cols is not a multiple of 4.
  let first = block * 4u;
  let base = row * params.cols + first;
  let lanes = min(4u, params.cols - first);
  for (var lane = 0u; lane < lanes; lane++) {
    values[base + lane] = bits[lane];
  }
}
