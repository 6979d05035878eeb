import { assert } from "./_assert.ts";
import { writeFileAtomic } from "../lib/io/atomic.ts";
import { MetricsWriter, readMetrics } from "../lib/io/metrics.ts";
import { isCompleteRun, isFailedRun, RunDir } from "../lib/io/run_dir.ts";
import { exitCodeOf } from "../lib/cli.ts";
import { checkOutputDir } from "../lib/io/output_dir.ts";
import { TOOLKIT_VERSION } from "../lib/io/provenance.ts";
import { ReferenceBackend } from "../lib/backend/reference.ts";
import denoJson from "../deno.json" with { type: "json" };

Deno.test("a run directory records parameters, seed, backend, versions and the git commit", async () => {
  const root = await Deno.makeTempDir();
  const run = await RunDir.create(`${root}/run`, {
    name: "demo",
    parameters: { d: 7, learningRate: 0.25, activation: "relu" },
    seed: 42,
    backend: new ReferenceBackend(),
  });
  const config = JSON.parse(await Deno.readTextFile(`${root}/run/config.json`));
  assert.deepEqual(config.parameters, { d: 7, learningRate: 0.25, activation: "relu" });
  assert.equal(config.seed, 42);
  assert.equal(config.backend, "reference");
  assert.equal(config.adapter, null);
  assert.equal(config.toolkitVersion, denoJson.version);
  assert.equal(TOOLKIT_VERSION, denoJson.version);
  assert.equal(config.deno, Deno.version.deno);
  const head = await new Deno.Command("git", { args: ["rev-parse", "HEAD"], stderr: "null" }).output()
    .catch(() => null);
  if (head?.code === 0) assert.equal(config.gitCommit, new TextDecoder().decode(head.stdout).trim());
  else console.error("git not available: gitCommit not cross-checked");
  assert.equal(await run.isComplete(), false);
  await run.complete({ finalError: 0.5 });
  assert.equal(await isCompleteRun(run.path), true);
  assert.equal(JSON.parse(await Deno.readTextFile(`${run.path}/done.json`)).finalError, 0.5);
  const reopened = await RunDir.open(run.path);
  assert.deepEqual(reopened.config, run.config);
  await Deno.remove(root, { recursive: true });
});

Deno.test("a run directory is never overwritten, and a missing one is named", async () => {
  const root = await Deno.makeTempDir();
  const info = { name: "demo", parameters: {}, seed: 0, backend: "reference" };
  await RunDir.create(`${root}/run`, info);
  await assert.rejects(
    RunDir.create(`${root}/run`, info),
    /it holds an unfinished run \(no done.json\); delete it or choose another --out/,
  );
  await assert.rejects(
    RunDir.open(`${root}/absent`),
    /Cannot open run directory .*absent: no readable config.json/,
  );
  await Deno.writeTextFile(`${root}/file`, "x");
  await assert.rejects(RunDir.create(`${root}/file/run`, info), /Cannot create run directory .*file\/run/);
  await Deno.remove(root, { recursive: true });
});

Deno.test("metrics stream as JSON lines; a partial last line from a crash is dropped", async () => {
  const root = await Deno.makeTempDir();
  const path = `${root}/metrics.jsonl`;
  const writer = await MetricsWriter.open(path);
  writer.write({ step: 1, error: 0.5 });
  // Visible to a reader before close: rows are streamed, not buffered until the end.
  assert.deepEqual(await readMetrics(path), [{ step: 1, error: 0.5 }]);
  writer.write({ step: 2, error: NaN, note: "nan is written as null" });
  writer.close();
  assert.throws(() => writer.write({ step: 3 }), /writer is closed/);
  await Deno.writeTextFile(path, '{"step": 3, "err', { append: true });
  assert.deepEqual(await readMetrics(path), [
    { step: 1, error: 0.5 },
    { step: 2, error: null, note: "nan is written as null" },
  ]);
  await Deno.writeTextFile(path, "not json\n", { append: true });
  await assert.rejects(readMetrics(path), /line 3 is not JSON/);
  assert.deepEqual(await readMetrics(`${root}/none.jsonl`), []);
  await Deno.remove(root, { recursive: true });
});

