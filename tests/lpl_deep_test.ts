/**
 * The layer-local LPL conv net (lib/lpl/deep_net.ts, deep_training.ts) on both backends: layer locality
 * (block 1's update does not depend on block 2, each block steps by -lr times its own local gradient, and
 * the end-to-end gradient of the summed objectives differs from the local one), chunked features,
 * determinism, the Hebb-off collapse of the features' variance, input normalisation, per-block learning
 * rates, the held-out probe; the F4.5 script at its tiny scale.
 */
import { assert, assertClose, assertExact, testValues } from "./_assert.ts";
import { testBothBackends } from "./_backends.ts";
import type { Backend } from "../lib/backend/backend.ts";
import {
  fanInScaledLearningRates,
  LplConvNet,
  type LplConvNetOptions,
  lplConvNetShapes,
  type LplConvNetSpec,
} from "../lib/lpl/deep_net.ts";
import { lplConvGradient } from "../lib/lpl/conv_rule.ts";
import { lplConvForwardReference, lplConvLossReference } from "../lib/lpl/conv_reference.ts";
import {
  binomialStandardError,
  evaluateLplConvNet,
  probeLplConvNet,
  standardized,
  trainLplConvNet,
} from "../lib/lpl/deep_training.ts";
import { ReferenceBackend } from "../lib/backend/reference.ts";
import * as fig5 from "../scripts/lpl_fig5_deep_net.ts";
import { load } from "../scripts/lpl_deep_net_images.ts";

const SPEC: LplConvNetSpec = { inChannels: 1, height: 8, width: 8, channels: [3, 4], pool: [true, false] };
const BATCH = 6;
const IMAGE = 64;

async function read(backend: Backend, t: Parameters<Backend["read"]>[0]): Promise<Float64Array> {
  return Float64Array.from(await backend.read(t));
}

function views() {
  const x1 = testValues(BATCH * IMAGE, 21, 0, 1);
  const x2 = Float64Array.from(Float32Array.from(x1.map((v, i) => v + 0.2 * testValues(x1.length, 22)[i])));
  return { x1, x2 };
}

const SGD = {
  seed: 3,
  optimizer: "sgd",
  learningRate: 0.05,
  predictive: "past-detached",
} as const satisfies LplConvNetOptions;

testBothBackends(
  "deep LPL: each block steps by -lr times its own local gradient, whatever the next block",
  async (backend) => {
    const { x1, x2 } = views();
    const shapes = lplConvNetShapes(SPEC).map((s) => ({ ...s, batch: BATCH }));
    const a = await LplConvNet.create(backend, SPEC, SGD), b = await LplConvNet.create(backend, SPEC, SGD);
    // b's second block gets other weights: block 1's update must not see it
    await backend.scale(b.blocks[1].weight, -3);
    const before = await Promise.all(a.blocks.map((k) => read(backend, k.weight)));
    const before2b = await read(backend, b.blocks[1].weight);
    // the local gradients, from the pre-update weights, block 2 on block 1's outputs
    const t1 = backend.tensor(x1, [BATCH, 1, 8, 8]), t2 = backend.tensor(x2, [BATCH, 1, 8, 8]);
    const g1 = await lplConvGradient(backend, shapes[0], a.blocks[0].weight, a.blocks[0].bias, t1, t2, SGD);
    const g2 = await lplConvGradient(
      backend,
      shapes[1],
      a.blocks[1].weight,
      a.blocks[1].bias,
      g1.out1,
      g1.out2,
      SGD,
    );
    const grads = [await read(backend, g1.gradWeight), await read(backend, g2.gradWeight)];
    await a.step(t1, t2, BATCH);
    await b.step(t1, t2, BATCH);
    const afterA = await Promise.all(a.blocks.map((k) => read(backend, k.weight)));
    const afterB1 = await read(backend, b.blocks[0].weight),
      afterB2 = await read(backend, b.blocks[1].weight);
    assertExact(afterB1, afterA[0], "block 1 is the same whatever block 2's weights");
    for (let l = 0; l < 2; l++) {
      const want = before[l].map((w, i) => w - SGD.learningRate * grads[l][i]);
      assertClose(afterA[l], want, { atol: 1e-6, rtol: 1e-6 }, `block ${l + 1} = W - lr dL_${l + 1}/dW`);
      assert.ok(grads[l].some((g) => Math.abs(g) > 1e-4), `block ${l + 1} moves`);
    }
    assert.ok(afterB2.some((w, i) => w !== before2b[i]), "b's block 2 learns too");
    a.dispose();
    b.dispose();
  },
);

