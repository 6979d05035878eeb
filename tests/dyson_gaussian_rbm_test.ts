import { assert, assertClose, assertExact } from "./_assert.ts";
import { testBothBackends, testGpuOnly } from "./_backends.ts";
import {
  freeFieldEigenvalues,
  freeFieldKernel,
  inverseKernel,
  rbmFixedPoint,
} from "../lib/dyson/free_field.ts";
import {
  type GaussianRbmConfig,
  hiddenMean,
  sampleHidden,
  sampleVisible,
  visibleMean,
} from "../lib/dyson/gaussian_rbm.ts";
import { runGaussianRbm } from "../lib/dyson/rbm_trainer.ts";
import { symmetricEigen } from "../lib/spectral/jacobi_eigen.ts";
import { ReferenceBackend } from "../lib/backend/reference.ts";
import { WebGpuBackend } from "../lib/backend/webgpu.ts";
import { PhiloxStream } from "../lib/rng/philox.ts";
import { testValues } from "./_assert.ts";

Deno.test("the free field's kernel has the closed-form doubly degenerate spectrum and the fixed point x* = mu^2 - kappa", () => {
  for (const [n, m] of [[10, 2], [7, 0.5], [1, 1.5], [2, 1]]) {
    const k = freeFieldKernel(n, m);
    assertClose(symmetricEigen(k, n).values, freeFieldEigenvalues(n, m), { atol: 1e-12 }, `N = ${n}`);
    const inv = inverseKernel(k, n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let l = 0; l < n; l++) s += k[i * n + l] * inv[l * n + j];
        assert.ok(Math.abs(s - (i === j ? 1 : 0)) < 1e-12);
      }
    }
  }
  const kappa = freeFieldEigenvalues(10, 2);
  assertClose(kappa, [4, 4.382, 4.382, 5.382, 5.382, 6.618, 6.618, 7.618, 7.618, 8], { atol: 1e-3 });
  assertClose(rbmFixedPoint([4, 8], 3), [5, 1], { atol: 1e-15 });
  assert.throws(() => rbmFixedPoint(kappa, 2.5), /mu\^2 = 6.25 must exceed max kappa = 8/);
  assert.throws(() => freeFieldKernel(0, 2), /sites is 0/);
});

Deno.test("the float64 conditionals have the closed-form means and variances", () => {
  const nv = 5, nh = 3, w = testValues(nh * nv, 4, -0.5, 0.5);
  const p = { visible: nv, hidden: nh, weights: w, mu: [3, 2.5, 3, 2, 4], eta: [0.1, -0.2, 0.3], sigma: 1.3 };
  const phi = [1, -1, 0.5, 2, 0];
  const rng = new PhiloxStream(8, 3), n = 20000;
  const sum = new Float64Array(nh), sq = new Float64Array(nh);
  for (let i = 0; i < n; i++) {
    const h = sampleHidden(p, phi, [0, 1, 2].map((e) => rng.normal(i, 0, e)));
    h.forEach((v, r) => (sum[r] += v, sq[r] += v * v));
  }
  const mean = hiddenMean(p, phi);
  for (let r = 0; r < nh; r++) {
    const m = sum[r] / n, variance = sq[r] / n - m * m;
    assert.ok(Math.abs(m - mean[r]) < 5 * p.sigma / Math.sqrt(n), `h mean ${m} vs ${mean[r]}`);
    assert.ok(Math.abs(variance / (p.sigma ** 2) - 1) < 0.05, `h variance ${variance}`);
  }
  let direct = 0; // sigma^2 (W phi)_0 + eta_0 by hand
  for (let c = 0; c < nv; c++) direct += w[c] * phi[c];
  assertClose([mean[0]], [p.sigma ** 2 * direct + 0.1], { atol: 1e-14 });
  const h = [0.4, -1, 2], vm = visibleMean(p, h);
  const v = sampleVisible(p, h, [1, 0, 0, 0, 0]);
  assertClose([v[0] - vm[0], v[1] - vm[1]], [1 / 3, 0], { atol: 1e-14 }, "phi = mean + z / mu");
});

const SMALL: GaussianRbmConfig = {
  visible: 7,
  hidden: 5,
  targetKernel: freeFieldKernel(7, 2),
  settings: [
    { learningRate: 0.1, batchSize: 4 },
    { learningRate: 0.05, batchSize: 3, momentum: 0.5, l2: 0.01, muMode: "local" },
    { learningRate: 0.08, batchSize: 2, muMode: "global", momentum: 0.2 },
  ],
  seeds: 3,
  epochs: 30,
  saveInterval: 10,
  mu0: 3,
  eta: [0.1, 0, -0.1, 0.05, 0],
  seed: 11,
};

