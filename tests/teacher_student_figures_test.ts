import { assert } from "./_assert.ts";
import { run as fig1 } from "../scripts/teacher_student_fig1_overlap.ts";
import { VEGA_LITE_SCHEMA } from "../lib/plot/figure.ts";

Deno.test("figure 1 (overlap per walker): tiny run escapes within the alpha d^(k-1) budget", async () => {
  const { spec, summary } = await fig1({
    dims: "16,24",
    walkers: 6,
    k: 3,
    eta0: 0.5,
    alpha: 8,
    pRepeat: 0.1,
    seed: 1,
    backend: "auto",
  });
  assert.equal(spec.$schema, VEGA_LITE_SCHEMA);
  const panels = summary.panels as { mode: string; d: number; escapedFraction: number; steps: number }[];
  assert.equal(panels.length, 4);
  for (const p of panels) {
    assert.equal(p.steps, 8 * p.d ** 2);
    // With lr = 0.5 d^(-1/2) the drift 3 (lr/d) m^2 beats the noise from |m| ~ 1/sqrt(d) within ~d^2 steps.
    assert.ok(p.escapedFraction >= 0.5, `${p.mode} d=${p.d}: escaped ${p.escapedFraction}`);
  }
});
