// scripts/eoss_train.ts and scripts/eoss_fidelity.ts: flags map onto the engine's config (cadences, replay,
// fork), a tiny run through the CLI path on the reference backend, a diverging run exits 4, bad lists exit 2.
import { assert } from "./_assert.ts";
import { exitCodeOf } from "../lib/exit_codes.ts";
import { defaultConfig, run, toEossConfig } from "../scripts/eoss_train.ts";
import { defaultConfig as fidelityDefaults, run as runFidelity } from "../scripts/eoss_fidelity.ts";

const tiny = {
  ...defaultConfig,
  dataset: "synthetic",
  n: 24,
  hidden: "12",
  batch: 4,
  learningRate: 0.1,
  steps: 12,
  lossEvery: 4,
  lambdaEvery: 6,
  bsEvery: 4,
  stepEvery: 2,
  bsMaxSamples: 24,
  backend: "reference",
};

Deno.test("eoss_train: flags become the engine's config", () => {
  const c = toEossConfig({
    ...defaultConfig,
    measure: "lambdaMax,gni",
    lambdaEvery: 100,
    checkpointSteps: "5,10",
  });
  assert.deepEqual(c.cadences.lambdaMax, {
    every: 100,
    growth: [{ after: 10000, factor: 2 }, { after: 30000, factor: 2 }],
  });
  assert.equal(c.cadences.gni!.every, 2500);
  assert.equal(c.cadences.batchSharpness, null);
  assert.deepEqual(c.checkpointSteps, [5, 10]);
  assert.equal(c.replay, undefined);
  assert.equal(c.fork, undefined);
  const r = toEossConfig({
    ...defaultConfig,
    initParams: "p.npy",
    forkFrom: "runs/p",
    forkStep: 8,
    hidden: "64,32",
  });
  assert.deepEqual(r.replay, { initParams: "p.npy" });
  assert.deepEqual(r.fork, { from: "runs/p", step: 8 });
  assert.deepEqual(r.model.hidden, [64, 32]);
  const e = (() => {
    try {
      toEossConfig({ ...defaultConfig, measure: "lambdaMax,sharpness" });
    } catch (error) {
      return error;
    }
  })();
  assert.equal(exitCodeOf(e), 2);
});

Deno.test("eoss_train: a tiny run prints its measured rows and the plateau; a diverging one exits 4", async () => {
  const lines: string[] = [];
  const result = await run(tiny, { print: (l) => lines.push(l), progress: "quiet" });
  assert.equal(result.summary.status, "complete");
  assert.ok(lines.some((l) => /^step 0, .*lambda_max .*BS .*2\/eta 20\.00/.test(l)), lines.join("\n"));
  assert.ok(/complete at step 12 .*plateau over the last third: BS /.test(lines[lines.length - 1]));
  const diverged = await run(
    { ...tiny, learningRate: 1e9, steps: 200, measure: "fullLoss", lossEvery: 1000 },
    {
      print: () => {},
      progress: "quiet",
    },
  ).then(() => null, (e) => e);
  assert.equal(exitCodeOf(diverged), 4);
});

Deno.test("eoss_fidelity: unknown settings and malformed custom entries are usage errors", async () => {
  for (const bad of [{ settings: "n65" }, { custom: "64/4/x/1000" }]) {
    const e = await runFidelity({ ...fidelityDefaults, ...bad }, () => {}).then(() => null, (e) => e);
    assert.equal(exitCodeOf(e), 2, JSON.stringify(bad));
  }
});

Deno.test("eoss scripts: every setting of defaultConfig has a command-line option", async () => {
  const { parseCli } = await import("../lib/cli.ts");
  const { cliOptions } = await import("../scripts/eoss_train.ts");
  const { FIDELITY_CLI } = await import("../scripts/eoss_fidelity.ts");
  const cli = { usage: "", description: "", options: cliOptions() };
  const train = parseCli(cli, []) as Record<string, unknown>;
  for (const k of Object.keys(defaultConfig)) assert.ok(k in train, `eoss_train --${k}`);
  const fidelity = parseCli(FIDELITY_CLI, []) as Record<string, unknown>;
  for (const k of Object.keys(fidelityDefaults)) assert.ok(k in fidelity, `eoss_fidelity --${k}`);
});
