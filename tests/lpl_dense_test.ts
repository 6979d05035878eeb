/**
 * Paper LPL for dense layers (LPL-01..03, 07): the closed-form rule against float64 central
 * differences of the objective, the backend's autograd-free kernels against the float64 rule, layer
 * locality in a stack, the stale-estimates variant and the ablations.
 */
import { assert, assertClose } from "./_assert.ts";
import { testBothBackends } from "./_backends.ts";
import { PhiloxStream } from "../lib/rng/philox.ts";
import type { Activation } from "../lib/activations.ts";
import {
  lplBatchStats,
  lplDenseForward,
  lplDenseGradientReference as referenceGradient,
  lplDenseLoss,
  type LplDenseOptions,
} from "../lib/reference/lpl_dense.ts";
import { lplDenseGradient } from "../lib/lpl/dense_rule.ts";
import { LPL_ABLATIONS, lplAblation, LplDenseStack } from "../lib/lpl/dense_stack.ts";
import type { LplDenseShape } from "../kernels/lpl/dense_types.ts";

function normals(n: number, seed: number, scale = 1): Float64Array {
  const rng = new PhiloxStream(seed, 3);
  return new Float64Array(n).map((_, e) => scale * rng.normal(0, 0, e));
}

/** Views: x2 = x1 + small noise (temporal neighbours), some inputs correlated. */
function views(shape: LplDenseShape, seed: number) {
  const x1 = normals(shape.batch * shape.inputs, seed);
  const noise = normals(shape.batch * shape.inputs, seed + 1, 0.3);
  const x2 = x1.map((v, e) => v + noise[e]);
  const w = normals(shape.outputs * shape.inputs, seed + 2, 1 / Math.sqrt(shape.inputs));
  return { x1, x2, w };
}

/** Central differences of the objective in every weight (the past output held fixed when detached). */
function centralDifferences(
  shape: LplDenseShape,
  w: Float64Array,
  x1: Float64Array,
  x2: Float64Array,
  options: LplDenseOptions,
): Float64Array {
  const detachedPast = options.predictive === "symmetric"
    ? undefined
    : lplDenseForward(shape, w, x1, options.activation).z;
  const h = 1e-6, out = new Float64Array(w.length);
  for (let q = 0; q < w.length; q++) {
    const plus = Float64Array.from(w), minus = Float64Array.from(w);
    plus[q] += h;
    minus[q] -= h;
    out[q] = (lplDenseLoss(shape, plus, x1, x2, { ...options, detachedPast }).total -
      lplDenseLoss(shape, minus, x1, x2, { ...options, detachedPast }).total) / (2 * h);
  }
  return out;
}

const SMALL: LplDenseShape = { batch: 7, inputs: 5, outputs: 4 };

const CASES: [string, LplDenseOptions][] = [
  ["tanh, past detached", { activation: "tanh" }],
  ["tanh, symmetric", { activation: "tanh", predictive: "symmetric" }],
  ["linear, decorr only", { activation: "linear", coefficients: { pull: 0, push: 0, decorr: 10 } }],
  ["silu, Hebb only", { activation: "silu", coefficients: { pull: 0, push: 1, decorr: 0 } }],
  ["relu (no unit near its kink)", { activation: "relu" }],
];

for (const [name, options] of CASES) {
  Deno.test(`LPL dense rule = float64 central differences of the objective: ${name}`, () => {
    const { x1, x2, w } = views(SMALL, 21);
    const want = centralDifferences(SMALL, w, x1, x2, options);
    const got = referenceGradient(SMALL, w, x1, x2, options);
    const scale = Math.max(...want.map(Math.abs));
    assert.ok(scale > 1e-3, `gradient scale ${scale}`);
    assertClose(got, want, { atol: 1e-7 * scale + 1e-9 }, "dL/dW");
  });
}

Deno.test("LPL dense rule = central differences with stale estimates (mean, variance constants)", () => {
  const { x1, x2, w } = views(SMALL, 5);
  const prev = lplBatchStats(normals(SMALL.batch * SMALL.outputs, 9, 0.7), SMALL.batch, SMALL.outputs);
  const options: LplDenseOptions = {
    activation: "tanh",
    stale: { mean: prev.mean, variance: prev.variance },
  };
  const want = centralDifferences(SMALL, w, x1, x2, options);
  const got = referenceGradient(SMALL, w, x1, x2, options);
  assertClose(got, want, { atol: 1e-7 * Math.max(...want.map(Math.abs)) }, "dL/dW stale");
  // The stale variant is a different rule: it differs from the fresh-estimate gradient.
  const fresh = referenceGradient(SMALL, w, x1, x2, { activation: "tanh" });
  assert.ok(got.some((v, q) => Math.abs(v - fresh[q]) > 1e-3 * Math.max(...fresh.map(Math.abs))));
});

