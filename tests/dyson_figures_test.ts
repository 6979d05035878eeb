import { assert } from "./_assert.ts";
import * as fig10 from "../scripts/dyson_fig10_ts_wigner.ts";
import * as fig12 from "../scripts/dyson_fig12_ts_spacing_scaling.ts";

Deno.test("figure 10 smoke: teacher-student spacings follow the GOE surmise", async () => {
  const { spec, summary } = await fig10.run(fig10.testConfig);
  assert.ok(spec.$schema?.includes("vega-lite/v6"));
  const settings = summary.settings as { ksDistance: number }[];
  assert.equal(settings.length, 16);
  // KS distance to the surmise: 5% critical value 1.36 / sqrt(120) = 0.124; allow 0.2 for 16 settings.
  assert.ok((summary.maxKsDistance as number) < 0.2, `max KS ${summary.maxKsDistance}`);
  assert.ok(fig10.ksDistanceToSurmise([0.1, 0.5, 1, 1.5, 2]) < 0.5);
});

Deno.test("figure 12 smoke: <S> = a sqrt(alpha A / |B|) with a near sqrt(pi), and <S> = sqrt(pi) sigma_fit", async () => {
  const { summary } = await fig12.run(fig12.testConfig);
  const a = summary.aFit as number;
  assert.ok(Math.abs(a / Math.sqrt(Math.PI) - 1) < 0.15, `a_fit ${a}`);
  assert.ok(
    Math.abs((summary.meanSpacingVsSqrtPiSigma as number) - 1) < 0.15,
    `${summary.meanSpacingVsSqrtPiSigma}`,
  );
  assert.ok((summary.aFitError as number) > 0 && Number.isFinite(summary.chi2PerDof as number));
});
