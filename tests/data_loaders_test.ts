// Dataset loaders on small files written here in each format (IDX/.gz, CIFAR-10 binary, STL-10
// binary), including every kind of bad file; subsets, normalisation and targets.
import { assert, assertClose, assertExact } from "./_assert.ts";
import { testBothBackends } from "./_backends.ts";
import { encodeIdx, parseIdx, readIdxFile } from "../lib/data/idx.ts";
import { DatasetFileError } from "../lib/data/files.ts";
import { FASHION_MNIST_DEFAULT_DIR, loadFashionMnist } from "../lib/data/fashion_mnist.ts";
import { CIFAR10_RECORD_BYTES, loadCifar10, parseCifar10Batch } from "../lib/data/cifar10.ts";
import { loadStl10, parseStl10, STL10_IMAGE_BYTES } from "../lib/data/stl10.ts";
import {
  binaryTargets,
  channelStatistics,
  datasetTensors,
  type ImageDataset,
  labelTargets,
  normalizedImages,
  seededSubset,
  selectSamples,
} from "../lib/data/dataset.ts";

async function gzip(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([bytes as BlobPart]).stream().pipeThrough(new CompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** Deterministic bytes. */
function bytes(n: number, seed: number): Uint8Array {
  return Uint8Array.from({ length: n }, (_, i) => (i * 37 + seed * 101 + ((i * i) >> 3)) & 255);
}

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "data_loaders_test_" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function rejectsWith(fn: () => Promise<unknown>, pattern: RegExp): Promise<void> {
  await assert.rejects(fn, (error: Error) => {
    assert.ok(error instanceof DatasetFileError, `expected a DatasetFileError, got ${error}`);
    assert.match(error.message, pattern);
    return true;
  });
}

Deno.test("IDX: round trip, header checks, truncated and trailing data", () => {
  const data = bytes(2 * 3 * 4, 1);
  const file = encodeIdx(data, [2, 3, 4]);
  const parsed = parseIdx(file, "x", { type: "uint8", dims: 3 });
  assert.deepEqual(parsed.shape, [2, 3, 4]);
  assertExact(parsed.data, data);
  assert.throws(() => parseIdx(file.subarray(0, file.length - 1), "x"), /truncated/);
  assert.throws(() => parseIdx(file.subarray(0, 9), "x"), /truncated header/);
  assert.throws(() => parseIdx(new Uint8Array([...file, 0]), "x"), /1 unexpected bytes/);
  const badMagic = file.slice();
  badMagic[0] = 0x1f;
  assert.throws(() => parseIdx(badMagic, "x"), /bad magic number 0x1f000803/);
  const badType = file.slice();
  badType[2] = 0x07;
  assert.throws(() => parseIdx(badType, "x"), /bad magic/);
  assert.throws(() => parseIdx(file, "x", { dims: 1 }), /3 dimensions, expected 1/);
  // Big-endian int32 values.
  const int32 = new Uint8Array([0, 0, 0x0c, 1, 0, 0, 0, 2, 0xff, 0xff, 0xff, 0xfe, 0, 0, 1, 0]);
  assertExact(parseIdx(int32).data, [-2, 256]);
});

/** Writes a small Fashion-MNIST-style split (gzipped IDX files) and returns its images and labels. */
async function writeFashion(
  dir: string,
  prefix: string,
  n: number,
): Promise<{ images: Uint8Array; labels: Uint8Array }> {
  const images = bytes(n * 28 * 28, n), labels = Uint8Array.from({ length: n }, (_, i) => (i * 7) % 10);
  await Deno.writeFile(`${dir}/${prefix}-images-idx3-ubyte.gz`, await gzip(encodeIdx(images, [n, 28, 28])));
  await Deno.writeFile(`${dir}/${prefix}-labels-idx1-ubyte.gz`, await gzip(encodeIdx(labels, [n])));
  return { images, labels };
}

Deno.test("Fashion-MNIST loader: gzipped and plain IDX files round trip", async () => {
  await withDir(async (dir) => {
    const written = await writeFashion(dir, "t10k", 5);
    const test = await loadFashionMnist({ split: "test", dataDir: dir });
    assert.deepEqual(test.shape, [5, 1, 28, 28]);
    assertExact(test.images, written.images);
    assertExact(test.labels, written.labels);
    // Plain (not gzipped) files are read too.
    await Deno.writeFile(`${dir}/train-images-idx3-ubyte`, encodeIdx(bytes(3 * 784, 2), [3, 28, 28]));
    await Deno.writeFile(`${dir}/train-labels-idx1-ubyte`, encodeIdx(new Uint8Array([1, 2, 3]), [3]));
    assertExact((await loadFashionMnist({ dataDir: dir })).labels, [1, 2, 3]);
    const parsed = await readIdxFile(`${dir}/t10k-labels-idx1-ubyte.gz`);
    assertExact(parsed.data, written.labels);
  });
});

Deno.test("Fashion-MNIST loader: missing, truncated, corrupt and inconsistent files", async () => {
  await withDir(async (dir) => {
    await rejectsWith(
      () => loadFashionMnist({ dataDir: dir }),
      /does not exist.*apt-get install -y dataset-fashion-mnist/,
    );
    const { images } = await writeFashion(dir, "train", 4);
    const gz = await gzip(encodeIdx(images, [4, 28, 28]));
    // A truncated gzip stream.
    await Deno.writeFile(`${dir}/train-images-idx3-ubyte.gz`, gz.subarray(0, gz.length - 20));
    await rejectsWith(() => loadFashionMnist({ dataDir: dir }), /gzip stream is corrupt or truncated/);
    // Not gzip at all.
    await Deno.writeFile(`${dir}/train-images-idx3-ubyte.gz`, bytes(100, 3));
    await rejectsWith(() => loadFashionMnist({ dataDir: dir }), /gzip stream is corrupt or truncated/);
    // Valid gzip of a truncated IDX file.
    await Deno.writeFile(
      `${dir}/train-images-idx3-ubyte.gz`,
      await gzip(encodeIdx(images, [4, 28, 28]).subarray(0, 500)),
    );
    await rejectsWith(() => loadFashionMnist({ dataDir: dir }), /truncated: 500 bytes/);
    // Labels for a different number of images.
    await Deno.writeFile(`${dir}/train-images-idx3-ubyte.gz`, await gzip(encodeIdx(images, [4, 28, 28])));
    await Deno.writeFile(`${dir}/train-labels-idx1-ubyte.gz`, await gzip(encodeIdx(new Uint8Array(3), [3])));
    await rejectsWith(() => loadFashionMnist({ dataDir: dir }), /4 images but 3 labels/);
    await Deno.writeFile(
      `${dir}/train-labels-idx1-ubyte.gz`,
      await gzip(encodeIdx(new Uint8Array([0, 1, 10, 2]), [4])),
    );
    await rejectsWith(() => loadFashionMnist({ dataDir: dir }), /label 10 at 2/);
    // Images where labels belong.
    await Deno.writeFile(`${dir}/train-labels-idx1-ubyte.gz`, await gzip(encodeIdx(images, [4, 28, 28])));
    await rejectsWith(() => loadFashionMnist({ dataDir: dir }), /3 dimensions, expected 1/);
  });
});

Deno.test("CIFAR-10 binary loader: batches round trip, bad files", async () => {
  await withDir(async (dir) => {
    await rejectsWith(() => loadCifar10({ dataDir: dir, split: "test" }), /test_batch.bin.*does not exist/);
    const records = (k: number, n: number) => {
      const file = bytes(n * CIFAR10_RECORD_BYTES, k);
      for (let i = 0; i < n; i++) file[i * CIFAR10_RECORD_BYTES] = (k + i) % 10;
      return file;
    };
    for (let k = 1; k <= 5; k++) await Deno.writeFile(`${dir}/data_batch_${k}.bin`, records(k, 2));
    await Deno.writeFile(`${dir}/test_batch.bin`, records(0, 3));
    const train = await loadCifar10({ dataDir: dir });
    assert.deepEqual(train.shape, [10, 3, 32, 32]);
    assertExact(train.labels, [1, 2, 2, 3, 3, 4, 4, 5, 5, 6]);
    // Record 1 of batch 3 is image 5: its pixels follow its label byte, red plane first.
    assertExact(
      train.images.subarray(5 * 3072, 6 * 3072),
      records(3, 2).subarray(CIFAR10_RECORD_BYTES + 1, 2 * CIFAR10_RECORD_BYTES),
    );
    assert.deepEqual((await loadCifar10({ dataDir: dir, split: "test" })).shape, [3, 3, 32, 32]);
    await Deno.writeFile(`${dir}/data_batch_2.bin`, records(2, 2).subarray(0, 5000));
    await rejectsWith(
      () => loadCifar10({ dataDir: dir }),
      /5000 bytes is not a positive multiple of the 3073-byte record/,
    );
    const badLabel = records(0, 1);
    badLabel[0] = 12;
    assert.throws(() => parseCifar10Batch(badLabel, "b"), /record 0 has label 12/);
    assert.throws(() => parseCifar10Batch(new Uint8Array(0), "b"), /0 bytes/);
  });
  if (!Deno.env.get("CIFAR10_DIR")) {
    await rejectsWith(() => loadCifar10(), /no directory given; pass --data-dir/);
  }
});

Deno.test("STL-10 binary loader: column-major planes become row-major NCHW, labels 1..10 -> 0..9", async () => {
  await withDir(async (dir) => {
    const n = 2, s = 96;
    // Pixel (image i, channel c, row r, column k) has a value we can predict: (i + 3c + 5r + 7k) mod 251.
    const value = (i: number, c: number, r: number, k: number) => (i + 3 * c + 5 * r + 7 * k) % 251;
    const file = new Uint8Array(n * STL10_IMAGE_BYTES);
    for (let i = 0; i < n; i++) {
      for (let c = 0; c < 3; c++) {
        for (let r = 0; r < s; r++) {
          for (let k = 0; k < s; k++) file[(i * 3 + c) * s * s + k * s + r] = value(i, c, r, k);
        }
      }
    }
    await Deno.writeFile(`${dir}/train_X.bin`, file);
    await Deno.writeFile(`${dir}/train_y.bin`, new Uint8Array([10, 1]));
    const train = await loadStl10({ dataDir: dir });
    assert.deepEqual(train.shape, [2, 3, 96, 96]);
    assertExact(train.labels, [9, 0]);
    for (const [i, c, r, k] of [[0, 0, 0, 1], [1, 2, 95, 3], [1, 1, 17, 80]]) {
      assert.equal(train.images[((i * 3 + c) * s + r) * s + k], value(i, c, r, k));
    }
    await Deno.writeFile(`${dir}/unlabeled_X.bin`, file.subarray(0, STL10_IMAGE_BYTES));
    assert.deepEqual((await loadStl10({ dataDir: dir, split: "unlabeled" })).shape, [1, 3, 96, 96]);
    await rejectsWith(() => loadStl10({ dataDir: dir, split: "test" }), /test_X.bin.*does not exist/);
    assert.throws(
      () => parseStl10(file.subarray(0, 1000), undefined),
      /1000 bytes is not a positive multiple/,
    );
    assert.throws(() => parseStl10(file, new Uint8Array([1])), /2 images but 1 labels/);
    assert.throws(() => parseStl10(file, new Uint8Array([0, 3])), /label 0 at 0 is not in 1..10/);
  });
});

Deno.test("Seeded subsets: n distinct indices, same seed same subset", () => {
  const a = seededSubset(1000, 100, 7);
  assert.equal(new Set(a).size, 100);
  assert.ok(a.every((i) => i < 1000));
  assertExact(seededSubset(1000, 100, 7), a);
  assert.notDeepEqual(Array.from(seededSubset(1000, 100, 8)), Array.from(a));
  assertExact(
    Array.from(seededSubset(50, 50, 3)).sort((x, y) => x - y),
    Array.from({ length: 50 }, (_, i) => i),
  );
  assert.equal(seededSubset(5, 0, 1).length, 0);
  assert.throws(() => seededSubset(5, 6, 1), RangeError);
  // Each item is picked with probability n / N: over 200 seeds item 0 appears ~20 times of 200 (p = 0.1).
  let hits = 0;
  for (let seed = 0; seed < 200; seed++) if (seededSubset(30, 3, seed).includes(0)) hits++;
  assert.ok(hits > 5 && hits < 40, `item 0 picked ${hits} times in 200 draws of 3 of 30`);
});

const tiny: ImageDataset = {
  name: "tiny",
  images: Uint8Array.from([0, 255, 51, 102, /* image 1 */ 255, 255, 0, 0]),
  labels: Uint8Array.from([2, 0]),
  shape: [2, 2, 1, 2],
  classes: 3,
};

Deno.test("Normalisation, channel statistics, targets, selection", () => {
  // Channel 0 holds 0, 1, 1, 1 (of 255); channel 1 holds 0.2, 0.4, 0, 0.
  const stats = channelStatistics(tiny);
  assertClose(stats.mean, [0.75, 0.15], { atol: 1e-15 });
  assertClose(stats.std, [Math.sqrt(0.75 - 0.5625), Math.sqrt(0.05 - 0.0225)], { atol: 1e-15 });
  const x = normalizedImages(tiny, { mean: [0.5, 0.1], std: [0.5, 0.1] });
  assertClose(x, [-1, 1, 1, 3, 1, 1, -1, -1], { atol: 1e-12 });
  assertClose(normalizedImages(tiny), Array.from(tiny.images, (v) => v / 255), { atol: 0 });
  assert.throws(() => normalizedImages(tiny, { mean: [0], std: [1] }), RangeError);
  assertExact(labelTargets(tiny.labels, 3), [0, 0, 1, 1, 0, 0]);
  assertExact(labelTargets(tiny.labels, 3, "plusMinusOne"), [-1, -1, 1, 1, -1, -1]);
  assert.throws(() => labelTargets([3], 3), RangeError);
  assertExact(binaryTargets([1, 9, 1], 1, 9), [1, -1, 1]);
  assert.throws(() => binaryTargets([2], 1, 9), RangeError);
  const swapped = selectSamples(tiny, [1, 0]);
  assertExact(swapped.labels, [0, 2]);
  assertExact(swapped.images, [255, 255, 0, 0, 0, 255, 51, 102]);
  assert.throws(() => selectSamples(tiny, [2]), RangeError);
});

testBothBackends("datasetTensors: x [N, C*H*W] and one-hot y", async (backend) => {
  const { x, y } = datasetTensors(backend, tiny);
  assert.deepEqual([x.shape, y.shape], [[2, 4], [2, 3]]);
  assertClose(await backend.read(x), Array.from(tiny.images, (v) => v / 255), { atol: 1e-7 });
  assertExact(await backend.read(y), [0, 0, 1, 1, 0, 0]);
});

const installed = await Deno.stat(`${FASHION_MNIST_DEFAULT_DIR}/t10k-labels-idx1-ubyte.gz`).then(
  () => true,
  () => false,
);
Deno.test({
  name: "Fashion-MNIST from the Debian package: 10,000 balanced test images",
  ignore: !installed,
  fn: async () => {
    const test = await loadFashionMnist({ split: "test", dataDir: FASHION_MNIST_DEFAULT_DIR });
    assert.deepEqual(test.shape, [10000, 1, 28, 28]);
    const counts = new Array(10).fill(0);
    for (const l of test.labels) counts[l]++;
    assert.deepEqual(counts, new Array(10).fill(1000));
  },
});
