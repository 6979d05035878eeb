/**
 * Two runs into one run directory: exactly one proceeds (issue 14, point 1). Checked three ways: two
 * creations racing in one process, two processes racing over many directories, and the reproduction
 * of the issue (two training runs started together with one --out).
 */
import { assert } from "./_assert.ts";
import { RunDir } from "../lib/io/run_dir.ts";

const info = (tag: string) => ({ name: "race", parameters: { tag }, seed: 0, backend: "reference" });

Deno.test("run directory: two creations racing in one process, 50 trials: exactly one wins, its config stays", async () => {
  const root = await Deno.makeTempDir({ prefix: "race-" });
  for (let trial = 0; trial < 50; trial++) {
    const path = `${root}/t${trial}`;
    if (trial % 2) await Deno.mkdir(path); // an empty directory made beforehand is accepted too
    const results = await Promise.allSettled([
      RunDir.create(path, info("a")),
      RunDir.create(path, info("b")),
    ]);
    const won = results.filter((r) => r.status === "fulfilled") as PromiseFulfilledResult<RunDir>[];
    assert.equal(won.length, 1, `trial ${trial}: ${JSON.stringify(results.map((r) => r.status))}`);
    const lost = results.find((r) => r.status === "rejected") as PromiseRejectedResult;
    assert.match(
      lost.reason.message,
      /Cannot create run directory .*: it is not empty, it holds an unfinished run/,
    );
    const config = JSON.parse(await Deno.readTextFile(`${path}/config.json`));
    assert.equal(config.parameters.tag, won[0].value.config.parameters.tag);
    assert.deepEqual([...Deno.readDirSync(path)].map((e) => e.name), ["config.json"], "no claim file left");
  }
  await Deno.remove(root, { recursive: true });
});

Deno.test("run directory: two processes racing over 40 directories: each claimed by exactly one", async () => {
  const root = await Deno.makeTempDir({ prefix: "race-" });
  const n = 40;
  const worker = (tag: string) =>
    new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", new URL("./_claim_run_dirs.ts", import.meta.url).pathname, root, String(n), tag],
      stdout: "piped",
      stderr: "piped",
    }).output();
  const running = [worker("a"), worker("b")];
  // Trial i starts when go<i> appears: both workers poll for it, so they race for the same directory.
  for (let i = 0; i < n; i++) {
    await new Promise((resolve) => setTimeout(resolve, i === 0 ? 500 : 20));
    await Deno.writeTextFile(`${root}/go${i}`, "");
  }
  const [a, b] = await Promise.all(running);
  assert.equal(a.code, 0, new TextDecoder().decode(a.stderr));
  assert.equal(b.code, 0, new TextDecoder().decode(b.stderr));
  const claimedA: number[] = JSON.parse(new TextDecoder().decode(a.stdout));
  const claimedB: number[] = JSON.parse(new TextDecoder().decode(b.stdout));
  console.log(`claims: a ${claimedA.length}, b ${claimedB.length}`);
  for (let i = 0; i < n; i++) {
    const owners = [claimedA.includes(i) ? "a" : "", claimedB.includes(i) ? "b" : ""].filter(Boolean);
    assert.equal(owners.length, 1, `directory t${i} claimed by ${JSON.stringify(owners)}`);
    const config = JSON.parse(await Deno.readTextFile(`${root}/t${i}/config.json`));
    assert.equal(config.parameters.tag, owners[0], `t${i}: config.json is the claimer's`);
  }
  await Deno.remove(root, { recursive: true });
});

Deno.test("two training runs started together into one --out: one completes, the other refuses and writes nothing", async () => {
  const root = await Deno.makeTempDir({ prefix: "race-train-" });
  const script = new URL("../scripts/train_linear_regression.ts", import.meta.url).pathname;
  const common = ["--steps", "3000", "--backend", "reference", "--d", "8", "--walkers", "8", "--quiet"];
  for (let trial = 0; trial < 3; trial++) {
    const out = `${root}/run${trial}`;
    const train = (lr: string) =>
      new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", script, ...common, "--learning-rate", lr, "--out", out],
        stdout: "null",
        stderr: "piped",
      }).output();
    const [a, b] = await Promise.all([train("0.5"), train("0.25")]);
    const codes = [a.code, b.code].sort();
    const stderr = new TextDecoder().decode(a.code ? a.stderr : b.stderr);
    assert.deepEqual(codes, [0, 2], `trial ${trial}: exits ${a.code}, ${b.code}; ${stderr}`);
    // The loser started while the winner ran, or after it finished.
    assert.match(
      stderr,
      /Cannot create run directory .*: it is not empty, it holds (an unfinished run \(running now, or stopped\)|a complete run)/,
    );
    const winner = a.code === 0 ? "0.5" : "0.25";
    const config = JSON.parse(await Deno.readTextFile(`${out}/config.json`));
    assert.equal(config.parameters.learningRate, Number(winner));
    const rows = (await Deno.readTextFile(`${out}/metrics.jsonl`)).trim().split("\n");
    assert.equal(rows.length, 30, "one run's rows only (3000 steps / 100)");
  }
  await Deno.remove(root, { recursive: true });
});
