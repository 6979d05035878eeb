// lib/eoss estimators on a quadratic loss, where each has a closed form: a one-layer linear model
// f = x W + b with the squared loss, L = (1/n) |X~ theta - y|^2 with X~ = [X, 1], so H = (2/n) X~^T X~,
// H_B = (2/b) X~_B^T X~_B and g_B = (2/b) X~_B^T (X~_B theta - y_B). The Monte-Carlo estimators are
// compared with the float64 closed form over the same seeded batches; both backends.
import { assert, assertClose } from "./_assert.ts";
import { testBothBackends } from "./_backends.ts";
import type { Backend } from "../lib/backend/backend.ts";
import { Mlp } from "../lib/models/mlp_model.ts";
import { randomReference } from "../lib/rng/philox.ts";
import { symmetricEigen } from "../lib/spectral/jacobi_eigen.ts";
import { BatchStream } from "../lib/eoss/batch_stream.ts";
import { batchSharpness, type SharpnessProblem, stepSharpness } from "../lib/eoss/batch_sharpness.ts";
import { gradientNoiseInteraction, hutchinsonTrace, oneStepLossChange } from "../lib/eoss/full_batch.ts";
import { lambdaMax, lambdaMaxRows, LambdaMaxTracker } from "../lib/eoss/lambda_max.ts";
import { matrixHvpOperator, modelHvpOperator } from "../lib/eoss/hvp_operator.ts";
import { momentumBatchSharpness } from "../lib/eoss/momentum.ts";
import { lanczos } from "../lib/eoss/lanczos.ts";
import { miniBatchLambdaMax } from "../lib/eoss/mini_batch_lambda_max.ts";

const N = 48, D = 6, P = D + 1;
const X = randomReference(N, D, { seed: 11 }), Y = randomReference(N, 1, { seed: 12 });
const THETA = Float64Array.from(randomReference(1, P, { seed: 13 }), (v) => 0.5 * v);

/** Rows [x, 1]. */
function design(rows: ArrayLike<number>): Float64Array[] {
  return Array.from(rows, (i) => Float64Array.from([...X.subarray(i * D, i * D + D), 1]));
}

/** (2/m) X~^T X~ over rows. */
function hessian(rows: ArrayLike<number>): Float64Array {
  const h = new Float64Array(P * P), xs = design(rows);
  for (const r of xs) {
    for (let a = 0; a < P; a++) for (let c = 0; c < P; c++) h[a * P + c] += (2 / xs.length) * r[a] * r[c];
  }
  return h;
}

/** (2/m) X~^T (X~ theta - y) over rows. */
function gradient(rows: ArrayLike<number>, theta = THETA): Float64Array {
  const g = new Float64Array(P), xs = design(rows);
  Array.from(rows).forEach((i, k) => {
    const residual = xs[k].reduce((s, v, a) => s + v * theta[a], 0) - Y[i];
    for (let a = 0; a < P; a++) g[a] += (2 / xs.length) * residual * xs[k][a];
  });
  return g;
}

function loss(rows: ArrayLike<number>, theta: ArrayLike<number>): number {
  const xs = design(rows);
  return Array.from(rows).reduce(
    (s, i, k) => s + (xs[k].reduce((t, v, a) => t + v * theta[a], 0) - Y[i]) ** 2,
    0,
  ) /
    xs.length;
}

const dot = (a: ArrayLike<number>, b: ArrayLike<number>) =>
  Array.from(a).reduce((s, v, i) => s + v * b[i], 0);
const matVec = (h: Float64Array, v: ArrayLike<number>) =>
  Array.from({ length: P }, (_, r) => dot(h.subarray(r * P, r * P + P), v));
const ALL = Array.from({ length: N }, (_, i) => i);
const mean = (v: number[]) => v.reduce((s, x) => s + x, 0) / v.length;

function problem(backend: Backend): SharpnessProblem {
  const model = new Mlp(
    backend,
    { sizes: [D, 1], activation: "identity", init: "kaiming", initScale: 1 },
    "squared",
  );
  return {
    model,
    params: backend.tensor(THETA),
    x: backend.tensor(X, [N, D]),
    y: backend.tensor(Y, [N, 1]),
  };
}

// float32 on webgpu: sums of ~50 products of O(1) values, relative ~1e-5.
const tol = (backend: Backend) => ({ rtol: backend.name === "reference" ? 1e-10 : 2e-4 });

