// Smoke tests of scripts/train_fashion_mnist.ts on a small Fashion-MNIST-format dataset written here
// (class-dependent images), so they need no installed dataset: the training loss must fall for the
// mlp and for a small CNN, both backends must agree on the first steps, and --out must write a run
// directory holding the logged losses.
import { assert, assertClose, U32 } from "./_assert.ts";
import { backends, testBothBackends } from "./_backends.ts";
import { encodeIdx } from "../lib/data/idx.ts";
import { readMetrics } from "../lib/io/metrics.ts";
import { cnnLayout, type CnnSpec } from "../lib/models/cnn.ts";
import { DEFAULT_CONFIGS, defaultConfig, train, type TrainConfig } from "../scripts/train_fashion_mnist.ts";

/** Images whose mean brightness pattern depends on the class (a learnable problem), plus noise. */
function images(n: number, seed: number): { images: Uint8Array; labels: Uint8Array } {
  const labels = Uint8Array.from({ length: n }, (_, i) => (i * 3 + seed) % 10);
  const pixels = new Uint8Array(n * 784);
  let s = seed + 1;
  for (let i = 0; i < n; i++) {
    for (let p = 0; p < 784; p++) {
      s = (s * 1103515245 + 12345) >>> 0;
      const band = Math.floor(p / 78.4) === labels[i] ? 200 : 30;
      pixels[i * 784 + p] = band + (s >>> 27);
    }
  }
  return { images: pixels, labels };
}

/** A Fashion-MNIST directory of 96 training and 40 test images, shared by every test here. */
const dataDir = await Deno.makeTempDir({ prefix: "train_fashion_mnist_test_" });
for (const [prefix, n] of [["train", 96], ["t10k", 40]] as const) {
  const d = images(n, prefix === "train" ? 1 : 2);
  await Deno.writeFile(`${dataDir}/${prefix}-images-idx3-ubyte`, encodeIdx(d.images, [n, 28, 28]));
  await Deno.writeFile(`${dataDir}/${prefix}-labels-idx1-ubyte`, encodeIdx(d.labels, [n]));
}

/** A tiny CNN (the preset's gradient runs at ~20 samples/s on the CPU adapter): 28 -> 26 -> 13 -> 11 -> 5. */
const TINY_CNN: CnnSpec = {
  input: { channels: 1, height: 28, width: 28 },
  convs: [{ outChannels: 4, kernelSize: 3, pool: true }, { outChannels: 8, kernelSize: 3, pool: true }],
  hidden: [32],
  outputs: 10,
  activation: "relu",
  init: "kaiming",
  initScale: 0.3,
};

const MLP_RUN: TrainConfig = {
  ...defaultConfig,
  preset: "mlp_s",
  n: 64,
  batch: 16,
  steps: 24,
  learningRate: 0.05,
  logEvery: 8,
  testSamples: 40,
  dataDir,
};

const CNN_RUN: TrainConfig = {
  ...DEFAULT_CONFIGS.cnn,
  ...MLP_RUN,
  model: "cnn",
  preset: "cnn",
  learningRate: 0.1,
};

testBothBackends("train_fashion_mnist mlp: the loss falls on a small learnable dataset", async (backend) => {
  const lines: string[] = [];
  const result = await train(MLP_RUN, { print: (line) => lines.push(line), backend, progress: "quiet" });
  assert.ok(
    result.finalLoss < 0.7 * result.initialLoss,
    `full-batch loss ${result.initialLoss} -> ${result.finalLoss}`,
  );
  assert.deepEqual(result.log.map((r) => r.step), [0, 8, 16, 23]);
  assert.ok(result.testAccuracy > 0.3, `test accuracy ${result.testAccuracy} (chance 0.1)`);
  assert.match(lines[0], /^mlp_s 784-256-10 \(203530 parameters\), squared loss/);
});

testBothBackends("train_fashion_mnist cnn: a small CNN's loss falls on the same dataset", async (backend) => {
  const lines: string[] = [];
  const result = await train(CNN_RUN, {
    print: (line) => lines.push(line),
    backend,
    progress: "quiet",
    spec: TINY_CNN,
  });
  assert.ok(
    result.finalLoss < 0.5 * result.initialLoss,
    `full-batch loss ${result.initialLoss} -> ${result.finalLoss}`,
  );
  assert.ok(result.testAccuracy > 0.3, `test accuracy ${result.testAccuracy} (chance 0.1)`);
  const count = cnnLayout(TINY_CNN).count;
  assert.match(
    lines[0],
    new RegExp(`^cnn 1x28x28 conv3x3-4\\+pool conv3x3-8\\+pool fc 200-32-10 \\(${count} parameters\\)`),
  );
});

