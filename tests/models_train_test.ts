// Smoke test of scripts/train_mlp_fashion_mnist.ts on a small Fashion-MNIST-format dataset written
// here (class-dependent images), so it needs no installed dataset: the training loss must fall.
import { assert } from "./_assert.ts";
import { testBothBackends } from "./_backends.ts";
import { encodeIdx } from "../lib/data/idx.ts";
import { defaultConfig, train } from "../scripts/train_mlp_fashion_mnist.ts";

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

testBothBackends("train_mlp_fashion_mnist: the loss falls on a small learnable dataset", async (backend) => {
  const dir = await Deno.makeTempDir({ prefix: "train_mlp_test_" });
  try {
    for (const [prefix, n] of [["train", 96], ["t10k", 40]] as const) {
      const d = images(n, prefix === "train" ? 1 : 2);
      await Deno.writeFile(`${dir}/${prefix}-images-idx3-ubyte`, encodeIdx(d.images, [n, 28, 28]));
      await Deno.writeFile(`${dir}/${prefix}-labels-idx1-ubyte`, encodeIdx(d.labels, [n]));
    }
    const lines: string[] = [];
    const result = await train(
      {
        ...defaultConfig,
        preset: "mlp_s",
        n: 64,
        batch: 16,
        steps: 24,
        learningRate: 0.05,
        logEvery: 8,
        testSamples: 40,
        dataDir: dir,
      },
      (line) => lines.push(line),
      backend,
    );
    assert.ok(
      result.finalLoss < 0.7 * result.initialLoss,
      `full-batch loss ${result.initialLoss} -> ${result.finalLoss}`,
    );
    assert.deepEqual(result.log.map((r) => r.step), [0, 8, 16, 23]);
    assert.ok(result.testAccuracy > 0.3, `test accuracy ${result.testAccuracy} (chance 0.1)`);
    assert.match(lines[0], /mlp_s 784-256-10 \(203530 parameters\), squared loss/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
