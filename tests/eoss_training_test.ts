// The EoSS training engine (lib/eoss/training.ts): determinism, measurements on the parameters before the
// update, the stop rules (full loss, epoch mean, NaN), the run directory's files and the plateau summary.
import { assert, assertClose, assertExact } from "./_assert.ts";
import { testBothBackends } from "./_backends.ts";
import { tinyConfig } from "./_eoss_training.ts";
import type { Backend } from "../lib/backend/backend.ts";
import { runEossTraining } from "../lib/eoss/training.ts";
import { secondMomentContraction } from "../lib/eoss/second_moment.ts";
import { loadEossData } from "../lib/eoss/training_data.ts";
import { plateauStatistics, plateauSummary } from "../lib/eoss/plateau.ts";
import { emptyRow, rowFromJson } from "../lib/eoss/metrics.ts";
import { readMetrics } from "../lib/io/metrics.ts";
import { Mlp } from "../lib/models/mlp_model.ts";
import { mlpPreset } from "../lib/models/mlp.ts";

const rowValues = (rows: { [k: string]: number }[]) => rows.flatMap((r) => Object.values(r));

testBothBackends(
  "eoss training: two runs of one config are identical, row for row and bit for bit",
  async (backend) => {
    const config = tinyConfig();
    const a = await runEossTraining(config, { backend }), b = await runEossTraining(config, { backend });
    assert.equal(a.summary.status, "complete");
    assert.equal(a.summary.steps, 18);
    // Rows at every step of a due cadence: 0, 3, 6, ..., 15 (step sharpness every 3) -> 6 rows.
    assert.deepEqual(a.rows.map((r) => r.step), [0, 3, 6, 9, 12, 15]);
    assert.deepEqual(a.rows.map((r) => r.epoch), [0, 0, 1, 1, 2, 2]);
    assertExact(rowValues(b.rows as never), rowValues(a.rows as never));
    assertExact(b.params, a.params);
    assertExact(b.batchLosses, a.batchLosses);
    assert.equal(a.batchLosses.length, 18);
    assert.ok(Number.isFinite(a.rows[2].lambda_max) === false && Number.isFinite(a.rows[3].lambda_max));
    // A different batch-order seed changes the trajectory but not the step-0 measurements' parameters.
    const c = await runEossTraining(tinyConfig({ seeds: { order: 8 } }), { backend });
    assert.equal(c.rows[0].full_loss, a.rows[0].full_loss);
    assert.notEqual(c.rows[2].full_loss, a.rows[2].full_loss);
  },
);

/** The model, data and initial parameters of the tiny config, built independently of the engine. */
async function independent(backend: Backend) {
  const config = tinyConfig();
  const data = await loadEossData(config.data, config.seeds.data);
  const spec = { ...mlpPreset("mlp", { inputs: 8, outputs: 3, initScale: 0.2 }), sizes: [8, 12, 3] };
  const model = new Mlp(backend, spec, "squared");
  return { config, data, model };
}

testBothBackends(
  "eoss training: measurements see the parameters before the step's update",
  async (backend) => {
    const { config, data, model } = await independent(backend);
    const full = await runEossTraining(config, { backend });
    // A run stopped after 6 steps ends with the parameters the 18-step run measured at step 6.
    const short = await runEossTraining(tinyConfig({ optimizer: { steps: 6 } }), { backend });
    const x = backend.tensor(data.x, [24, 8]), y = backend.tensor(data.y, [24, 3]);
    const lossAt = async (values: ArrayLike<number>) => {
      const p = backend.tensor(Float64Array.from(values), [model.layout.count]);
      const r = await model.evaluate(p, x, y);
      const v = (await backend.read(r.loss))[0];
      backend.dispose(p, r.loss);
      return v;
    };
    const init = model.init(config.seeds.init);
    const initLoss = await lossAt(await backend.read(init));
    const tol = { rtol: backend.name === "reference" ? 1e-12 : 1e-6 };
    assertClose([full.rows[0].full_loss], [initLoss], tol, "full loss at step 0 (the initial parameters)");
    const row6 = full.rows.find((r) => r.step === 6)!;
    assertClose([row6.full_loss], [await lossAt(short.params)], tol, "full loss at step 6 (after 6 updates)");
    // The row's batch loss is the loss of step 6's own batch, the one its update uses.
    assert.equal(row6.batch_loss, full.batchLosses[6]);
    backend.dispose(x, y, init);
    model.dispose();
  },
);