testBothBackends(
  "quadratic: lambda_max (power, Lanczos) and the operator equal (2/n) X~^T X~",
  async (backend) => {
    const p = problem(backend), h = hessian(ALL), want = symmetricEigen(h, P).values;
    const top = await lambdaMax(p, { tolerance: 1e-5 });
    assertClose(
      [top.eigenvalue],
      [want[P - 1]],
      { rtol: backend.name === "reference" ? 1e-9 : 1e-4 },
      "lambda_max",
    );
    assert.equal(top.rows, N);
    const op = await modelHvpOperator(p.model, p.params, p.x, p.y);
    const ritz = await lanczos(op, { k: 3, tolerance: 1e-6, maxSteps: P });
    assertClose(ritz.values, [want[P - 1], want[P - 2], want[P - 3]], {
      rtol: backend.name === "reference" ? 1e-9 : 1e-4,
    });
    const bottom = await lanczos(op, { k: 1, which: "smallest", tolerance: 1e-6, maxSteps: P });
    assertClose(bottom.values, [want[0]], { rtol: backend.name === "reference" ? 1e-8 : 2e-3 }, "lambda_min");
    backend.dispose(top.vector);
    op.dispose();
  },
);

testBothBackends(
  "quadratic: batch sharpness, expectation inside, E|g_B|^2 and step sharpness",
  async (backend) => {
    const p = problem(backend), b = 5, seed = 4;
    const r = await batchSharpness(p, {
      batchSize: b,
      seed,
      measurement: 2,
      minSamples: 40,
      maxSamples: 40,
      blockBatches: 16,
    });
    assert.equal(r.samples, 40);
    const stream = new BatchStream(N, b, seed);
    const xs: number[] = [], ys: number[] = [];
    for (let j = 0; j < 40; j++) {
      const rows = stream.batch(2, j), g = gradient(rows);
      xs.push(dot(g, matVec(hessian(rows), g)));
      ys.push(dot(g, g));
    }
    assertClose(r.curvatures, xs, tol(backend), "g^T H_B g");
    assertClose([r.batchSharpness], [mean(xs.map((x, i) => x / ys[i]))], tol(backend), "BS");
    assertClose([r.expectationInside], [mean(xs) / mean(ys)], tol(backend), "BS inside");
    assertClose([r.meanGradientNormSquared], [mean(ys)], tol(backend), "E|g_B|^2");
    // BS <= lambda_max(H_B) batch by batch, so mean(BS) <= E_B[lambda_max(H_B)].
    const rows = stream.batch(2, 0), step = await stepSharpness(p, rows);
    assertClose([step.stepSharpness], [xs[0] / ys[0]], tol(backend), "step sharpness");
    assert.ok(step.stepSharpness <= symmetricEigen(hessian(rows), P).values[P - 1] * (1 + 1e-6));
  },
);

testBothBackends("quadratic: GNI and the one-step loss change over the same batches", async (backend) => {
  const p = problem(backend), b = 6, seed = 9, eta = 0.05;
  const g = gradient(ALL), h = hessian(ALL), gg = dot(g, g), stream = new BatchStream(N, b, seed);
  const gni = await gradientNoiseInteraction(p, {
    batchSize: b,
    seed,
    minSamples: 24,
    maxSamples: 24,
    blockBatches: 10,
  });
  const terms = Array.from({ length: 24 }, (_, j) => {
    const gb = gradient(stream.batch(0, j));
    return dot(gb, matVec(h, gb));
  });
  assertClose([gni.gni], [mean(terms) / gg], tol(backend), "GNI");
  assertClose([gni.gradientNormSquared], [gg], tol(backend), "|g|^2");
  const step = await oneStepLossChange(p, {
    batchSize: b,
    seed,
    learningRate: eta,
    minSamples: 24,
    maxSamples: 24,
  });
  const changes = Array.from({ length: 24 }, (_, j) => {
    const gb = gradient(stream.batch(0, j));
    const moved = THETA.map((t, a) => t - eta * gb[a]);
    // Exact for a quadratic: -eta g.g_B + (eta^2 / 2) g_B^T H g_B.
    assertClose([loss(ALL, moved) - loss(ALL, THETA)], [
      -eta * dot(g, gb) + (eta ** 2 / 2) * dot(gb, matVec(h, gb)),
    ], {
      rtol: 1e-9,
      atol: 1e-12,
    });
    return (loss(ALL, moved) - loss(ALL, THETA)) / (eta * gg);
  });
  // A difference of two losses in float32: absolute error ~ 1e-6 |L| / (eta |g|^2).
  const atol = backend.name === "reference" ? 1e-9 : 2e-3;
  assertClose([step.normalizedChange], [mean(changes)], { atol }, "one-step loss change");
});

