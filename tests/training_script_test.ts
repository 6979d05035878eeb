// scripts/train_fashion_mnist.ts on the library loop, on a small Fashion-MNIST-format dataset written here:
// every optimizer trains, a stopped run resumed with --resume ends bit-identical to an uninterrupted one on
// each backend, a diverging run stops with exit status 4 (run failed) keeping its last good checkpoint and no done.json,
// and bad optimizer settings are refused before a run directory is made.
import { assert, assertExact } from "./_assert.ts";
import { testBothBackends } from "./_backends.ts";
import { encodeIdx } from "../lib/data/idx.ts";
import { loadCheckpoint } from "../lib/checkpoint.ts";
import { defaultConfig, train, type TrainConfig } from "../scripts/train_fashion_mnist.ts";

const dataDir = await Deno.makeTempDir({ prefix: "training_script_test_" });
for (const [prefix, n] of [["train", 64], ["t10k", 20]] as const) {
  const labels = Uint8Array.from({ length: n }, (_, i) => (i * 3 + n) % 10);
  const pixels = new Uint8Array(n * 784);
  let s = n;
  for (let i = 0; i < n; i++) {
    for (let p = 0; p < 784; p++) {
      s = (s * 1103515245 + 12345) >>> 0;
      pixels[i * 784 + p] = (Math.floor(p / 78.4) === labels[i] ? 200 : 30) + (s >>> 27);
    }
  }
  await Deno.writeFile(`${dataDir}/${prefix}-images-idx3-ubyte`, encodeIdx(pixels, [n, 28, 28]));
  await Deno.writeFile(`${dataDir}/${prefix}-labels-idx1-ubyte`, encodeIdx(labels, [n]));
}

const RUN: TrainConfig = {
  ...defaultConfig,
  preset: "mlp_s",
  n: 48,
  batch: 16, // 3 steps per epoch: the data order changes across the resume point
  steps: 10,
  learningRate: 0.05,
  logEvery: 2,
  testSamples: 20,
  checkpointEvery: 3,
  dataDir,
};
const quiet = { print: () => {}, progress: "quiet" as const };

testBothBackends(
  "train_fashion_mnist: every optimizer (and a cosine schedule) lowers the loss",
  async (backend) => {
    const cases: Partial<TrainConfig>[] = [
      { optimizer: "momentum", learningRate: 0.02 },
      { optimizer: "nesterov", learningRate: 0.02, weightDecay: 1e-4 },
      { optimizer: "adam", learningRate: 1e-3, maxGradNorm: 1 },
      { optimizer: "adamw", learningRate: 1e-3, weightDecay: 0.01, schedule: "cosine", warmup: 3 },
    ];
    for (const c of cases) {
      const result = await train({ ...RUN, ...c, testSamples: 0 }, { ...quiet, backend });
      assert.ok(
        result.finalLoss < 0.8 * result.initialLoss,
        `${c.optimizer}: ${result.initialLoss} -> ${result.finalLoss}`,
      );
      assert.equal(result.hostWaits, 1, `${c.optimizer}: one host wait for 10 steps without a run directory`);
    }
  },
);

