// Streaming and random-access reads of record files (CIFAR-10 batches, STL-10 splits) on small
// files written here: index subsets equal selectSamples of the full load in the caller's order,
// streamed chunks concatenate to the full load, bad files and bad indices give clear errors, and
// no file handle is left open.
import { assert, assertExact } from "./_assert.ts";
import { DatasetFileError } from "../lib/data/files.ts";
import { RecordFile, streamRecords, withRecordFile } from "../lib/data/record_file.ts";
import {
  CIFAR10_RECORD_BYTES,
  cifar10Files,
  loadCifar10,
  parseCifar10Batch,
  streamCifar10,
} from "../lib/data/cifar10.ts";
import { loadStl10, parseStl10, STL10_IMAGE_BYTES, streamStl10 } from "../lib/data/stl10.ts";
import { concatDatasets, type ImageDataset, seededSubset, selectSamples } from "../lib/data/dataset.ts";

/** Deterministic bytes. */
function bytes(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (i * 37 + seed * 101 + ((i * i) >> 3)) & 255;
  return out;
}

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "data_streaming_test_" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function rejectsWith(
  fn: () => Promise<unknown>,
  type: new (...args: never[]) => Error,
  pattern: RegExp,
): Promise<void> {
  await assert.rejects(fn, (error: Error) => {
    assert.ok(error instanceof type, `expected a ${type.name}, got ${error}`);
    assert.match(error.message, pattern);
    return true;
  });
}

async function collect<T>(stream: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of stream) out.push(x);
  return out;
}

function assertSameDataset(actual: ImageDataset, expected: ImageDataset): void {
  assert.deepEqual(actual.shape, expected.shape);
  assert.equal(actual.classes, expected.classes);
  assertExact(actual.labels, expected.labels);
  assertExact(actual.images, expected.images);
}

/** Open file descriptors of this process (Linux), or undefined elsewhere. */
async function openFds(): Promise<number | undefined> {
  try {
    let n = 0;
    for await (const _ of Deno.readDir("/proc/self/fd")) n++;
    return n;
  } catch {
    return undefined;
  }
}

/** A CIFAR-10 batch of n records, labels (seed + i) % 10. */
function cifarBatch(n: number, seed: number): Uint8Array {
  const file = bytes(n * CIFAR10_RECORD_BYTES, seed);
  for (let i = 0; i < n; i++) file[i * CIFAR10_RECORD_BYTES] = (seed + i) % 10;
  return file;
}

/** Writes 5 training batches of 3, 1, 4, 2, 5 records (15 in all) and a test batch of 7. */
async function writeCifar(dir: string): Promise<Uint8Array[]> {
  const files = [3, 1, 4, 2, 5].map((n, k) => cifarBatch(n, k + 1));
  for (let k = 0; k < 5; k++) await Deno.writeFile(`${dir}/data_batch_${k + 1}.bin`, files[k]);
  await Deno.writeFile(`${dir}/test_batch.bin`, cifarBatch(7, 0));
  return files;
}

/** Writes an STL-10 split of n column-major images (and labels 1..10 unless unlabeled); returns the bytes. */
async function writeStl(dir: string, split: string, n: number): Promise<{ x: Uint8Array; y: Uint8Array }> {
  const x = bytes(n * STL10_IMAGE_BYTES, n), y = Uint8Array.from({ length: n }, (_, i) => 1 + (i * 3) % 10);
  await Deno.writeFile(`${dir}/${split}_X.bin`, x);
  if (split !== "unlabeled") await Deno.writeFile(`${dir}/${split}_y.bin`, y);
  return { x, y };
}

