/**
 * The hierarchical seed-LPL model (lib/lpl/hierarchical.ts, LPL-11): the fused kernel's two-layer mode equals
 * the float64 host loop for every condition x seed, layer 2 learns from layer 1's pre-update outputs, and the
 * pair dataset holds two views of one sample.
 */
import { assert, assertClose } from "./_assert.ts";
import { testBothBackends, testGpuOnly } from "./_backends.ts";
import { WebGpuBackend } from "../lib/backend/webgpu.ts";
import { PhiloxStream } from "../lib/rng/philox.ts";
import { SEED_CONDITIONS } from "../lib/lpl/seed_training.ts";
import {
  type HierarchicalOptions,
  type SeedPairs,
  shapePairs,
  trainHierarchical,
  trainHierarchicalReference,
} from "../lib/lpl/hierarchical.ts";
import { shapeView } from "../lib/data/synthetic_shapes.ts";

function randomPairs(count: number, inputs: number): SeedPairs {
  const rng = new PhiloxStream(9);
  const pixels = Float32Array.from({ length: 2 * count * inputs }, (_, e) => rng.uniform(0, 0, e));
  return { pixels, labels: new Uint8Array(count), count, inputs };
}

const options: HierarchicalOptions = {
  outputs: [16, 8],
  steps: 300,
  seeds: [1, 2],
  conditions: [...SEED_CONDITIONS],
  logEvery: 100,
  rates: { hebb: 0.01, pred: 0.01, stab: 0.01, useHebb: true, usePred: true, useStab: true },
};

testGpuOnly(
  "lpl seed hierarchical: both layers of every condition x seed equal the float64 host loop",
  async (gpu) => {
    const pairs = randomPairs(20, 64);
    const got = await trainHierarchical(new WebGpuBackend(gpu), pairs, options);
    let worst = 0;
    got.runs.forEach((run, g) => {
      const want = trainHierarchicalReference(pairs, options, run.condition, run.seed);
      assert.equal(run.condition, options.conditions[Math.floor(g / 2)]);
      const what = `${run.condition} seed ${run.seed}`;
      for (const layer of ["layer1", "layer2"] as const) {
        assertClose(run.before[layer].w, want.before[layer].w, { atol: 0 }, `${what} ${layer}: initial W`);
        const tol = { atol: 5e-5, rtol: 1e-4 };
        worst = Math.max(
          worst,
          assertClose(run.after[layer].w, want.after[layer].w, tol, `${what} ${layer}: W`),
        );
        assertClose(run.after[layer].p, want.after[layer].p, tol, `${what} ${layer}: P`);
      }
      run.log.forEach((row, k) => {
        assertClose([...row.varY, ...row.weightNorm], [...want.log[k].varY, ...want.log[k].weightNorm], {
          rtol: 1e-4,
          atol: 1e-7,
        }, `${what}: log ${k}`);
      });
      assert.equal(run.skipped, want.skipped);
    });
    console.error(`hierarchical, 10 models x 300 steps: max |W - W_ref| = ${worst.toExponential(2)}`);
  },
);

testBothBackends(
  "lpl seed hierarchical: layer 2 learns (moves from its init); no-stab saturates it",
  async (backend) => {
    const r = await trainHierarchical(backend, randomPairs(20, 64), {
      ...options,
      conditions: ["full", "no-stab"],
      seeds: [4],
    });
    const [full, noStab] = r.runs;
    const moved = (a: Float64Array, b: Float64Array) =>
      Math.sqrt(a.reduce((s, v, e) => s + (v - b[e]) ** 2, 0));
    assert.ok(moved(full.after.layer2.w, full.before.layer2.w) > 0.05, "layer 2 moved");
    assert.ok(noStab.log.at(-1)!.weightNorm[1] > 5 * full.log.at(-1)!.weightNorm[1], "no-stab layer 2 grows");
  },
);

Deno.test("lpl seed hierarchical: pair i holds views 2i and 2i + 1 of sample i", () => {
  const p = shapePairs(3, 7);
  assert.equal(p.pixels.length, 3 * 2 * 1024);
  for (const i of [0, 2]) {
    for (const v of [0, 1]) {
      const want = shapeView(p.labels[i], 2 * i + v, { seed: 7 });
      assertClose(
        p.pixels.subarray((2 * i + v) * 1024, (2 * i + v + 1) * 1024),
        want,
        { atol: 1e-7 },
        `${i}/${v}`,
      );
    }
  }
});

Deno.test("lpl_seed_hierarchical_shapes (tiny, reference): probes both layers, exports, valid figure", async () => {
  const { run, testConfig } = await import("../scripts/lpl_seed_hierarchical_shapes.ts");
  const { importActivations } = await import("../lib/probes/activation_export.ts");
  const { validateVegaLite } = await import("../lib/plot/figure.ts");
  const dir = await Deno.makeTempDir();
  const r = await run({ ...testConfig, backend: "reference", exportDir: dir });
  const s = r.summary as {
    byModel: { condition: string; layers: { layer: number; trained: { probeTestAccuracy: number } }[] }[];
    pixelReadoutTestAccuracy: number;
  };
  assert.deepEqual(s.byModel.map((m) => m.condition), ["full", "no-stab"]);
  for (const m of s.byModel) {
    assert.deepEqual(m.layers.map((l) => l.layer), [1, 2]);
    assert.ok(m.layers.every((l) => l.trained.probeTestAccuracy >= 0 && l.trained.probeTestAccuracy <= 1));
  }
  const after = await importActivations(`${dir}/full`, "layer2_after");
  assert.deepEqual([after.rows, after.dims], [100, 8]);
  assert.deepEqual(await validateVegaLite(r.spec), []);
  await Deno.remove(dir, { recursive: true });
});
