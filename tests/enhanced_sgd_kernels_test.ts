/**
 * EnhancedSGD's step on both backends against closed forms and the float64 reference
 * (lib/reference/enhanced_sgd.ts): per-tensor centering and heavy-ball momentum by hand, the GPU statistics
 * (variance, EMA, clip bound, histogram entropies) against float64, whole clean steps with noise, clipping and
 * the controller against a float64 re-run, and the entropies against the gradient scale.
 */
import { testBothBackends } from "./_backends.ts";
import { assert, assertClose, testValues, toF32 } from "./_assert.ts";
import type { Backend } from "../lib/backend/backend.ts";
import { ParameterLayout } from "../lib/models/parameters.ts";
import { EnhancedSGD, NOISE_STREAM } from "../lib/enhanced_sgd/optimizer.ts";
import { QController } from "../lib/enhanced_sgd/q_controller.ts";
import { ScriptedRandom, SeededRandom } from "../lib/enhanced_sgd/random.ts";
import {
  enhancedSgdUpdateReference,
  gradientStatisticsReference,
  initialStatistics,
} from "../lib/reference/enhanced_sgd.ts";
import { randomReference } from "../lib/rng/philox.ts";

const layoutOf = (sizes: number[]) =>
  new ParameterLayout(sizes.map((n, k) => ({ name: `t${k}`, shape: [n] })));

const round = (backend: Backend, v: ArrayLike<number>) =>
  backend.name === "webgpu" ? toF32(v) : Float64Array.from(v);

testBothBackends(
  "EnhancedSGD: per-tensor centering and heavy-ball momentum by hand (no noise, no clipping)",
  async (backend) => {
    const layout = layoutOf([4, 1]);
    const opt = new EnhancedSGD(backend, layout, {
      lr: 0.1,
      momentum: 0.9,
      applyNoise: false,
      gradientClipping: false,
    });
    const params = backend.tensor([0, 0, 0, 0, 7]), gradient = backend.tensor([1, 2, 3, 6, 5]);
    await opt.step(params, gradient); // no loss: the controller does not run, lr and momentum stay
    // means: 3 (w) and 5 (b): g~ = [-2, -1, 0, 3, 0]; b = g~; p = -0.1 g~
    assertClose(await backend.read(params), [0.2, 0.1, 0, -0.3, 7], { atol: 1e-7 }, "after step 1");
    await opt.step(params, gradient); // b = 1.9 g~; p -= 0.19 g~
    assertClose(await backend.read(params), [0.58, 0.29, 0, -0.87, 7], { atol: 1e-6 }, "after step 2");
    opt.dispose();
    backend.dispose(params, gradient);
  },
);

testBothBackends(
  "EnhancedSGD: GPU statistics equal the float64 reference (variance EMA, clip, entropies, means)",
  async (backend) => {
    const sizes = [3000, 7, 5000, 1];
    const layout = layoutOf(sizes);
    const opt = new EnhancedSGD(backend, layout, { applyNoise: false, controllerEvery: 1000 });
    const params = backend.zeros([layout.count]);
    let previous = initialStatistics();
    for (let t = 1; t <= 3; t++) {
      const g = round(backend, testValues(layout.count, 10 + t, -0.01 * t, 0.02 * t));
      const gradient = backend.tensor(g), loss = backend.tensor([2.5 / t]);
      await opt.step(params, gradient, loss);
      const got = await opt.statistics();
      const want = gradientStatisticsReference(
        g,
        layout.views.map((v) => ({ begin: v.offset, end: v.offset + v.size })),
        previous,
        2.5 / t,
        {
          smoothing: 0.1,
          guard: 0.9,
          clipping: true,
          clipKappa: 2,
          clipMin: 0,
          clipMax: 10,
          biasCorrection: 1 / (1 - 0.9 ** t),
          reset: t === 1,
          bins: 100,
        },
      ).state;
      for (
        const k of [
          "variance",
          "vbar",
          "vbarPrev",
          "clip",
          "gradMin",
          "gradMax",
          "accVbar",
          "loss",
          "accLoss",
        ] as const
      ) {
        assertClose([got[k]], [want[k]], { rtol: 2e-5, atol: 1e-12 }, `step ${t} ${k}`);
      }
      // One element moving across a bin edge in float32 changes H_norm by ~1e-4 at this size.
      assertClose([got.entropyNorm], [want.entropyNorm], { atol: 5e-4 }, `step ${t} entropyNorm`);
      assertClose([got.entropyRaw], [want.entropyRaw], { rtol: 2e-3 }, `step ${t} entropyRaw`);
      assert.equal(got.accSteps, t);
      previous = want;
      backend.dispose(gradient, loss);
    }
    opt.dispose();
    backend.dispose(params);
  },
);

