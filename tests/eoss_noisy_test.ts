// Noisy-GD baselines and the Euler-Maruyama SDE (lib/eoss/noisy_gd.ts, lib/eoss/sde.ts, kernels/eoss) on a
// quadratic loss: a one-layer linear model f = x W + b with the squared loss, per-sample gradients
// grad l_i = 2 x~_i (x~_i . theta - y_i), x~ = [x, 1]. Exact steps against float64 from the same draws,
// and moments against closed forms: the `sgd` noise covariance Sigma / b, the stationary variance of
// constant noise, and the first two moments of the SDE after eta / h Euler-Maruyama steps. Both backends.
import { assert, assertClose } from "./_assert.ts";
import { testBothBackends } from "./_backends.ts";
import type { Backend } from "../lib/backend/backend.ts";
import { Mlp } from "../lib/models/mlp_model.ts";
import { randomReference } from "../lib/rng/philox.ts";
import { symmetricEigen } from "../lib/spectral/jacobi_eigen.ts";
import {
  NOISY_GD_STREAM,
  NoisyGd,
  perSampleGradientVariance,
  rowScaledAxpy,
  weightedGradient,
} from "../lib/eoss/noisy_gd.ts";
import { rowScaledAxpyReference, sgdNoiseWeights } from "../lib/eoss/noisy_gd_reference.ts";
import { SgdSde } from "../lib/eoss/sde.ts";

const N = 24, D = 3, P = D + 1;
const X = randomReference(N, D, { seed: 21 }), Y = randomReference(N, 1, { seed: 22 });
const THETA = Float64Array.from(randomReference(1, P, { seed: 23 }), (v) => 0.5 * v);
const XT = Array.from({ length: N }, (_, i) => Float64Array.from([...X.subarray(i * D, i * D + D), 1]));
const dot = (a: ArrayLike<number>, b: ArrayLike<number>) =>
  Array.from(a).reduce((s, v, i) => s + v * b[i], 0);

/** grad l_i at theta. */
const sampleGradient = (i: number, theta: ArrayLike<number>) =>
  XT[i].map((v) => 2 * (dot(XT[i], theta) - Y[i]) * v);
/** sum_i w_i grad l_i. */
function weighted(weights: ArrayLike<number>, theta: ArrayLike<number>): Float64Array {
  const g = new Float64Array(P);
  for (let i = 0; i < N; i++) sampleGradient(i, theta).forEach((v, a) => g[a] += weights[i] * v);
  return g;
}
const fullGradient = (theta: ArrayLike<number>) => weighted(new Float64Array(N).fill(1 / N), theta);
/** Sigma = (1/n) sum_i (grad l_i - g)(grad l_i - g)^T, row-major P x P. */
function covariance(theta: ArrayLike<number>): Float64Array {
  const g = fullGradient(theta), c = new Float64Array(P * P);
  for (let i = 0; i < N; i++) {
    const d = sampleGradient(i, theta).map((v, a) => v - g[a]);
    for (let a = 0; a < P; a++) for (let b = 0; b < P; b++) c[a * P + b] += d[a] * d[b] / N;
  }
  return c;
}
/** H = (2/n) X~^T X~. */
const HESSIAN = (() => {
  const h = new Float64Array(P * P);
  for (const r of XT) {
    for (let a = 0; a < P; a++) for (let b = 0; b < P; b++) h[a * P + b] += 2 * r[a] * r[b] / N;
  }
  return h;
})();

function problem(backend: Backend) {
  const model = new Mlp(
    backend,
    { sizes: [D, 1], activation: "identity", init: "kaiming", initScale: 1 },
    "squared",
  );
  return { model, params: backend.tensor(THETA), x: backend.tensor(X, [N, D]), y: backend.tensor(Y, [N, 1]) };
}
const read = async (backend: Backend, t: Parameters<Backend["read"]>[0]) =>
  Float64Array.from(await backend.read(t));
const tol = (backend: Backend, gpu = 2e-4) =>
  backend.name === "reference" ? { rtol: 1e-10, atol: 1e-12 } : { rtol: gpu, atol: gpu };

