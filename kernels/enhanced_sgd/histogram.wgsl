// enhanced_sgd histogram: the BINS-bin histogram of the whole flat gradient over [min, max] and, per tile,
// the sum of squared deviations from the pooled mean (for the unbiased pooled variance).
//
// Second pass of the gradient statistics. Invocation 0 of each workgroup first folds the tile ranges of
// range.wgsl into the pooled mean, min and max (tileCount reads) and shares them in workgroup memory.
// Bins follow numpy.histogram: bin = floor((g - lo) / width) with width = (hi - lo) / BINS, g = hi in the
// last bin; when hi = lo numpy widens the range to
// [lo - 0.5, hi + 0.5], so width = 1 / BINS and every element lands in bin BINS / 2. Counts go to a workgroup
// histogram (workgroup atomics) and then once per bin into `counts` (global atomics; finish.wgsl reads and
// zeroes them, so they start every step at 0).
// Bindings: 0 gradient (read), 1 tiles (read), 2 ranges (read), 3 counts (rw atomic), 4 squares (rw),
//           5 params (uniform).
// Grid: one workgroup per tile, as range.wgsl.
// Reference: gradientStatisticsReference (lib/reference/enhanced_sgd.ts), float64.

struct Params {
  tileCount: u32,
  size: u32,
}

override WORKGROUP_SIZE: u32 = 64u;
override ELEMENTS_PER_INVOCATION: u32 = 64u;
override BINS: u32 = 100u;

@group(0) @binding(0) var<storage, read> gradient: array<f32>;
@group(0) @binding(1) var<storage, read> tiles: array<u32>;
@group(0) @binding(2) var<storage, read> ranges: array<f32>;
@group(0) @binding(3) var<storage, read_write> counts: array<atomic<u32>>;
@group(0) @binding(4) var<storage, read_write> squares: array<f32>;
@group(0) @binding(5) var<uniform> params: Params;

var<workgroup> local_counts: array<atomic<u32>, BINS>;
var<workgroup> partials: array<f32, WORKGROUP_SIZE>;
var<workgroup> shared_range: vec3<f32>;

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
  // Invocation 0 folds the tile ranges into the global sum, min and max; the others wait at the barrier.
  if (lid == 0u) {
    var total = 0.0;
    var lo = ranges[1];
    var hi = ranges[2];
    for (var j = 0u; j < params.tileCount; j++) {
      total += ranges[4u * j];
      lo = min(lo, ranges[4u * j + 1u]);
      hi = max(hi, ranges[4u * j + 2u]);
    }
    var width = (hi - lo) / f32(BINS);
    if (!(hi > lo)) {
      lo = lo - 0.5;
      width = 1.0 / f32(BINS);
    }
    shared_range = vec3<f32>(total / f32(params.size), lo, width);
  }
  for (var b = lid; b < BINS; b += WORKGROUP_SIZE) {
    atomicStore(&local_counts[b], 0u);
  }
  workgroupBarrier();
  let mean = shared_range.x;
  let lo = shared_range.y;
  let width = shared_range.z;
  let begin = tiles[3u * t];
  let end = tiles[3u * t + 1u];
  var square = 0.0;
  for (var k = 0u; k < ELEMENTS_PER_INVOCATION; k++) {
    let i = begin + k * WORKGROUP_SIZE + lid;
    if (i >= end) {
      break;
    }
    let g = gradient[i];
    let d = g - mean;
    square = fma(d, d, square);
    let bin = min(u32(max((g - lo) / width, 0.0)), BINS - 1u);
    atomicAdd(&local_counts[bin], 1u);
  }
  partials[lid] = square;
  workgroupBarrier();
  for (var stride = WORKGROUP_SIZE / 2u; stride > 0u; stride = stride / 2u) {
    if (lid < stride) {
      partials[lid] += partials[lid + stride];
    }
    workgroupBarrier();
  }
  if (lid == 0u) {
    squares[t] = partials[0];
  }
  for (var b = lid; b < BINS; b += WORKGROUP_SIZE) {
    let c = atomicLoad(&local_counts[b]);
    if (c > 0u) {
      atomicAdd(&counts[b], c);
    }
  }
}
