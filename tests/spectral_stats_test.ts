import { assert, assertClose } from "./_assert.ts";
import { goe2SpacingDensity, wignerSurmise, wignerSurmiseScaled } from "../lib/spectral/wigner_surmise.ts";
import { gaussianDensity, goe2Density } from "../lib/spectral/goe2_density.ts";
import {
  MEAN_MIN_RATIO,
  nearestNeighbourSpacings,
  normaliseSpacings,
  pairSpacings,
  spacingRatios,
  spacingRatioSurmise,
  unfoldSpectrum,
} from "../lib/spectral/level_spacing.ts";
import { singularValues, symmetricEigenvalues } from "../lib/spectral/symmetric_eigen_large.ts";
import { symmetricEigen } from "../lib/spectral/jacobi_eigen.ts";
import { randomOrthogonal, symmetricWithSpectrum } from "../lib/reference/dyson_matrices.ts";
import { PhiloxStream } from "../lib/rng/philox.ts";

/** Composite Simpson rule of f on [a, b] with n (even) intervals. */
function simpson(f: (x: number) => number, a: number, b: number, n = 4000): number {
  const h = (b - a) / n;
  let sum = f(a) + f(b);
  for (let i = 1; i < n; i++) sum += (i % 2 ? 4 : 2) * f(a + i * h);
  return sum * h / 3;
}

Deno.test("Wigner surmises (GOE, GUE, GSE) integrate to 1 with mean spacing 1", () => {
  for (const beta of [1, 2, 4] as const) {
    const norm = simpson((s) => wignerSurmise(s, beta), 0, 12);
    const mean = simpson((s) => s * wignerSurmise(s, beta), 0, 12);
    assertClose([norm, mean], [1, 1], { atol: 1e-10 }, `beta = ${beta}`);
  }
  assert.equal(wignerSurmise(-1), 0);
  assert.throws(() => wignerSurmise(1, 3 as 1), /beta is 3/);
  // The scaled form is the notebooks' (pi/2)(S/<S>^2) e^{-pi S^2 / (4 <S>^2)}.
  const m = 0.07, S = 0.05;
  assertClose(
    [wignerSurmiseScaled(S, m)],
    [(Math.PI / 2) * S / (m * m) * Math.exp(-Math.PI * S * S / (4 * m * m))],
    { rtol: 1e-14 },
  );
  // The 2x2 GOE spacing law at width sigma is the surmise with <S> = sqrt(pi) sigma.
  const sigma = 0.3;
  assertClose([goe2SpacingDensity(0.4, sigma)], [wignerSurmiseScaled(0.4, Math.sqrt(Math.PI) * sigma)], {
    rtol: 1e-14,
  });
});

Deno.test("the 2x2-GOE one-point density integrates to 1, has mean x0 and variance 3 sigma^2 / 2", () => {
  for (const [x0, sigma] of [[4.38, 0.05], [0, 1], [-2, 3]]) {
    const a = x0 - 12 * sigma, b = x0 + 12 * sigma;
    const norm = simpson((x) => goe2Density(x, x0, sigma), a, b);
    const mean = simpson((x) => x * goe2Density(x, x0, sigma), a, b);
    // E[u^2] for one level of the pair: (E[(x1+x2)^2] + E[(x1-x2)^2]) / 4 = (2 sigma^2 + 4 sigma^2) / 4.
    const second = simpson((x) => (x - x0) ** 2 * goe2Density(x, x0, sigma), a, b);
    assertClose([norm, mean, second], [1, x0, 1.5 * sigma * sigma], { atol: 1e-9 * (1 + Math.abs(x0)) });
    assertClose([simpson((x) => gaussianDensity(x, x0, sigma), a, b)], [1], { atol: 1e-10 });
  }
  assert.throws(() => goe2Density(0, 0, 0), /sigma is 0/);
});

Deno.test("sampled 2x2 GOE pairs follow the one-point density and have <S> = sqrt(pi) sigma", () => {
  const rng = new PhiloxStream(21, 5), count = 20000, sigma = 0.2, x0 = 3;
  const values = new Float64Array(2 * count);
  for (let m = 0; m < count; m++) {
    // H = x0 + [[a, c], [c, b]], a, b ~ N(0, sigma^2), c ~ N(0, sigma^2 / 2).
    const a = sigma * rng.normal(m, 0, 0), b = sigma * rng.normal(m, 0, 1);
    const c = sigma / Math.SQRT2 * rng.normal(m, 0, 2);
    const mid = x0 + (a + b) / 2, half = Math.hypot((a - b) / 2, c);
    values[2 * m] = mid - half;
    values[2 * m + 1] = mid + half;
  }
  const [spacings] = pairSpacings(values, 2, [[0, 1]]);
  const mean = spacings.reduce((s, v) => s + v, 0) / count;
  // std of S is sigma sqrt(4 - pi); standard error ~ 0.0013 here.
  assert.ok(Math.abs(mean - Math.sqrt(Math.PI) * sigma) < 4 * sigma * Math.sqrt((4 - Math.PI) / count));
  const s = normaliseSpacings(spacings);
  const below1 = s.filter((v) => v < 1).length / count; // GOE surmise CDF at 1: 1 - e^{-pi/4}
  assert.ok(Math.abs(below1 - (1 - Math.exp(-Math.PI / 4))) < 0.015, `P(s < 1) = ${below1}`);
  const within = values.filter((v) => Math.abs(v - x0) < sigma).length / values.length;
  const want = simpson((x) => goe2Density(x, x0, sigma), x0 - sigma, x0 + sigma);
  assert.ok(Math.abs(within - want) < 0.01, `P(|x - x0| < sigma) = ${within}, density says ${want}`);
});