testBothBackends("noisy GD: the row-scaled axpy equals its float64 reference", async (backend) => {
  const rows = 37, cols = 3, s = randomReference(1, rows, { seed: 1 });
  const x = randomReference(rows, cols, { seed: 2 }), y0 = randomReference(rows, cols, { seed: 3 });
  const want = Float64Array.from(y0);
  rowScaledAxpyReference(-1.7, s, x, want, cols);
  const ts = backend.tensor(s), tx = backend.tensor(x), ty = backend.tensor(y0);
  await rowScaledAxpy(backend, -1.7, ts, tx, ty, cols);
  assertClose(await read(backend, ty), want, tol(backend, 1e-5), "cols 3");
  // cols 1 with x = scales: y += alpha s^2 (the sum-of-squares use).
  const sq = Float64Array.from(s.subarray(0, rows));
  const acc = backend.tensor(new Float64Array(rows));
  await rowScaledAxpy(backend, 1, ts, ts, acc, 1);
  assertClose(await read(backend, acc), sq.map((v) => v * v), tol(backend, 1e-6), "squares");
  assert.throws(() => rowScaledAxpyReference(1, s, x, new Float64Array(3), cols), RangeError);
  backend.dispose(ts, tx, ty, acc);
});

testBothBackends(
  "noisy GD: the weighted gradient and the per-sample variances equal their closed forms",
  async (backend) => {
    const p = problem(backend), w = randomReference(1, N, { seed: 5 }); // any weights, negative ones too
    const loss = backend.zeros([1]), gradient = backend.zeros([P]);
    await weightedGradient(p.model, p.params, p.x, p.y, w, { loss, gradient });
    assertClose(await read(backend, gradient), weighted(w, THETA), tol(backend), "sum_i w_i grad l_i");
    const variance = await perSampleGradientVariance(p.model, p.params, p.x, p.y);
    const sigma = covariance(THETA);
    assertClose(
      variance,
      Array.from({ length: P }, (_, a) => sigma[a * P + a]),
      tol(backend, 1e-3),
      "diag Sigma",
    );
    const ce = new Mlp(
      backend,
      { sizes: [D, 2], activation: "identity", init: "kaiming", initScale: 1 },
      "crossEntropy",
    );
    assert.throws(
      () => new NoisyGd(ce, p.x, p.y, { noise: "sgd", learningRate: 0.1, batchSize: 2, seed: 1 }),
      TypeError,
    );
    backend.dispose(loss, gradient);
  },
);

testBothBackends(
  "noisy GD: one step of each noise kind equals the float64 update from the same draws",
  async (backend) => {
    const eta = 0.05, b = 4, seed = 9, step = 3, g = fullGradient(THETA), sigma = covariance(THETA);
    const variance = Array.from({ length: P }, (_, a) => sigma[a * P + a]);
    const z = randomReference(1, P, { seed, stream: NOISY_GD_STREAM, step });
    const trace = variance.reduce((s, v) => s + v, 0);
    const noise: Record<string, (a: number) => number> = {
      diag: (a) => Math.sqrt(variance[a] / b) * z[a],
      iso: (a) => Math.sqrt(trace / (P * b)) * z[a],
      const: (a) => (0.7 / Math.sqrt(b)) * z[a],
    };
    for (const kind of ["sgd", "diag", "iso", "const"] as const) {
      const p = problem(backend);
      const gd = new NoisyGd(p.model, p.x, p.y, {
        noise: kind,
        learningRate: eta,
        batchSize: b,
        seed,
        sigma: 0.7,
      });
      await gd.step(p.params, step);
      const want = kind === "sgd"
        ? weighted(sgdNoiseWeights(randomReference(1, N, { seed, stream: NOISY_GD_STREAM, step }), b), THETA)
          .map((v, a) => THETA[a] - eta * v)
        : THETA.map((v, a) => v - eta * (g[a] + noise[kind](a)));
      assertClose(await read(backend, p.params), want, tol(backend, 1e-4), kind);
      if (kind === "iso") {
        assertClose(
          [gd.isotropicStd],
          [Math.sqrt(trace / (P * b))],
          tol(backend, 1e-3),
          "iso std",
        );
      }
      gd.dispose();
    }
  },
);

