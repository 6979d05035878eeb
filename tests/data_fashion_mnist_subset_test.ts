// The shipped Fashion-MNIST subset: the loader's fallback when the full data is absent, its checksum,
// its stratification, and the fixed normalisation constants.
import { assert, assertClose } from "./_assert.ts";
import {
  FASHION_MNIST_DEFAULT_DIR,
  FASHION_MNIST_NORMALIZATION,
  FASHION_MNIST_SUBSET_DIR,
  loadFashionMnist,
} from "../lib/data/fashion_mnist.ts";
import { DatasetFileError } from "../lib/data/files.ts";
import { normalizedImages } from "../lib/data/dataset.ts";
import { stratifiedIndices, SUBSET_PLAN } from "../lib/data/fashion_mnist_subset/regenerate.ts";

function classCounts(labels: ArrayLike<number>): number[] {
  const counts = new Array(10).fill(0);
  for (let i = 0; i < labels.length; i++) counts[labels[i]]++;
  return counts;
}

Deno.test("Fashion-MNIST subset: data 'subset' loads 250 / 100 images per class and says so", async () => {
  const train = await loadFashionMnist({ data: "subset" });
  assert.deepEqual(train.shape, [2500, 1, 28, 28]);
  assert.equal(train.source, "subset");
  assert.equal(train.name, "fashion-mnist-subset/train");
  assert.deepEqual(classCounts(train.labels), new Array(10).fill(SUBSET_PLAN.perClass.train));
  const test = await loadFashionMnist({ split: "test", data: "subset" });
  assert.deepEqual(test.shape, [1000, 1, 28, 28]);
  assert.deepEqual(classCounts(test.labels), new Array(10).fill(SUBSET_PLAN.perClass.test));
});

Deno.test("Fashion-MNIST subset: 'auto' falls back to the subset where the full data is absent", async () => {
  const empty = await Deno.makeTempDir({ prefix: "fmnist_subset_test_" });
  try {
    const auto = await loadFashionMnist({ split: "test", dataDir: empty, data: "auto" });
    assert.equal(auto.source, "subset");
    assert.equal(auto.shape[0], 1000);
    // No dataDir: FASHION_MNIST_DIR (else the Debian directory) without the files gives the subset.
    const previous = Deno.env.get("FASHION_MNIST_DIR");
    Deno.env.set("FASHION_MNIST_DIR", empty);
    try {
      const fresh = await loadFashionMnist({ split: "test" });
      assert.equal(fresh.source, "subset");
      assert.equal(fresh.name, "fashion-mnist-subset/test");
    } finally {
      if (previous === undefined) Deno.env.delete("FASHION_MNIST_DIR");
      else Deno.env.set("FASHION_MNIST_DIR", previous);
    }
    // An explicit dataDir without `data` insists on the full data (the existing behaviour).
    await assert.rejects(() => loadFashionMnist({ split: "test", dataDir: empty }), DatasetFileError);
    await assert.rejects(
      () => loadFashionMnist({ split: "test", dataDir: empty, data: "full" }),
      /apt-get install -y dataset-fashion-mnist/,
    );
    await assert.rejects(
      () => loadFashionMnist({ data: "bogus" as "full" }),
      /expected auto, full or subset/,
    );
  } finally {
    await Deno.remove(empty, { recursive: true });
  }
});

