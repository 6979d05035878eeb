/**
 * The library training loop (lib/training/) on a tiny MLP and a synthetic dataset, on both backends: it
 * reproduces a hand-written loop bit for bit, resumes from a checkpoint bit for bit (parameters, optimizer
 * state, schedule, data order), reads losses in chunks (host waits counted), stops on a NaN loss keeping the
 * last good checkpoint, and refuses bad settings.
 */
import { testBothBackends } from "./_backends.ts";
import { assert, assertExact, testValues } from "./_assert.ts";
import type { Backend } from "../lib/backend/backend.ts";
import { Mlp } from "../lib/models/mlp_model.ts";
import type { MlpSpec } from "../lib/models/mlp.ts";
import { Optimizer, type ParameterOptimizer } from "../lib/optim/optimizer.ts";
import { Lookahead } from "../lib/optim/lookahead.ts";
import { cosineSchedule } from "../lib/optim/schedules.ts";
import { EpochStream } from "../lib/training/data_stream.ts";
import { runTrainingLoop, TrainingDivergedError, type TrainingLoopOptions } from "../lib/training/loop.ts";
import { loadCheckpoint } from "../lib/checkpoint.ts";

const SPEC: MlpSpec = { sizes: [6, 8, 3], activation: "tanh", init: "kaiming", initScale: 1 };
const ROWS = 20, BATCH = 6, STEPS = 11; // 3 batches per epoch: epochs change at steps 3, 6, 9

function dataset(rows: number) {
  const x = testValues(rows * 6, 7);
  const y = new Float64Array(rows * 3);
  for (let r = 0; r < rows; r++) y[r * 3 + (r % 3)] = 1;
  return { x, y };
}

/** A stream that reorders the dataset by a seeded rotation per epoch, optionally poisoning one step. */
function stream(backend: Backend, poisonStep = -1) {
  const { x, y } = dataset(ROWS);
  return new EpochStream(backend, ROWS, BATCH, (epoch) => {
    const order = Array.from({ length: ROWS }, (_, i) => (i * 7 + epoch * 3) % ROWS);
    const xs = new Float64Array(ROWS * 6), ys = new Float64Array(ROWS * 3);
    order.forEach((src, dst) => {
      xs.set(x.subarray(src * 6, src * 6 + 6), dst * 6);
      ys.set(y.subarray(src * 3, src * 3 + 3), dst * 3);
    });
    if (poisonStep >= 0 && Math.floor(poisonStep / 3) === epoch) xs[(poisonStep % 3) * BATCH * 6] = NaN;
    return { x: backend.tensor(xs, [ROWS, 6]), y: backend.tensor(ys, [ROWS, 3]) };
  });
}

function makeOptimizer(backend: Backend, model: Mlp): ParameterOptimizer {
  const inner = new Optimizer(backend, model.layout, {
    kind: "adamw",
    lr: 0.05,
    groups: [{ names: "*bias*", weightDecay: 0 }],
  }, cosineSchedule({ total: STEPS, warmup: 2 }));
  return new Lookahead(inner, { k: 4, alpha: 0.5 });
}

function setup(backend: Backend, poisonStep = -1) {
  const model = new Mlp(backend, SPEC, "crossEntropy");
  const params = model.init(3);
  const optimizer = makeOptimizer(backend, model);
  const data = stream(backend, poisonStep);
  const done = () => {
    optimizer.dispose();
    data.dispose();
    backend.dispose(params);
    model.dispose();
  };
  return { model, params, optimizer, data, done };
}

testBothBackends(
  "Training loop: same losses and parameters as a hand-written loop, bit for bit",
  async (backend) => {
    const a = setup(backend);
    const result = await runTrainingLoop({ ...a, steps: STEPS });
    assert.equal(result.status, "complete");
    assert.equal(result.losses.length, STEPS);
    const fromLoop = await backend.read(a.params);
    a.done();
    const b = setup(backend);
    const losses: number[] = [];
    const loss = backend.zeros([1]), gradient = backend.zeros([b.model.layout.count]);
    for (let step = 0; step < STEPS; step++) {
      const batch = b.data.batch(step);
      await b.model.evaluate(b.params, batch.x, batch.y, {
        gradient: true,
        rows: batch.rows,
        into: { loss, gradient },
      });
      losses.push((await backend.read(loss))[0]);
      await b.optimizer.step(b.params, gradient);
    }
    assertExact(await backend.read(b.params), fromLoop, "parameters", true);
    assertExact(result.losses, losses, "losses");
    assert.ok(losses[STEPS - 1] < losses[0], `loss ${losses[0]} -> ${losses[STEPS - 1]}`);
    backend.dispose(loss, gradient);
    b.done();
  },
);

