import { assert } from "./_assert.ts";
import { testBothBackends } from "./_backends.ts";
import {
  CheckpointError,
  type CheckpointState,
  decodeCheckpoint,
  encodeCheckpoint,
  loadCheckpoint,
  saveCheckpoint,
} from "../lib/checkpoint.ts";
import { defaultConfig, train, type TrainConfig } from "../scripts/train_linear_regression.ts";
import { exitCodeOf, RunFailedError } from "../lib/cli.ts";
import { readNpy } from "../lib/io/npy.ts";

const STATE: CheckpointState = {
  kind: "demo",
  step: 1234,
  fingerprint: { d: 3, learningRate: 0.5, backend: "reference", note: null },
  arrays: {
    weights: { data: new Float32Array([1.5, -0, NaN, 3e-45, 7, 8]), shape: [2, 3] },
    moments: { data: new Float64Array([Math.PI]), shape: [] },
    counters: { data: new Uint32Array([0xffffffff, 1, 2]), shape: [3] },
  },
  counters: { philoxStep: 1234, epoch: 2 },
  meta: { optimizer: "sgd" },
};

const bits = (a: ArrayBufferView) => [...new Uint8Array(a.buffer, a.byteOffset, a.byteLength)];

Deno.test("a checkpoint round-trips every bit of the state", async () => {
  const back = await decodeCheckpoint(await encodeCheckpoint(STATE));
  assert.equal(back.kind, "demo");
  assert.equal(back.step, 1234);
  assert.deepEqual(back.fingerprint, STATE.fingerprint);
  assert.deepEqual(back.counters, STATE.counters);
  assert.deepEqual(back.meta, STATE.meta);
  for (const [name, { data, shape }] of Object.entries(STATE.arrays)) {
    assert.equal(back.arrays[name].data.constructor, data.constructor, name);
    assert.deepEqual(back.arrays[name].shape, shape, name);
    assert.deepEqual(bits(back.arrays[name].data), bits(data), name);
  }
});