Deno.test("RecordFile: header, records in the caller's order, ranges, batches, big coalesced runs", async () => {
  await withDir(async (dir) => {
    const path = `${dir}/r.bin`, header = 5, rb = 3, n = 11;
    const file = bytes(header + n * rb, 4);
    await Deno.writeFile(path, file);
    const record = (i: number) => Array.from(file.subarray(header + i * rb, header + (i + 1) * rb));
    const indices = [7, 2, 2, 10, 0, 1, 3, 7, 9];
    await withRecordFile(path, { recordBytes: rb, headerBytes: header }, async (f) => {
      assert.equal(f.count, n);
      assertExact(await f.readRecords(indices), indices.flatMap(record));
      assert.equal((await f.readRecords([])).length, 0);
      assertExact(await f.readRange(4, 3), [4, 5, 6].flatMap(record));
      const batches = await collect(f.batches(4));
      assert.deepEqual(batches.map((b) => [b.start, b.count]), [[0, 4], [4, 4], [8, 3]]);
      assertExact(batches.flatMap((b) => Array.from(b.bytes)), Array.from(file.subarray(header)));
      // Reused buffer: each batch is right when it arrives, and all share one buffer.
      const buffers = new Set<ArrayBufferLike>();
      for await (const b of f.batches(4, { reuse: true })) {
        assertExact(b.bytes, Array.from({ length: b.count }, (_, k) => b.start + k).flatMap(record));
        buffers.add(b.bytes.buffer);
      }
      assert.equal(buffers.size, 1);
      const target = new Uint8Array(10);
      assertExact(await f.readRange(9, 2, target), [9, 10].flatMap(record));
      assert.equal((await f.readRange(9, 2, target)).buffer, target.buffer);
      await rejectsWith(() => f.readRange(0, 4, target), RangeError, /into 10 bytes: need 12/);
    });
    const streamed = await collect(streamRecords(path, { recordBytes: rb, headerBytes: header }, 5));
    assert.deepEqual(streamed.map((b) => b.count), [5, 5, 1]);
    // 3 MiB records: runs of consecutive records are read in 8 MiB pieces (2 records), here 3 pieces.
    const big = 3 * 2 ** 20, bigFile = bytes(5 * big, 9);
    await Deno.writeFile(path, bigFile);
    const order = [4, 0, 1, 2, 3, 1];
    const got = await withRecordFile(path, { recordBytes: big }, (f) => f.readRecords(order));
    for (let k = 0; k < order.length; k++) {
      const want = bigFile.subarray(order[k] * big, (order[k] + 1) * big);
      assertExact(got.subarray(k * big, (k + 1) * big), want);
    }
  });
});

Deno.test("RecordFile: wrong size, bad indices, closed file, a file that shrinks while open", async () => {
  await withDir(async (dir) => {
    const path = `${dir}/r.bin`;
    await Deno.writeFile(path, new Uint8Array(5 + 2 * 4 + 3));
    await rejectsWith(
      () =>
        RecordFile.open(path, { recordBytes: 4, headerBytes: 5, what: "test file", hint: "make it again" }),
      DatasetFileError,
      /"[^"]*r\.bin": 16 bytes is not the 5-byte header plus a positive multiple of the 4-byte record \(2 whole records and 3 bytes over\); the file is truncated or not a test file: download it again \(make it again\)/,
    );
    await rejectsWith(
      () => RecordFile.open(path, { recordBytes: 4, headerBytes: 20 }),
      DatasetFileError,
      /16 bytes is not the 20-byte header.*4 bytes short of the header/,
    );
    await rejectsWith(() => RecordFile.open(path, { recordBytes: 0 }), RangeError, /recordBytes is 0/);
    await rejectsWith(() => RecordFile.open(dir, { recordBytes: 1 }), DatasetFileError, /not a regular file/);
    await rejectsWith(
      () => RecordFile.open(`${dir}/nope.bin`, { recordBytes: 1, hint: "fetch it" }),
      DatasetFileError,
      /nope\.bin": it does not exist; fetch it/,
    );
    const f = await RecordFile.open(path, { recordBytes: 4 });
    try {
      await rejectsWith(() => f.readRecords([0, 4]), RangeError, /record 4 \(position 1\).*has 4 records/);
      await rejectsWith(() => f.readRecords([1.5]), RangeError, /record 1.5/);
      await rejectsWith(() => f.readRecords([-1]), RangeError, /record -1/);
      await rejectsWith(() => f.readRange(3, 2), RangeError, /\[3, 5\).*it has 4/);
      await rejectsWith(() => collect(f.batches(0)), RangeError, /batchSize is 0/);
      // Another program truncates the file after it was opened and checked.
      await Deno.truncate(path, 6);
      await rejectsWith(
        () => f.readRecords([0, 3]),
        DatasetFileError,
        /ended at byte 12 while reading bytes \[12, 16\); it is now 6 bytes, was 16 bytes when opened \(the file shrank/,
      );
    } finally {
      f.close();
    }
    assert.ok(f.closed);
    f.close();
    await rejectsWith(() => f.readRecords([0]), TypeError, /the record file is closed/);
    assert.throws(() => streamRecords(path, { recordBytes: 1 }, 2.5), RangeError);
  });
});

