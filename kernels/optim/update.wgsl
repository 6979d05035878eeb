// optim update: one fused optimizer step over the whole flat parameter vector.
//
//   g = gradient[i] * clipScale            clipScale = min(1, maxNorm / (sqrt(normSquared[0]) + 1e-6)) when clip = 1
//   p = weights[i] * decay + ...           decay = 1 - lr wd for decoupled weight decay, else 1
//   g = g + l2 * p                         l2 = wd for L2 weight decay (torch's weight_decay), else 0
//   KIND 0 sgd:       p -= lr g
//   KIND 1 momentum:  b = first step ? g : momentum b + gradWeight g;  p -= lr b            (torch.optim.SGD)
//   KIND 2 nesterov:  b as above;                                      p -= lr (g + momentum b)
//   KIND 3 adam:      m += gradWeight (g - m); v = beta2 v + gradSquaredWeight g^2;
//                     p -= stepSize m / (sqrt(v) invSqrtBias2 + eps)                        (torch.optim.Adam/AdamW)
// Hyperparameters come per tile: the host cuts the flat vector into tiles of at most
// WORKGROUP_SIZE * ELEMENTS_PER_INVOCATION elements that never cross a parameter group's boundary
// (tiles[3t], tiles[3t + 1], tiles[3t + 2] = begin, end, group of tile t), and each workgroup updates one tile,
// so the group row is loaded once per invocation instead of looked up per element. The host folds schedules,
// bias corrections and dampening into the group rows (kernels/optim/optim.ts).
//
// Bindings: 0 weights (rw), 1 gradient (read), 2 first (rw: momentum buffer or Adam m; unused by sgd),
//           3 second (rw: Adam v; unused otherwise), 4 tiles (read), 5 groups (read),
//           6 normSquared (read: [0] = sum of squared gradients, used when clip = 1), 7 params (uniform).
// Grid: one workgroup per tile, grid1d(tileCount * WORKGROUP_SIZE, WORKGROUP_SIZE);
//       tile t = wid.x + wid.y * num_workgroups.x; element k of an invocation: begin + k * WORKGROUP_SIZE + lid.
// Reference: optimizerStepReference (lib/reference/optim.ts), float64.

struct Params {
  tileCount: u32,
  firstStep: u32,
  clip: u32,
  maxNorm: f32,
}

struct Group {
  lr: f32,
  l2: f32,
  decay: f32,
  momentum: f32,
  gradWeight: f32,
  beta2: f32,
  gradSquaredWeight: f32,
  eps: f32,
  stepSize: f32,
  invSqrtBias2: f32,
}

override WORKGROUP_SIZE: u32 = 64u;
override KIND: u32 = 0u;
override ELEMENTS_PER_INVOCATION: u32 = 8u;

@group(0) @binding(0) var<storage, read_write> weights: array<f32>;
@group(0) @binding(1) var<storage, read> gradient: array<f32>;
@group(0) @binding(2) var<storage, read_write> first: array<f32>;
@group(0) @binding(3) var<storage, read_write> second: array<f32>;
@group(0) @binding(4) var<storage, read> tiles: array<u32>;
@group(0) @binding(5) var<storage, read> groups: array<Group>;
@group(0) @binding(6) var<storage, read> normSquared: array<f32>;
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
  let h = groups[tiles[3u * t + 2u]];
  var clipScale = 1.0;
  if (params.clip == 1u) {
    clipScale = min(1.0, params.maxNorm / (sqrt(normSquared[0]) + 1e-6));
  }
  for (var k = 0u; k < ELEMENTS_PER_INVOCATION; k++) {
    let i = begin + k * WORKGROUP_SIZE + lid;
    if (i >= end) {
      break;
    }
    updateElement(i, h, clipScale);
  }
}

fn updateElement(i: u32, h: Group, clipScale: f32) {
  var g = gradient[i] * clipScale;
  var p = weights[i] * h.decay;
  g = fma(h.l2, p, g);
  if (KIND == 3u) {
    let m = fma(h.gradWeight, g - first[i], first[i]);
    let v = fma(h.beta2, second[i], h.gradSquaredWeight * g * g);
    first[i] = m;
    second[i] = v;
    p = p - h.stepSize * m / fma(sqrt(v), h.invSqrtBias2, h.eps);
  } else if (KIND == 1u || KIND == 2u) {
    var b = g;
    if (params.firstStep == 0u) {
      b = fma(h.momentum, first[i], h.gradWeight * g);
    }
    first[i] = b;
    if (KIND == 2u) {
      g = fma(h.momentum, b, g);
    } else {
      g = b;
    }
    p = fma(-h.lr, g, p);
  } else {
    p = fma(-h.lr, g, p);
  }
  weights[i] = p;
}