testBothBackends("noisy GD: the sgd noise has mean 0 and covariance Sigma / b", async (backend) => {
  const p = problem(backend), eta = 0.05, b = 3, K = backend.name === "reference" ? 3000 : 200;
  const gd = new NoisyGd(p.model, p.x, p.y, { noise: "sgd", learningRate: eta, batchSize: b, seed: 2 });
  const g = fullGradient(THETA), sigma = covariance(THETA), directions = symmetricEigen(sigma, P).vectors;
  const samples: Float64Array[] = [];
  for (let k = 0; k < K; k++) {
    const at = backend.tensor(THETA);
    await gd.step(at, k);
    samples.push((await read(backend, at)).map((v, a) => (THETA[a] - v) / eta - g[a]));
    backend.dispose(at);
  }
  for (let d = 0; d < P; d++) {
    const u = Array.from({ length: P }, (_, a) => directions[a * P + d]);
    const proj = samples.map((s) => dot(s, u)),
      want = dot(u, u.map((_, a) => dot(sigma.subarray(a * P, a * P + P), u))) / b;
    const mean = proj.reduce((s, v) => s + v, 0) / K, second = proj.reduce((s, v) => s + v * v, 0) / K;
    // Gaussian: SE(mean) = sqrt(want / K), SE(second moment) = want sqrt(2 / K); 4.5 SE.
    assert(
      Math.abs(mean) <= 4.5 * Math.sqrt(want / K) + 1e-6,
      `direction ${d}: mean ${mean}, variance ${want}`,
    );
    assert(
      Math.abs(second - want) <= 4.5 * want * Math.sqrt(2 / K) + 1e-6,
      `direction ${d}: ${second} vs ${want}`,
    );
  }
  gd.dispose();
});

testBothBackends(
  "noisy GD: constant noise reaches the stationary variance eta sigma^2 / (b lambda (2 - eta lambda))",
  async (backend) => {
    const eta = 0.25, sigmaNoise = 0.8, b = 2, T = backend.name === "reference" ? 6000 : 600, burn = 50;
    const { values, vectors } = symmetricEigen(HESSIAN, P);
    const hInverse = (v: Float64Array) => { // theta* = H^-1 (2/n) X~^T y: the least-squares solution
      const out = new Float64Array(P);
      for (let k = 0; k < P; k++) {
        const u = Array.from({ length: P }, (_, a) => vectors[a * P + k]);
        const c = dot(u, v) / values[k];
        for (let a = 0; a < P; a++) out[a] += c * u[a];
      }
      return out;
    };
    const rhs = new Float64Array(P);
    for (let i = 0; i < N; i++) XT[i].forEach((v, a) => rhs[a] += 2 * v * Y[i] / N);
    const optimum = hInverse(rhs);
    const p = problem(backend);
    const gd = new NoisyGd(p.model, p.x, p.y, {
      noise: "const",
      learningRate: eta,
      batchSize: b,
      seed: 4,
      sigma: sigmaNoise,
    });
    // The flattest and the sharpest direction (webgpu: the sharpest only, fewer steps: a host wait per step).
    for (const k of backend.name === "reference" ? [0, P - 1] : [P - 1]) {
      const start = backend.tensor(optimum);
      await backend.copy(start, p.params);
      backend.dispose(start);
      const u = Array.from({ length: P }, (_, a) => vectors[a * P + k]), lambda = values[k];
      let sum = 0;
      for (let t = 0; t < burn + T; t++) {
        await gd.step(p.params, t + k * 100000);
        if (t >= burn) sum += dot((await read(backend, p.params)).map((v, a) => v - optimum[a]), u) ** 2;
      }
      const want = eta * sigmaNoise ** 2 / (b * lambda * (2 - eta * lambda));
      const rho = (1 - eta * lambda) ** 2, tau = (1 + rho) / (1 - rho); // AR(1) of the squares
      const bound = 4.5 * Math.sqrt(2 * tau / T);
      assert(
        Math.abs(sum / T / want - 1) <= bound,
        `lambda ${lambda}: ${sum / T} vs ${want} (bound ${bound})`,
      );
    }
    gd.dispose();
  },
);

