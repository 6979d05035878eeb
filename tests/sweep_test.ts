import { assert } from "./_assert.ts";
import { checkSweepSpec, expandSweep } from "../lib/sweep/spec.ts";
import {
  mergeSweep,
  OWNER_FILE,
  planSweep,
  readPlan,
  runSweepLocal,
  runSweepTask,
  taskDir,
} from "../lib/sweep/run.ts";
import { slurmArrayScript } from "../lib/sweep/slurm.ts";

const TASK = new URL("../scripts/train_linear_regression.ts", import.meta.url).pathname + "#sweepTask";
const SPEC = {
  name: "lr_vs_d",
  task: TASK,
  grid: { learningRate: [0.25, 0.5], d: [4, 7] },
  seeds: [0, 1],
  fixed: { walkers: 2, steps: 50, recordEvery: 10, backend: "reference" },
};

async function specFile(dir: string, spec: unknown = SPEC): Promise<string> {
  await Deno.writeTextFile(`${dir}/spec.json`, JSON.stringify(spec));
  return `${dir}/spec.json`;
}

Deno.test("a sweep expands to grid x seeds in a fixed order (first key slowest, seeds innermost)", () => {
  const tasks = expandSweep(checkSweepSpec(SPEC, "spec"));
  assert.equal(tasks.length, 8);
  assert.deepEqual(
    tasks.map((t) => [t.index, t.settings.learningRate, t.settings.d, t.seed]),
    [[0, 0.25, 4, 0], [1, 0.25, 4, 1], [2, 0.25, 7, 0], [3, 0.25, 7, 1], [4, 0.5, 4, 0], [5, 0.5, 4, 1], [
      6,
      0.5,
      7,
      0,
    ], [
      7,
      0.5,
      7,
      1,
    ]],
  );
  assert.equal(tasks[5].settings.walkers, 2);
});

