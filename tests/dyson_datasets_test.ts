import { assert } from "./_assert.ts";
import { fitSlopeThroughOrigin } from "../lib/stats/least_squares.ts";
import { runTeacherStudentFigureSweeps } from "../lib/dyson/teacher_student_figure_config.ts";
import { planTeacherStudentEnsemble } from "../lib/dyson/teacher_student.ts";
import { TEACHER_STUDENT_FIGURE_OPTIONS } from "../lib/dyson/teacher_student_figure_config.ts";
import { RBM_FIGURE_OPTIONS } from "../lib/dyson/rbm_figure_config.ts";
import * as fig5 from "../scripts/dyson_fig5_rbm_spacing_scaling.ts";
import * as fig10 from "../scripts/dyson_fig10_teacher_student_wigner.ts";
import * as fig12 from "../scripts/dyson_fig12_teacher_student_spacing_scaling.ts";
import * as fig13 from "../scripts/dyson_fig13_teacher_student_sigma_scaling.ts";

const VERDICT = /^consistent with sqrt\(pi\) at 2 sigma: (yes|no)$/;

Deno.test("figure 12 with one dataset is the single-dataset weighted fit, bit for bit", async () => {
  const config = { ...fig12.testConfig, datasets: 1 };
  const { summary } = await fig12.run(config);
  // The fit as the figure computed it before datasets existed: <S> of every setting against sigma_pred.
  const { stats } = await runTeacherStudentFigureSweeps(config);
  const fit = fitSlopeThroughOrigin(
    stats.map((s) => s.predictedWidth),
    stats.map((s) => s.meanSpacing),
    stats.map((s) => s.meanSpacingError),
  );
  assert.equal(summary.aFit, fit.slope);
  assert.equal(summary.aFitError, fit.error);
  assert.equal(summary.aFitCombinedError, fit.error);
  assert.equal(summary.aFitErrorScaled, fit.scaledError);
  assert.equal(summary.chi2PerDof, fit.chi2PerDof);
  assert.ok(Number.isNaN(summary.aFitBetweenError as number));
  assert.match(summary.aFitVerdict as string, /jackknife error only/);
});

Deno.test("figure 12 over two datasets: new inputs and noise per dataset, both errors, chi^2/dof and a verdict", async () => {
  const one = (await fig12.run({ ...fig12.testConfig, datasets: 1 })).summary;
  const { spec, summary } = await fig12.run(fig12.testConfig);
  assert.equal(summary.datasets, 2);
  const per = summary.perDataset as { dataSeed: number; seed: number; aFit: number; aFitError: number }[];
  // Dataset 0 is the one-dataset run; dataset 1 draws its inputs with dataSeed + 1 and its noise past
  // the 16 settings' seeds of dataset 0.
  assert.equal(per[0].aFit, one.aFit);
  assert.deepEqual(per.map((d) => [d.dataSeed, d.seed]), [[3, 3], [4, 19]]);
  assert.notEqual(per[1].aFit, per[0].aFit);
  const within = summary.aFitError as number, between = summary.aFitBetweenError as number;
  const combined = summary.aFitCombinedError as number;
  assert.ok(combined >= within && between >= 0, `within ${within}, between ${between}, combined ${combined}`);
  assert.ok(Math.abs(combined ** 2 - within ** 2 - between ** 2) < 1e-12 * combined ** 2);
  const mean = (per[0].aFit + per[1].aFit) / 2;
  assert.ok(Math.abs((summary.aFit as number) - mean) <= Math.abs(per[0].aFit - per[1].aFit) / 2);
  assert.ok(Number.isFinite(summary.chi2PerDof as number));
  assert.match(summary.aFitVerdict as string, VERDICT);
  assert.match(
    spec.description as string,
    /between 2 datasets.*consistent with sqrt\(pi\) at 2 sigma: (yes|no)/,
  );
  assert.equal((summary.combinedPoints as unknown[]).length, 16);
  // Figure 13 reuses the analysed datasets (same config) and reports its slope the same way.
  const sigma = (await fig13.run(fig13.testConfig)).summary.aFitSigma as Record<string, unknown>;
  assert.equal(sigma.datasets, 2);
  assert.match(sigma.verdict as string, VERDICT);
  assert.ok((sigma.combinedError as number) >= (sigma.error as number));
});

Deno.test("--data-seed draws the shared inputs and --seed the noise: each leaves the other's draws alone", async () => {
  const settings = [{ learningRate: 0.1, batchSize: 4, noise: 0.1 }];
  const plan = (seed: number, dataSeed: number) =>
    planTeacherStudentEnsemble({ settings, seeds: 2, batchesPerEpoch: 8, seed, dataSeed });
  assert.deepEqual(plan(1, 5).covariances, plan(9, 5).covariances);
  assert.notDeepEqual(plan(1, 5).covariances, plan(1, 6).covariances);
  const config = { ...fig12.testConfig, datasets: 1, noises: "0.1", learningRates: "", batchSizes: "" };
  const spacing = async (seed: number, dataSeed: number) =>
    ((await fig12.run({ ...config, seed, dataSeed })).summary.settings as { meanSpacing: number }[])[0]
      .meanSpacing;
  const base = await spacing(3, 3);
  assert.notEqual(await spacing(3, 4), base);
  assert.notEqual(await spacing(4, 3), base);
  assert.equal(await spacing(3, 3), base);
});

Deno.test("Dyson configs: --data-seed on every teacher-student figure, --datasets on the scaling figures, K >= 5 at paper scale", () => {
  // A script shows the family's options its quick config has (lib/dyson/figure_family.ts).
  assert.ok("dataSeed" in TEACHER_STUDENT_FIGURE_OPTIONS && "datasets" in TEACHER_STUDENT_FIGURE_OPTIONS);
  assert.ok("datasets" in RBM_FIGURE_OPTIONS);
  assert.ok("dataSeed" in fig10.defaultConfig && !("datasets" in fig10.defaultConfig));
  assert.ok("dataSeed" in fig12.defaultConfig && "datasets" in fig5.defaultConfig);
  assert.ok(!("datasets" in fig10.fullConfig));
  assert.ok((fig12.fullConfig.datasets as number) >= 5 && (fig5.fullConfig.datasets as number) >= 5);
  assert.equal(fig12.fullConfig.seeds, 3000);
  assert.ok((fig12.defaultConfig.datasets as number) >= 2);
});

Deno.test("figure 5 over two ensembles: ensemble 0 is the single-ensemble run, the slope has both errors", async () => {
  const one = (await fig5.run({ ...fig5.testConfig, datasets: 1 })).summary;
  const { spec, summary } = await fig5.run(fig5.testConfig);
  const single = one.aFitSpacing as { slope: number; error: number; verdict: string };
  const both = summary.aFitSpacing as Record<string, unknown>;
  const per = both.perDataset as { slope: number }[];
  assert.equal(per.length, 2);
  assert.equal(per[0].slope, single.slope);
  assert.match(single.verdict, /jackknife error only/);
  assert.deepEqual(summary.datasetSeeds, [fig5.testConfig.seed, fig5.testConfig.seed + 11]);
  assert.ok((both.combinedError as number) >= (both.error as number));
  assert.match(both.verdict as string, VERDICT);
  assert.match(spec.description as string, /x 2 ensembles/);
});
