// The EoSS figure scripts (scripts/eoss_fig*.ts) at their tiny test scale (synthetic data, reference
// backend): each runs, its spec passes the Vega-Lite v6 schema, and its summary carries the numbers the
// README quotes, consistent with the rows it plotted. The fork figure with factor 1 reproduces its control.
import { assert, assertClose } from "./_assert.ts";
import { validateVegaLite } from "../lib/plot/figure.ts";
import * as fig1 from "../scripts/eoss_fig1_main.ts";
import * as fig2 from "../scripts/eoss_fig2_batch_size.ts";
import * as fig3 from "../scripts/eoss_fig3_learning_rate.ts";
import * as fig4 from "../scripts/eoss_fig4_fork.ts";
import * as fig5 from "../scripts/eoss_fig5_noisy_gd.ts";
import * as fig6 from "../scripts/eoss_fig6_gni.ts";
import * as fig8 from "../scripts/eoss_fig8_negative.ts";
import { figureTrainingConfig, parseList, TEST_EOSS_FIGURE } from "../lib/eoss/figures.ts";

type Plateau = {
  threshold: number;
  batchSharpness: number;
  lambdaMax: number;
  batchSharpnessOverThreshold: number;
};

async function valid(spec: unknown, name: string): Promise<void> {
  const errors = await validateVegaLite(spec);
  assert.deepEqual(errors, [], `${name}: Vega-Lite schema`);
}

Deno.test("EoSS F3.1 and F3.8: one run, plateau against 2/eta, the standard plot", async () => {
  for (const [fig, name] of [[fig1, "fig1"], [fig8, "fig8"]] as const) {
    const r = await fig.run(fig.testConfig);
    await valid(r.spec, name);
    const s = r.summary as { steps: number; status: string; plateau: Plateau; data: string };
    assert.equal(s.steps, fig.testConfig.steps);
    assert.equal(s.status, "complete");
    assert.equal(s.data, "synthetic");
    assertClose([s.plateau.threshold], [2 / fig.testConfig.learningRate], { rtol: 1e-12 }, `${name} 2/eta`);
    assert(s.plateau.batchSharpness > 0 && s.plateau.lambdaMax > 0, `${name}: positive plateaus`);
    assertClose([s.plateau.batchSharpnessOverThreshold], [s.plateau.batchSharpness / s.plateau.threshold], {
      rtol: 1e-12,
    });
    // The plot's dashed rule sits at 2/eta and the lines carry both quantities.
    const json = JSON.stringify(r.spec);
    assert(json.includes(`"threshold":${2 / fig.testConfig.learningRate}`), `${name}: 2/eta rule`);
    assert(json.includes('"quantity":"lambda_max"') && json.includes('"quantity":"step sharpness"'));
  }
  assert.equal(typeof (await fig8.run(fig8.testConfig)).summary.belowEdge, "boolean");
});

Deno.test("EoSS F3.2 and F3.3: one run per batch size / step size, plateaus over 2/eta", async () => {
  const two = await fig2.run(fig2.testConfig);
  await valid(two.spec, "fig2");
  const runs2 = two.summary.runs as { b: number; plateau: Plateau }[];
  assert.deepEqual(runs2.map((r) => r.b), parseList(fig2.testConfig.batchSizes, "b", true));
  for (const r of runs2) {
    assertClose([r.plateau.threshold], [2 / fig2.testConfig.learningRate], { rtol: 1e-12 });
  }
  await assert.rejects(() => fig2.run({ ...fig2.testConfig, batchSizes: "4,64" }), RangeError);
  const three = await fig3.run(fig3.testConfig);
  await valid(three.spec, "fig3");
  const runs3 = three.summary.runs as { eta: number; plateau: Plateau }[];
  assert.deepEqual(runs3.map((r) => r.eta), [0.05, 0.2]);
  for (const r of runs3) assertClose([r.plateau.threshold], [2 / r.eta], { rtol: 1e-12 });
});