Deno.test("deep LPL: the end-to-end gradient of L1 + L2 differs from block 1's local gradient (float64)", async () => {
  const backend = new ReferenceBackend();
  const { x1, x2 } = views();
  const net = await LplConvNet.create(backend, SPEC, SGD);
  const [w1, b1, w2, b2] = await Promise.all(
    [net.blocks[0].weight, net.blocks[0].bias, net.blocks[1].weight, net.blocks[1].bias].map((t) =>
      read(backend, t)
    ),
  );
  const [s1, s2] = lplConvNetShapes(SPEC).map((s) => ({ ...s, batch: BATCH }));
  const objectives = (w: Float64Array) => {
    const o1 = lplConvForwardReference(s1, w, b1, x1).out, o2 = lplConvForwardReference(s1, w, b1, x2).out;
    return {
      local: lplConvLossReference(s1, w, b1, x1, x2).total,
      next: lplConvLossReference(s2, w2, b2, o1, o2).total,
    };
  };
  const h = 1e-6, local: number[] = [], endToEnd: number[] = [];
  for (let i = 0; i < w1.length; i++) {
    const plus = Float64Array.from(w1), minus = Float64Array.from(w1);
    plus[i] += h;
    minus[i] -= h;
    const p = objectives(plus), m = objectives(minus);
    local.push((p.local - m.local) / (2 * h));
    endToEnd.push((p.local + p.next - m.local - m.next) / (2 * h));
  }
  const t1 = backend.tensor(x1), t2 = backend.tensor(x2);
  const g = await lplConvGradient(backend, s1, net.blocks[0].weight, net.blocks[0].bias, t1, t2, {
    predictive: "symmetric",
  });
  const rule = await read(backend, g.gradWeight);
  assertClose(rule, local, { atol: 1e-7 * Math.max(...local.map(Math.abs)), rtol: 1e-6 }, "local rule");
  const gap = Math.max(...endToEnd.map((v, i) => Math.abs(v - local[i])));
  assert.ok(gap > 1e-3 * Math.max(...local.map(Math.abs)), `block 2's objective depends on W1 (gap ${gap})`);
});

testBothBackends(
  "deep LPL: features are the same in any chunking; training is deterministic",
  async (backend) => {
    const images = testValues(10 * IMAGE, 5, 0, 1);
    const options = { seed: 2, learningRate: 1e-2 };
    const run = async () => {
      const net = await LplConvNet.create(backend, SPEC, options);
      const data = backend.tensor(images, [10, IMAGE]);
      await trainLplConvNet(net, data, 10, {
        steps: 2,
        batch: 4,
        seed: 9,
        augment: { flip: {}, padCrop: { padding: 1 } },
      });
      const whole = await net.features(images, 10, 256), chunked = await net.features(images, 10, 3);
      backend.dispose(data);
      net.dispose();
      return { whole, chunked };
    };
    const first = await run(), second = await run();
    for (let l = 0; l < 2; l++) {
      assertExact(first.chunked[l], first.whole[l], `block ${l + 1} chunked`);
      assertExact(second.whole[l], first.whole[l], `block ${l + 1} rerun`);
    }
  },
);

