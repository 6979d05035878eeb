/** The LPL toy-neuron figure scripts at their tiny test configs: specs, summaries, the rule shape's threshold. */
import { assert, assertClose } from "./_assert.ts";
import * as fig1 from "../scripts/lpl_fig1_selectivity.ts";
import * as fig2 from "../scripts/lpl_fig2_activity.ts";
import * as fig3 from "../scripts/lpl_fig3_flip_probability.ts";
import * as fig4 from "../scripts/lpl_fig4_rule_shape.ts";
import { lplThreshold, lplWeightChange, RELU_RATE, SATURATING_RATE } from "../lib/lpl/rule_shape.ts";

Deno.test("lpl figures 1-3 smoke: tiny sweeps give one summary row per rule and finite selectivities", async () => {
  const one = await fig1.run(fig1.testConfig);
  assert.ok(one.spec.$schema?.includes("vega-lite/v6"));
  const byRule = one.summary.byRule as { rule: string; selectivitySigmaUpTo0p3: number }[];
  assert.equal(byRule.length, 3 * 2); // 3 rules x p in {0, 0.2}
  assert.ok(byRule.every((r) => r.selectivitySigmaUpTo0p3 > 0 && r.selectivitySigmaUpTo0p3 < 1));
  const two = await fig2.run(fig2.testConfig);
  const activity = two.summary.byRule as { rule: string; finalOverFirst: number }[];
  assert.deepEqual(activity.map((r) => r.rule), ["lpl", "predOff", "hebbOff", "naiveVar", "vicregVar"]);
  assert.ok(activity[2].finalOverFirst < 1, `Hebb-off activity grew: ${activity[2].finalOverFirst}`);
  const three = await fig3.run(fig3.testConfig);
  assert.equal((three.summary.cells as unknown[]).length, 3 * 3);
  assert.throws(() => fig1.parseRules("lpl,bcm"), /must be one of/);
});

Deno.test("lpl figure 4: dw vanishes at z* = zbar + sigma^2 dz/dt, depresses below, potentiates above", async () => {
  const { summary } = await fig4.run(fig4.testConfig);
  const rows = summary.thresholds as { zBar: number; variance: number; dzdt: number; zStar: number }[];
  assert.equal(rows.length, 9);
  for (const r of rows) {
    assertClose([r.zStar], [lplThreshold(r.zBar, r.variance, r.dzdt)], { atol: 1e-9, rtol: 1e-3 });
    for (const f of [RELU_RATE, SATURATING_RATE]) {
      assert.ok(Math.abs(lplWeightChange(r.zStar, r.zBar, r.variance, r.dzdt, f)) < 1e-9);
      assert.ok(lplWeightChange(r.zStar - 1, r.zBar, r.variance, r.dzdt, f) < 0);
      assert.ok(lplWeightChange(r.zStar + 1, r.zBar, r.variance, r.dzdt, f) > 0);
    }
  }
  // Metaplasticity: a larger variance makes the same deviation above threshold potentiate less.
  assert.ok(lplWeightChange(40, 30, 2, 0, RELU_RATE) < lplWeightChange(40, 30, 0.7, 0, RELU_RATE));
});
