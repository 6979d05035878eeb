import { assert, assertClose, assertExact } from "./_assert.ts";
import {
  HE3_UNNORMALISED,
  LegacySpike,
  Perceptron,
  RademacherCumulant,
  type Samples,
  SkewedCumulant,
  whiteningCoefficient,
} from "../lib/teacher_student/samplers.ts";
import { activationCoefficients, evaluateActivation } from "../lib/activations.ts";
import { initializeWeights, teacherDirection } from "../lib/teacher_student/init.ts";

const D = 6, N = 20000;

/** Sample covariance (uncentred: every model has mean 0) [d, d]. */
function covariance({ x }: Samples, d: number): Float64Array {
  const n = x.length / d, c = new Float64Array(d * d);
  for (let s = 0; s < n; s++) {
    for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) c[i * d + j] += x[s * d + i] * x[s * d + j] / n;
  }
  return c;
}

/** Moments of the projections x.v: mean, variance, skewness, excess kurtosis. */
function moments({ x }: Samples, v: ArrayLike<number>) {
  const d = v.length, n = x.length / d;
  const p = Float64Array.from({ length: n }, (_, s) => {
    let t = 0;
    for (let i = 0; i < d; i++) t += x[s * d + i] * v[i];
    return t;
  });
  const mean = p.reduce((a, b) => a + b, 0) / n;
  const c = (k: number) => p.reduce((a, b) => a + (b - mean) ** k, 0) / n;
  const variance = c(2);
  return { mean, variance, skewness: c(3) / variance ** 1.5, kurtosis: c(4) / variance ** 2 - 3 };
}

const identity = Float64Array.from({ length: D * D }, (_, i) => (i % (D + 1) === 0 ? 1 : 0));
/** A unit vector orthogonal to u. */
function orthogonal(u: Float64Array): Float64Array {
  const v = Float64Array.from(u, (_, i) => (i === 0 ? 1 : 0));
  const m = u[0];
  const w = v.map((x, i) => x - m * u[i]);
  const norm = Math.hypot(...w);
  return w.map((x) => x / norm);
}

// Standard errors at n = 20000: covariance entries ~0.007, skewness ~0.017, kurtosis ~0.035 (Gaussian);
// tolerances are about 5 standard errors.
Deno.test("Perceptron: x ~ N(0, I), y = He3(u.x) (normalised), output noise adds variance", () => {
  const model = new Perceptron({ d: D, seed: 3 });
  const data = model.sample(N);
  assertClose(covariance(data, D), identity, { atol: 0.04 }, "covariance");
  const he3 = activationCoefficients("he3");
  for (let s = 0; s < 50; s++) {
    let h = 0;
    for (let i = 0; i < D; i++) h += data.x[s * D + i] * model.direction[i];
    assert.ok(Math.abs(data.y[s] - evaluateActivation(he3, h)) < 1e-12);
  }
  const ey2 = data.y.reduce((a, b) => a + b * b, 0) / N;
  assert.ok(Math.abs(ey2 - 1) < 0.1, `E y^2 = ${ey2}, normalised He3 has 1`);
  const raw = new Perceptron({ d: D, seed: 3, activation: HE3_UNNORMALISED }).sample(N);
  const ey2raw = raw.y.reduce((a, b) => a + b * b, 0) / N;
  assert.ok(Math.abs(ey2raw / 6 - 1) < 0.1, `E y^2 = ${ey2raw}, unnormalised He3 has 6`);
  const noisy = new Perceptron({ d: D, seed: 3, noise: 0.5 }).sample(N);
  let r2 = 0;
  for (let s = 0; s < N; s++) r2 += (noisy.y[s] - data.y[s]) ** 2 / N; // same x, same words
  assert.ok(Math.abs(r2 - 0.25) < 0.02, `noise variance ${r2}, expected 0.25`);
});

Deno.test("samplers: same seed same bits, sample(n, {index}) is a window of the stream, walkers differ", () => {
  const model = new RademacherCumulant({ d: 7, seed: 11 });
  const a = model.sample(5), b = model.sample(3, { index: 2 });
  assertExact(b.x, a.x.subarray(2 * 7), "x window");
  assertExact(b.y, a.y.subarray(2), "y window");
  assertExact(new RademacherCumulant({ d: 7, seed: 11 }).sample(5).x, a.x, "same seed");
  const other = model.sample(5, { walker: 1 });
  assert.ok(other.x.some((v, i) => v !== a.x[i]), "walker 1 draws other numbers");
});

