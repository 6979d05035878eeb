/**
 * EnhancedSGD's figure scripts at their tiny test scale: each runs, and its summary carries the numbers the
 * README quotes (faithful lr collapse epoch, forced momentum, entropies, final losses per optimizer, telemetry).
 */
import { assert } from "./_assert.ts";
import * as fig1 from "../scripts/enhanced_sgd_fig1_lr.ts";
import * as fig2 from "../scripts/enhanced_sgd_fig2_momentum.ts";
import * as fig3 from "../scripts/enhanced_sgd_fig3_training_loss.ts";
import * as fig4 from "../scripts/enhanced_sgd_fig4_entropy_scale.ts";
import * as fig5 from "../scripts/enhanced_sgd_fig5_telemetry.ts";

Deno.test("EnhancedSGD figures run at test scale with their summary numbers", async () => {
  const one = await fig1.run({ ...fig1.testConfig, backend: "reference" });
  assert.ok((one.summary.faithfulLrAtEpochEnd as unknown[]).length === fig1.testConfig.epochs);
  assert.ok((one.summary.cleanLrMax as number) <= 0.01 * 1.5 + 1e-12, "clean lr within lr0 x 1.5");
  const two = await fig2.run({ ...fig2.testConfig, backend: "reference" });
  assert.equal(
    two.summary.faithfulMaxDeviationFromForcedFromEpoch3,
    0,
    "forced to 0.99 (1 - e/20) from epoch 3",
  );
  const three = await fig3.run({ ...fig3.testConfig, backend: "reference" });
  assert.equal((three.summary.finals as unknown[]).length, 6);
  const four = await fig4.run({ ...fig4.testConfig, backend: "reference" });
  assert.ok((four.summary.rawAtStd1e4 as number) < -1e3 && (four.summary.rawAtStd1 as number) > 0);
  assert.ok((four.summary.normalisedMax as number) - (four.summary.normalisedMin as number) < 1e-9);
  const dir = await Deno.makeTempDir();
  const five = await fig5.run({ ...fig5.testConfig, backend: "reference", metrics: `${dir}/metrics.jsonl` });
  const lines = (await Deno.readTextFile(`${dir}/metrics.jsonl`)).trim().split("\n").map((l) =>
    JSON.parse(l)
  );
  const faithfulRows = lines.filter((r) => r.mode === "faithful");
  assert.equal(faithfulRows.length, fig5.testConfig.steps, "faithful: one telemetry row per step");
  for (
    const key of [
      "lr",
      "momentum",
      "vbar",
      "entropyRaw",
      "entropyNorm",
      "loss",
      "epsilon",
      "mixProb",
      "qTableSize",
      "action",
      "reward",
    ]
  ) {
    assert.ok(key in lines[0], `metrics rows carry ${key}`);
  }
  assert.ok((five.summary.faithful as { finalQTableSize: number }).finalQTableSize >= 1);
  await Deno.remove(dir, { recursive: true });
});
