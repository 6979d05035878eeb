import { assert, assertClose, assertExact } from "./_assert.ts";
import { testBothBackends, testGpuOnly } from "./_backends.ts";
import { runLinearRegressionSgd } from "../lib/trainers/linear_regression_sgd.ts";
import { ReferenceBackend } from "../lib/backend/reference.ts";
import { WebGpuBackend } from "../lib/backend/webgpu.ts";
import { linearRegressionSgdIterationsPerStep } from "../kernels/linear_regression/linear_regression_sgd.ts";
import { maxStepsPerDispatch } from "../lib/gpu/loop_budget.ts";

const BASE = { d: 37, walkers: 5, steps: 100, learningRate: 0.5, seed: 3, recordEvery: 1 };

testGpuOnly("the fused kernel matches the float64 loop over 100 steps (same Philox bits)", async (gpu) => {
  const want = await runLinearRegressionSgd(new ReferenceBackend(), BASE);
  const got = await runLinearRegressionSgd(new WebGpuBackend(gpu), BASE);
  // Normals differ by ~1e-6 between f32 and f64 Box-Muller and updates round in f32;
  // SGD contracts, so errors stay within 1e-4 relative (+1e-6 absolute) over 100 steps.
  const diff = assertClose(got.errors, want.errors, { atol: 1e-6, rtol: 1e-4 }, "error history");
  console.log(`max |error_gpu - error_f64| over 100 steps: ${diff.toExponential(2)}`);
});

testBothBackends(
  "SGD on a linear teacher learns: the error falls from 1 by orders of magnitude",
  async (backend) => {
    const result = await runLinearRegressionSgd(backend, {
      ...BASE,
      d: 16,
      steps: 400,
      recordEvery: 100,
      walkers: 3,
    });
    assert.deepEqual(result.recordSteps, [100, 200, 300, 400]);
    for (let w = 0; w < 3; w++) {
      const curve = result.errors.subarray(w * 4, w * 4 + 4);
      assert.ok(curve[3] < 1e-3 * curve[0] || curve[3] < 1e-6, `walker ${w}: ${Array.from(curve)}`);
    }
  },
);

testGpuOnly("results do not depend on steps per dispatch or on walker batching", async (gpu) => {
  const backend = new WebGpuBackend(gpu);
  const one = await runLinearRegressionSgd(backend, { ...BASE, stepsPerDispatch: 100 });
  const many = await runLinearRegressionSgd(backend, { ...BASE, stepsPerDispatch: 7 });
  assert.equal(many.dispatches, 15);
  assertExact(many.errors, one.errors, "7-step chunks vs one dispatch");
  const fewer = await runLinearRegressionSgd(backend, { ...BASE, walkers: 2 });
  assertExact(fewer.errors, one.errors.subarray(0, 2 * 100), "2 walkers vs the first 2 of 5");
});

testGpuOnly("a run longer than one dispatch's loop budget completes every step", async (gpu) => {
  const d = 64;
  const cap = maxStepsPerDispatch(gpu, linearRegressionSgdIterationsPerStep(d));
  const steps = Number.isFinite(gpu.facts.loopLimit) ? cap * 2 + 5 : 5000;
  const result = await runLinearRegressionSgd(new WebGpuBackend(gpu), {
    d,
    walkers: 2,
    steps,
    learningRate: 0.5,
    seed: 1,
    recordEvery: steps,
  });
  if (Number.isFinite(gpu.facts.loopLimit)) assert.equal(result.dispatches, 3);
  assert.ok(result.errors[0] < 1e-6, `error after ${steps} steps: ${result.errors[0]}`);
});

testBothBackends("bad configurations name the problem", async (backend) => {
  await assert.rejects(runLinearRegressionSgd(backend, { ...BASE, d: 0 }), /d is 0, must be an integer >= 1/);
  await assert.rejects(runLinearRegressionSgd(backend, { ...BASE, walkers: -2 }), RangeError);
  await assert.rejects(
    runLinearRegressionSgd(backend, { ...BASE, learningRate: NaN }),
    /learningRate is NaN/,
  );
});