testBothBackends(
  "deep LPL: without the Hebbian term the features' variance collapses, with it it grows",
  async (backend) => {
    const spec: LplConvNetSpec = { inChannels: 1, height: 8, width: 8, channels: [4], pool: [true] };
    const rows = 48, images = testValues(rows * IMAGE, 8, 0, 1);
    const variance = (z: Float64Array, dims: number) => {
      let total = 0;
      for (let j = 0; j < dims; j++) {
        let m = 0, s = 0;
        for (let r = 0; r < rows; r++) m += z[r * dims + j] / rows;
        for (let r = 0; r < rows; r++) s += (z[r * dims + j] - m) ** 2 / (rows - 1);
        total += s / dims;
      }
      return total;
    };
    const results: Record<string, number> = {};
    for (const [name, push] of [["lpl", 1], ["hebb-off", 0]] as const) {
      const net = await LplConvNet.create(backend, spec, {
        seed: 4,
        learningRate: 2e-2,
        coefficients: { pull: 1, push, decorr: 10 },
      });
      const start = variance((await net.features(images, rows))[0], 4);
      const data = backend.tensor(images, [rows, IMAGE]);
      await trainLplConvNet(net, data, rows, {
        steps: 25,
        batch: 16,
        seed: 1,
        augment: { padCrop: { padding: 1 } },
      });
      results[name] = variance((await net.features(images, rows))[0], 4) / start;
      backend.dispose(data);
      net.dispose();
    }
    assert.ok(results.lpl > 2, `LPL's feature variance grows (x${results.lpl})`);
    assert.ok(results["hebb-off"] < 0.5, `Hebb-off's collapses (x${results["hebb-off"]})`);
  },
);

Deno.test("deep LPL: standardised probe features use the fit rows' statistics; constant features are 0", () => {
  const z = [1, 5, 3, 5, 5, 5, 100, 5]; // [4 rows, 2 dims]; dim 1 constant on rows 0-2
  const s = standardized(z, 4, 2, [0, 1, 2]);
  assertClose([s[0], s[2], s[4]], [-1.224744871391589, 0, 1.224744871391589], { atol: 1e-12 }, "dim 0");
  assertExact([s[1], s[3], s[5], s[7]], [0, 0, 0, 0], "constant dim");
  assertClose([s[6]], [(100 - 3) / Math.sqrt(8 / 3)], { atol: 1e-9 }, "a row outside the fit");
});

Deno.test("deep LPL: evaluation gives one finite row per block", async () => {
  const backend = new ReferenceBackend();
  const net = await LplConvNet.create(backend, SPEC, { seed: 1, learningRate: 1e-3 });
  const rows = 40, images = testValues(rows * IMAGE, 3, 0, 1);
  const labels = Array.from({ length: rows }, (_, i) => i % 4);
  const e = await evaluateLplConvNet(net, images, labels, backend, 1);
  assert.deepEqual(e.map((r) => [r.layer, r.channels]), [[1, 3], [2, 4]]);
  for (const r of e) {
    assert.ok(r.probeTestAccuracy >= 0 && r.probeTestAccuracy <= 1 && r.participationRatio >= 1 - 1e-9);
    assert.ok(r.participationRatio <= r.channels + 1e-9 && r.meanActivity >= 0);
  }
});

Deno.test("lpl_fig5_deep_net: tiny run gives a row per rule and block, chance and pixel readout", async () => {
  const { summary, spec } = await fig5.run({ ...fig5.testConfig, backend: "reference" });
  const results = summary.results as { rule: string; layer: number; probeTestAccuracy: number }[];
  assert.equal(results.length, 3 * 2);
  assert.deepEqual([...new Set(results.map((r) => r.rule))], ["random", "lpl", "hebb-off"]);
  assert.equal(summary.chance, 0.25);
  assert.ok((summary.pixelReadoutTestAccuracy as number) > 0.25);
  for (const r of results) assert.ok(r.probeTestAccuracy >= 0 && r.probeTestAccuracy <= 1);
  assert.ok(JSON.stringify(spec).includes("participationRatio"));
});

