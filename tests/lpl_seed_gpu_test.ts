/**
 * The seed-LPL layer trained as a batch of conditions x seeds (lib/lpl/seed_gpu.ts, kernels/lpl/seed_layer.wgsl):
 * every model equals the float64 host loop (trainSeedLayer, run one model at a time) after 300 steps, the
 * result does not depend on steps per dispatch, a dispatch past the loop budget is reported, and the
 * ablations behave (no-stab drives W to the clamp, full stays bounded) on both backends.
 */
import { assert, assertClose } from "./_assert.ts";
import { testBothBackends, testGpuOnly } from "./_backends.ts";
import { WebGpuBackend } from "../lib/backend/webgpu.ts";
import { IncompleteDispatchError, maxStepsPerDispatch } from "../lib/gpu/loop_budget.ts";
import { PhiloxStream } from "../lib/rng/philox.ts";
import { SEED_CONDITIONS, type SeedImages, trainSeedLayer } from "../lib/lpl/seed_training.ts";
import { type SeedBatchOptions, trainSeedLayers } from "../lib/lpl/seed_gpu.ts";
import { frobeniusNorm } from "../lib/reference/lpl_seed_layer.ts";
import { seedLayerIterations, seedLayerWorkgroupSize } from "../kernels/lpl/seed_layer.ts";

/** Random 8x8 "images" in [0, 1] (the views reflect, shift and add noise as for real ones). */
function tinyImages(count: number, seed = 5): SeedImages {
  const rng = new PhiloxStream(seed), h = 8, w = 8;
  const pixels = Float64Array.from({ length: count * h * w }, (_, e) => rng.uniform(0, 0, e));
  return { pixels, labels: new Uint8Array(count), count, height: h, width: w };
}

/** Rates 10x the seed's so that 300 steps move W well away from its init (0.01 each, the sanity check's). */
const options: SeedBatchOptions = {
  outputs: 8,
  steps: 300,
  seeds: [1, 2],
  conditions: [...SEED_CONDITIONS],
  logEvery: 100,
  rates: { hebb: 0.01, pred: 0.01, stab: 0.01, useHebb: true, usePred: true, useStab: true },
};

testGpuOnly(
  "lpl seed gpu: every condition x seed equals the float64 host loop after 300 steps",
  async (gpu) => {
    const images = tinyImages(30);
    const got = await trainSeedLayers(new WebGpuBackend(gpu), images, options);
    assert.equal(got.runs.length, SEED_CONDITIONS.length * 2);
    let worst = 0;
    got.runs.forEach((run, g) => {
      assert.equal(run.condition, options.conditions[Math.floor(g / 2)]);
      assert.equal(run.seed, options.seeds[g % 2]);
      const want = trainSeedLayer(images, { ...options, condition: run.condition, seed: run.seed });
      const what = `${run.condition} seed ${run.seed}`;
      assertClose(run.before.w, want.before.w, { atol: 0 }, `${what}: initial W`);
      // float32 against float64 over 300 steps; no-stab pushes W to the +-5 clamp (errors ~1e-5 there).
      worst = Math.max(
        worst,
        assertClose(run.after.w, want.after.w, { atol: 5e-5, rtol: 1e-4 }, `${what}: W`),
      );
      assertClose(run.after.p, want.after.p, { atol: 5e-5, rtol: 1e-4 }, `${what}: P`);
      assert.ok(frobeniusNorm(want.after.w.map((v, e) => v - want.before.w[e])) > 5e-3, `${what}: W moved`);
      assert.equal(run.log.length, 3);
      run.log.forEach((row, k) => {
        assert.equal(row.step, want.log[k].step);
        assertClose(
          [row.varY, row.weightNorm],
          [want.log[k].varY, want.log[k].weightNorm],
          { rtol: 1e-4 },
          what,
        );
      });
      assert.equal(run.after.skipped, want.after.skipped);
    });
    console.error(`seed layer, 10 models x 300 steps: max |W - W_ref| = ${worst.toExponential(2)}`);
  },
);