testBothBackends("quadratic: momentum batch sharpness s^T H_B s / s^T g_B", async (backend) => {
  const p = problem(backend), b = 4, seed = 5, beta = 0.9;
  const v = Float64Array.from(randomReference(1, P, { seed: 21 }), (x) => 0.1 * x);
  const momentum = backend.tensor(v);
  const r = await momentumBatchSharpness(p, {
    batchSize: b,
    seed,
    beta,
    momentum,
    minSamples: 20,
    maxSamples: 20,
  });
  const stream = new BatchStream(N, b, seed);
  const ratios = Array.from({ length: 20 }, (_, j) => {
    const rows = stream.batch(0, j), gb = gradient(rows), s = gb.map((x, a) => x + beta * v[a]);
    return dot(s, matVec(hessian(rows), s)) / dot(s, gb);
  });
  assertClose([r.momentumBatchSharpness], [mean(ratios)], {
    rtol: backend.name === "reference" ? 1e-9 : 1e-3,
  });
});

testBothBackends(
  "Hutchinson trace: exact on a diagonal operator, within 4 SE of tr H on the quadratic",
  async (backend) => {
    const diag = [3, -1, 0.5, 2, 7, 1];
    const d = new Float64Array(36);
    diag.forEach((v, i) => (d[i * 6 + i] = v));
    const op = matrixHvpOperator(backend, d, 6);
    const exact = await hutchinsonTrace(op, { seed: 1, minSamples: 10, maxSamples: 10 });
    assertClose([exact.trace], [12.5], { rtol: 1e-6 });
    assertClose([exact.standardError], [0], { atol: 1e-5 });
    op.dispose();
    const p = problem(backend), h = hessian(ALL);
    const model = await modelHvpOperator(p.model, p.params, p.x, p.y);
    const r = await hutchinsonTrace(model, { seed: 3, minSamples: 200, maxSamples: 200 });
    const trace = Array.from({ length: P }, (_, i) => h[i * P + i]).reduce((s, v) => s + v, 0);
    assert.ok(
      Math.abs(r.trace - trace) < 4 * r.standardError,
      `trace ${r.trace} +- ${r.standardError}, exact ${trace}`,
    );
    assert.ok(r.standardError < 0.2 * trace);
    model.dispose();
  },
);

testBothBackends("quadratic: MiniBS = E_B[lambda_max(H_B)] over the same batches, >= BS", async (backend) => {
  const p = problem(backend), b = 5, seed = 8;
  const r = await miniBatchLambdaMax(p, {
    batchSize: b,
    seed,
    tolerance: 1e-5,
    maxIterations: 2000,
    minSamples: 6,
    maxSamples: 6,
  });
  const stream = new BatchStream(N, b, seed);
  const want = Array.from(
    { length: 6 },
    (_, j) => symmetricEigen(hessian(stream.batch(0, j)), P).values[P - 1],
  );
  assertClose(r.values, want, { rtol: backend.name === "reference" ? 1e-6 : 1e-4 }, "lambda_max(H_B)");
  assertClose([r.miniBatchLambdaMax], [mean(want)], { rtol: backend.name === "reference" ? 1e-6 : 1e-4 });
  const bs = await batchSharpness(p, { batchSize: b, seed, minSamples: 6, maxSamples: 6 });
  assert.ok(r.miniBatchLambdaMax >= bs.batchSharpness);
});

testBothBackends(
  "lambda_max: Lanczos agrees with power iteration; the tracker warm-starts",
  async (backend) => {
    const p = problem(backend), want = symmetricEigen(hessian(ALL), P).values[P - 1];
    const viaLanczos = await lambdaMax(p, { solver: "lanczos", tolerance: 1e-6 });
    assertClose([viaLanczos.eigenvalue], [want], { rtol: backend.name === "reference" ? 1e-9 : 1e-4 });
    backend.dispose(viaLanczos.vector);
    const tracker = new LambdaMaxTracker({ tolerance: 1e-4 });
    const first = await tracker.measure(p);
    const second = await tracker.measure(p);
    assertClose([first.eigenvalue, second.eigenvalue], [want, want], {
      rtol: backend.name === "reference" ? 1e-7 : 1e-4,
    });
    assert.ok(
      second.iterations <= 2 && second.iterations < first.iterations,
      `${first.iterations} then ${second.iterations}`,
    );
    tracker.dispose(backend);
  },
);

Deno.test("lambda_max rows: all rows up to maxRows, else a seeded subset of distinct rows", () => {
  assert.equal(lambdaMaxRows(4096), undefined);
  const rows = lambdaMaxRows(10000, 4096, 3)!;
  assert.equal(rows.length, 4096);
  assert.equal(new Set(rows).size, 4096);
  assert.deepEqual(lambdaMaxRows(10000, 4096, 3), rows);
  assert.notDeepEqual(lambdaMaxRows(10000, 4096, 4), rows);
});
