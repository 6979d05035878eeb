// Replaying another framework's run from .npy files (issue 16 point 5): the subset indices, the initial
// parameters and the batch order of a seeded run, written as files and read back with other seeds,
// reproduce that run; each file is validated (shape, dtype, range) with a DataError (exit status 3).
import { assert, assertExact } from "./_assert.ts";
import { testBothBackends } from "./_backends.ts";
import { tinyConfig } from "./_eoss_training.ts";
import { ReferenceBackend } from "../lib/backend/reference.ts";
import { seededSubset } from "../lib/data/dataset.ts";
import { exitCodeOf } from "../lib/exit_codes.ts";
import { encodeNpy, writeNpy } from "../lib/io/npy.ts";
import { decodeReplayNpy } from "../lib/eoss/replay.ts";
import type { EossRow } from "../lib/eoss/metrics.ts";
import { runEossTraining } from "../lib/eoss/training.ts";
import { loadEossData } from "../lib/eoss/training_data.ts";
import { initialParameters } from "../lib/models/init.ts";
import { mlpLayout, mlpPreset } from "../lib/models/mlp.ts";

const values = (rows: EossRow[]) => rows.flatMap((r) => Object.values(r));

/** The replay files of the tiny config's seeded run. */
async function writeReplay(dir: string, epochs = 3) {
  const config = tinyConfig();
  const data = await loadEossData(config.data, config.seeds.data);
  const layout = mlpLayout({
    ...mlpPreset("mlp", { inputs: 8, outputs: 3, initScale: 0.2 }),
    sizes: [8, 12, 3],
  });
  const order = new Uint32Array(epochs * 24);
  for (let e = 0; e < epochs; e++) order.set(seededSubset(24, 24, config.seeds.order + e), e * 24);
  await writeNpy(`${dir}/subset.npy`, Int32Array.from(data.indices));
  await writeNpy(`${dir}/init.npy`, Float64Array.from(initialParameters(layout, config.seeds.init)));
  await writeNpy(`${dir}/order.npy`, order, [epochs, 24]);
  return {
    subsetIndices: `${dir}/subset.npy`,
    initParams: `${dir}/init.npy`,
    batchOrder: `${dir}/order.npy`,
  };
}

testBothBackends(
  "eoss replay: subset, init and batch order from .npy files reproduce the seeded run",
  async (backend) => {
    const dir = await Deno.makeTempDir();
    try {
      const seeded = await runEossTraining(tinyConfig(), { backend });
      const replay = await writeReplay(dir);
      // Other data, init and order seeds: the files decide all three (measurement seeds stay).
      const replayed = await runEossTraining(
        tinyConfig({ seeds: { data: 30, init: 50, order: 70 }, replay }),
        {
          backend,
        },
      );
      assertExact(replayed.params, seeded.params);
      assertExact(values(replayed.rows), values(seeded.rows));
      const unreplayed = await runEossTraining(tinyConfig({ seeds: { data: 30, init: 50, order: 70 } }), {
        backend,
      });
      assert.notEqual(unreplayed.rows[0].full_loss, seeded.rows[0].full_loss);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
);

Deno.test("eoss replay: NumPy's int64 indices are read exactly", () => {
  const bytes = encodeNpy(new Float64Array([0, 0]), [2]);
  const head = new TextDecoder("latin1").decode(bytes.subarray(0, 64));
  bytes[head.indexOf("<f8") + 1] = "i".charCodeAt(0);
  new BigInt64Array(bytes.buffer, bytes.length - 16, 2).set([5n, 47n]);
  const d = decodeReplayNpy(bytes, "test");
  assert.equal(d.descr, "<i8");
  assert.deepEqual(Array.from(d.data), [5, 47]);
});

Deno.test("eoss replay: bad files are refused with what is wrong (DataError, exit 3)", async () => {
  const dir = await Deno.makeTempDir(), backend = new ReferenceBackend();
  try {
    const good = await writeReplay(dir);
    const cases: [string, () => Promise<void>, RegExp][] = [
      [
        "subset shape",
        () => writeNpy(`${dir}/bad.npy`, new Int32Array(23)),
        /subset indices .*shape \(23\), must be \(24,\)/,
      ],
      [
        "subset range",
        () => writeNpy(`${dir}/bad.npy`, Int32Array.from({ length: 24 }, (_, i) => i + 25)),
        /entry 23 is 48, must be in \[0, 48\)/,
      ],
      [
        "subset repeat",
        () => writeNpy(`${dir}/bad.npy`, Int32Array.from({ length: 24 }, (_, i) => i % 23)),
        /entry 23 \(0\) repeats/,
      ],
      [
        "subset dtype",
        () => writeNpy(`${dir}/bad.npy`, new Float32Array(24)),
        /dtype '<f4', must be an integer type/,
      ],
    ];
    for (const [what, write, message] of cases) {
      await write();
      const e = await runEossTraining(tinyConfig({ replay: { ...good, subsetIndices: `${dir}/bad.npy` } }), {
        backend,
      })
        .then(() => null, (e) => e);
      assert.ok(e instanceof Error && message.test(e.message), `${what}: ${e}`);
      assert.equal(exitCodeOf(e), 3, what);
    }
    const initCases: [() => Promise<void>, RegExp][] = [
      [
        () => writeNpy(`${dir}/bad.npy`, new Float32Array(10)),
        /initial parameters .*shape \(10\), must be \(147,\)/,
      ],
      [() => writeNpy(`${dir}/bad.npy`, new Int32Array(147)), /dtype '<i4', must be float32 or float64/],
      [() => writeNpy(`${dir}/bad.npy`, new Float32Array(147).fill(NaN)), /entry 0 is NaN/],
    ];
    for (const [write, message] of initCases) {
      await write();
      const e = await runEossTraining(tinyConfig({ replay: { ...good, initParams: `${dir}/bad.npy` } }), {
        backend,
      })
        .then(() => null, (e) => e);
      assert.ok(e instanceof Error && message.test(e.message), String(e));
      assert.equal(exitCodeOf(e), 3);
    }
    const orderCases: [() => Promise<void>, RegExp][] = [
      [
        () => writeNpy(`${dir}/bad.npy`, new Uint32Array(72)),
        /batch order .*shape \(72\), must be \(epochs, m\)/,
      ],
      [
        () => writeNpy(`${dir}/bad.npy`, new Uint32Array(48), [2, 24]),
        /2 epochs of 6 steps, 18 steps need 3/,
      ],
      [
        () => writeNpy(`${dir}/bad.npy`, new Uint32Array(72).fill(24), [3, 24]),
        /entry 0 is 24, must be in \[0, 24\)/,
      ],
    ];
    for (const [write, message] of orderCases) {
      await write();
      const e = await runEossTraining(tinyConfig({ replay: { ...good, batchOrder: `${dir}/bad.npy` } }), {
        backend,
      })
        .then(() => null, (e) => e);
      assert.ok(e instanceof Error && message.test(e.message), String(e));
      assert.equal(exitCodeOf(e), 3);
    }
    const missing = await runEossTraining(tinyConfig({ replay: { initParams: `${dir}/none.npy` } }), {
      backend,
    })
      .then(() => null, (e) => e);
    assert.equal(exitCodeOf(missing), 3);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