testBothBackends(
  "Training loop: losses are read in chunks; callbacks see them at their cadence",
  async (backend) => {
    const a = setup(backend);
    const seen: number[] = [];
    const logged: number[] = [];
    const result = await runTrainingLoop({
      ...a,
      steps: STEPS,
      historyChunk: 4,
      logEvery: 5,
      onLog: (row) => logged.push(row.step),
      callbacks: [{ every: 10, run: (c) => void seen.push(c.step, c.losses.length) }],
    });
    // chunks of 4 (drains before steps 4 and 8), one drain for the callback at 10, one at the end
    assert.equal(result.hostWaits, 4);
    assert.deepEqual(seen, [10, 10]);
    assert.deepEqual(logged, [0, 5, 10]);
    a.done();
    const quiet = setup(backend);
    assert.equal(
      (await runTrainingLoop({ ...quiet, steps: STEPS })).hostWaits,
      1,
      "one wait for a whole run",
    );
    quiet.done();
  },
);

testBothBackends("Training loop: a run stopped at a checkpoint resumes bit for bit", async (backend) => {
  const dir = await Deno.makeTempDir({ prefix: "training_loop_test_" });
  const checkpoint = { path: `${dir}/checkpoint.ckpt`, every: 5, kind: "test", fingerprint: { seed: 3 } };
  const whole = setup(backend);
  const reference = await runTrainingLoop({ ...whole, steps: STEPS });
  const wantParams = await backend.read(whole.params);
  whole.done();

  const first = setup(backend);
  const stop = { signal: null as Deno.Signal | null };
  const callbacks = [{
    every: 1,
    run: (c: { step: number }) => void (c.step === 7 ? stop.signal = "SIGINT" : 0),
  }];
  const stopped = await runTrainingLoop({ ...first, steps: STEPS, checkpoint, stop, callbacks });
  assert.deepEqual([stopped.status, stopped.step], ["stopped", 7]);
  first.done();

  const second = setup(backend);
  const resume = await loadCheckpoint(checkpoint.path);
  assert.equal(resume.step, 7);
  const resumed = await runTrainingLoop({ ...second, steps: STEPS, checkpoint, resume });
  assert.equal(resumed.status, "complete");
  assertExact(await backend.read(second.params), wantParams, "parameters after resume", true);
  assertExact(resumed.losses, reference.losses, "losses after resume");
  second.done();
  await Deno.remove(dir, { recursive: true });
});

testBothBackends(
  "Training loop: a NaN loss stops the run and keeps the last good checkpoint",
  async (backend) => {
    const dir = await Deno.makeTempDir({ prefix: "training_loop_nan_" });
    const checkpoint = { path: `${dir}/checkpoint.ckpt`, every: 3, kind: "test", fingerprint: {} };
    const a = setup(backend, 7);
    await assert.rejects(
      () => runTrainingLoop({ ...a, steps: STEPS, checkpoint }),
      (error: unknown) => {
        assert.ok(error instanceof TrainingDivergedError, String(error));
        assert.match(
          error.message,
          /batch loss at step 7 is NaN; stopped .* \(last good checkpoint: .*\(step 6\)\)/,
        );
        return true;
      },
    );
    const kept = await loadCheckpoint(checkpoint.path);
    assert.equal(kept.step, 6);
    assert.ok(Array.from(kept.arrays.params.data).every(Number.isFinite));
    a.done();
    await Deno.remove(dir, { recursive: true });
  },
);

testBothBackends("Training loop: bad settings are refused before any step", async (backend) => {
  const a = setup(backend);
  const bad: [Partial<TrainingLoopOptions>, RegExp][] = [
    [{ steps: 0 }, /steps is 0, must be an integer >= 1/],
    [{ logEvery: -1 }, /logEvery is -1/],
    [{ historyChunk: 0 }, /historyChunk is 0/],
    [{ callbacks: [{ every: 0, run: () => {} }] }, /callbacks\[0\].every is 0/],
    [{ params: backend.zeros([3]) }, /the layout has \d+ f32 parameters/],
  ];
  for (const [override, message] of bad) {
    await assert.rejects(() => runTrainingLoop({ ...a, steps: STEPS, ...override }), message);
  }
  a.done();
});

testBothBackends(
  "EpochStream.fixed: the caller's tensors survive epochs; batches cycle in order",
  async (backend) => {
    const { x, y } = dataset(ROWS);
    const xs = backend.tensor(x, [ROWS, 6]), ys = backend.tensor(y, [ROWS, 3]);
    const data = EpochStream.fixed(backend, xs, ys, BATCH);
    assert.deepEqual([0, 2, 3, 7].map((s) => data.batch(s).rows), [
      { begin: 0, end: 6 },
      { begin: 12, end: 18 },
      { begin: 0, end: 6 },
      { begin: 6, end: 12 },
    ]);
    data.dispose();
    assertExact(await backend.read(xs), Float32Array.from(x), "x after two epochs and dispose");
    backend.dispose(xs, ys);
  },
);