Deno.test("a corrupt, truncated, missing or mismatched checkpoint is refused and left as it was", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/checkpoint.ckpt`;
  await saveCheckpoint(path, STATE);
  const good = await Deno.readFile(path);
  const expect = { kind: "demo", fingerprint: STATE.fingerprint };
  await loadCheckpoint(path, expect); // accepted as is

  const flipped = good.slice();
  flipped[Math.floor(flipped.length / 2)] ^= 1;
  await Deno.writeFile(path, flipped);
  await assert.rejects(loadCheckpoint(path, expect), CheckpointError);
  await assert.rejects(
    loadCheckpoint(path),
    /checkpoint .*checkpoint.ckpt: the file is corrupt \(SHA-256 checksum/,
  );
  assert.deepEqual(await Deno.readFile(path), flipped, "a refused checkpoint is not modified");

  await Deno.writeFile(path, good.subarray(0, good.length - 40));
  await assert.rejects(loadCheckpoint(path), /corrupt \(SHA-256 checksum mismatch: truncated or altered\)/);
  await Deno.writeFile(
    path,
    new TextEncoder().encode("not a checkpoint at all, but long enough to check it"),
  );
  await assert.rejects(loadCheckpoint(path), /bad magic string/);
  await assert.rejects(loadCheckpoint(`${dir}/absent.ckpt`), /Cannot load checkpoint .*absent.ckpt/);

  await Deno.writeFile(path, good);
  await assert.rejects(
    loadCheckpoint(path, { kind: "other", fingerprint: STATE.fingerprint }),
    /written by "demo", this run is "other"/,
  );
  await assert.rejects(
    loadCheckpoint(path, { kind: "demo", fingerprint: { ...STATE.fingerprint, d: 4, backend: "webgpu" } }),
    /settings differ: d is 3 in the checkpoint, 4 here; backend is "reference" in the checkpoint, "webgpu" here/,
  );
  await assert.rejects(
    loadCheckpoint(path, { ...expect, shapes: { weights: [3, 2] } }),
    /array "weights" has shape \[2,3\], this run needs \[3,2\]/,
  );
  await assert.rejects(loadCheckpoint(path, { ...expect, shapes: { adam: [1] } }), /array "adam" is missing/);
  await Deno.remove(dir, { recursive: true });
});

const SMALL: TrainConfig = {
  ...defaultConfig,
  d: 9,
  walkers: 3,
  steps: 60,
  recordEvery: 5,
  // Not a multiple of recordEvery: segment boundaries fall between records.
  checkpointEvery: 17,
};

async function snapshot(dir: string): Promise<Record<string, number[]>> {
  const files: Record<string, number[]> = {};
  for (const name of ["errors.npy", "weights.npy", "record_steps.npy", "metrics.jsonl", "checkpoint.ckpt"]) {
    files[name] = [...await Deno.readFile(`${dir}/${name}`)];
  }
  return files;
}

testBothBackends(
  "an interrupted and resumed run is bit-identical to an uninterrupted one",
  async (backend) => {
    const root = await Deno.makeTempDir();
    const config = { ...SMALL, backend: backend.name };
    const whole = await train(config, { out: `${root}/whole`, progress: "quiet" });
    assert.equal(whole.status, "complete");

    const first = await train(config, { out: `${root}/split`, stopAfterSegments: 1, progress: "quiet" });
    assert.deepEqual([first.status, first.step], ["stopped", 17]);
    assert.equal(await Deno.stat(`${root}/split/done.json`).catch(() => null), null, "not marked complete");
    const second = await train(config, {
      out: "",
      resume: `${root}/split`,
      stopAfterSegments: 2,
      progress: "quiet",
    });
    assert.deepEqual([second.status, second.step], ["stopped", 51]);
    // A crash after metrics rows were streamed but before the next checkpoint: the extra row is dropped on resume.
    await Deno.writeTextFile(`${root}/split/metrics.jsonl`, '{"step":55,"meanError":1}\n', { append: true });
    const last = await train(config, { out: "", resume: `${root}/split`, progress: "quiet" });
    assert.deepEqual([last.status, last.step], ["complete", 60]);

    const [a, b] = [await snapshot(`${root}/whole`), await snapshot(`${root}/split`)];
    for (const name of Object.keys(a)) assert.deepEqual(b[name], a[name], `${name} differs after resume`);
    await assert.rejects(
      train(config, { out: "", resume: `${root}/split`, progress: "quiet" }),
      /the run is already complete/,
    );
    await Deno.remove(root, { recursive: true });
  },
);

Deno.test("resuming from a corrupt or mismatched checkpoint is refused and nothing written is lost", async () => {
  const root = await Deno.makeTempDir();
  const run = `${root}/run`;
  const config = { ...SMALL, backend: "reference" as const };
  await train(config, { out: run, stopAfterSegments: 2, progress: "quiet" });
  const listing = async () => {
    const files: Record<string, string> = {};
    for (const e of Deno.readDirSync(run)) files[e.name] = (await Deno.readFile(`${run}/${e.name}`)).join();
    return files;
  };
  const ckpt = await Deno.readFile(`${run}/checkpoint.ckpt`);
  const corrupt = ckpt.slice();
  corrupt[100] ^= 0xff;
  await Deno.writeFile(`${run}/checkpoint.ckpt`, corrupt);
  const before = await listing();
  await assert.rejects(
    train(config, { out: "", resume: run, progress: "quiet" }),
    /Cannot load checkpoint .*checkpoint.ckpt: the file is corrupt/,
  );
  assert.deepEqual(await listing(), before, "the run directory is unchanged");

  await Deno.writeFile(`${run}/checkpoint.ckpt`, ckpt);
  const edited = JSON.parse(await Deno.readTextFile(`${run}/config.json`));
  edited.parameters.learningRate = 0.25;
  await Deno.writeTextFile(`${run}/config.json`, JSON.stringify(edited));
  const before2 = await listing();
  await assert.rejects(
    train(config, { out: "", resume: run, progress: "quiet" }),
    /settings differ: learningRate is 0.5 in the checkpoint, 0.25 here; nothing was changed/,
  );
  assert.deepEqual(await listing(), before2, "the run directory is unchanged");
  await Deno.remove(root, { recursive: true });
});

Deno.test({
  name: "SIGTERM makes the script checkpoint at a chunk boundary and exit 143, not marked complete",
  ignore: Deno.build.os === "windows",
  fn: async () => {
    const root = await Deno.makeTempDir();
    const run = `${root}/run`;
    const script = new URL("../scripts/train_linear_regression.ts", import.meta.url).pathname;
    const args = ["run", "-A", script, "--backend", "reference", "--d", "4", "--walkers", "1", "--quiet"];
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        ...args,
        "--steps",
        "10000000",
        "--record-every",
        "100",
        "--checkpoint-every",
        "200",
        "--out",
        run,
      ],
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    // Wait for the first streamed metrics row, then ask it to stop.
    for (let i = 0; i < 600; i++) {
      const text = await Deno.readTextFile(`${run}/metrics.jsonl`).catch(() => "");
      if (text.includes("\n")) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    child.kill("SIGTERM");
    const { code, stdout, stderr } = await child.output();
    const err = new TextDecoder().decode(stderr);
    assert.equal(code, 143, err);
    assert.match(err, /received SIGTERM/);
    const outcome = JSON.parse(new TextDecoder().decode(stdout));
    assert.equal(outcome.status, "stopped");
    const saved = await loadCheckpoint(`${run}/checkpoint.ckpt`);
    assert.equal(saved.step, outcome.step);
    assert.ok(saved.step > 0 && saved.step % 200 === 0 && saved.step < 10000000, `step ${saved.step}`);
    assert.equal(await Deno.stat(`${run}/done.json`).catch(() => null), null);
    await Deno.remove(root, { recursive: true });
  },
});

testBothBackends(
  "a run that diverges stops with exit 4, keeps its errors up to the first non-finite one, labelled failed.json",
  async (backend) => {
    const root = await Deno.makeTempDir();
    const config = { ...SMALL, learningRate: 5, steps: 3000, recordEvery: 100, checkpointEvery: 1000 };
    const error = await train({ ...config, backend: backend.name }, { out: `${root}/run`, progress: "quiet" })
      .then(() => null, (e) => e as Error);
    assert.ok(error instanceof RunFailedError, String(error));
    assert.equal(exitCodeOf(error), 4);
    assert.match(
      error.message,
      /diverged: the mean error is (Infinity|NaN) at step \d+ \(--learning-rate 5 is too large/,
    );
    assert.equal(await Deno.stat(`${root}/run/done.json`).catch(() => null), null, "not marked complete");
    const failed = JSON.parse(await Deno.readTextFile(`${root}/run/failed.json`));
    const errors = await readNpy(`${root}/run/errors.npy`);
    const steps = await readNpy(`${root}/run/record_steps.npy`);
    const kept = errors.shape[1];
    assert.deepEqual(errors.shape, [config.walkers, kept]);
    assert.equal(steps.data[kept - 1], failed.step, "the last kept record is the step named");
    const mean = (r: number) => {
      let sum = 0;
      for (let w = 0; w < config.walkers; w++) sum += errors.data[w * kept + r];
      return sum;
    };
    assert.ok(!Number.isFinite(mean(kept - 1)), "the last kept record is the non-finite one");
    for (let r = 0; r < kept - 1; r++) assert.ok(Number.isFinite(mean(r)), `record ${r} finite`);
    await assert.rejects(
      train(config, { out: "", resume: `${root}/run`, progress: "quiet" }),
      /Cannot resume .*: the run failed \(diverged/,
    );
    await Deno.remove(root, { recursive: true });
  },
);

Deno.test("resuming a run whose checkpoint was deleted says so, then gives the same result", async () => {
  const root = await Deno.makeTempDir();
  const config = { ...SMALL, backend: "reference" as const };
  await train(config, { out: `${root}/whole`, progress: "quiet" });
  await train(config, { out: `${root}/split`, stopAfterSegments: 2, progress: "quiet" });
  await Deno.remove(`${root}/split/checkpoint.ckpt`);
  const said: string[] = [];
  const original = console.error;
  console.error = (...args: unknown[]) => said.push(args.join(" "));
  try {
    const last = await train(config, { out: "", resume: `${root}/split`, progress: "quiet" });
    assert.equal(last.status, "complete");
  } finally {
    console.error = original;
  }
  assert.match(
    said.join("\n"),
    /split has no checkpoint.ckpt \(metrics.jsonl reached step 30\): it was deleted, .*starting again from step 0/,
  );
  for (const name of ["errors.npy", "weights.npy", "metrics.jsonl"]) {
    assert.deepEqual(
      await Deno.readFile(`${root}/split/${name}`),
      await Deno.readFile(`${root}/whole/${name}`),
      name,
    );
  }
  await Deno.remove(root, { recursive: true });
});
