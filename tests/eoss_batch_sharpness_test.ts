// Batch sharpness on nonlinear MLPs: the batched estimator (one pass over K stacked batches) equals the
// per-batch loop of gradients and exact R-operator H v; the stopping rule on synthetic ratios; the seeded
// batch stream; both backends.
import { assert, assertClose } from "./_assert.ts";
import { testBothBackends } from "./_backends.ts";
import type { Backend } from "../lib/backend/backend.ts";
import type { Activation } from "../lib/activations.ts";
import { Mlp } from "../lib/models/mlp_model.ts";
import { Cnn } from "../lib/models/cnn_model.ts";
import { lambdaMax } from "../lib/eoss/lambda_max.ts";
import { mlpBatchCurvatures } from "../lib/models/mlp_batch_curvature.ts";
import { randomReference } from "../lib/rng/philox.ts";
import { BatchStream } from "../lib/eoss/batch_stream.ts";
import { batchSharpness, blockCurvatures, type SharpnessProblem } from "../lib/eoss/batch_sharpness.ts";
import {
  meanEstimate,
  ratioOfMeansStandardError,
  sampleInBlocks,
  shouldStop,
  stoppingRule,
} from "../lib/eoss/stopping.ts";

function problem(backend: Backend, sizes: number[], activation: Activation, n = 40): SharpnessProblem {
  const model = new Mlp(backend, { sizes, activation, init: "kaiming", initScale: 1 }, "squared");
  const nIn = sizes[0], nOut = sizes[sizes.length - 1];
  return {
    model,
    params: model.init(5),
    x: backend.tensor(randomReference(n, nIn, { seed: 1 }), [n, nIn]),
    y: backend.tensor(randomReference(n, nOut, { seed: 2 }), [n, nOut]),
  };
}

const rtol = (backend: Backend) => (backend.name === "reference" ? 1e-10 : 1e-4);

for (
  const [sizes, activation] of [[[5, 8, 7, 3], "relu"], [[5, 8, 3], "tanh"], [
    [6, 9, 4, 4, 2],
    "silu",
  ]] as const
) {
  testBothBackends(
    `batched batch curvatures equal the per-batch loop (${sizes.join("-")} ${activation})`,
    async (backend) => {
      const p = problem(backend, [...sizes], activation), b = 4;
      const indices = new BatchStream(40, b, 3).batches(0, 0, 6);
      const batched = await blockCurvatures(p, indices, b, "batched");
      const loop = await blockCurvatures(p, indices, b, "loop");
      const recorded = await blockCurvatures(p, indices, b, "recorded");
      assertClose(batched.curvatures, loop.curvatures, { rtol: rtol(backend) }, "g^T H g");
      assertClose(batched.gradientNormsSquared, loop.gradientNormsSquared, { rtol: rtol(backend) }, "|g|^2");
      assertClose(recorded.curvatures, loop.curvatures, { rtol: rtol(backend) });
      // The batch losses match the model's.
      const r = await mlpBatchCurvatures(p.model as Mlp, p.params, p.x, p.y, indices, b);
      const losses = await backend.read(r.loss);
      for (let k = 0; k < 6; k++) {
        const e = await p.model.evaluate(p.params, p.x, p.y, { indices: indices.subarray(k * b, k * b + b) });
        assertClose([losses[k]], await backend.read(e.loss), { rtol: rtol(backend) }, `loss ${k}`);
      }
      backend.dispose(r.curvature, r.gradientNormSquared, r.loss);
    },
  );
}

testBothBackends(
  "batch sharpness: batched, recorded and loop give the same estimate and samples",
  async (backend) => {
    const p = problem(backend, [5, 8, 7, 3], "relu");
    const options = {
      batchSize: 4,
      seed: 7,
      measurement: 3,
      blockBatches: 8,
      relativeError: 0.05,
      maxSamples: 64,
    };
    const batched = await batchSharpness(p, { ...options, method: "batched" });
    const loop = await batchSharpness(p, { ...options, method: "loop" });
    assert.equal(batched.method, "batched");
    assert.equal(batched.samples, loop.samples);
    assert.equal(batched.samples % 8, 0);
    assertClose([batched.batchSharpness], [loop.batchSharpness], { rtol: rtol(backend) });
    assertClose([batched.expectationInside], [loop.expectationInside], { rtol: rtol(backend) });
    // The stop was taken on the SEM of the ratios (or at maxSamples).
    const ratios = Array.from(batched.curvatures, (x, i) => x / batched.gradientNormsSquared[i]);
    const m = meanEstimate(ratios);
    assert.ok(batched.samples === 64 || m.relativeError < 0.05);
    assertClose([batched.standardError], [m.standardError], { rtol: 1e-12 });
    assert.equal((await batchSharpness(p, { ...options })).method, "batched");
  },
);