Deno.test("CIFAR-10: index subsets equal selectSamples of the full load, across batch files", async () => {
  await withDir(async (dir) => {
    const files = await writeCifar(dir);
    const full = await loadCifar10({ dataDir: dir });
    // The full load equals parsing each file in memory and concatenating.
    assertSameDataset(full, concatDatasets(files.map((b) => parseCifar10Batch(b)), "x"));
    assert.equal(full.name, "cifar10/train");
    // Unsorted, duplicates, spanning all five files.
    for (const indices of [[14, 0, 3, 3, 9, 4, 8, 14, 2], seededSubset(15, 6, 11), [5], []]) {
      const subset = await loadCifar10({ dataDir: dir, indices });
      assertSameDataset(subset, selectSamples(full, indices));
      assert.equal(subset.name, "cifar10/train");
    }
    const test = await loadCifar10({ dataDir: dir, split: "test" });
    assertSameDataset(
      await loadCifar10({ dataDir: dir, split: "test", indices: [6, 0] }),
      selectSamples(test, [6, 0]),
    );
    await rejectsWith(
      () => loadCifar10({ dataDir: dir, indices: [0, 15] }),
      RangeError,
      /record 15 \(position 1\) of cifar10\/train: it has 15 records/,
    );
    assert.deepEqual(cifar10Files("test", "/d/"), ["/d/test_batch.bin"]);
  });
});

Deno.test("CIFAR-10: streamed chunks concatenate to the full load; bad labels name the record", async () => {
  await withDir(async (dir) => {
    await writeCifar(dir);
    const path = `${dir}/test_batch.bin`;
    const chunks = await collect(streamCifar10(path, 3));
    assert.deepEqual(chunks.map((c) => c.shape[0]), [3, 3, 1]);
    assert.equal(chunks[2].name, `cifar10:${path}[6:7]`);
    assertSameDataset(concatDatasets(chunks, "x"), await loadCifar10({ dataDir: dir, split: "test" }));
    assert.throws(() => streamCifar10(path, 0), RangeError);
    // Record 2 of batch 3 (record 6 of the training set) gets label 10.
    const bad = cifarBatch(4, 3);
    bad[2 * CIFAR10_RECORD_BYTES] = 10;
    await Deno.writeFile(`${dir}/data_batch_3.bin`, bad);
    const message = /data_batch_3\.bin": record 2 has label 10, not in 0\.\.9/;
    await rejectsWith(() => loadCifar10({ dataDir: dir }), DatasetFileError, message);
    await rejectsWith(() => loadCifar10({ dataDir: dir, indices: [1, 6] }), DatasetFileError, message);
    await rejectsWith(() => collect(streamCifar10(`${dir}/data_batch_3.bin`, 2)), DatasetFileError, message);
    // A subset that avoids the bad record does not read it.
    assert.equal((await loadCifar10({ dataDir: dir, indices: [5, 7] })).shape[0], 2);
    // Truncated and missing files.
    await Deno.writeFile(`${dir}/data_batch_2.bin`, cifarBatch(2, 2).subarray(0, 4000));
    await rejectsWith(
      () => loadCifar10({ dataDir: dir, indices: [0] }),
      DatasetFileError,
      /data_batch_2\.bin": 4000 bytes is not a positive multiple of the 3073-byte record \(1 whole records and 927 bytes over\).*download it again \(download cifar-10-binary/,
    );
    await Deno.remove(path);
    await rejectsWith(
      () => collect(streamCifar10(path, 2)),
      DatasetFileError,
      /test_batch\.bin": it does not exist/,
    );
  });
});