testBothBackends("eoss training: the stop rules (full loss, epoch mean) and a NaN stop", async (backend) => {
  const stopAtOnce = await runEossTraining(tinyConfig({ optimizer: { stopLoss: 100 } }), { backend });
  assert.equal(stopAtOnce.summary.status, "stopLoss");
  assert.equal(stopAtOnce.summary.steps, 0);
  assert.equal(stopAtOnce.rows.length, 1);
  const epochMean = await runEossTraining(
    tinyConfig({ optimizer: { stopLoss: 100, stopRule: "epochMean" } }),
    { backend },
  );
  assert.equal(epochMean.summary.status, "stopLoss");
  assert.equal(epochMean.summary.steps, 6); // the end of the first epoch (24 / 4 steps)
  const diverged = await runEossTraining(
    tinyConfig({
      optimizer: { learningRate: 1e9, steps: 300 },
      cadences: { lambdaMax: null, batchSharpness: null, stepSharpness: null, fullLoss: { every: 1000 } },
    }),
    { backend, historyChunk: 16 },
  );
  assert.equal(diverged.summary.status, "diverged");
  assert.ok(diverged.summary.divergedAt! > 0 && diverged.summary.divergedAt! < 300);
  assert.equal(diverged.batchLosses.length, diverged.summary.divergedAt);
});

