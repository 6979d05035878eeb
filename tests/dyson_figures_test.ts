import { assert } from "./_assert.ts";
import { ksDistanceToSurmise } from "../lib/dyson/spacing_statistics.ts";
import { rbmFigureSettings } from "../lib/dyson/rbm_figure_config.ts";
import { rbmWignerFigure } from "../lib/dyson/rbm_spacing_figures.ts";
import { teacherStudentSettingPairs } from "../lib/dyson/teacher_student_figure_config.ts";
import { UsageError } from "../lib/cli.ts";
import * as fig10 from "../scripts/dyson_fig10_teacher_student_wigner.ts";
import * as fig12 from "../scripts/dyson_fig12_teacher_student_spacing_scaling.ts";
import * as fig1 from "../scripts/dyson_fig1_rbm_x_density.ts";
import * as fig2 from "../scripts/dyson_fig2_rbm_lambda_density.ts";
import * as fig3 from "../scripts/dyson_fig3_rbm_wigner_batch_size.ts";
import * as fig4 from "../scripts/dyson_fig4_rbm_wigner_learning_rate.ts";
import * as fig5 from "../scripts/dyson_fig5_rbm_spacing_scaling.ts";
import * as fig6 from "../scripts/dyson_fig6_rbm_sigma_scaling.ts";
import * as fig7 from "../scripts/dyson_fig7_rbm_spacing_vs_sigma.ts";
import * as fig8 from "../scripts/dyson_fig8_rbm_lambda_shift.ts";
import * as fig9 from "../scripts/dyson_fig9_teacher_student_singular_values.ts";
import * as fig11 from "../scripts/dyson_fig11_teacher_student_rho_fits.ts";
import * as fig13 from "../scripts/dyson_fig13_teacher_student_sigma_scaling.ts";
import * as fig14 from "../scripts/dyson_fig14_teacher_student_spacing_vs_sigma.ts";