Deno.test("bad sweep specs are refused naming the field", async () => {
  const bad = (patch: Record<string, unknown>) => checkSweepSpec({ ...SPEC, ...patch }, "s.json");
  assert.throws(
    () => bad({ grid: { lr: [] } }),
    /Cannot use sweep spec s.json: grid "lr" is \[\], must be a non-empty array/,
  );
  assert.throws(() => bad({ seeds: [1.5] }), /"seeds" is \[1.5\]/);
  assert.throws(
    () => bad({ task: "module.ts" }),
    /"task" is "module.ts", must be "<module path>#<export name>"/,
  );
  assert.throws(() => bad({ name: "a b" }), /"name" is "a b"/);
  const dir = await Deno.makeTempDir();
  await assert.rejects(
    planSweep(await specFile(dir, { ...SPEC, task: TASK.replace("sweepTask", "noSuchTask") }), `${dir}/s`),
    /has no exported function "noSuchTask"/,
  );
  await assert.rejects(planSweep(`${dir}/absent.json`, `${dir}/s`), /Cannot read sweep spec .*absent.json/);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("sweep keys are checked against the task's declared settings, and each task's values, before any directory", async () => {
  const dir = await Deno.makeTempDir();
  // Issue 14: "lerningRate" ran every task with the default and merged.json labelled them 0.05 and 1.5.
  await assert.rejects(
    planSweep(await specFile(dir, { ...SPEC, grid: { lerningRate: [0.05, 1.5] } }), `${dir}/s`),
    /grid key "lerningRate" is not a setting of the task \(did you mean "learningRate"\?\); its settings are d, walkers, steps, learningRate/,
  );
  await assert.rejects(
    planSweep(await specFile(dir, { ...SPEC, fixed: { ...SPEC.fixed, walker: 2 } }), `${dir}/s`),
    /fixed key "walker" is not a setting of the task \(did you mean "walkers"\?\)/,
  );
  await assert.rejects(
    planSweep(await specFile(dir, { ...SPEC, grid: { d: [4, 0] } }), `${dir}/s`),
    /task 2 \(.*"d":0.*\): Cannot train: --d is 0, must be an integer >= 1/,
  );
  // A task module whose function declares no settings is refused (its keys could not be checked).
  await Deno.writeTextFile(`${dir}/task.ts`, "export async function run() { return {}; }\n");
  await assert.rejects(
    planSweep(await specFile(dir, { ...SPEC, task: "./task.ts#run" }), `${dir}/s`),
    /its task .*task.ts#run declares no settings/,
  );
  assert.equal(await Deno.stat(`${dir}/s`).catch(() => null), null, "no sweep directory");
  await Deno.remove(dir, { recursive: true });
});

Deno.test("a local sweep (worker pool of subprocesses) merges to what the tasks give one by one", async () => {
  const dir = await Deno.makeTempDir();
  const spec = await specFile(dir);
  await planSweep(spec, `${dir}/pool`);
  let done = 0;
  await runSweepLocal(`${dir}/pool`, { workers: 3, onTaskDone: (_, ok) => ok && done++ });
  assert.equal(done, 8);
  const pooled = await mergeSweep(`${dir}/pool`);

  // The same tasks in this process, in reverse order: index, not scheduling, decides each result.
  const plan = await planSweep(spec, `${dir}/inline`);
  for (const t of [...plan.tasks].reverse()) await runSweepTask(`${dir}/inline`, t.index);
  const inline = await mergeSweep(`${dir}/inline`);
  assert.deepEqual(pooled, inline);
  assert.equal(pooled.length, 8);
  assert.deepEqual(pooled.map((r) => r.index), [0, 1, 2, 3, 4, 5, 6, 7]);
  for (const row of pooled) assert.ok((row.finalMeanError as number) < 0.1, JSON.stringify(row));
  const merged = JSON.parse(await Deno.readTextFile(`${dir}/pool/merged.json`));
  assert.deepEqual(merged.rows, pooled);
  // Each task is its own run directory.
  const config = JSON.parse(await Deno.readTextFile(`${taskDir(`${dir}/pool`, 6)}/config.json`));
  assert.deepEqual([config.seed, config.parameters.learningRate, config.parameters.d], [0, 0.5, 7]);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("merge refuses an unfinished sweep naming the missing tasks; a rerun does only those", async () => {
  const dir = await Deno.makeTempDir();
  const plan = await planSweep(await specFile(dir), `${dir}/s`);
  await runSweepTask(`${dir}/s`, 0);
  await runSweepTask(`${dir}/s`, 3);
  await assert.rejects(mergeSweep(`${dir}/s`), /6 of 8 tasks are not complete \(1, 2, 4, 5, 6, 7\)/);
  assert.equal(await Deno.stat(`${dir}/s/merged.json`).catch(() => null), null);
  // A killed attempt leaves a task directory without done.json: it is redone, not trusted.
  await Deno.mkdir(taskDir(`${dir}/s`, 1), { recursive: true });
  await Deno.writeTextFile(`${taskDir(`${dir}/s`, 1)}/result.json`, "{}");
  const before = await Deno.readTextFile(`${taskDir(`${dir}/s`, 0)}/done.json`);
  await runSweepLocal(`${dir}/s`, { workers: 2 });
  assert.equal(
    await Deno.readTextFile(`${taskDir(`${dir}/s`, 0)}/done.json`),
    before,
    "complete tasks are kept",
  );
  assert.equal((await mergeSweep(`${dir}/s`)).length, plan.tasks.length);
  assert.ok("finalMeanError" in JSON.parse(await Deno.readTextFile(`${taskDir(`${dir}/s`, 1)}/result.json`)));
  // The killed attempt's files were moved aside, not deleted.
  const asides = [...Deno.readDirSync(`${dir}/s/tasks`)].filter((e) =>
    e.name.startsWith("00001.incomplete-")
  );
  assert.equal(asides.length, 1);
  assert.equal(Deno.readTextFileSync(`${dir}/s/tasks/${asides[0].name}/result.json`), "{}");
  // A task directory whose recorded owner is a live process on this host is refused, untouched.
  await Deno.remove(taskDir(`${dir}/s`, 2), { recursive: true });
  await Deno.mkdir(taskDir(`${dir}/s`, 2));
  const owner = { host: Deno.hostname(), pid: Deno.ppid, startedAt: "now" };
  await Deno.writeTextFile(`${taskDir(`${dir}/s`, 2)}/${OWNER_FILE}`, JSON.stringify(owner));
  await assert.rejects(
    runSweepTask(`${dir}/s`, 2),
    new RegExp(`Cannot run task 2 of sweep "lr_vs_d": process ${Deno.ppid} on this host is running it`),
  );
  assert.ok(Deno.statSync(`${taskDir(`${dir}/s`, 2)}/${OWNER_FILE}`).isFile);
  await assert.rejects(
    runSweepTask(`${dir}/s`, 8),
    /Cannot run task 8 of sweep "lr_vs_d": it has tasks 0..7/,
  );
  await assert.rejects(
    planSweep(await specFile(dir, { ...SPEC, seeds: [5] }), `${dir}/s`),
    /holds a different sweep.json/,
  );
  await Deno.remove(dir, { recursive: true });
});

Deno.test("the SLURM array script runs the same task command per array index", async () => {
  const dir = await Deno.makeTempDir();
  await planSweep(await specFile(dir), `${dir}/s`);
  const script = slurmArrayScript(await readPlan(`${dir}/s`), `${dir}/s`, {
    time: "00:10:00",
    maxParallel: 4,
    partition: "short",
    deno: "/opt/deno",
  });
  const lines = script.split("\n");
  assert.equal(lines[0], "#!/bin/bash");
  assert.ok(lines.includes("#SBATCH --array=0-7%4"), script);
  assert.ok(lines.includes("#SBATCH --time=00:10:00"));
  assert.ok(lines.includes("#SBATCH --partition=short"));
  assert.ok(lines.includes(`#SBATCH --output=${dir}/s/slurm/%A_%a.out`));
  const sweepScript = new URL("../scripts/sweep.ts", import.meta.url).pathname;
  assert.ok(
    lines.includes(
      `exec '/opt/deno' run -A '${sweepScript}' task '${dir}/s' --index "$SLURM_ARRAY_TASK_ID" --quiet`,
    ),
    script,
  );
  // Running that line by hand for one index does the task.
  const { code } = await new Deno.Command("bash", {
    args: ["-c", lines.find((l) => l.startsWith("exec "))!.replace("'/opt/deno'", Deno.execPath())],
    env: { SLURM_ARRAY_TASK_ID: "5" },
    stdout: "null",
  }).output();
  assert.equal(code, 0);
  assert.ok(await Deno.stat(`${taskDir(`${dir}/s`, 5)}/done.json`));
  await Deno.remove(dir, { recursive: true });
});
