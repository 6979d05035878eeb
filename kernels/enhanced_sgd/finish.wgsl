// enhanced_sgd finish: one invocation turns the tile partials and the histogram into this step's statistics.
//
//   mean_j       = (sum of tensor j's elements) / its size           -> means[j] (centering, update.wgsl)
//   variance     = sum (g - pooled mean)^2 / (size - 1)             (unbiased, as torch.var)
//   vbar         = smoothing variance + (1 - smoothing) vbar_prev    (EMA, vbar_0 = 0)
//   jump guard:  if |vbar - vbar_prev| > guard: vbar = guard vbar_prev + (1 - guard) vbar
//   p_b = counts_b / size;  entropyNorm = -sum p_b ln p_b / ln BINS  (Shannon, in [0, 1], scale-free)
//   h_b = counts_b / (size width) + 1e-12;  entropyRaw = -sum h_b ln h_b   (the original's density "entropy")
//   clip = vbar > 0 and clipping on ? clamp(kappa sqrt(vbar biasCorrection), clipMin, clipMax) : 3.4e38
//   loss = loss[0]; accumulators (loss, vbar, entropies, steps) restart when reset = 1, then add this step.
// The counts are zeroed here for the next step. Loops: tileCount + BINS iterations (the host keeps tileCount
// under the loop budget).
// Bindings: 0 ranges (read), 1 squares (read), 2 counts (rw atomic), 3 tiles (read), 4 means (rw),
//           5 state (rw), 6 loss (read), 7 params (uniform).
// Grid: one workgroup of one invocation (WORKGROUP_SIZE stays 1: the wrapper dispatches one invocation).
// Reference: gradientStatisticsReference and advanceStatisticsReference (lib/reference/enhanced_sgd.ts).

struct Params {
  tileCount: u32,
  size: u32,
  smoothing: f32,
  guard: f32,
  clipping: u32,
  clipKappa: f32,
  clipMin: f32,
  clipMax: f32,
  biasCorrection: f32,
  hasLoss: u32,
  reset: u32,
}

struct State {
  vbar: f32,
  vbarPrev: f32,
  variance: f32,
  entropyRaw: f32,
  entropyNorm: f32,
  clip: f32,
  gradMin: f32,
  gradMax: f32,
  gradMean: f32,
  loss: f32,
  accLoss: f32,
  accVbar: f32,
  accEntropyRaw: f32,
  accEntropyNorm: f32,
  accSteps: f32,
}

override WORKGROUP_SIZE: u32 = 1u;
override BINS: u32 = 100u;

@group(0) @binding(0) var<storage, read> ranges: array<f32>;
@group(0) @binding(1) var<storage, read> squares: array<f32>;
@group(0) @binding(2) var<storage, read_write> counts: array<atomic<u32>>;
@group(0) @binding(3) var<storage, read> tiles: array<u32>;
@group(0) @binding(4) var<storage, read_write> means: array<f32>;
@group(0) @binding(5) var<storage, read_write> state: State;
@group(0) @binding(6) var<storage, read> loss: array<f32>;
@group(0) @binding(7) var<uniform> params: Params;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main() {
  var total = 0.0;
  var square = 0.0;
  var lo = ranges[1];
  var hi = ranges[2];
  var tensorSum = 0.0;
  var tensorSize = 0u;
  for (var t = 0u; t < params.tileCount; t++) {
    let s = ranges[4u * t];
    total += s;
    square += squares[t];
    lo = min(lo, ranges[4u * t + 1u]);
    hi = max(hi, ranges[4u * t + 2u]);
    tensorSum += s;
    tensorSize += tiles[3u * t + 1u] - tiles[3u * t];
    let tensor = tiles[3u * t + 2u];
    if (t + 1u == params.tileCount || tiles[3u * t + 5u] != tensor) {
      means[tensor] = tensorSum / f32(tensorSize);
      tensorSum = 0.0;
      tensorSize = 0u;
    }
  }
  let n = f32(params.size);
  var width = (hi - lo) / f32(BINS);
  if (!(hi > lo)) {
    width = 1.0 / f32(BINS);
  }
  var shannon = 0.0;
  var raw = 0.0;
  for (var b = 0u; b < BINS; b++) {
    let c = f32(atomicLoad(&counts[b]));
    atomicStore(&counts[b], 0u);
    if (c > 0.0) {
      let p = c / n;
      shannon -= p * log(p);
    }
    let h = c / (n * width) + 1e-12;
    raw -= h * log(h);
  }
  let variance = square / max(n - 1.0, 1.0);
  let previous = state.vbar;
  var vbar = fma(params.smoothing, variance - previous, previous);
  if (abs(vbar - previous) > params.guard) {
    vbar = fma(params.guard, previous - vbar, vbar);
  }
  var clip = 3.4e38;
  if (params.clipping == 1u && vbar > 0.0) {
    clip = clamp(params.clipKappa * sqrt(vbar * params.biasCorrection), params.clipMin, params.clipMax);
  }
  var l = 0.0;
  if (params.hasLoss == 1u) {
    l = loss[0];
  }
  let entropyNorm = shannon / log(f32(BINS));
  var acc = vec4<f32>(state.accLoss, state.accVbar, state.accEntropyRaw, state.accEntropyNorm);
  var steps = state.accSteps;
  if (params.reset == 1u) {
    acc = vec4<f32>(0.0);
    steps = 0.0;
  }
  state.vbarPrev = previous;
  state.vbar = vbar;
  state.variance = variance;
  state.entropyRaw = raw;
  state.entropyNorm = entropyNorm;
  state.clip = clip;
  state.gradMin = lo;
  state.gradMax = hi;
  state.gradMean = total / n;
  state.loss = l;
  state.accLoss = acc.x + l;
  state.accVbar = acc.y + vbar;
  state.accEntropyRaw = acc.z + raw;
  state.accEntropyNorm = acc.w + entropyNorm;
  state.accSteps = steps + 1.0;
}