Deno.test("LPL decorrelation coefficient: with the erratum's scaling the Hebbian and decorrelation terms are comparable", () => {
  // At M units the decorrelation loss averages over M^2 - M pairs: its gradient per unit stays O(1/M)
  // like the Hebbian one, not (M - 1)/2 times larger (Errata 1).
  const shape = { batch: 64, inputs: 16, outputs: 16 };
  const { x1, x2, w } = views(shape, 2);
  const norm = (g: Float64Array) => Math.sqrt(g.reduce((s, v) => s + v * v, 0));
  const hebb = norm(referenceGradient(shape, w, x1, x2, { coefficients: { pull: 0, push: 1, decorr: 0 } }));
  const decorr = norm(
    referenceGradient(shape, w, x1, x2, { coefficients: { pull: 0, push: 0, decorr: 10 } }),
  );
  assert.ok(decorr / hebb < 5 && decorr / hebb > 0.01, `decorr/hebb gradient norm ${decorr / hebb}`);
});

const GPU_SHAPE: LplDenseShape = { batch: 48, inputs: 24, outputs: 12 };

const BACKEND_CASES: [string, LplDenseOptions & { activation: Activation }][] = [
  ["relu, defaults", { activation: "relu" }],
  ["tanh, symmetric", { activation: "tanh", predictive: "symmetric" }],
  ["relu, pred off", { activation: "relu", coefficients: lplAblation("pred-off").coefficients }],
];

for (const [name, options] of BACKEND_CASES) {
  testBothBackends(`LPL dense kernels: dL/dW equals the float64 rule (${name})`, async (backend) => {
    const { x1, x2, w } = views(GPU_SHAPE, 33);
    const want = referenceGradient(GPU_SHAPE, w, x1, x2, options);
    const t = (v: Float64Array, cols: number) => backend.tensor(v, [v.length / cols, cols]);
    const r = await lplDenseGradient(
      backend,
      GPU_SHAPE,
      t(w, GPU_SHAPE.inputs),
      t(x1, GPU_SHAPE.inputs),
      t(x2, GPU_SHAPE.inputs),
      options,
    );
    const got = await backend.read(r.gradient);
    const scale = Math.max(...want.map(Math.abs));
    const atol = backend.name === "reference" ? 1e-12 * scale : 2e-4 * scale;
    const diff = assertClose(got, want, { atol }, "dL/dW");
    console.log(
      `  ${backend.name}: max |diff| ${diff.toExponential(2)} of max |g| ${scale.toExponential(2)}`,
    );
  });
}

testBothBackends("LPL dense kernels: stale estimates use the given mean and variance", async (backend) => {
  const { x1, x2, w } = views(GPU_SHAPE, 8);
  const prev = lplBatchStats(
    normals(GPU_SHAPE.batch * GPU_SHAPE.outputs, 4, 0.5),
    GPU_SHAPE.batch,
    GPU_SHAPE.outputs,
  );
  const want = referenceGradient(GPU_SHAPE, w, x1, x2, { stale: prev });
  const stats = backend.tensor([...prev.mean, ...prev.variance], [2 * GPU_SHAPE.outputs]);
  const t = (v: Float64Array) => backend.tensor(v, [v.length / GPU_SHAPE.inputs, GPU_SHAPE.inputs]);
  const r = await lplDenseGradient(backend, GPU_SHAPE, t(w), t(x1), t(x2), {}, stats);
  const scale = Math.max(...want.map(Math.abs));
  assertClose(await backend.read(r.gradient), want, {
    atol: (backend.name === "reference" ? 1e-12 : 2e-4) * scale,
  });
});

testBothBackends("LPL stack: layer locality (no gradient crosses layers)", async (backend) => {
  const sizes = [10, 8, 6], batch = 32, lr = 0.05;
  const shape1 = { batch, inputs: 10, outputs: 8 }, shape2 = { batch, inputs: 8, outputs: 6 };
  const { x1, x2, w: w1 } = views(shape1, 41);
  const w2 = normals(6 * 8, 42, 1 / Math.sqrt(8));
  const w2b = normals(6 * 8, 43, 1 / Math.sqrt(8));
  const opts = { activation: "tanh" as const, learningRate: lr, seed: 1 };
  const step = async (w2Start: Float64Array) => {
    const stack = LplDenseStack.fromWeights(backend, sizes, [
      backend.tensor(w1, [8, 10]),
      backend.tensor(w2Start, [6, 8]),
    ], opts);
    await stack.step(backend.tensor(x1, [batch, 10]), backend.tensor(x2, [batch, 10]), batch);
    const out = await Promise.all(stack.weights.map((t) => backend.read(t)));
    stack.dispose();
    return out;
  };
  const [w1a, w2a] = await step(w2);
  const [w1b] = await step(w2b);
  // Layer 1's update ignores layer 2 entirely.
  assert.deepEqual([...w1a], [...w1b], "layer 1 changed with layer 2's weights");
  // Layer 1 takes -lr times its own local gradient; layer 2 its own on layer 1's (pre-update) outputs.
  const tol = backend.name === "reference" ? 1e-12 : 2e-5;
  const g1 = referenceGradient(shape1, w1, x1, x2, opts);
  assertClose(w1a, w1.map((v, q) => v - lr * g1[q]), { atol: tol }, "layer 1 step");
  const h1 = lplDenseForward(shape1, w1, x1, "tanh").z, h2 = lplDenseForward(shape1, w1, x2, "tanh").z;
  const g2 = referenceGradient(shape2, w2, h1, h2, opts);
  assertClose(w2a, w2.map((v, q) => v - lr * g2[q]), { atol: tol }, "layer 2 step");
  // The end-to-end gradient of the summed losses in W1 is a different vector: locality matters here.
  const total = (w: Float64Array) => {
    const past = lplDenseForward(shape1, w1, x1, "tanh").z;
    const a = lplDenseForward(shape1, w, x1, "tanh").z, b = lplDenseForward(shape1, w, x2, "tanh").z;
    const past2 = lplDenseForward(shape2, w2, past, "tanh").z;
    return lplDenseLoss(shape1, w, x1, x2, { activation: "tanh", detachedPast: past }).total +
      lplDenseLoss(shape2, w2, a, b, { activation: "tanh", detachedPast: past2 }).total;
  };
  let crossing = 0;
  for (let q = 0; q < w1.length; q++) {
    const p = Float64Array.from(w1), m = Float64Array.from(w1);
    p[q] += 1e-6;
    m[q] -= 1e-6;
    crossing = Math.max(crossing, Math.abs((total(p) - total(m)) / 2e-6 - g1[q]));
  }
  assert.ok(
    crossing > 1e-3 * Math.max(...g1.map(Math.abs)),
    `end-to-end gradient equals the local one (${crossing})`,
  );
});

