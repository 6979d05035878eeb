// enhanced_sgd update: EnhancedSGD's per-element step over the flat parameter vector.
//
//   g = gradient[i] - means[tensor]          (centering on: the mean of the element's own parameter tensor)
//   g = clamp(g, -state.clip, state.clip)    (state.clip from finish.wgsl; 3.4e38 when clipping is off)
//   g = g + noiseScale noise[i]              (noise: standard normals from Backend.random, when noise = 1)
//   p = weights[i] decay                     (decay = 1 - lr weightDecay, decoupled; 1 without decay)
//   b = momentum b + g;  p = p - lr b        (heavy ball, buffer starts at 0, no dampening, no Nesterov)
// lr and momentum are this step's values from the host (the controller's output); tiles as range.wgsl.
// Bindings: 0 weights (rw), 1 gradient (read), 2 velocity (rw), 3 means (read), 4 tiles (read),
//           5 state (read: clip), 6 noise (read; unused when noise = 0), 7 params (uniform).
// Grid: one workgroup per tile, tile t = wid.x + wid.y * num_workgroups.x.
// Reference: enhancedSgdUpdateReference (lib/reference/enhanced_sgd.ts), float64.
// Why not kernels/optim/update.wgsl, whose KIND 1 is the same heavy ball: this step's gradient is centred by
// its tensor's mean, clipped by a bound that lives on the GPU (state.clip) and noised, all in this pass; the
// optim kernel would need them in a pass of their own writing a second gradient vector (one more read and
// write of every parameter per step). With them off, the two agree bit for bit
// (tests/momentum_kernels_agree_test.ts).

struct Params {
  tileCount: u32,
  centering: u32,
  noise: u32,
  noiseScale: f32,
  lr: f32,
  momentum: f32,
  decay: f32,
}

struct State {
  vbar: f32,
  vbarPrev: f32,
  variance: f32,
  entropyRaw: f32,
  entropyNorm: f32,
  clip: f32,
}

override WORKGROUP_SIZE: u32 = 64u;
override ELEMENTS_PER_INVOCATION: u32 = 64u;

@group(0) @binding(0) var<storage, read_write> weights: array<f32>;
@group(0) @binding(1) var<storage, read> gradient: array<f32>;
@group(0) @binding(2) var<storage, read_write> velocity: array<f32>;
@group(0) @binding(3) var<storage, read> means: array<f32>;
@group(0) @binding(4) var<storage, read> tiles: array<u32>;
@group(0) @binding(5) var<storage, read> state: State;
@group(0) @binding(6) var<storage, read> noise: array<f32>;
@group(0) @binding(7) var<uniform> params: Params;

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
  var center = 0.0;
  if (params.centering == 1u) {
    center = means[tiles[3u * t + 2u]];
  }
  let c = state.clip;
  for (var k = 0u; k < ELEMENTS_PER_INVOCATION; k++) {
    let i = begin + k * WORKGROUP_SIZE + lid;
    if (i >= end) {
      break;
    }
    var g = clamp(gradient[i] - center, -c, c);
    if (params.noise == 1u) {
      g = fma(params.noiseScale, noise[i], g);
    }
    let b = fma(params.momentum, velocity[i], g);
    velocity[i] = b;
    weights[i] = fma(-params.lr, b, weights[i] * params.decay);
  }
}