testBothBackends(
  "train_fashion_mnist --resume: a stopped run ends bit-identical to an uninterrupted one",
  async (backend) => {
    const config: TrainConfig = {
      ...RUN,
      optimizer: "adamw",
      learningRate: 2e-3,
      schedule: "cosine",
      warmup: 2,
    };
    const whole = await train(config, { ...quiet, backend, out: `${dataDir}/whole-${backend.name}` });
    let reads = 0;
    const stop = {
      get signal(): Deno.Signal | null {
        return ++reads >= 5 ? "SIGTERM" : null;
      },
    };
    const out = `${dataDir}/split-${backend.name}`;
    const stopped = await train(config, { ...quiet, backend, out, stop });
    assert.deepEqual([stopped.status, stopped.losses.length], ["stopped", 5]);
    assert.equal((await loadCheckpoint(`${out}/checkpoint.ckpt`)).step, 5);
    await assert.rejects(() => Deno.stat(`${out}/done.json`), Deno.errors.NotFound);
    const resumed = await train({ ...config, steps: 1 }, { ...quiet, backend, resume: out }); // config.json wins
    assert.equal(resumed.status, "complete");
    assert.equal(resumed.stepsRun, 5);
    assertExact(resumed.losses, whole.losses, "batch losses");
    assertExact([resumed.initialLoss, resumed.finalLoss, resumed.testAccuracy], [
      whole.initialLoss,
      whole.finalLoss,
      whole.testAccuracy,
    ], "final numbers");
    const metrics = (text: string) => text.split("\n").filter((l) => l).map((l) => JSON.parse(l));
    assert.deepEqual(
      metrics(await Deno.readTextFile(`${out}/metrics.jsonl`)),
      metrics(await Deno.readTextFile(`${dataDir}/whole-${backend.name}/metrics.jsonl`)),
      "metrics.jsonl of the resumed run equals the uninterrupted one",
    );
    await assert.rejects(() => train(config, { ...quiet, backend, resume: out }), Error, "already complete");
  },
);

Deno.test("train_fashion_mnist: a diverging run exits 4, keeps its last good checkpoint, writes failed.json and no done.json", async () => {
  const script = new URL("../scripts/train_fashion_mnist.ts", import.meta.url).pathname;
  const out = `${dataDir}/diverged`;
  const { code, stderr } = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      script,
      "--backend",
      "reference",
      "--preset",
      "mlp_s",
      "--n",
      "48",
      "--batch",
      "16",
      "--steps",
      "12",
      "--learning-rate",
      "1e4",
      "--checkpoint-every",
      "1",
      "--test-samples",
      "0",
      "--data-dir",
      dataDir,
      "--out",
      out,
      "--quiet",
    ],
    stdout: "null",
    env: { NO_COLOR: "1" },
  }).output();
  const message = new TextDecoder().decode(stderr);
  assert.equal(code, 4, message);
  assert.match(
    message,
    /error: Training diverged: the (batch loss at step \d+|parameter \d+) is (NaN|-?Infinity)/,
  );
  assert.match(message, /last good checkpoint: .*checkpoint\.ckpt \(step \d+\)/);
  await assert.rejects(() => Deno.stat(`${out}/done.json`), Deno.errors.NotFound);
  const failed = JSON.parse(await Deno.readTextFile(`${out}/failed.json`));
  assert.match(failed.reason, /Training diverged/);
  const kept = await loadCheckpoint(`${out}/checkpoint.ckpt`);
  assert.ok(Array.from(kept.arrays.params.data).every(Number.isFinite), "the kept checkpoint is finite");
  assert.ok(Array.from(kept.arrays.losses.data).every(Number.isFinite));
});

Deno.test("train_fashion_mnist: bad optimizer settings are refused before a run directory is made", async () => {
  const bad: [Partial<TrainConfig>, RegExp][] = [
    [{ optimizer: "rmsprop" as "sgd" }, /--optimizer is "rmsprop", must be one of sgd, momentum/],
    [{ optimizer: "adam", weightDecay: -1 }, /weightDecay is -1/],
    [{ optimizer: "momentum", momentum: 1 }, /momentum is 1, must be in \[0, 1\)/],
    [{ schedule: "linear" }, /--schedule is "linear"/],
    [{ schedule: "cosine", warmup: 10 }, /--warmup is 10, must be an integer in \[0, 9\]/],
    [{ maxGradNorm: -1 }, /--max-grad-norm is -1/],
  ];
  for (const [change, message] of bad) {
    const out = `${dataDir}/refused`;
    await assert.rejects(
      () => train({ ...RUN, ...change, dataDir: `${dataDir}/absent` }, { ...quiet, out }),
      message,
    );
    await assert.rejects(() => Deno.stat(out), Deno.errors.NotFound, "no run directory");
  }
});

Deno.test("train_fashion_mnist (training script tests): cleanup", async () => {
  await Deno.remove(dataDir, { recursive: true });
});