testBothBackends(
  "EnhancedSGD clean: steps with noise, clipping and the controller every 2 steps equal a float64 re-run",
  async (backend) => {
    const sizes = [50, 10, 1];
    const layout = layoutOf(sizes);
    const tensors = layout.views.map((v) => ({ begin: v.offset, end: v.offset + v.size }));
    const options = {
      lr: 0.05,
      momentum: 0.9,
      noiseScale: 1e-3,
      controllerEvery: 2,
      seed: 7,
      weightDecay: 0.01,
    };
    const opt = new EnhancedSGD(backend, layout, options);
    const p0 = round(backend, testValues(layout.count, 3));
    const params = backend.tensor(p0);
    // float64 re-run from the same pieces
    const want = Float64Array.from(p0), velocity = new Float64Array(layout.count);
    const controller = new QController({ ...opt.clean!.settings }, new SeededRandom(7));
    let stats = initialStatistics(), lr = 0.05, momentum = 0.9, reset = true;
    for (let t = 1; t <= 6; t++) {
      const g = round(backend, testValues(layout.count, 100 + t, -1, 1.5));
      const l = 1 / t;
      const gradient = backend.tensor(g), loss = backend.tensor([l]);
      await opt.step(params, gradient, loss);
      backend.dispose(gradient, loss);
      const r = gradientStatisticsReference(g, tensors, stats, l, {
        smoothing: 0.1,
        guard: 0.9,
        clipping: true,
        clipKappa: 2,
        clipMin: 0,
        clipMax: 10,
        biasCorrection: 1 / (1 - 0.9 ** t),
        reset,
        bins: 100,
      });
      stats = r.state;
      reset = false;
      const noise = randomReference(1, layout.count, { seed: 7, stream: NOISE_STREAM, step: t });
      enhancedSgdUpdateReference(want, g, velocity, r.means, tensors, {
        lr,
        momentum,
        centering: true,
        clip: stats.clip,
        noise,
        noiseScale: 1e-3,
        decay: 1 - lr * 0.01,
      });
      if (t % 2 === 0) {
        const n = stats.accSteps;
        const d = controller.observe({
          step: t,
          epoch: 0,
          loss: stats.accLoss / n,
          vbar: stats.accVbar / n,
          entropyNorm: stats.accEntropyNorm / n,
        });
        lr = d.lr;
        momentum = d.momentum;
        reset = true;
        assertClose([opt.lr, opt.momentum], [lr, momentum], { rtol: 1e-12 }, `controller at step ${t}`);
      }
    }
    assert.ok(stats.clip < 2, `the clip bound ${stats.clip} is active for gradients in [-1, 1.5]`);
    assertClose(await backend.read(params), want, { rtol: 1e-4, atol: 2e-6 }, "parameters after 6 steps");
    assert.equal(opt.telemetry.length, 3);
    opt.dispose();
    backend.dispose(params);
  },
);

testBothBackends(
  "EnhancedSGD: normalised entropy is the same at every gradient scale, the raw one is not",
  async (backend) => {
    const n = 100_000;
    const z = randomReference(1, n, { seed: 3 }) as Float64Array;
    const layout = layoutOf([n]);
    const rows: { std: number; raw: number; norm: number }[] = [];
    for (const std of [1e-4, 1e-2, 1]) {
      const opt = new EnhancedSGD(backend, layout, { applyNoise: false });
      const params = backend.zeros([n]), gradient = backend.tensor(z.map((v) => v * std));
      await opt.step(params, gradient);
      const s = await opt.statistics();
      rows.push({ std, raw: s.entropyRaw, norm: s.entropyNorm });
      opt.dispose();
      backend.dispose(params, gradient);
    }
    console.log(rows);
    for (const r of rows) assertClose([r.norm], [rows[2].norm], { atol: 1e-3 }, `H_norm at std ${r.std}`);
    assert.ok(rows[2].norm * Math.log(100) > 3.6 && rows[2].norm * Math.log(100) < 4.0, `about 3.8 nats`);
    assert.ok(
      rows[0].raw < -7e5 && rows[0].raw > -1e6,
      `raw at std 1e-4: ${rows[0].raw} (spec: about -8.5e5)`,
    );
    assert.ok(rows[2].raw > 10 && rows[2].raw < 20, `raw at std 1: ${rows[2].raw} (spec: about +15)`);
  },
);

testBothBackends(
  "EnhancedSGD faithful: steps (clip floor 0.5, scripted actions) equal a float64 re-run",
  async (backend) => {
    const layout = layoutOf([30, 1]);
    const tensors = layout.views.map((v) => ({ begin: v.offset, end: v.offset + v.size }));
    const opt = new EnhancedSGD(backend, layout, { mode: "faithful", stepsPerEpoch: 2, seed: 4 }, {
      random: new ScriptedRandom([]),
    });
    opt.faithful!.scripted = Array.from(
      { length: 6 },
      (_, t) => ({ lr: t % 2 ? 1.05 : -0.005, momentum: 1, grad: 1 }),
    );
    const p0 = round(backend, testValues(31, 6));
    const params = backend.tensor(p0);
    const want = Float64Array.from(p0), velocity = new Float64Array(31);
    let stats = initialStatistics();
    for (let t = 1; t <= 6; t++) {
      const g = round(backend, testValues(31, 300 + t, -2, 3)); // |g| up to 3: the 0.5..10 clip is active
      const gradient = backend.tensor(g), loss = backend.tensor([1]);
      await opt.step(params, gradient, loss);
      backend.dispose(gradient, loss);
      const r = gradientStatisticsReference(g, tensors, stats, 1, {
        smoothing: 0.1,
        guard: 0.9,
        clipping: true,
        clipKappa: 2,
        clipMin: 0.5,
        clipMax: 10,
        biasCorrection: 1,
        reset: false,
        bins: 100,
      });
      stats = r.state;
      const row = opt.telemetry[t - 1];
      const noise = randomReference(1, 31, { seed: 4, stream: NOISE_STREAM, step: t });
      enhancedSgdUpdateReference(want, g, velocity, r.means, tensors, {
        lr: row.lr,
        momentum: row.momentum,
        centering: true,
        clip: stats.clip,
        noise,
        noiseScale: 1e-4,
        decay: 1,
      });
    }
    assertClose(
      await backend.read(params),
      want,
      { rtol: 1e-4, atol: 2e-6 },
      "parameters after 6 faithful steps",
    );
    opt.dispose();
    backend.dispose(params);
  },
);
