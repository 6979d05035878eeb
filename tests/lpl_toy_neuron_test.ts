/**
 * The toy 2-D LPL neuron: the fused kernel against the float64 reference, the update against central
 * differences of the objective, the loop-budget guard, and the qualitative results of paper Fig. 2.
 */
import { assert, assertClose, U32 } from "./_assert.ts";
import { testBothBackends, testGpuOnly } from "./_backends.ts";
import { WebGpuBackend } from "../lib/backend/webgpu.ts";
import { IncompleteDispatchError, maxStepsPerDispatch } from "../lib/gpu/loop_budget.ts";
import { TOY_RULES, type ToyRule, toySetting, trainToyNeurons } from "../lib/lpl/toy_neuron.ts";
import { toyNeuronMetrics } from "../lib/lpl/toy_metrics.ts";
import {
  toyInitialState,
  toyInput,
  toyNeuronGradient,
  toyNeuronLoss,
  toyNeuronReference,
  toySampleFlips,
  toySampleNormals,
} from "../lib/reference/lpl_toy_neuron.ts";
import type { ToyNeuronShape } from "../kernels/lpl/toy_neuron_types.ts";
import { toyNeuronIterations } from "../kernels/lpl/toy_neuron.ts";

/** Every rule at a small and a large sigma_y, with flips, the stored past output, an odd batch. */
function mixedShape(steps: number): ToyNeuronShape {
  const settings = TOY_RULES.flatMap((rule, i) =>
    [0.1, 3].map((sigma) =>
      toySetting(rule, sigma, {
        flipProbability: i % 2 === 0 ? 0.2 : 0,
        pastOutput: i % 3 === 0 ? "stored" : "recomputed",
      })
    )
  );
  return { settings, repetitions: 2, batch: 18, steps, recordEvery: 50, seed: 7 };
}

testGpuOnly(
  "lpl toy neuron: kernel matches the float64 reference over 300 steps, any chunking",
  async (gpu) => {
    const backend = new WebGpuBackend(gpu);
    const shape = mixedShape(300);
    const want = toyNeuronReference(shape);
    const chunked = await trainToyNeurons(backend, shape, { stepsPerDispatch: 70 });
    assert.equal(chunked.dispatches, 5);
    // 300 contracting SGD steps in float32 (moments of 18 samples per step): ~2e-6 relative measured.
    const wDiff = assertClose(chunked.weights, want.weights, { atol: 1e-5, rtol: 3e-5 }, "weights");
    const aDiff = assertClose(chunked.activity, want.activity, { atol: 1e-5, rtol: 3e-5 }, "activity");
    console.error(
      `max |w - w_ref| = ${wDiff.toExponential(2)}, max |activity diff| = ${aDiff.toExponential(2)}`,
    );
    const whole = await trainToyNeurons(backend, shape, { stepsPerDispatch: 300 });
    assert.deepEqual(Array.from(whole.weights), Array.from(chunked.weights), "chunking changed the weights");
    assert.deepEqual(
      Array.from(whole.activity),
      Array.from(chunked.activity),
      "chunking changed the activity",
    );
  },
);

testGpuOnly(
  "lpl toy neuron: kernel matches the reference at the paper's batch 200 and sigma_y up to 50",
  async (gpu) => {
    // sigma_y = 100 is left out on purpose: there lr 2 sigma_y^2 = 2 puts the predictive term's w2 update
    // w2 <- (1 - 0.02 sigma_y) w2 at SGD's stability edge, so float32 rounding grows without bound.
    const settings = TOY_RULES.flatMap((r) =>
      [0.01, 10, 50].map((s) => toySetting(r, s, { flipProbability: 0.3 }))
    );
    const shape: ToyNeuronShape = {
      settings,
      repetitions: 1,
      batch: 200,
      steps: 300,
      recordEvery: 100,
      seed: 5,
    };
    const got = await trainToyNeurons(new WebGpuBackend(gpu), shape);
    const want = toyNeuronReference(shape);
    const diff = assertClose(got.weights, want.weights, { atol: 1e-5, rtol: 3e-5 }, "weights");
    // mean |w.x| of 200 float32 dot products, with cancellation between w1 x1 and w2 x2 at sigma_y = 50.
    assertClose(got.activity, want.activity, { atol: 1e-5, rtol: 2e-4 }, "activity");
    console.error(`batch 200: max |w - w_ref| = ${diff.toExponential(2)}`);
  },
);

testGpuOnly(
  "lpl toy neuron: a dispatch past the loop budget is reported, not silently short",
  async (gpu) => {
    if (!Number.isFinite(gpu.facts.loopLimit)) return; // only CPU adapters stop loops early
    const batch = 200, { perStep, fixed } = toyNeuronIterations(batch);
    const cap = maxStepsPerDispatch(gpu, perStep, fixed);
    const shape: ToyNeuronShape = {
      settings: [toySetting("lpl", 1)],
      repetitions: 1,
      batch,
      steps: 3 * cap,
      recordEvery: cap,
      seed: 1,
    };
    await assert.rejects(
      () => trainToyNeurons(new WebGpuBackend(gpu), shape, { uncappedStepsPerDispatch: 3 * cap }),
      IncompleteDispatchError,
    );
  },
);

const GRADIENT_RULES: ToyRule[] = ["lpl", "predOff", "hebbOff", "naiveVar", "vicregVar"];

