// enhanced_sgd range: per tile of the flat gradient, the sum, minimum and maximum of its elements.
//
// First pass of the gradient statistics (kernels/enhanced_sgd/enhanced_sgd.ts). The host cuts the flat vector
// into tiles of at most WORKGROUP_SIZE * ELEMENTS_PER_INVOCATION elements inside one parameter tensor
// (tiles[3t], tiles[3t + 1], tiles[3t + 2] = begin, end, tensor of tile t); one workgroup per tile reduces its
// elements in workgroup memory and writes ranges[4t .. 4t + 2] = (sum, min, max) (ranges[4t + 3] unused).
// Bindings: 0 gradient (read), 1 tiles (read), 2 ranges (rw), 3 params (uniform).
// Grid: one workgroup per tile, tile t = wid.x + wid.y * num_workgroups.x.
// Reference: gradientStatisticsReference (lib/reference/enhanced_sgd.ts), float64.

struct Params {
  tileCount: u32,
}

override WORKGROUP_SIZE: u32 = 64u;
override ELEMENTS_PER_INVOCATION: u32 = 64u;

@group(0) @binding(0) var<storage, read> gradient: array<f32>;
@group(0) @binding(1) var<storage, read> tiles: array<u32>;
@group(0) @binding(2) var<storage, read_write> ranges: array<f32>;
@group(0) @binding(3) var<uniform> params: Params;

var<workgroup> sums: array<f32, WORKGROUP_SIZE>;
var<workgroup> lows: array<f32, WORKGROUP_SIZE>;
var<workgroup> highs: array<f32, WORKGROUP_SIZE>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) grid: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let t = wid.x + wid.y * grid.x;
  if (t >= params.tileCount) {
    return;
  }
  let begin = tiles[3u * t];
  let end = tiles[3u * t + 1u];
  var sum = 0.0;
  var low = gradient[begin];
  var high = low;
  for (var k = 0u; k < ELEMENTS_PER_INVOCATION; k++) {
    let i = begin + k * WORKGROUP_SIZE + lid;
    if (i >= end) {
      break;
    }
    let g = gradient[i];
    sum += g;
    low = min(low, g);
    high = max(high, g);
  }
  sums[lid] = sum;
  lows[lid] = low;
  highs[lid] = high;
  workgroupBarrier();
  for (var stride = WORKGROUP_SIZE / 2u; stride > 0u; stride = stride / 2u) {
    if (lid < stride) {
      sums[lid] += sums[lid + stride];
      lows[lid] = min(lows[lid], lows[lid + stride]);
      highs[lid] = max(highs[lid], highs[lid + stride]);
    }
    workgroupBarrier();
  }
  if (lid == 0u) {
    ranges[4u * t] = sums[0];
    ranges[4u * t + 1u] = lows[0];
    ranges[4u * t + 2u] = highs[0];
  }
}
