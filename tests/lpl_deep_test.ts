/**
 * The layer-local LPL conv net (lib/lpl/deep_net.ts, deep_training.ts) on both backends: layer locality
 * (block 1's update does not depend on block 2, each block steps by -lr times its own local gradient, and
 * the end-to-end gradient of the summed objectives differs from the local one), chunked features,
 * determinism, the Hebb-off collapse of the features' variance; the F4.5 script at its tiny scale.
 */
import { assert, assertClose, assertExact, testValues } from "./_assert.ts";
import { testBothBackends } from "./_backends.ts";
import type { Backend } from "../lib/backend/backend.ts";
import {
  LplConvNet,
  type LplConvNetOptions,
  lplConvNetShapes,
  type LplConvNetSpec,
} from "../lib/lpl/deep_net.ts";
import { lplConvGradient } from "../lib/lpl/conv_rule.ts";
import { lplConvForwardReference, lplConvLossReference } from "../lib/lpl/conv_reference.ts";
import { evaluateLplConvNet, standardized, trainLplConvNet } from "../lib/lpl/deep_training.ts";
import { ReferenceBackend } from "../lib/backend/reference.ts";
import * as fig5 from "../scripts/lpl_fig5_deep_net.ts";

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