Deno.test("figure 10 smoke: teacher-student spacings follow the GOE surmise", async () => {
  const { spec, summary } = await fig10.run(fig10.testConfig);
  assert.ok(spec.$schema?.includes("vega-lite/v6"));
  const settings = summary.settings as { ksDistance: number }[];
  assert.equal(settings.length, 16);
  // KS distance to the surmise: 5% critical value 1.36 / sqrt(120) = 0.124; allow 0.2 for 16 settings.
  assert.ok((summary.maxKsDistance as number) < 0.2, `max KS ${summary.maxKsDistance}`);
  assert.ok(ksDistanceToSurmise([0.1, 0.5, 1, 1.5, 2]) < 0.5);
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

// Figures 1-9, 11, 13, 14: each run() at its tiny testConfig, summary numbers against theory where
// they are robust at that scale (the RBM test scale starts at the fixed point and trains alpha *
// epochs = 4, far from equilibrium for the slow pairs, so only scale-free statements are tested).

Deno.test("figures 1 and 2 smoke: mean eigenvalues stay at the fixed point x* = mu^2 - kappa for small lr", async () => {
  for (const [fig, variable] of [[fig1, "x"], [fig2, "lambda"]] as const) {
    const { spec, summary } = await fig.run(fig.testConfig);
    assert.ok(spec.$schema?.includes("vega-lite/v6"));
    const settings = summary.settings as { learningRate: number; maxModeDeviation: number; failed: number }[];
    assert.deepEqual(settings.map((s) => s.learningRate), [0.01, 0.04, 0.08]);
    // sigma_pred at alpha = 0.01, |B| = 16 is <= 0.056 per level; 24 seeds x 2 levels: the mode means are within 0.05.
    assert.ok(settings[0].maxModeDeviation < 0.05, `${variable}: ${settings[0].maxModeDeviation}`);
    assert.ok(settings.every((s) => s.failed === 0 && s.maxModeDeviation < 0.2));
  }
});

Deno.test("figures 3 and 4 smoke: RBM pair spacings s = S/<S> follow the GOE surmise", async () => {
  for (const [fig, count] of [[fig3, 5], [fig4, 6]] as const) {
    const { summary } = await fig.run(fig.testConfig);
    const settings = summary.settings as { pairs: { meanSpacing: number; predictedWidth: number }[] }[];
    assert.equal(settings.length, count);
    assert.ok(settings.every((s) => s.pairs.length === 4 && s.pairs.every((p) => p.meanSpacing > 0)));
    // 5% KS critical value at 24 seeds is 0.28; allow 0.4 over 20-24 (setting, pair) tests.
    assert.ok((summary.maxKsDistance as number) < 0.4, `max KS ${summary.maxKsDistance}`);
  }
});

Deno.test("figures 5-8 smoke: <S> = sqrt(pi) sigma_fit, <S> grows with the predicted width, lambda_fit / kappa near 1", async () => {
  for (const fig of [fig5, fig6, fig7, fig8]) {
    const { spec, summary } = await fig.run(fig.testConfig);
    assert.ok(spec.$schema?.includes("vega-lite/v6"));
    const identity = summary.spacingVsSqrtPiSigma as { slope: number; error: number };
    assert.ok(Math.abs(identity.slope - 1) < 0.2, `<S> / sqrt(pi) sigma_fit ${identity.slope}`);
    const spacing = summary.aFitSpacing as { slope: number; error: number };
    assert.ok(spacing.slope > 0.5 && spacing.error > 0, `a_fit ${spacing.slope}`);
    const settings = summary.settings as { lambdaFitOverKappa: { ratio: number }[] }[];
    assert.equal(settings.length, 11);
    for (const s of settings) for (const m of s.lambdaFitOverKappa) assert.ok(Math.abs(m.ratio - 1) < 0.1);
  }
});

Deno.test("figure 9 smoke: the singular values centre on the teacher's 2 with width ~ sqrt(alpha eps^2 / |B|)", async () => {
  const { summary } = await fig9.run(fig9.testConfig);
  for (const s of summary.settings as { mean: number; predictedWidth: number; stdOverPredicted: number }[]) {
    assert.ok(Math.abs(s.mean - 2) < s.predictedWidth, `mean ${s.mean}`);
    assert.ok(s.stdOverPredicted > 0.7 && s.stdOverPredicted < 1.8, `std / sigma_pred ${s.stdOverPredicted}`);
  }
});

Deno.test("figures 11, 13, 14 smoke: 2x2-GOE fits give sigma_fit ~ sigma_pred, a_fit ~ sqrt(pi), <S> = sqrt(pi) sigma_fit", async () => {
  const rho = await fig11.run(fig11.testConfig);
  const settings = rho.summary.settings as { sigmaFitOverPredicted: number; x0Fit: number }[];
  assert.equal(settings.length, 16);
  for (const s of settings) {
    assert.ok(s.sigmaFitOverPredicted > 0.7 && s.sigmaFitOverPredicted < 1.4, `${s.sigmaFitOverPredicted}`);
    assert.ok(Math.abs(s.x0Fit - 2) < 0.02);
  }
  for (const fig of [fig13, fig14]) {
    const { summary } = await fig.run(fig.testConfig);
    const sigma = summary.aFitSigma as { slope: number },
      identity = summary.spacingVsSqrtPiSigma as { slope: number };
    assert.ok(Math.abs(sigma.slope / Math.sqrt(Math.PI) - 1) < 0.15, `a_fit(sigma) ${sigma.slope}`);
    assert.ok(Math.abs(identity.slope - 1) < 0.15, `<S> / sqrt(pi) sigma ${identity.slope}`);
  }
});

Deno.test("Dyson figure configs: the sweeps come from the config, and malformed lists or settings are refused", async () => {
  // Figure 5 runs the paper's |B| sweep at alpha = 0.1, then its alpha sweep at |B| = 16.
  assert.deepEqual(rbmFigureSettings(fig5.defaultConfig).map((s) => [s.sweep, s.learningRate, s.batchSize]), [
    ...[4, 8, 16, 32, 64].map((b) => ["batchSize", 0.1, b]),
    ...[0.01, 0.02, 0.04, 0.06, 0.08, 0.1].map((lr) => ["learningRate", lr, 16]),
  ]);
  assert.throws(
    () => rbmFigureSettings({ ...fig3.defaultConfig, batchSizes: "8,x" }),
    (e: Error) => e instanceof UsageError && e.message.includes("--batch-sizes"),
  );
  assert.deepEqual(teacherStudentSettingPairs(fig9.defaultConfig), [[0.5, 0.1], [0.1, 0.1], [0.1, 0.05]]);
  assert.throws(
    () => teacherStudentSettingPairs({ ...fig9.defaultConfig, settings: "0.5" }),
    (e: Error) => e instanceof UsageError && e.message.includes("alpha:eps"),
  );
  // The family's paper and test scales keep the script's sweeps; a script shows only its own options.
  assert.equal(fig5.fullConfig.seeds, 7500);
  assert.equal(fig5.fullConfig.learningRates, fig5.defaultConfig.learningRates);
  assert.equal(fig13.testConfig.seeds, 120);
  assert.equal(fig13.testConfig.batchSizes, "4,8,16,32,64");
  // Figures 3 and 4 show one sweep: two are refused before anything is trained.
  await assert.rejects(rbmWignerFigure(fig5.testConfig), /has 2 sweeps, must have 1/);
});

Deno.test("Dyson figures follow their config's sweeps: a shorter sweep gives fewer settings and panels", async () => {
  const rbm = await fig3.run({ ...fig3.testConfig, batchSizes: "8,32" });
  assert.deepEqual((rbm.summary.settings as { batchSize: number }[]).map((s) => s.batchSize), [8, 32]);
  const ts = await fig10.run({ ...fig10.testConfig, noises: "0.05,0.1", learningRates: "", batchSizes: "" });
  assert.deepEqual((ts.summary.settings as { value: number }[]).map((s) => s.value), [0.05, 0.1]);
  assert.equal((ts.spec as { hconcat: unknown[] }).hconcat.length, 1);
  const sv = await fig9.run({ ...fig9.testConfig, settings: "0.2:0.1" });
  assert.equal((sv.summary.settings as unknown[]).length, 1);
  assert.equal((sv.summary.settings as { learningRate: number }[])[0].learningRate, 0.2);
});