testBothBackends(
  "SDE: Euler-Maruyama steps equal float64 from the same draws; mean and covariance after eta / h steps",
  async (backend) => {
    const eta = 0.08, h = 0.02, b = 2, seed = 6, k = 4;
    const sde = new SgdSde(problem(backend).model, problem(backend).x, problem(backend).y, {
      learningRate: eta,
      batchSize: b,
      h,
      seed,
    });
    assert.equal(sde.substeps, k);
    assert.throws(
      () =>
        new SgdSde(problem(backend).model, problem(backend).x, problem(backend).y, {
          learningRate: 0.1,
          batchSize: 2,
          h: 0.03,
          seed,
        }),
      RangeError,
    );
    // Exact: float64 Euler-Maruyama from the draws of step 5.
    const p = problem(backend);
    await sde.step(p.params, 5);
    let theta = Float64Array.from(THETA);
    for (let j = 0; j < k; j++) {
      const xi = randomReference(1, N, { seed, stream: NOISY_GD_STREAM + 1, step: 5, index: j });
      const g = weighted(sgdNoiseWeights(xi, b, Math.sqrt(eta / h)), theta);
      theta = theta.map((v, a) => v - h * g[a]);
    }
    assertClose(await read(backend, p.params), theta, tol(backend, 1e-4), "one SGD step of the SDE");
    // Moments: mu' = A mu + h m, S' = A S A^T + h(A mu m^T + m mu^T A^T) + h^2 m m^T + eta h E[Sigma(theta)] / b
    // with grad L = G theta - m (G = H); Sigma(theta) is quadratic in theta: (1/n) sum_i (M_i theta - m_i)(.)^T - g g^T.
    const G = HESSIAN, m = new Float64Array(P);
    for (let i = 0; i < N; i++) XT[i].forEach((v, a) => m[a] += 2 * v * Y[i] / N);
    const Ms = XT.map((r) =>
      Float64Array.from({ length: P * P }, (_, e) => 2 * r[Math.floor(e / P)] * r[e % P])
    );
    const ms = XT.map((r, i) => r.map((v) => 2 * v * Y[i]));
    const mul = (A: Float64Array, B: Float64Array) =>
      Float64Array.from({ length: P * P }, (_, e) => {
        let s = 0;
        for (let c = 0; c < P; c++) s += A[Math.floor(e / P) * P + c] * B[c * P + e % P];
        return s;
      });
    const tr = (A: Float64Array) =>
      Float64Array.from({ length: P * P }, (_, e) => A[(e % P) * P + Math.floor(e / P)]);
    const mv = (A: Float64Array, v: ArrayLike<number>) =>
      Float64Array.from({ length: P }, (_, r) => dot(A.subarray(r * P, r * P + P), v));
    const outer = (u: ArrayLike<number>, v: ArrayLike<number>) =>
      Float64Array.from({ length: P * P }, (_, e) => u[Math.floor(e / P)] * v[e % P]);
    const add = (...ts: Float64Array[]): Float64Array =>
      Float64Array.from(ts[0], (v, e) => ts.slice(1).reduce((s, t) => s + t[e], v));
    const scaled = (A: Float64Array, c: number) => A.map((v) => v * c);
    /** E[(M theta - c)(M theta - c)^T] for theta of mean mu and second moment S. */
    const second = (M: Float64Array, c: Float64Array, mu: Float64Array, S: Float64Array) => {
      const Mmu = mv(M, mu);
      return add(mul(mul(M, S), tr(M)), scaled(outer(Mmu, c), -1), scaled(outer(c, Mmu), -1), outer(c, c));
    };
    const A = Float64Array.from(
      { length: P * P },
      (_, e) => (Math.floor(e / P) === e % P ? 1 : 0) - h * G[e],
    );
    let mu: Float64Array = Float64Array.from(THETA), S: Float64Array = outer(THETA, THETA);
    for (let j = 0; j < k; j++) {
      let sigma: Float64Array = scaled(second(G, m, mu, S), -1);
      for (let i = 0; i < N; i++) sigma = add(sigma, scaled(second(Ms[i], ms[i], mu, S), 1 / N));
      const Amu = mv(A, mu);
      S = add(
        mul(mul(A, S), tr(A)),
        scaled(add(outer(Amu, m), outer(m, Amu)), h),
        scaled(outer(m, m), h * h),
        scaled(sigma, eta * h / b),
      );
      mu = Amu.map((v, a) => v + h * m[a]);
    }
    const cov = add(S, scaled(outer(mu, mu), -1));
    const K = backend.name === "reference" ? 3000 : 150;
    const samples: Float64Array[] = [];
    for (let s = 0; s < K; s++) {
      const at = backend.tensor(THETA);
      await sde.step(at, 100 + s);
      samples.push(await read(backend, at));
      backend.dispose(at);
    }
    const directions = symmetricEigen(cov, P).vectors;
    for (let d = 0; d < P; d++) {
      const u = Array.from({ length: P }, (_, a) => directions[a * P + d]);
      const want = dot(u, mv(cov, u)), center = dot(u, mu);
      const proj = samples.map((s) => dot(s, u) - center);
      const mean = proj.reduce((s, v) => s + v, 0) / K, variance = proj.reduce((s, v) => s + v * v, 0) / K;
      assert(
        Math.abs(mean) <= 4.5 * Math.sqrt(want / K) + 2e-6,
        `direction ${d}: mean ${mean}, variance ${want}`,
      );
      // Not exactly Gaussian after several multiplicative steps: 5 SE of a Gaussian's second moment.
      assert(
        Math.abs(variance - want) <= 5 * want * Math.sqrt(2 / K) + 1e-8,
        `direction ${d}: ${variance} vs ${want}`,
      );
    }
    sde.dispose();
  },
);