testGpuOnly(
  "the fused RBM kernel matches the float64 loop over 30 epochs (same Philox draws)",
  async (gpu) => {
    const want = await runGaussianRbm(new ReferenceBackend(), SMALL);
    const got = await runGaussianRbm(new WebGpuBackend(gpu), SMALL);
    // f32 vs f64 (Box-Muller ~1e-6 relative, sums of <= 12 terms): trajectories stay within 1e-4.
    const dw = assertClose(got.weights, want.weights, { atol: 2e-5, rtol: 1e-4 }, "W");
    const dm = assertClose(got.mu, want.mu, { atol: 2e-5, rtol: 1e-5 }, "mu");
    const ds = assertClose(got.snapshots, want.snapshots, { atol: 2e-5, rtol: 1e-4 }, "snapshots");
    const dc = assertClose(got.chains, want.chains, { atol: 1e-4, rtol: 1e-4 }, "chains");
    assertExact(got.failedAt, want.failedAt, "failed");
    console.log(
      `max |gpu - f64|: W ${dw.toExponential(2)}, mu ${dm.toExponential(2)}, snapshots ${
        ds.toExponential(2)
      }, chains ${dc.toExponential(2)}`,
    );
    assert.ok(Math.abs(got.mu[SMALL.seeds * 7] - 3) > 1e-4, "mu is trained in the local setting");
    assertExact(got.mu.subarray(0, 7), new Array(7).fill(3), "mu frozen in setting 0");
  },
);

testGpuOnly(
  "RBM results do not depend on epochs per dispatch or on which settings share a dispatch",
  async (gpu) => {
    const backend = new WebGpuBackend(gpu);
    const config = { ...SMALL, epochs: 70, saveInterval: 35 };
    const whole = await runGaussianRbm(backend, config);
    const ones = await runGaussianRbm(backend, { ...config, epochsPerDispatch: 1 });
    assert.equal(ones.dispatches, 70); // two groups of completed-epoch checks
    assertExact(ones.weights, whole.weights, "1-epoch dispatches");
    assertExact(ones.snapshots, whole.snapshots, "snapshots");
    const sevens = await runGaussianRbm(backend, { ...config, epochsPerDispatch: 7 });
    assertExact(sevens.weights, whole.weights, "7-epoch dispatches");
    const alone = await runGaussianRbm(backend, {
      ...config,
      settings: [{ ...SMALL.settings[1], seed: 12 }],
    });
    const n = 3 * 35;
    assertExact(alone.weights, whole.weights.subarray(n, 2 * n), "setting 1 alone vs within the sweep");
  },
);

testBothBackends("a diverging setting is marked failed without touching the others", async (backend) => {
  const config: GaussianRbmConfig = {
    ...SMALL,
    settings: [{ learningRate: 400, batchSize: 2 }, { learningRate: 0.05, batchSize: 2, seed: 12 }],
    seeds: 2,
    epochs: 40,
  };
  const result = await runGaussianRbm(backend, config);
  assert.ok(result.failedAt[0] > 0 && result.failedAt[1] > 0, `failed at ${result.failedAt}`);
  assertExact(result.failedAt.subarray(2), [0, 0], "healthy setting");
  const alone = await runGaussianRbm(backend, { ...config, settings: [config.settings[1]] });
  assertExact(result.weights.subarray(2 * 35), alone.weights, "healthy seeds unaffected");
  assert.ok(result.weights.subarray(2 * 35).every(Number.isFinite));
});