Deno.test("spacing ratios: surmise normalisation, <r~> constants, equal and Poisson levels", () => {
  for (const beta of [1, 2, 4] as const) {
    assertClose([simpson((r) => spacingRatioSurmise(r, beta), 0, 1) * 2], [1], { atol: 1e-10 });
    const meanMin = simpson((r) => 2 * r * spacingRatioSurmise(r, beta), 0, 1);
    assertClose([meanMin], [MEAN_MIN_RATIO.surmise[beta]], { atol: 1e-9 }, `<r~> beta = ${beta}`);
  }
  const equal = spacingRatios([0, 1, 2, 3, 4]);
  assertClose(equal.ratios, [1, 1, 1], { atol: 0 });
  const rng = new PhiloxStream(3, 1);
  let e = 0;
  const poisson = Float64Array.from({ length: 20001 }, (_, i) => (e += -Math.log(1 - rng.uniform(0, 0, i))));
  const { minRatios } = spacingRatios(poisson);
  const mean = minRatios.reduce((a, b) => a + b, 0) / minRatios.length;
  assert.ok(Math.abs(mean - MEAN_MIN_RATIO.poisson) < 0.01, `Poisson <r~> ${mean}`);
});

Deno.test("unfolding a spectrum with a polynomial staircase gives unit mean spacing", () => {
  // Levels E_i = sqrt(i + 0.5): the staircase N(E) = E^2 - 0.5 is a quadratic.
  const levels = Array.from({ length: 200 }, (_, i) => Math.sqrt(i + 0.5));
  const unfolded = unfoldSpectrum(levels, 2);
  const s = nearestNeighbourSpacings(unfolded);
  assertClose(s, new Array(199).fill(1), { atol: 1e-9 }, "unfolded spacings");
  assert.throws(() => unfoldSpectrum([1, 2], 3), /2 levels for a degree-3/);
});

Deno.test("eigensolvers recover known spectra with degenerate pairs: Jacobi and ml-matrix EVD agree", () => {
  // The 1-D periodic free field's kernel spectrum m^2 + 2 - 2 cos(2 pi n / N) is doubly degenerate.
  const N = 10, mass = 2;
  const kappa = Array.from({ length: N }, (_, n) => mass * mass + 2 - 2 * Math.cos(2 * Math.PI * n / N));
  const want = [...kappa].sort((a, b) => a - b);
  for (const spectrum of [kappa, [-3, 0.5, 0.5, 2, 7, 1e-3, 4, 4, 4]]) {
    const sorted = [...spectrum].sort((a, b) => a - b);
    const a = symmetricWithSpectrum(spectrum, 17);
    const large = symmetricEigenvalues(a, spectrum.length, { vectors: true });
    const jacobi = symmetricEigen(a, spectrum.length);
    const d1 = assertClose(large.values, sorted, { atol: 1e-12 }, "ml-matrix EVD");
    const d2 = assertClose(jacobi.values, sorted, { atol: 1e-12 }, "Jacobi");
    console.log(`n = ${spectrum.length}: EVD max diff ${d1.toExponential(2)}, Jacobi ${d2.toExponential(2)}`);
    // A v_k = lambda_k v_k for the EVD's vectors.
    const n = spectrum.length, v = large.vectors!;
    for (let k = 0; k < n; k++) {
      for (let i = 0; i < n; i++) {
        let av = 0;
        for (let j = 0; j < n; j++) av += a[i * n + j] * v[j * n + k];
        assert.ok(Math.abs(av - large.values[k] * v[i * n + k]) < 1e-11);
      }
    }
  }
  assertClose(symmetricEigenvalues(symmetricWithSpectrum(kappa, 3), N).values, want, { atol: 1e-12 });
  // A 120 x 120 case against Jacobi (float64 both).
  const big = Array.from({ length: 120 }, (_, i) => Math.sin(i) * 3 + (i % 7 === 0 ? 1 : 0));
  const a = symmetricWithSpectrum(big, 5);
  assertClose(symmetricEigenvalues(a, 120).values, [...big].sort((x, y) => x - y), { atol: 1e-11 });
  assert.throws(() => symmetricEigenvalues([1, 2, 3], 2), /3 values for a 2 x 2/);
  assert.throws(() => symmetricEigenvalues([1, NaN, NaN, 1], 2), TypeError);
});

Deno.test("singular values of U diag(s) V^T, square and rectangular, descending", () => {
  const s = [5, 2, 2, 0.5];
  const u = randomOrthogonal(6, 1), v = randomOrthogonal(4, 2);
  const a = new Float64Array(6 * 4); // U[:, :4] diag(s) V^T
  for (let i = 0; i < 6; i++) {
    for (let j = 0; j < 4; j++) {
      let sum = 0;
      for (let k = 0; k < 4; k++) sum += u[i * 6 + k] * s[k] * v[j * 4 + k];
      a[i * 4 + j] = sum;
    }
  }
  assertClose(singularValues(a, 6, 4), s, { atol: 1e-12 }, "6 x 4");
  const t = new Float64Array(4 * 6);
  for (let i = 0; i < 6; i++) for (let j = 0; j < 4; j++) t[j * 6 + i] = a[i * 4 + j];
  assertClose(singularValues(t, 4, 6), s, { atol: 1e-12 }, "4 x 6");
  assertClose(singularValues([0, 2, -3, 0], 2, 2), [3, 2], { atol: 1e-14 }, "2 x 2");
});