testBothBackends(
  "batch sharpness: cross-entropy MLPs take the recorded path; batched refuses them",
  async (backend) => {
    const model = new Mlp(
      backend,
      { sizes: [4, 6, 3], activation: "tanh", init: "kaiming", initScale: 1 },
      "crossEntropy",
    );
    const labels = Array.from({ length: 20 }, (_, i) => i % 3);
    const y = backend.tensor(labels.flatMap((l) => [0, 1, 2].map((c) => (c === l ? 1 : 0))), [20, 3]);
    const p = {
      model,
      params: model.init(1),
      x: backend.tensor(randomReference(20, 4, { seed: 4 }), [20, 4]),
      y,
    };
    const r = await batchSharpness(p, { batchSize: 4, minSamples: 8, maxSamples: 8, blockBatches: 4 });
    assert.equal(r.method, "recorded");
    assert.ok(Number.isFinite(r.batchSharpness));
    await assert.rejects(
      () => batchSharpness(p, { batchSize: 4, method: "batched" }),
      /needs an Mlp with the squared loss/,
    );
  },
);

testBothBackends(
  "CNN: recorded batch sharpness equals g^T H g from evaluate; lambda_max converges on it",
  async (backend) => {
    const model = new Cnn(backend, {
      input: { channels: 1, height: 6, width: 6 },
      convs: [{ outChannels: 2, kernelSize: 3, pool: true }],
      hidden: [4],
      outputs: 3,
      activation: "tanh",
      init: "kaiming",
      initScale: 1,
    }, "squared");
    const n = 16, params = model.init(2);
    const x = backend.tensor(randomReference(n, 36, { seed: 6 }), [n, 36]);
    const y = backend.tensor(randomReference(n, 3, { seed: 7 }), [n, 3]);
    const problem = { model, params, x, y };
    const r = await batchSharpness(problem, {
      batchSize: 4,
      seed: 2,
      minSamples: 3,
      maxSamples: 3,
      blockBatches: 3,
    });
    assert.equal(r.method, "recorded");
    const stream = new BatchStream(n, 4, 2);
    for (let j = 0; j < 3; j++) {
      const e = await model.evaluate(params, x, y, { indices: stream.batch(0, j), gradient: true });
      const h = await model.evaluate(params, x, y, { indices: stream.batch(0, j), direction: e.gradient! });
      const g = await backend.read(e.gradient!), hg = await backend.read(h.hessianVector!);
      const ghg = Array.from(g).reduce((s, v, i) => s + v * hg[i], 0);
      assertClose([r.curvatures[j]], [ghg], { rtol: rtol(backend) }, `batch ${j}`);
    }
    const top = await lambdaMax(problem, { tolerance: 1e-3, seed: 1 });
    assert.ok(top.converged && Number.isFinite(top.eigenvalue), `lambda_max ${top.eigenvalue}`);
    backend.dispose(top.vector);
  },
);