Deno.test("atomic writes replace whole files and leave no temporary file behind, even on failure", async () => {
  const root = await Deno.makeTempDir();
  await writeFileAtomic(`${root}/a.json`, "old");
  await writeFileAtomic(`${root}/a.json`, new Uint8Array([110, 101, 119]));
  assert.equal(await Deno.readTextFile(`${root}/a.json`), "new");
  // Renaming onto a directory fails after the temporary file was written: it must be cleaned up.
  await Deno.mkdir(`${root}/dir`);
  await Deno.writeTextFile(`${root}/dir/keep`, "x");
  await assert.rejects(writeFileAtomic(`${root}/dir`, "data"), /Cannot write .*dir/);
  assert.deepEqual([...Deno.readDirSync(root)].map((e) => e.name).sort(), ["a.json", "dir"]);
  await assert.rejects(writeFileAtomic(`${root}/missing/x.json`, "data"), /Cannot write .*missing\/x.json/);
  await Deno.remove(root, { recursive: true });
});

Deno.test("a refused run directory says what it holds and what to do, with a usage error (exit 2)", async () => {
  const root = await Deno.makeTempDir();
  const info = { name: "demo", parameters: {}, seed: 0, backend: "reference" };
  const refusal = async (path: string, resumable: boolean) => {
    const error = await RunDir.create(path, { ...info, resumable }).then(() => null, (e) => e as Error);
    assert.ok(error, `${path} must be refused`);
    assert.equal(exitCodeOf(error), 2, error!.message);
    return error!.message;
  };
  // Unfinished: only a script that can resume suggests --resume.
  await RunDir.create(`${root}/unfinished`, info);
  assert.match(
    await refusal(`${root}/unfinished`, true),
    /holds an unfinished run \(running now, or stopped\); if it stopped, continue it with --resume .*unfinished/,
  );
  assert.doesNotMatch(await refusal(`${root}/unfinished`, false), /--resume/);
  // Complete: never --resume.
  const complete = await RunDir.create(`${root}/complete`, info);
  await complete.complete();
  const message = await refusal(`${root}/complete`, true);
  assert.match(message, /holds a complete run \(done.json\); choose another --out/);
  assert.doesNotMatch(message, /--resume/);
  // Failed: names the reason.
  const failed = await RunDir.create(`${root}/failed`, info);
  await failed.fail("diverged: the mean error is Infinity at step 900", { step: 900 });
  assert.equal(await isFailedRun(failed.path), true);
  assert.equal(await isCompleteRun(failed.path), false);
  assert.match(
    await refusal(`${root}/failed`, true),
    /holds a failed run \(failed.json: diverged: the mean error is Infinity at step 900\); delete it/,
  );
  // Other files, an empty path.
  await Deno.mkdir(`${root}/other`);
  await Deno.writeTextFile(`${root}/other/notes.txt`, "x");
  assert.match(await refusal(`${root}/other`, true), /it is not empty; choose another --out/);
  assert.match(await refusal("", true), /the path is empty; give --out a directory/);
  assert.match(
    await refusal(`${root}/other/notes.txt/run`, true),
    /Cannot create run directory .*choose another --out/,
  );
  await Deno.remove(root, { recursive: true });
});

Deno.test("discard removes a run that failed early: the directory it made, or only its files", async () => {
  const root = await Deno.makeTempDir();
  const info = { name: "demo", parameters: {}, seed: 0, backend: "reference" };
  const made = await RunDir.create(`${root}/made/run`, info);
  await made.writeJson("partial.json", {});
  await made.discard();
  assert.equal(await Deno.stat(`${root}/made/run`).catch(() => null), null);
  await Deno.mkdir(`${root}/given`);
  const given = await RunDir.create(`${root}/given`, info);
  await given.discard();
  assert.deepEqual([...Deno.readDirSync(`${root}/given`)], [], "the directory the user made stays, empty");
  await RunDir.create(`${root}/given`, info); // and takes the next run
  await Deno.remove(root, { recursive: true });
});

Deno.test("an output directory is checked without creating anything", async () => {
  const root = await Deno.makeTempDir();
  await checkOutputDir(`${root}/a/b/c`);
  assert.deepEqual([...Deno.readDirSync(root)], [], "nothing created");
  await Deno.writeTextFile(`${root}/file`, "x");
  await assert.rejects(
    checkOutputDir(`${root}/file/out`),
    /Cannot write to --out .*file\/out: .*file is a file/,
  );
  await assert.rejects(checkOutputDir(""), /Option --out is empty/);
  await Deno.remove(root, { recursive: true });
});