testGpuOnly("lpl seed gpu: results do not depend on steps per dispatch", async (gpu) => {
  const images = tinyImages(30), backend = new WebGpuBackend(gpu);
  const short = { ...options, steps: 60, conditions: ["full", "shuffle"] as const, logEvery: 20 };
  const one = await trainSeedLayers(backend, images, { ...short, conditions: [...short.conditions] });
  const many = await trainSeedLayers(backend, images, {
    ...short,
    conditions: [...short.conditions],
    stepsPerDispatch: 7,
  });
  assert.equal(many.dispatches, 9);
  one.runs.forEach((run, g) => {
    assertClose(many.runs[g].after.w, run.after.w, { atol: 0 }, `model ${g}: W`);
    assertClose(many.runs[g].after.p, run.after.p, { atol: 0 }, `model ${g}: P`);
  });
});

testGpuOnly("lpl seed gpu: a dispatch past the loop budget is reported, not silently short", async (gpu) => {
  if (!Number.isFinite(gpu.facts.loopLimit)) return; // only CPU adapters stop loops early
  const images = tinyImages(10);
  const shape = { inputs: 64, outputs: 8, outputs2: 0 } as const;
  const { perStep, fixed } = seedLayerIterations(
    { ...shape, models: 1, height: 8, width: 8, imageCount: 10, mode: "views", logEvery: 1 },
    seedLayerWorkgroupSize(gpu),
  );
  const cap = maxStepsPerDispatch(gpu, perStep, fixed);
  await assert.rejects(
    () =>
      trainSeedLayers(new WebGpuBackend(gpu), images, {
        ...options,
        conditions: ["full"],
        seeds: [1],
        steps: 3 * cap,
        logEvery: cap,
        uncappedStepsPerDispatch: 3 * cap,
      }),
    IncompleteDispatchError,
  );
});

testBothBackends("lpl seed gpu: no-stab drives W to the +-5 clamp; full stays bounded", async (backend) => {
  const r = await trainSeedLayers(backend, tinyImages(30), {
    ...options,
    conditions: ["full", "no-stab"],
    seeds: [3],
  });
  const [full, noStab] = r.runs;
  const maxAbs = (w: Float64Array) => w.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  assert.ok(maxAbs(noStab.after.w) >= 5 - 1e-6, `no-stab max |W| ${maxAbs(noStab.after.w)}`);
  assert.ok(maxAbs(full.after.w) < 2, `full max |W| ${maxAbs(full.after.w)}`);
  assert.ok(noStab.log.at(-1)!.weightNorm > 10 * full.log.at(-1)!.weightNorm);
  assert.equal(full.log.at(-1)!.step, 300);
});

testBothBackends("lpl seed gpu: sizes the kernel cannot take are refused", async (backend) => {
  if (!backend.gpuTarget) return; // the host loop takes any size
  await assert.rejects(
    () => trainSeedLayers(backend, tinyImages(4), { ...options, outputs: 6 }),
    /outputs is 6, must be a multiple of 4/,
  );
});

testGpuOnly(
  "lpl_seed_fashion_mnist --batched (shapes, tiny): the fused run reports the host loop's |W|",
  async () => {
    const { run, testConfig } = await import("../scripts/lpl_seed_fashion_mnist.ts");
    const fused = await run({ ...testConfig, backend: "webgpu", batched: true });
    const host = await run({ ...testConfig, backend: "reference", batched: false });
    type Summary = {
      byCondition: { condition: string; finalWeightNorm: number; trainedTogether: boolean }[];
    };
    const f = (fused.summary as Summary).byCondition, h = (host.summary as Summary).byCondition;
    assert.deepEqual(f.map((c) => c.condition), h.map((c) => c.condition));
    assert.ok(f.every((c) => c.trainedTogether) && h.every((c) => !c.trainedTogether));
    assertClose(
      f.map((c) => c.finalWeightNorm),
      h.map((c) => c.finalWeightNorm),
      { rtol: 1e-3 },
      "final |W|_F",
    );
  },
);
