// scripts/eoss_edge.ts: tiny physics settings and a fork on synthetic data (reference backend), the summary's
// plateau ratios against the run directories' own rows, finished runs read instead of rerun, bad entries exit 2.
import { assert, assertClose } from "./_assert.ts";
import { exitCodeOf } from "../lib/exit_codes.ts";
import { readMetrics } from "../lib/io/metrics.ts";
import { rowFromJson } from "../lib/eoss/metrics.ts";
import { plateauSummary } from "../lib/eoss/plateau.ts";
import { defaultConfig, EDGE_CLI, type EdgeConfig, run } from "../scripts/eoss_edge.ts";

const tiny: EdgeConfig = {
  ...defaultConfig,
  settings: "24/4/0.1/12,24/8/0.1/12/1,24/4/1000000000/12/1",
  seeds: 2,
  fork: "24/4/0.05/6/12/2",
  forkSeeds: 1,
  lossEvery: 3,
  bsEvery: 3,
  lambdaEvery: 6,
  bsMaxSamples: 24,
  dataset: "synthetic",
  hidden: "12",
  backend: "reference",
};

Deno.test("eoss_edge: tiny settings and a fork give plateau ratios of their own rows; done runs are read", async () => {
  const out = await Deno.makeTempDir();
  try {
    const lines: string[] = [];
    // deno-lint-ignore no-explicit-any
    const summary = await run({ ...tiny, out }, (l) => lines.push(l)) as any;
    const s = summary.settings["n24_b4_eta0.1_s12"];
    assert.equal(s.seeds, 2);
    assert.equal(summary.settings["n24_b8_eta0.1_s12"].seeds, 1, "a setting's own seed count");
    assert.equal(summary.settings["n24_b4_eta1000000000_s12"].runs[0].status, "diverged");
    for (const k of [0, 1]) {
      const rows = (await readMetrics(`${out}/n24_b4_eta0.1_s12_seed${k}/metrics.jsonl`)).map(rowFromJson);
      const p = plateauSummary(rows, 0.1);
      assertClose([s.batchSharpnessRatio.values[k]], [p.batchSharpness.mean / 20], { rtol: 1e-12 });
      assertClose([s.lambdaMaxRatio.values[k]], [p.lambdaMax.mean / 20], { rtol: 1e-12 });
    }
    const v = s.batchSharpnessRatio.values as number[];
    assertClose([s.batchSharpnessRatio.mean], [(v[0] + v[1]) / 2], { rtol: 1e-12 });
    assertClose([s.batchSharpnessRatio.spread], [Math.abs(v[0] - v[1]) / Math.SQRT2], { rtol: 1e-12 });
    const fork = summary.fork;
    assert.equal(fork.forkLearningRate, 0.1);
    const forkRows = (await readMetrics(`${out}/fork_x2_n24_b4_eta0.05_s12_at6_seed0/metrics.jsonl`))
      .map(rowFromJson);
    assert.equal(forkRows[0].step, 6, "the fork starts at its checkpoint");
    assertClose([fork.runs[0].fork.batchSharpness.ratio], [
      plateauSummary(forkRows, 0.1).batchSharpness.ratio,
    ], {
      rtol: 1e-12,
    });
    assert.ok(Number.isFinite(fork.lossSpike.mean) && fork.lossSpike.mean > 0);
    for (const f of ["eoss_edge.summary.json", "eoss_edge.vl.json", "eoss_edge.svg", "eoss_edge_fork.svg"]) {
      assert.ok((await Deno.stat(`${out}/${f}`)).isFile, f);
    }
    const again: string[] = [];
    await run({ ...tiny, out }, (l) => again.push(l));
    assert.equal(again.filter((l) => l.endsWith(": running")).length, 0, again.join("\n"));
    assert.ok(again.some((l) => l.endsWith(": read (diverged)")), again.join("\n"));
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});

Deno.test("eoss_edge: malformed settings and forks are usage errors; every setting has an option", async () => {
  for (const bad of [{ settings: "24/4/x/12" }, { fork: "24/4/0.05/6/12" }, { fork: "24/4/0.05/12/12/2" }]) {
    const e = await run({ ...tiny, ...bad, out: "/nonexistent/eoss_edge" }, () => {}).then(
      () => null,
      (e) => e,
    );
    assert.equal(exitCodeOf(e), 2, JSON.stringify(bad));
  }
  const { parseCli } = await import("../lib/cli.ts");
  const parsed = parseCli(EDGE_CLI, []) as Record<string, unknown>;
  for (const k of Object.keys(defaultConfig)) assert.ok(k in parsed, `eoss_edge --${k}`);
});