Deno.test("lpl toy neuron: the float64 gradient equals central differences of the objective", () => {
  const shape = { ...mixedShape(1), batch: 12 };
  for (const rule of GRADIENT_RULES) {
    for (const sigma of [0.1, 3]) {
      const s = toySetting(rule, sigma, { flipProbability: 0.3 });
      const state = toyInitialState({ ...shape, settings: [s] }, 1);
      const inputs = new Float64Array(2 * shape.batch);
      for (let b = 0; b < shape.batch; b++) {
        inputs.set(toyInput(b % 3 === 0 ? 1 : 0, toySampleNormals(shape.seed, 1, 1, b), sigma), 2 * b);
      }
      for (const w of [[0.3, -0.2], [0.05, 0.4]]) {
        const wPast = [w[0] + 0.1, w[1] - 0.05];
        const g = toyNeuronGradient(s, w, inputs, state.inputs, wPast);
        const h = 1e-6,
          fd = [0, 1].map((i) => {
            const plus = [...w], minus = [...w];
            plus[i] += h;
            minus[i] -= h;
            return (toyNeuronLoss(s, plus, inputs, state.inputs, wPast) -
              toyNeuronLoss(s, minus, inputs, state.inputs, wPast)) / (2 * h);
          });
        assertClose(g, fd, { atol: 1e-7, rtol: 1e-6 }, `${rule} sigma ${sigma} gradient`);
      }
    }
  }
});

testBothBackends(
  "lpl toy neuron: one step is w - lr (dL/dw + wd w) with dL/dw by central differences",
  async (backend) => {
    const shape = mixedShape(1);
    shape.settings = GRADIENT_RULES.map((rule) =>
      toySetting(rule, 0.7, { flipProbability: 0.4, learningRate: 0.05 })
    );
    const result = await trainToyNeurons(backend, shape);
    for (let q = 0; q < shape.settings.length * shape.repetitions; q++) {
      const s = shape.settings[Math.floor(q / shape.repetitions)], rep = q % shape.repetitions;
      const start = toyInitialState(shape, q), inputs = new Float64Array(2 * shape.batch);
      for (let b = 0; b < shape.batch; b++) {
        const label = start.labels[b] ^ (toySampleFlips(shape.seed, rep, 1, b, s.flipProbability) ? 1 : 0);
        inputs.set(toyInput(label, toySampleNormals(shape.seed, rep, 1, b), s.sigmaY), 2 * b);
      }
      const w = start.w, h = 1e-6;
      const fd = [0, 1].map((i) => {
        const plus = [...w], minus = [...w];
        plus[i] += h;
        minus[i] -= h;
        return (toyNeuronLoss(s, plus, inputs, start.inputs, w) -
          toyNeuronLoss(s, minus, inputs, start.inputs, w)) /
          (2 * h);
      });
      const want = w.map((v, i) => v - s.learningRate * (fd[i] + s.weightDecay * v));
      const got = Array.from(result.weights.subarray(2 * q, 2 * q + 2));
      // float32 moments of 18 samples and one update: a few hundred ulp of |w| at most.
      assertClose(
        got,
        want,
        { atol: 1e-6 + 400 * U32, rtol: 1e-5 },
        `sequence ${q} (${s.hebb}, pred ${s.predCoefficient})`,
      );
    }
  },
);

testBothBackends(
  "lpl toy neuron: LPL stays x-selective at large sigma_y where Oja and Pred-off do not; Hebb-off activity decays",
  async (backend) => {
    // A reduced Fig. 2 (sigma_y = 5, batch 32, 1000 steps at lr 0.02) that the float64 loop runs in seconds.
    const rules: ToyRule[] = ["lpl", "predOff", "oja", "hebbOff"];
    const settings = rules.map((r) => toySetting(r, r === "hebbOff" ? 1 : 5, { learningRate: 0.02 }));
    const shape: ToyNeuronShape = {
      settings,
      repetitions: 2,
      batch: 32,
      steps: 1000,
      recordEvery: 100,
      seed: 3,
    };
    const result = await trainToyNeurons(backend, shape);
    const { selectivity } = toyNeuronMetrics(
      result.weights,
      settings.map((s) => s.sigmaY),
      2,
      shape.seed,
      2000,
    );
    console.error(`selectivity LPL ${selectivity[0]}, Pred-off ${selectivity[1]}, Oja ${selectivity[2]}`);
    for (let r = 0; r < 2; r++) {
      assert.ok(
        selectivity[0][r] > 0.6,
        `LPL selectivity ${selectivity[0][r]} should stay near the 0.73 ceiling`,
      );
      assert.ok(
        selectivity[1][r] < 0.1,
        `Pred-off selectivity ${selectivity[1][r]} should be lost at sigma_y = 5`,
      );
      assert.ok(
        selectivity[2][r] < 0.1,
        `Oja selectivity ${selectivity[2][r]} should be lost at sigma_y = 5`,
      );
      const hebbOff = result.activity.subarray((3 * 2 + r) * 10, (3 * 2 + r + 1) * 10);
      const lpl = result.activity.subarray(r * 10, (r + 1) * 10);
      assert.ok(
        hebbOff[9] < 0.1 * hebbOff[0],
        `Hebb-off activity ${hebbOff[0]} -> ${hebbOff[9]} should decay towards 0`,
      );
      assert.ok(lpl[9] > 1, `LPL activity ${lpl[9]} should not collapse`);
    }
  },
);