Deno.test("Fashion-MNIST subset: manifest checksums match the files and a wrong one is refused", async () => {
  const manifest = JSON.parse(await Deno.readTextFile(`${FASHION_MNIST_SUBSET_DIR}manifest.json`));
  assert.equal(Object.keys(manifest.files).length, 4);
  assert.equal(manifest.indices.train.split(" ").length, 2500);
  const copy = await Deno.makeTempDir({ prefix: "fmnist_subset_copy_" });
  try {
    for (const name of Object.keys(manifest.files)) {
      await Deno.copyFile(`${FASHION_MNIST_SUBSET_DIR}${name}`, `${copy}/${name}`);
    }
    await Deno.writeTextFile(`${copy}/manifest.json`, JSON.stringify(manifest));
    const intact = await loadFashionMnist({ split: "test", data: "subset", subsetDir: copy });
    assert.equal(intact.shape[0], 1000);
    const tampered = structuredClone(manifest);
    tampered.files["t10k-labels-idx1-ubyte.gz"].sha256 = "0".repeat(64);
    await Deno.writeTextFile(`${copy}/manifest.json`, JSON.stringify(tampered));
    await assert.rejects(
      () => loadFashionMnist({ split: "test", data: "subset", subsetDir: copy }),
      /has SHA-256 [0-9a-f]{64}, manifest.json says 0{64}/,
    );
    // A changed file under the intact manifest.
    await Deno.writeTextFile(`${copy}/manifest.json`, JSON.stringify(manifest));
    const labels = await Deno.readFile(`${FASHION_MNIST_SUBSET_DIR}t10k-labels-idx1-ubyte.gz`);
    const gunzipped = new Uint8Array(
      await new Response(new Blob([labels]).stream().pipeThrough(new DecompressionStream("gzip")))
        .arrayBuffer(),
    );
    gunzipped[20] = (gunzipped[20] + 1) % 10;
    const regz = new Uint8Array(
      await new Response(new Blob([gunzipped]).stream().pipeThrough(new CompressionStream("gzip")))
        .arrayBuffer(),
    );
    await Deno.writeFile(`${copy}/t10k-labels-idx1-ubyte.gz`, regz);
    await assert.rejects(
      () => loadFashionMnist({ split: "test", data: "subset", subsetDir: copy }),
      (e: Error) => e instanceof DatasetFileError && /regenerate it/.test(e.message),
    );
  } finally {
    await Deno.remove(copy, { recursive: true });
  }
});

Deno.test("Fashion-MNIST subset: stratified selection draws perClass distinct indices of each class", () => {
  const labels = Uint8Array.from({ length: 500 }, (_, i) => (i * 7) % 10);
  const picked = stratifiedIndices(labels, 20, 3);
  assert.equal(picked.length, 200);
  assert.equal(new Set(picked).size, 200);
  assert.deepEqual(classCounts(Array.from(picked, (i) => labels[i])), new Array(10).fill(20));
  assert.deepEqual(Array.from(picked), Array.from(picked).sort((a, b) => a - b));
  assert.deepEqual(stratifiedIndices(labels, 20, 3), picked);
});

Deno.test("Fashion-MNIST normalisation: the fixed constants give x/255 shifted and scaled", async () => {
  const test = await loadFashionMnist({ split: "test", data: "subset" });
  const x = normalizedImages(test, FASHION_MNIST_NORMALIZATION);
  const want = Float64Array.from(test.images.subarray(0, 784), (p) => (p / 255 - 0.2860) / 0.3530);
  assertClose(x.subarray(0, 784), want, { atol: 1e-12 });
});

const fullInstalled = await Deno.stat(`${FASHION_MNIST_DEFAULT_DIR}/t10k-labels-idx1-ubyte.gz`).then(
  () => true,
  () => false,
);
Deno.test({
  name: "Fashion-MNIST subset: equals the full data at the manifest's indices",
  ignore: !fullInstalled,
  fn: async () => {
    const full = await loadFashionMnist({ split: "test", dataDir: FASHION_MNIST_DEFAULT_DIR });
    const subset = await loadFashionMnist({ split: "test", data: "subset" });
    assert.equal(full.source, "full");
    const manifest = JSON.parse(await Deno.readTextFile(`${FASHION_MNIST_SUBSET_DIR}manifest.json`));
    const indices: number[] = manifest.indices.test.split(" ").map(Number);
    assert.deepEqual(Array.from(stratifiedIndices(full.labels, 100, SUBSET_PLAN.seed)), indices);
    indices.forEach((i, k) => {
      assert.equal(subset.labels[k], full.labels[i]);
      assert.deepEqual(
        subset.images.subarray(k * 784, k * 784 + 784),
        full.images.subarray(i * 784, i * 784 + 784),
      );
    });
  },
});