testBothBackends(
  "conditional moments: one Gibbs step from v = 1 has the closed-form mean and covariance",
  async (backend) => {
    const nv = 3, nh = 2, sigma = 1, mu = 2;
    const w = [0.5, -0.3, 0.2, 0.1, 0.4, -0.6];
    const result = await runGaussianRbm(backend, {
      visible: nv,
      hidden: nh,
      targetKernel: freeFieldKernel(nv, 2),
      settings: [{ learningRate: 0, batchSize: 8 }],
      seeds: 256,
      epochs: 1,
      gibbsSteps: 1,
      mu0: mu,
      sigma,
      initialWeights: w,
      seed: 5,
    });
    const wf = Array.from(Float32Array.from(w));
    // E[v] = W^T (sigma^2 W 1) / mu^2; Cov v = sigma^2 W^T W / mu^4 + I / mu^2.
    const wOne = [0, 1].map((r) => wf[3 * r] + wf[3 * r + 1] + wf[3 * r + 2]);
    const n = 256 * 8;
    for (let c = 0; c < nv; c++) {
      const mean = (wf[c] * wOne[0] + wf[3 + c] * wOne[1]) * sigma * sigma / (mu * mu);
      const variance = sigma * sigma * (wf[c] ** 2 + wf[3 + c] ** 2) / mu ** 4 + 1 / (mu * mu);
      let s = 0, sq = 0;
      for (let i = 0; i < n; i++) (s += result.chains[i * nv + c], sq += result.chains[i * nv + c] ** 2);
      const m = s / n, v = sq / n - m * m;
      assert.ok(Math.abs(m - mean) < 5 * Math.sqrt(variance / n), `unit ${c}: mean ${m} vs ${mean}`);
      assert.ok(Math.abs(v / variance - 1) < 5 * Math.sqrt(2 / n), `unit ${c}: variance ${v} vs ${variance}`);
    }
  },
);

testBothBackends(
  "for a small learning rate the mean eigenvalues of W^T W approach x* = mu^2 - kappa",
  async (backend) => {
    const n = 4, mu = 4, seeds = 8;
    const init = Array.from({ length: n * n }, (_, i) => (i % (n + 1) === 0 ? 2 : 0)); // x = 4 for every mode
    const result = await runGaussianRbm(backend, {
      visible: n,
      hidden: n,
      targetKernel: freeFieldKernel(n, 2),
      settings: [{ learningRate: 0.05, batchSize: 32 }],
      seeds,
      epochs: 1500,
      mu0: mu,
      initialWeights: init,
      seed: 3,
    });
    const xStar = rbmFixedPoint(freeFieldEigenvalues(n, 2), mu).sort(); // 8, 10, 10, 12
    const mean = new Float64Array(n);
    for (let s = 0; s < seeds; s++) {
      const w = result.weights.subarray(s * n * n, (s + 1) * n * n), wtw = new Float64Array(n * n);
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) for (let r = 0; r < n; r++) wtw[i * n + j] += w[r * n + i] * w[r * n + j];
      }
      symmetricEigen(wtw, n).values.forEach((x, i) => (mean[i] += x / seeds));
    }
    // Stationary width sqrt(alpha (mu^2 - kappa) / |B|) ~ 0.1 per mode and the pair's repulsion
    // (~0.2) set the tolerance; the start x = 4 is 4 to 8 away.
    console.log(`mean x ${Array.from(mean, (x) => x.toFixed(3))} vs x* ${Array.from(xStar)}`);
    assertClose(mean, xStar, { atol: 0.35 }, "mean eigenvalues");
    assertClose([mean[1] + mean[2]], [xStar[1] + xStar[2]], { atol: 0.3 }, "degenerate pair centre");
  },
);

testBothBackends(
  "RBM snapshots hold the initial state in slot 0 and the final state in the last slot",
  async (backend) => {
    const result = await runGaussianRbm(backend, { ...SMALL, settings: [SMALL.settings[1]], epochs: 20 });
    const snap = 35 + 7;
    assert.deepEqual(result.snapshotEpochs, [0, 10, 20]);
    assertExact(
      result.snapshots.subarray(2 * snap, 2 * snap + 35),
      result.weights.subarray(0, 35),
      "last slot",
    );
    assertExact(result.snapshots.subarray(35, 42), new Array(7).fill(3), "slot 0 mu");
    assert.ok(
      result.snapshots.subarray(0, 35).some((v, i) => v !== result.snapshots[snap + i]),
      "slots differ",
    );
  },
);

testBothBackends("bad RBM configurations name the problem", async (backend) => {
  await assert.rejects(runGaussianRbm(backend, { ...SMALL, seeds: 0 }), /seeds is 0/);
  await assert.rejects(
    runGaussianRbm(backend, { ...SMALL, settings: [{ learningRate: 0.1, batchSize: 0 }] }),
    /settings\[0\].batchSize is 0/,
  );
  await assert.rejects(runGaussianRbm(backend, { ...SMALL, targetKernel: [1] }), /targetKernel has 1 values/);
  await assert.rejects(runGaussianRbm(backend, { ...SMALL, settings: [] }), /settings is empty/);
  if (backend.name === "webgpu") {
    await assert.rejects(
      runGaussianRbm(backend, { ...SMALL, visible: 13, targetKernel: freeFieldKernel(13, 2) }),
      /at most 12/,
    );
  }
});