Deno.test("RademacherCumulant: whitened covariance = I, excess kurtosis along u = -2 beta^2 / (1 + beta)^2", () => {
  const beta = 5;
  const model = new RademacherCumulant({ d: D, seed: 1, beta, pSpike: 1 });
  const data = model.sample(N);
  assert.ok(data.y.every((y) => y === 1));
  assertClose(covariance(data, D), identity, { atol: 0.04 }, "whitened covariance");
  const along = moments(data, model.direction);
  const want = -2 * beta ** 2 / (1 + beta) ** 2; // -1.389
  assert.ok(Math.abs(along.kurtosis - want) < 0.08, `kurtosis along u ${along.kurtosis}, expected ${want}`);
  const across = moments(data, orthogonal(model.direction));
  assert.ok(Math.abs(across.kurtosis) < 0.2, `kurtosis across u ${across.kurtosis}, expected 0`);
  // The mixture with Gaussian label -1 samples keeps covariance I, labels are +-1 at rate pSpike.
  const mixed = new RademacherCumulant({ d: D, seed: 1, beta, pSpike: 0.3 }).sample(N);
  assertClose(covariance(mixed, D), identity, { atol: 0.04 }, "mixture covariance");
  const plus = mixed.y.filter((y) => y === 1).length / N;
  assert.ok(mixed.y.every((y) => y === 1 || y === -1) && Math.abs(plus - 0.3) < 0.02, `P(+1) = ${plus}`);
  // Without whitening the variance along u is 1 + beta.
  const raw = moments(
    new RademacherCumulant({ d: D, seed: 1, beta, pSpike: 1, whiten: false }).sample(N),
    model.direction,
  );
  assert.ok(Math.abs(raw.variance / (1 + beta) - 1) < 0.03, `unwhitened variance ${raw.variance}`);
});

Deno.test("whitening: S = I - a u u^T satisfies S (I + beta u u^T) S = I along u", () => {
  for (const beta of [0, 0.5, 5, 100]) {
    const a = whiteningCoefficient(beta);
    // along u: (1 - a)^2 (1 + beta) = 1
    assertClose([(1 - a) ** 2 * (1 + beta)], [1], { atol: 1e-14 }, `beta ${beta}`);
  }
});

Deno.test("SkewedCumulant: skewness along u = (beta / (1 + beta))^{3/2} (1 - 2 rho) / sqrt(rho (1 - rho))", () => {
  const beta = 5, rho = 0.7;
  const model = new SkewedCumulant({ d: D, seed: 2, beta, rho, pSpike: 1 });
  const data = model.sample(N);
  assertClose(covariance(data, D), identity, { atol: 0.04 }, "whitened covariance");
  const m = moments(data, model.direction);
  const want = (beta / (1 + beta)) ** 1.5 * (1 - 2 * rho) / Math.sqrt(rho * (1 - rho)); // -0.664
  assert.ok(Math.abs(m.skewness - want) < 0.06, `skewness ${m.skewness}, expected ${want}`);
  assert.ok(Math.abs(m.mean) < 0.03, `mean along u ${m.mean}`);
});

Deno.test("LegacySpike: variance 1 along u, excess kurtosis -2 snr^4", () => {
  const snr = 0.9;
  const model = new LegacySpike({ d: D, seed: 4, snr, pSpike: 1 });
  const m = moments(model.sample(N), model.direction);
  assert.ok(Math.abs(m.variance - 1) < 0.03, `variance ${m.variance}`);
  assert.ok(Math.abs(m.kurtosis + 2 * snr ** 4) < 0.08, `kurtosis ${m.kurtosis}, expected ${-2 * snr ** 4}`);
});

Deno.test("initializeWeights: unit rows; positive gives m >= 0; fixed gives m = m0 exactly", () => {
  const u = teacherDirection(33, 5);
  assertClose([Math.hypot(...u)], [1], { atol: 1e-6 }, "|u|");
  const dot = (w: Float64Array, k: number) =>
    w.subarray(k * 33, (k + 1) * 33).reduce((s, v, i) => s + v * u[i], 0);
  const positive = initializeWeights(u, 20, 5, "positive");
  for (let k = 0; k < 20; k++) assert.ok(dot(positive, k) >= 0);
  const fixed = initializeWeights(u, 4, 5, { fixed: -0.3 });
  for (let k = 0; k < 4; k++) assertClose([dot(fixed, k)], [-0.3], { atol: 1e-6 }, "fixed m0");
  const two = initializeWeights(u, 2, 5, "random", 3);
  assertExact(two, initializeWeights(u, 5, 5).subarray(3 * 33), "walker offset");
});

Deno.test("samplers and init reject bad arguments", () => {
  assert.throws(() => new Perceptron({ d: 0 }), /d is 0, must be an integer >= 1/);
  assert.throws(() => new SkewedCumulant({ d: 3, rho: 1 }), /rho is 1/);
  assert.throws(() => new LegacySpike({ d: 3, snr: 2 }), /snr is 2/);
  assert.throws(() => new RademacherCumulant({ d: 3, pSpike: 1.5 }), /pSpike is 1.5/);
  assert.throws(() => new Perceptron({ d: 3, direction: [1, 0] }), /direction has length 2/);
  assert.throws(() => new Perceptron({ d: 3 }).sample(-1), /n is -1/);
  assert.throws(() => initializeWeights(teacherDirection(3, 0), 1, 0, { fixed: 2 }), /m0 is 2/);
});