Deno.test("STL-10: index subsets and streamed chunks equal the full load; unlabeled split", async () => {
  await withDir(async (dir) => {
    const { x, y } = await writeStl(dir, "train", 7);
    const full = await loadStl10({ dataDir: dir });
    assertSameDataset(full, parseStl10(x, y));
    assert.equal(full.name, "stl10/train");
    for (const indices of [[6, 1, 1, 0, 5], seededSubset(7, 3, 2), []]) {
      assertSameDataset(await loadStl10({ dataDir: dir, indices }), selectSamples(full, indices));
    }
    const chunks = await collect(streamStl10(dir, "train", 3));
    assert.deepEqual(chunks.map((c) => c.name), ["stl10/train[0:3]", "stl10/train[3:6]", "stl10/train[6:7]"]);
    assertSameDataset(concatDatasets(chunks, "x"), full);
    const unlabeled = await writeStl(dir, "unlabeled", 3);
    const u = await loadStl10({ dataDir: dir, split: "unlabeled", indices: [2, 0] });
    assertSameDataset(u, selectSamples(parseStl10(unlabeled.x, undefined), [2, 0]));
    assertExact(u.labels, [0, 0]);
    assert.deepEqual((await collect(streamStl10(dir, "unlabeled", 2))).map((c) => c.shape[0]), [2, 1]);
    await rejectsWith(
      () => loadStl10({ dataDir: dir, indices: [7] }),
      RangeError,
      /record 7 \(position 0\).*train_y\.bin": it has 7 records/,
    );
  });
});

Deno.test("STL-10: truncated, mismatched and corrupt files give clear errors", async () => {
  await withDir(async (dir) => {
    const { x, y } = await writeStl(dir, "test", 4);
    await Deno.writeFile(`${dir}/test_y.bin`, y.subarray(0, 3));
    const mismatch = /"[^"]*test_X\.bin" has 4 images but "[^"]*test_y\.bin" has 3 labels/;
    await rejectsWith(() => loadStl10({ dataDir: dir, split: "test" }), DatasetFileError, mismatch);
    await rejectsWith(() => collect(streamStl10(dir, "test", 2)), DatasetFileError, mismatch);
    const bad = y.slice();
    bad[2] = 11;
    await Deno.writeFile(`${dir}/test_y.bin`, bad);
    const label = /test_y\.bin": label 11 at 2 is not in 1\.\.10/;
    await rejectsWith(() => loadStl10({ dataDir: dir, split: "test" }), DatasetFileError, label);
    await rejectsWith(
      () => loadStl10({ dataDir: dir, split: "test", indices: [3, 2] }),
      DatasetFileError,
      label,
    );
    await rejectsWith(() => collect(streamStl10(dir, "test", 2)), DatasetFileError, label);
    assert.equal((await loadStl10({ dataDir: dir, split: "test", indices: [3, 0] })).shape[0], 2);
    await Deno.writeFile(`${dir}/test_X.bin`, x.subarray(0, 3 * STL10_IMAGE_BYTES + 100));
    await rejectsWith(
      () => loadStl10({ dataDir: dir, split: "test" }),
      DatasetFileError,
      /test_X\.bin": 83044 bytes is not a positive multiple of the 27648-byte record \(3 whole records and 100 bytes over\)/,
    );
    await rejectsWith(
      () => loadStl10({ dataDir: dir, split: "unlabeled" }),
      DatasetFileError,
      /does not exist/,
    );
    assert.throws(() => streamStl10(dir, "test", -1), RangeError);
  });
});

Deno.test("Record files are closed after success, errors and early exits (no fd leaks)", async () => {
  const before = await openFds();
  await withDir(async (dir) => {
    await writeCifar(dir);
    const { y } = await writeStl(dir, "train", 3);
    await loadCifar10({ dataDir: dir, indices: [1, 2] });
    await loadStl10({ dataDir: dir });
    for await (const _ of streamCifar10(`${dir}/test_batch.bin`, 2)) break;
    for await (const _ of streamStl10(dir, "train", 1)) break;
    await rejectsWith(() => loadCifar10({ dataDir: dir, indices: [99] }), RangeError, /record 99/);
    await rejectsWith(
      () =>
        withRecordFile(`${dir}/test_batch.bin`, { recordBytes: 1 }, () => Promise.reject(new Error("boom"))),
      Error,
      /boom/,
    );
    await Deno.writeFile(`${dir}/train_y.bin`, y.subarray(0, 2));
    await rejectsWith(() => loadStl10({ dataDir: dir }), DatasetFileError, /3 images but/);
    await Deno.writeFile(`${dir}/train_y.bin`, Uint8Array.of(1, 0, 1));
    await rejectsWith(() => collect(streamStl10(dir, "train", 1)), DatasetFileError, /label 0 at 1/);
    await Deno.writeFile(`${dir}/data_batch_5.bin`, new Uint8Array(10));
    await rejectsWith(() => loadCifar10({ dataDir: dir }), DatasetFileError, /10 bytes is not/);
  });
  const after = await openFds();
  assert.equal(after, before, `open file descriptors: ${before} before, ${after} after`);
});
