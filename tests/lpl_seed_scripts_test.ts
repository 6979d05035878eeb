/** The seed-LPL scripts at tiny scale: they run, export .npy files and report finite numbers. */
import { assert } from "./_assert.ts";
import { run as runSanity, testConfig as sanityConfig } from "../scripts/lpl_seed_sanity_check.ts";
import { run as runSeed, testConfig as seedConfig } from "../scripts/lpl_seed_fashion_mnist.ts";
import { importActivations } from "../lib/probes/activation_export.ts";
import { validateVegaLite } from "../lib/plot/figure.ts";

Deno.test("lpl_seed_sanity_check: finite Var(y) and |W|, no skipped update", async () => {
  const r = await runSanity(sanityConfig);
  const s = r.summary as { finalVarY: number; finalWeightNorm: number; skippedUpdates: number };
  assert.ok(Number.isFinite(s.finalVarY) && s.finalWeightNorm > 0 && s.skippedUpdates === 0);
  assert.deepEqual(await validateVegaLite(r.spec), []);
});

Deno.test("lpl_seed_fashion_mnist (shapes, tiny): exports before/after with labels and probes them", async () => {
  const dir = await Deno.makeTempDir();
  const r = await runSeed({ ...seedConfig, backend: "reference", exportDir: dir });
  const s = r.summary as {
    byCondition: { condition: string; after: { probeTestAccuracy: number }; beforeAfterCosine: number }[];
    pixelReadoutTestAccuracy: number;
  };
  assert.deepEqual(s.byCondition.map((c) => c.condition), ["full", "no-stab"]);
  assert.ok(s.pixelReadoutTestAccuracy > 0.5, `pixel readout ${s.pixelReadoutTestAccuracy}`);
  for (const c of s.byCondition) {
    assert.ok(c.after.probeTestAccuracy >= 0 && Number.isFinite(c.beforeAfterCosine));
  }
  const after = await importActivations(`${dir}/full`, "after");
  assert.deepEqual([after.rows, after.dims], [100, 16]);
  assert.equal(after.labels.length, 100);
  assert.deepEqual(await validateVegaLite(r.spec), []);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("lpl_dense_fashion_mnist (shapes, tiny): every rule and layer reports a probe accuracy", async () => {
  const { run, testConfig } = await import("../scripts/lpl_dense_fashion_mnist.ts");
  const r = await run({ ...testConfig, backend: "reference" });
  const s = r.summary as { results: { rule: string; layer: number; probeTestAccuracy: number }[] };
  assert.deepEqual(s.results.map((x) => `${x.rule}:${x.layer}`), [
    "random:1",
    "random:2",
    "lpl:1",
    "lpl:2",
    "hebb-off:1",
    "hebb-off:2",
  ]);
  assert.ok(s.results.every((x) => x.probeTestAccuracy >= 0 && x.probeTestAccuracy <= 1));
  assert.deepEqual(await validateVegaLite(r.spec), []);
});
