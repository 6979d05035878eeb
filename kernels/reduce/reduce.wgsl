// reduce: one stage of a staged reduction of x viewed as [outer, n, inner] (row-major) over the middle
// axis. Invocation (o, p, i) combines the strided line elements k = p, p + parts, p + 2 parts, ... (< n)
// into partial[o, p, i], so out is [outer, parts, inner]; each invocation loops at most
// ceil(n / parts) <= CHUNK times, far below llvmpipe's ~65,535-iteration limit (DESIGN.md section 3).
// The host repeats stages on the partials until parts == 1; that last stage finalises (scale, sqrt).
// Neighbouring invocations read neighbouring addresses (i fastest, then p), which suits SIMD lanes.
//
// transform (applied to each element before combining; later stages use 0):
//   0 identity, 1 square, 2 squared deviation (x - y[o, i])^2 from a mean buffer y [outer, inner],
//   3 product x * y with y shaped like x (rowDot).
// combine: 0 sum, 1 min, 2 max. Any NaN element (found by its bit pattern, since compilers may fold
// x != x) makes the result NaN; min/max keep the first of equal values (select on strict <, >).
// When n == 0 every output is bitcast<f32>(empty_bits) (the host passes n = 0 for results that do
// not depend on the data: an empty line, a variance with n <= ddof).
//
// Bindings: 0 x (read), 1 y (read; x itself when unused), 2 out (read_write), 3 params (uniform).
// Grid: one invocation per output, workgroups from grid1d(outer * parts * inner, WORKGROUP_SIZE);
//       linear index = gid.x + gid.y * num_workgroups.x * WORKGROUP_SIZE.
// Reference: reduceReference and rowDotReference (lib/reference/reduce.ts), float64.

struct Params {
  outer: u32,
  n: u32,
  inner: u32,
  parts: u32,
  transform: u32,
  combine: u32,
  take_sqrt: u32,
  empty_bits: u32,
  scale: f32,
}

override WORKGROUP_SIZE: u32 = 64u;

const TRANSFORM_SQUARE: u32 = 1u;
const TRANSFORM_DEVIATION: u32 = 2u;
const TRANSFORM_PRODUCT: u32 = 3u;
const COMBINE_SUM: u32 = 0u;
const COMBINE_MIN: u32 = 1u;
const QUIET_NAN_BITS: u32 = 0x7fc00000u;

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> y: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
@group(0) @binding(3) var<uniform> params: Params;

fn is_nan(v: f32) -> bool {
  return (bitcast<u32>(v) & 0x7fffffffu) > 0x7f800000u;
}

fn transformed(index: u32, line: u32) -> f32 {
  let v = x[index];
  switch params.transform {
    case TRANSFORM_SQUARE: {
      return v * v;
    }
    case TRANSFORM_DEVIATION: {
      let d = v - y[line];
      return d * d;
    }
    case TRANSFORM_PRODUCT: {
      return v * y[index];
    }
    default: {
      return v;
    }
  }
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let t = gid.x + gid.y * groups.x * WORKGROUP_SIZE;
  let i = t % params.inner;
  let p = (t / params.inner) % params.parts;
  let o = t / (params.inner * params.parts);
  if (o >= params.outer) {
    return;
  }
  let slot = (o * params.parts + p) * params.inner + i;
  if (params.n == 0u) {
    out[slot] = bitcast<f32>(params.empty_bits);
    return;
  }
  let line = o * params.inner + i;
  let first = o * params.n * params.inner + i;
  var acc = transformed(first + p * params.inner, line);
  var saw_nan = is_nan(acc);
  for (var k = p + params.parts; k < params.n; k += params.parts) {
    let v = transformed(first + k * params.inner, line);
    saw_nan = saw_nan || is_nan(v);
    if (params.combine == COMBINE_SUM) {
      acc += v;
    } else if (params.combine == COMBINE_MIN) {
      acc = select(acc, v, v < acc);
    } else {
      acc = select(acc, v, v > acc);
    }
  }
  if (params.parts == 1u) {
    if (params.combine == COMBINE_SUM) {
      acc *= params.scale;
    }
    if (params.take_sqrt != 0u) {
      acc = sqrt(acc);
    }
  }
  if (saw_nan) {
    acc = bitcast<f32>(QUIET_NAN_BITS);
  }
  out[slot] = acc;
}