Deno.test("stopping rule: the standard error of the mean of the ratios, min and max samples", () => {
  // +-1 around 10: at N = 100 the SE is sqrt(100 / 99 / 100) = 0.1005 (1.005% of the mean 10); at N = 101
  // the mean is 10 + 1/101 and the SE sqrt((101 - 1/101) / 100 / 101) = 0.099995: 0.9990% of it.
  const values = Array.from({ length: 300 }, (_, i) => 10 + (i % 2 === 0 ? 1 : -1));
  const firstStop = Array.from({ length: 300 }, (_, n) => n + 1).find((n) =>
    shouldStop(values.slice(0, n), { relativeError: 0.01 })
  );
  assert.equal(firstStop, 101);
  assertClose([meanEstimate(values.slice(0, 100)).standardError], [Math.sqrt(1 / 99)], { rtol: 1e-12 });
  assertClose([meanEstimate(values.slice(0, 101)).standardError], [Math.sqrt((101 - 1 / 101) / 100 / 101)], {
    rtol: 1e-12,
  });
  // Constant values: SE 0, but never before minSamples; maxSamples always stops.
  assert.equal(shouldStop(new Array(19).fill(3)), false);
  assert.equal(shouldStop(new Array(20).fill(3)), true);
  assert.equal(shouldStop(values.slice(0, 50), { relativeError: 1e-9, maxSamples: 50 }), true);
  assert.throws(() => stoppingRule({ minSamples: 1 }), /minSamples 1/);
  assert.throws(() => stoppingRule({ minSamples: 30, maxSamples: 20 }), /maxSamples 20/);
});

Deno.test("stopping rule: the original's delta-method error is not the error of the mean of ratios", () => {
  // Most batches have ratio 10 with |g|^2 = 1; one in twenty has ratio 50 but |g|^2 = 0.001. The means
  // of x and y hardly see the outliers (the delta-method error of mean(x) / mean(y) is ~1e-4 of it), the
  // mean of the ratios does (its relative SE is ~5%): the original's rule would stop here, too early.
  const y = Array.from({ length: 200 }, (_, i) => (i % 20 === 0 ? 0.001 : 1));
  const x = y.map((v) => (v === 1 ? 10 : 50 * v));
  const ratios = x.map((v, i) => v / y[i]);
  const ofRatios = meanEstimate(ratios);
  const delta = ratioOfMeansStandardError(x, y) / (meanEstimate(x).mean / meanEstimate(y).mean);
  assert.ok(delta < 0.005, `delta-method relative error ${delta}`);
  assert.ok(ofRatios.relativeError > 0.03, `relative SE of the mean of ratios ${ofRatios.relativeError}`);
  assert.equal(shouldStop(ratios, { relativeError: 0.005 }), false);
  // With x proportional to y the ratio is constant: SEM 0, delta method 0 too.
  assertClose([ratioOfMeansStandardError(y.map((v) => 2 * v), y)], [0], { atol: 1e-12 });
});

Deno.test("sampleInBlocks: checks after each block, never past maxSamples", async () => {
  const calls: [number, number][] = [];
  const values = await sampleInBlocks(
    { minSamples: 5, maxSamples: 23, relativeError: 1e-12 },
    10,
    (first, k) => {
      calls.push([first, k]);
      return Promise.resolve(Array.from({ length: k }, (_, i) => (first + i) % 3));
    },
  );
  assert.deepEqual(calls, [[0, 10], [10, 10], [20, 3]]);
  assert.equal(values.length, 23);
  const quick = await sampleInBlocks({ minSamples: 5 }, 4, (_, k) => Promise.resolve(new Array(k).fill(1)));
  assert.equal(quick.length, 8);
});

Deno.test("BatchStream: distinct indices, reproducible, fresh per measurement, uniform", () => {
  const stream = new BatchStream(50, 8, 42);
  const b = stream.batch(0, 0);
  assert.equal(new Set(b).size, 8);
  assert.ok(b.every((i) => i < 50));
  assert.deepEqual(new BatchStream(50, 8, 42).batch(0, 0), b);
  assert.notDeepEqual(stream.batch(1, 0), b);
  assert.notDeepEqual(stream.batch(0, 1), b);
  assert.deepEqual(stream.batches(0, 1, 2).subarray(8), stream.batch(0, 2));
  // 2000 batches of 8 from 50: each index ~ 320 times (binomial sd ~ 16.6); all within 5 sd.
  const counts = new Array(50).fill(0);
  for (let j = 0; j < 2000; j++) for (const i of stream.batch(0, j)) counts[i]++;
  for (const c of counts) assert.ok(Math.abs(c - 320) < 5 * 16.6, `count ${c}`);
  const full = new BatchStream(10, 10, 1).batch(0, 0);
  assert.deepEqual(Array.from(full).sort((p, q) => p - q), Array.from({ length: 10 }, (_, i) => i));
  assert.throws(() => new BatchStream(5, 6, 1), /need 1 <= b <= count/);
});