Deno.test("EoSS F3.4: the fork runs from the control's checkpoint; factor 1 reproduces the control", async () => {
  const r = await fig4.run(fig4.testConfig);
  await valid(r.spec, "fig4");
  const s = r.summary as {
    fork: { learningRate: number; plateau: Plateau; lossSpike: number };
    forkStep: number;
  };
  assertClose([s.fork.learningRate], [2 * fig4.testConfig.learningRate], { rtol: 1e-12 });
  assertClose([s.fork.plateau.threshold], [1 / fig4.testConfig.learningRate], { rtol: 1e-12 });
  assert(s.fork.lossSpike > 0);
  // A fork that changes nothing: its plateau equals the control's (same steps, same streams).
  const same = await fig4.run({ ...fig4.testConfig, forkFactor: 1 });
  const t = same.summary as {
    control: { plateau: Plateau; finalFullLoss: number };
    fork: { plateau: Plateau; finalFullLoss: number };
  };
  assert.equal(t.fork.plateau.batchSharpness, t.control.plateau.batchSharpness);
  assert.equal(t.fork.finalFullLoss, t.control.finalFullLoss);
  await assert.rejects(() => fig4.run({ ...fig4.testConfig, forkStep: fig4.testConfig.steps }), RangeError);
});

Deno.test("EoSS F3.5: SGD, noisy GD and the SDE from one initialisation, measured at the same b", async () => {
  const r = await fig5.run(fig5.testConfig);
  await valid(r.spec, "fig5");
  const runs = r.summary.runs as { dynamics: string; plateau: Plateau; status: string }[];
  assert.deepEqual(runs.map((x) => x.dynamics), [
    "SGD",
    "noisy GD (sgd)",
    "noisy GD (iso)",
    "SDE (h = eta/2)",
  ]);
  for (const x of runs) {
    assert.equal(x.status, "complete", x.dynamics);
    assert(Number.isFinite(x.plateau.batchSharpness) && Number.isFinite(x.plateau.lambdaMax), x.dynamics);
  }
  // The replacement update ran: each noise model's trajectory differs from SGD's.
  for (const x of runs.slice(1)) {
    assert.notEqual(x.plateau.batchSharpness, runs[0].plateau.batchSharpness, x.dynamics);
  }
  assert.throws(() => fig5.parseNoises("sgd,gauss"), RangeError);
});

Deno.test("EoSS F3.6: GNI and the one-step loss change on the run's checkpoints", async () => {
  const r = await fig6.run(fig6.testConfig);
  await valid(r.spec, "fig6");
  const c = fig6.testConfig, eta = c.learningRate;
  const s = r.summary as {
    measurements: number;
    measured: { step: number; gni: number; lossChange: number; predicted: number }[];
    signAgreement: number;
  };
  assert.equal(s.measurements, Math.floor(c.steps / c.gniEvery) + 1);
  assert.deepEqual(s.measured.map((m) => m.step), [0, 8, 16, 24]);
  for (const m of s.measured) {
    assertClose([m.predicted], [-1 + (eta / 2) * m.gni], { rtol: 1e-12 });
    assert(Number.isFinite(m.lossChange) && m.gni > 0);
  }
  assert(s.signAgreement >= 0 && s.signAgreement <= 1);
});

Deno.test("EoSS figures: the training config of a figure and its --full preset", () => {
  const t = figureTrainingConfig(TEST_EOSS_FIGURE, { learningRate: 0.3, checkpointSteps: [4] });
  assert.equal(t.optimizer.learningRate, 0.3);
  assert.deepEqual(t.model.hidden, [8, 8]);
  assert.deepEqual(t.checkpointSteps, [4]);
  assert.equal(t.cadences.batchSharpness?.every, TEST_EOSS_FIGURE.sharpnessEvery);
  const full = figureTrainingConfig(fig1.fullConfig);
  assert.equal(full.data.dataset, "cifar10");
  assert.equal(full.model.hidden, undefined);
  assert.deepEqual(
    [full.data.n, full.optimizer.batchSize, full.optimizer.learningRate, full.optimizer.steps],
    [
      8192,
      8,
      0.01,
      150000,
    ],
  );
  assert.equal(full.cadences.batchSharpness?.every, 128);
  assert.throws(() => parseList("4,x", "b", true), RangeError);
});

Deno.test("EoSS figures: --full without CIFAR-10 stops with what to do", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await assert.rejects(
      () => fig1.run({ ...fig1.fullConfig, dataDir: dir, backend: "reference" }),
      Error,
      "CIFAR-10 is absent",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