testBothBackends(
  "LPL ablations: Hebb off collapses activity, LPL keeps it (dense layer, 300 steps)",
  async (backend) => {
    const batch = 64, sizes = [16, 8];
    const means: Record<string, number> = {};
    for (const ablation of ["lpl", "hebb-off"] as const) {
      const a = lplAblation(ablation);
      const stack = await LplDenseStack.create(backend, sizes, {
        seed: 3,
        learningRate: 0.05,
        coefficients: a.coefficients,
        shufflePositives: a.shufflePositives,
      });
      for (let s = 0; s < 300; s++) {
        const x1 = await backend.random([batch, 16], { seed: 5, step: s });
        const noise = await backend.random([batch, 16], { seed: 6, step: s });
        const x2 = await backend.zeros([batch, 16]);
        await backend.copy(x1, x2);
        await backend.axpy(0.2, noise, x2);
        await stack.step(x1, x2, batch);
        backend.dispose(x1, x2, noise);
      }
      const probe = await backend.random([256, 16], { seed: 99 });
      const [z] = await stack.forward(probe);
      const v = await backend.read(z);
      means[ablation] = Array.from(v).reduce((s, x) => s + Math.abs(x), 0) / v.length;
      backend.dispose(probe, z);
      stack.dispose();
    }
    console.log(
      `  ${backend.name}: mean |z| lpl ${means.lpl.toFixed(4)}, hebb-off ${means["hebb-off"].toFixed(4)}`,
    );
    assert.ok(means["hebb-off"] < 0.3 * means.lpl, JSON.stringify(means));
    assert.ok(means.lpl > 0.1);
  },
);

Deno.test("LPL ablations: names map to zeroed coefficients or shuffled pairs", () => {
  assert.deepEqual(LPL_ABLATIONS, ["lpl", "pred-off", "hebb-off", "decorr-off", "shuffled"]);
  assert.equal(lplAblation("pred-off").coefficients.pull, 0);
  assert.equal(lplAblation("hebb-off").coefficients.push, 0);
  assert.equal(lplAblation("decorr-off").coefficients.decorr, 0);
  assert.ok(lplAblation("shuffled").shufflePositives);
  assert.throws(() => lplAblation("nope" as never), TypeError);
});

testBothBackends(
  "LPL stack: stale estimates use the previous batch's current-view mean and variance",
  async (backend) => {
    const shape = { batch: 24, inputs: 9, outputs: 5 }, lr = 0.05;
    const a = views(shape, 61), b = views(shape, 62);
    const stack = LplDenseStack.fromWeights(backend, [9, 5], [backend.tensor(a.w, [5, 9])], {
      activation: "tanh",
      learningRate: lr,
      seed: 1,
      staleEstimates: true,
    });
    for (const v of [a, b]) {
      await stack.step(
        backend.tensor(v.x1, [24, 9]),
        backend.tensor(v.x2, [24, 9]),
        24,
      );
    }
    const got = await backend.read(stack.weights[0]);
    stack.dispose();
    // Step 1: fresh estimates. Step 2: the Hebbian term uses step 1's current-view batch statistics.
    const g1 = referenceGradient(shape, a.w, a.x1, a.x2, { activation: "tanh" });
    const w1 = a.w.map((v, q) => v - lr * g1[q]);
    const prev = lplBatchStats(lplDenseForward(shape, a.w, a.x2, "tanh").z, 24, 5);
    const g2 = referenceGradient(shape, w1, b.x1, b.x2, { activation: "tanh", stale: prev });
    assertClose(
      got,
      w1.map((v, q) => v - lr * g2[q]),
      { atol: backend.name === "reference" ? 1e-12 : 2e-5 },
      "W",
    );
  },
);