testBothBackends(
  "train_fashion_mnist --optimizer enhanced_sgd: the loss falls, and its settings are checked",
  async (backend) => {
    const config: TrainConfig = { ...MLP_RUN, optimizer: "enhanced_sgd", learningRate: 0.02, testSamples: 0 };
    const lines: string[] = [];
    const result = await train(config, { print: (line) => lines.push(line), backend, progress: "quiet" });
    assert.ok(
      result.finalLoss < 0.8 * result.initialLoss,
      `full-batch loss ${result.initialLoss} -> ${result.finalLoss}`,
    );
    assert.match(lines[0], /enhanced_sgd lr 0.02/);
    const refused = (c: TrainConfig) =>
      train({ ...c, dataDir: `${dataDir}/absent` }, { print: () => {}, backend });
    await assert.rejects(
      () => refused({ ...config, schedule: "cosine" }),
      TypeError,
      "use --schedule constant",
    );
    await assert.rejects(() => refused({ ...config, maxGradNorm: 1 }), TypeError, "use --max-grad-norm 0");
    await assert.rejects(() => refused({ ...config, momentum: 1.5 }), RangeError, "momentum");
  },
);

Deno.test({
  name: "train_fashion_mnist: webgpu and reference agree on the first steps of both models",
  ignore: backends.some((b) => b.ignore),
  fn: async () => {
    for (const [config, spec] of [[MLP_RUN, undefined], [CNN_RUN, TINY_CNN]] as const) {
      // 4 steps of float32 rounding (losses are sums of ~160 terms, and errors carry along the trajectory):
      // 64u relative, where ~4u is seen on llvmpipe.
      const short = { ...config, steps: 4, logEvery: 1, testSamples: 0 };
      const [reference, gpu] = await Promise.all(
        backends.map((b) => train(short, { print: () => {}, backend: b.make(), progress: "quiet", spec })),
      );
      const tolerance = { rtol: 64 * U32 };
      assertClose([gpu.initialLoss], [reference.initialLoss], tolerance, `${config.model} initial loss`);
      assertClose(
        gpu.log.map((r) => r.batchLoss),
        reference.log.map((r) => r.batchLoss),
        tolerance,
        `${config.model} batch losses`,
      );
      assertClose([gpu.finalLoss], [reference.finalLoss], tolerance, `${config.model} final loss`);
    }
  },
});

Deno.test("train_fashion_mnist --out: the run directory holds the config, the logged losses, done.json", async () => {
  const out = `${dataDir}/run`;
  const backend = backends[0].make();
  const result = await train({ ...MLP_RUN, steps: 5, logEvery: 2, testSamples: 0 }, {
    print: () => {},
    backend,
    out,
    progress: "quiet",
  });
  assert.equal(result.runDir, out);
  const config = JSON.parse(await Deno.readTextFile(`${out}/config.json`));
  assert.equal(config.name, "train_fashion_mnist");
  assert.equal(config.parameters.preset, "mlp_s");
  assert.equal(config.parameters.steps, 5);
  assert.equal(config.backend, "reference");
  const rows = await readMetrics(`${out}/metrics.jsonl`);
  assert.deepEqual(rows.filter((r) => "batchLoss" in r), result.log);
  assert.deepEqual(rows.filter((r) => "fullBatchLoss" in r), [
    { step: 0, fullBatchLoss: result.initialLoss },
    { step: 5, fullBatchLoss: result.finalLoss },
  ]);
  const done = JSON.parse(await Deno.readTextFile(`${out}/done.json`));
  assert.equal(done.finalLoss, result.finalLoss);
  assert.equal(done.testAccuracy, null, "NaN (no test images) is written as null");
  await assert.rejects(
    () => train(MLP_RUN, { print: () => {}, backend, out, progress: "quiet" }),
    Error,
    "is not empty",
  );
});

Deno.test("train_fashion_mnist: bad settings are refused before any data is read", async () => {
  const backend = backends[0].make();
  const refused = (config: TrainConfig, spec?: CnnSpec) =>
    train({ ...config, dataDir: `${dataDir}/absent` }, { print: () => {}, backend, progress: "quiet", spec });
  await assert.rejects(
    () => refused({ ...MLP_RUN, model: "rnn" as "mlp" }),
    TypeError,
    "must be one of mlp, cnn",
  );
  await assert.rejects(
    () => refused({ ...CNN_RUN, preset: "mlp_s" }),
    TypeError,
    `--preset is "mlp_s", --model cnn takes one of cnn`,
  );
  await assert.rejects(
    () => refused({ ...MLP_RUN, batch: 65 }),
    RangeError,
    "--batch is 65, must be an integer",
  );
  await assert.rejects(() => refused(MLP_RUN, TINY_CNN), TypeError, "the given spec is not a mlp spec");
});

Deno.test("train_fashion_mnist --help: --model cnn shows the CNN's defaults and presets", async () => {
  const script = new URL("../scripts/train_fashion_mnist.ts", import.meta.url).pathname;
  const help = async (...args: string[]) => {
    const { code, stdout } = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", script, ...args, "--help"],
      stderr: "null",
      env: { NO_COLOR: "1" },
    }).output();
    assert.equal(code, 0);
    return new TextDecoder().decode(stdout);
  };
  const cnn = await help("--model", "cnn");
  assert.match(cnn, new RegExp(`--n <number> .* \\[default: ${DEFAULT_CONFIGS.cnn.n}\\]`));
  assert.match(cnn, /--preset <string> .* \(cnn\) \[default: "cnn"\]/);
  assert.match(
    await help("--model=mlp"),
    new RegExp(`--n <number> .* \\[default: ${DEFAULT_CONFIGS.mlp.n}\\]`),
  );
});

Deno.test("train_fashion_mnist: cleanup", async () => {
  await Deno.remove(dataDir, { recursive: true });
});