Deno.test("lpl_fig5_deep_net: --full without CIFAR-10 says where to put it", async () => {
  const saved = Deno.env.get("CIFAR10_DIR");
  Deno.env.delete("CIFAR10_DIR");
  try {
    await assert.rejects(
      () => fig5.run({ ...fig5.fullConfig, backend: "reference" }),
      /Cannot load CIFAR-10: no directory given; pass --data-dir/,
    );
    await assert.rejects(
      () => fig5.run({ ...fig5.fullConfig, dataDir: "/nonexistent-cifar", backend: "reference" }),
      /nonexistent-cifar/,
    );
  } finally {
    if (saved !== undefined) Deno.env.set("CIFAR10_DIR", saved);
  }
});

testBothBackends(
  "deep LPL: input normalisation is the same net on (x - mean) / std, in features and in a step",
  async (backend) => {
    const norm = { mean: 0.3, std: 0.4 };
    const { x1, x2 } = views();
    const scaled = (x: Float64Array) => x.map((v) => (v - norm.mean) / norm.std);
    const withNorm = await LplConvNet.create(backend, SPEC, { ...SGD, inputNormalization: norm });
    const plain = await LplConvNet.create(backend, SPEC, SGD);
    const tol = backend.name === "reference" ? 1e-12 : 2e-5;
    const fa = await withNorm.features(x1, BATCH), fb = await plain.features(scaled(x1), BATCH);
    for (let l = 0; l < 2; l++) {
      assertClose(fa[l], fb[l], { atol: tol, rtol: tol }, `block ${l + 1} features`);
    }
    const shape = [BATCH, 1, 8, 8];
    const t = [x1, x2, scaled(x1), scaled(x2)].map((x) => backend.tensor(x, shape));
    await withNorm.step(t[0], t[1], BATCH);
    await plain.step(t[2], t[3], BATCH);
    for (let l = 0; l < 2; l++) {
      const a = await read(backend, withNorm.blocks[l].weight),
        b = await read(backend, plain.blocks[l].weight);
      assertClose(a, b, { atol: tol, rtol: tol }, `block ${l + 1} weights after a step`);
    }
    const moved = await read(backend, withNorm.blocks[0].weight);
    const fresh = await LplConvNet.create(backend, SPEC, SGD);
    const before = await read(backend, fresh.blocks[0].weight);
    assert.ok(moved.some((v, i) => Math.abs(v - before[i]) > 1e-4), "the step changed block 1");
    backend.dispose(...t);
    for (const n of [withNorm, plain, fresh]) n.dispose();
    await assert.rejects(async () => {
      const bad = await LplConvNet.create(backend, SPEC, { ...SGD, inputNormalization: { mean: 0, std: 0 } });
      await bad.features(x1, BATCH);
    }, /std must be > 0/);
  },
);

testBothBackends(
  "deep LPL: per-block learning rates: each block steps by -lr_l times its gradient",
  async (backend) => {
    const rates = fanInScaledLearningRates(SPEC, 0.08);
    assertClose(rates, [0.08, 0.08 * Math.sqrt(9 / 27)], { atol: 1e-15 }, "lr sqrt(fanIn_1 / fanIn_l)");
    const net = await LplConvNet.create(backend, SPEC, { ...SGD, learningRate: rates });
    const shapes = lplConvNetShapes(SPEC);
    const { x1, x2 } = views();
    const t1 = backend.tensor(x1, [BATCH, 1, 8, 8]), t2 = backend.tensor(x2, [BATCH, 1, 8, 8]);
    const before = [await read(backend, net.blocks[0].weight), await read(backend, net.blocks[1].weight)];
    const g1 = await lplConvGradient(
      backend,
      { ...shapes[0], batch: BATCH },
      net.blocks[0].weight,
      net.blocks[0].bias,
      t1,
      t2,
      SGD,
    );
    const g2 = await lplConvGradient(
      backend,
      { ...shapes[1], batch: BATCH },
      net.blocks[1].weight,
      net.blocks[1].bias,
      g1.out1,
      g1.out2,
      SGD,
    );
    const grads = [await read(backend, g1.gradWeight), await read(backend, g2.gradWeight)];
    await net.step(t1, t2, BATCH);
    const tol = backend.name === "reference" ? 1e-12 : 1e-6;
    for (let l = 0; l < 2; l++) {
      const want = before[l].map((w, i) => w - rates[l] * grads[l][i]);
      assertClose(
        await read(backend, net.blocks[l].weight),
        want,
        { atol: tol, rtol: tol },
        `block ${l + 1}`,
      );
    }
    for (const g of [g1, g2]) backend.dispose(g.gradWeight, g.gradBias, g.out1, g.out2, g.currentStats);
    backend.dispose(t1, t2);
    net.dispose();
    await assert.rejects(
      () => LplConvNet.create(backend, SPEC, { ...SGD, learningRate: [0.1] }),
      /1 learning rates for 2 blocks/,
    );
  },
);