Deno.test("eoss training: a run directory holds config.json, metrics.jsonl with the spec's columns, done.json", async () => {
  const { ReferenceBackend } = await import("../lib/backend/reference.ts");
  const dir = await Deno.makeTempDir();
  try {
    const result = await runEossTraining(tinyConfig(), {
      backend: new ReferenceBackend(),
      runDir: `${dir}/run`,
    });
    const rows = await readMetrics(`${dir}/run/metrics.jsonl`);
    assert.equal(rows.length, result.rows.length);
    for (
      const c of [
        "epoch",
        "step",
        "batch_loss",
        "full_loss",
        "lambda_max",
        "step_sharpness",
        "batch_sharpness",
        "gni",
        "accuracy",
      ]
    ) {
      assert.ok(c in rows[0], `column ${c}`);
    }
    assert.equal(rows[1].full_loss, null); // step 3: not measured
    assertExact(rowValues([rowFromJson(rows[3])] as never), rowValues([result.rows[3]] as never));
    const config = JSON.parse(await Deno.readTextFile(`${dir}/run/config.json`));
    assert.equal(config.parameters.optimizer.learningRate, 0.1);
    const done = JSON.parse(await Deno.readTextFile(`${dir}/run/done.json`));
    assert.equal(done.summary?.status ?? done.status, "complete");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("eoss plateau: the last third of the measurements, mean and spread, next to 2/eta", () => {
  const rows = [10, 20, 30, 38, 40, 42].map((bs, i) => ({
    ...emptyRow(0, 8 * i),
    batch_sharpness: bs,
    lambda_max: bs / 2,
  }));
  const p = plateauSummary(rows, 0.05);
  assert.equal(p.threshold, 40);
  assert.equal(p.batchSharpness.count, 2);
  assertClose([p.batchSharpness.mean, p.batchSharpness.std, p.batchSharpness.ratio], [
    41,
    Math.SQRT2,
    41 / 40,
  ], { rtol: 1e-14 });
  assertClose([p.lambdaMax.mean], [20.5], { rtol: 1e-14 });
  assert.deepEqual(p.window, { first: 32, last: 40 });
  assert.equal(plateauSummary(rows, 0.05, { momentum: 0.5 }).threshold, 60);
  assert.ok(Number.isNaN(plateauStatistics([NaN, NaN], 1).mean));
  assert.equal(plateauStatistics([1, NaN, 3, 5], 1).count, 1);
});

Deno.test("eoss training: a replacement update (e.g. noisy GD) sees the live batch and replaces the SGD step", async () => {
  const { ReferenceBackend } = await import("../lib/backend/reference.ts");
  const backend = new ReferenceBackend(), config = tinyConfig();
  const sgd = await runEossTraining(config, { backend });
  const seen: number[] = [];
  // The plain SGD step written by hand: the same trajectory, bit for bit.
  const manual = await runEossTraining(config, {
    backend,
    update: async (c) => {
      seen.push(c.step);
      assert.equal(c.batchIndices.length, 4);
      await backend.axpy(-c.learningRate, c.gradient, c.params);
    },
  });
  assert.deepEqual(seen, Array.from({ length: 18 }, (_, i) => i));
  assertExact(manual.params, sgd.params);
  // A do-nothing update keeps the initial parameters: every full loss equals the first.
  const frozen = await runEossTraining(config, { backend, update: async () => {} });
  assert.ok(
    frozen.rows.filter((r) => Number.isFinite(r.full_loss)).every((r) =>
      r.full_loss === frozen.rows[0].full_loss
    ),
  );
});

testBothBackends(
  "eoss training: lambda_max by Lanczos equals power iteration's, with fewer H v products, same trajectory",
  async (backend) => {
    const settings = { lambdaMaxTolerance: 1e-4, lambdaMaxIterations: 1000 };
    const power = await runEossTraining(tinyConfig({ settings }), { backend });
    const lanczos = await runEossTraining(
      tinyConfig({ settings: { ...settings, lambdaMaxSolver: "lanczos" } }),
      { backend },
    );
    const measured = (rows: typeof power.rows) => rows.filter((r) => Number.isFinite(r.lambda_max));
    const p = measured(power.rows), l = measured(lanczos.rows);
    assert.deepEqual(l.map((r) => r.step), [0, 9]);
    assert.deepEqual(p.map((r) => r.step), [0, 9]);
    assertClose(l.map((r) => r.lambda_max), p.map((r) => r.lambda_max), { rtol: 1e-3 }, "lambda_max");
    for (const r of l) assert.ok(r.lambda_max_residual <= 1e-4, `Lanczos residual ${r.lambda_max_residual}`);
    const products = (rows: typeof p) => rows.reduce((s, r) => s + r.lambda_max_iterations, 0);
    assert.ok(products(l) < products(p), `Lanczos ${products(l)} H v products, power ${products(p)}`);
    // The solver changes a measurement, not the SGD trajectory.
    assertExact(lanczos.params, power.params);
    const bad = tinyConfig({ settings: { lambdaMaxSolver: "arnoldi" as never } });
    await runEossTraining(bad, { backend }).then(
      () => assert.fail("an unknown solver must be refused"),
      (e) => assert.match(String(e), /lambdaMaxSolver is "arnoldi", must be power or lanczos/),
    );
  },
);

testBothBackends(
  "eoss training: the second-moment contraction (EOSS-17) in a row equals the estimator at those parameters",
  async (backend) => {
    const { config, data, model } = await independent(backend);
    const run = await runEossTraining(
      tinyConfig({
        optimizer: { steps: 1 },
        cadences: { secondMoment: { every: 9 } },
        settings: { secondMomentBatches: 6 },
      }),
      { backend },
    );
    const x = backend.tensor(data.x, [24, 8]), y = backend.tensor(data.y, [24, 3]);
    const params = model.init(config.seeds.init);
    const direct = await secondMomentContraction({ model, params, x, y }, {
      learningRate: config.optimizer.learningRate,
      batchSize: config.optimizer.batchSize,
      batches: 6,
      seed: config.seeds.measure,
      measurement: 0,
    });
    const measured = run.rows[0].second_moment_contraction;
    assertClose([measured], [direct.contraction], { rtol: backend.name === "reference" ? 1e-12 : 1e-5 });
    assert.ok(measured >= 1 - 1e-4, `the null space keeps the contraction at >= 1: ${measured}`);
    assert.ok(run.summary.seconds.measurements.secondMoment > 0);
    backend.dispose(x, y, params);
    model.dispose();
  },
);