Deno.test("deep LPL: the held-out probe fits on one set and tests on another, with binomial standard errors", async () => {
  const backend = new ReferenceBackend();
  const net = await LplConvNet.create(backend, SPEC, { seed: 1, learningRate: 1e-3 });
  const rows = 40, images = testValues(rows * IMAGE, 3, 0, 1);
  const labels = Array.from({ length: rows }, (_, i) => i % 4);
  const other = testValues(rows * IMAGE, 4, 0, 1);
  const same = await probeLplConvNet(net, { images, labels }, { images, labels }, backend);
  const held = await probeLplConvNet(net, { images, labels }, { images: other, labels }, backend);
  assert.deepEqual(same.map((r) => [r.layer, r.channels, r.probeTestRows]), [[1, 3, 40], [2, 4, 40]]);
  for (const [l, r] of same.entries()) {
    assert.equal(r.probeTestAccuracy, r.probeTrainAccuracy, "tested on the fit set: the same accuracy");
    assert.equal(held[l].probeTrainAccuracy, r.probeTrainAccuracy, "the same fit whatever the test set");
    assertClose(
      [held[l].probeTestStandardError],
      [Math.sqrt(held[l].probeTestAccuracy * (1 - held[l].probeTestAccuracy) / 40)],
      { atol: 1e-15 },
      "SE",
    );
  }
  assertClose([binomialStandardError(0.75, 300)], [0.025], { atol: 1e-15 }, "sqrt(0.75 0.25 / 300)");
});

Deno.test("lpl_fig5_deep_net: --vary-data gives each seed its own draw; one seed's draw is reproducible", async () => {
  const config = {
    ...fig5.testConfig,
    dataset: "fashion-mnist",
    trainImages: 40,
    probeRows: 30,
    varyData: true,
  };
  const [train1, fit1, test1] = await Promise.all(
    (["train", "probe-fit", "probe-test"] as const).map((part) => load(config, part, 1)),
  );
  const again = await load(config, "probe-fit", 1), other = await load(config, "probe-fit", 2);
  assertExact(again.pixels, fit1.pixels);
  assertExact(again.labels, fit1.labels);
  assert.notDeepEqual(Array.from(other.labels), Array.from(fit1.labels));
  // Disjoint within a draw: LPL's images and the probe's training images are different rows of the split.
  const key = (images: typeof fit1, i: number) => images.pixels.subarray(i * 784, (i + 1) * 784).join();
  const trainKeys = new Set(Array.from({ length: train1.count }, (_, i) => key(train1, i)));
  assert.ok(Array.from({ length: fit1.count }, (_, i) => key(fit1, i)).every((k) => !trainKeys.has(k)));
  assert.equal(test1.count, 30);
  // Without varyData the draw is the fixed slice whatever the seed.
  const fixed = { ...config, varyData: false };
  assertExact((await load(fixed, "probe-fit", 1)).labels, (await load(fixed, "probe-fit", 2)).labels);
  // A run with two seeds reports a pixel readout per draw; their mean is the summary's.
  const { summary } = await fig5.run({ ...fig5.testConfig, seeds: 2, varyData: true, backend: "reference" });
  const perSeed = summary.pixelReadoutPerSeed as number[];
  assert.equal(perSeed.length, 2);
  assertClose([summary.pixelReadoutTestAccuracy as number], [(perSeed[0] + perSeed[1]) / 2], { atol: 1e-4 });
  assert.match(summary.dataDraw as string, /one per seed/);
});
