import { assert, assertClose } from "./_assert.ts";
import { fitSlopeThroughOrigin } from "../lib/stats/least_squares.ts";
import { fitCurve } from "../lib/stats/curve_fit.ts";
import { gaussianDensity, goe2Density } from "../lib/spectral/goe2_density.ts";
import { PhiloxStream } from "../lib/rng/philox.ts";

function normals(n: number, seed: number): Float64Array {
  const rng = new PhiloxStream(seed, 98);
  return Float64Array.from({ length: n }, (_, i) => rng.normal(0, 0, i));
}

Deno.test("slope through the origin: exact data, closed-form error, chi^2 with 1/err^2 weights", () => {
  const exact = fitSlopeThroughOrigin([1, 2, 3], [3, 6, 9], [0.1, 0.2, 0.3]);
  assertClose([exact.slope, exact.chi2], [3, 0], { atol: 1e-14 });
  // var(a) = 1 / sum(x^2 / s^2) = 1 / (100 + 100 + 100).
  assertClose([exact.error], [1 / Math.sqrt(300)], { rtol: 1e-14 }, "slope error");
  assert.equal(exact.dof, 2);
  const fit = fitSlopeThroughOrigin([1, 2], [2.1, 3.9], [0.1, 0.2]);
  // a = (2.1/0.01 + 7.8/0.04) / (1/0.01 + 4/0.04) = (210 + 195) / 200; chi2 by hand.
  const a = 405 / 200;
  assertClose([fit.slope], [a], { rtol: 1e-14 });
  assertClose([fit.chi2], [((2.1 - a) / 0.1) ** 2 + ((3.9 - 2 * a) / 0.2) ** 2], { rtol: 1e-12 }, "chi2");
  assertClose([fit.scaledError], [fit.error * Math.sqrt(fit.chi2)], { rtol: 1e-12 });
  assert.throws(() => fitSlopeThroughOrigin([0, 0], [1, 2]), /every x is 0/);
  assert.throws(() => fitSlopeThroughOrigin([1], [1], [0]), /error 0 is 0/);
});

Deno.test("slope through the origin recovers a slope from noisy data with chi^2/dof ~ 1", () => {
  const n = 400, z = normals(n, 1);
  const x = Array.from({ length: n }, (_, i) => 0.01 + i / n);
  const sigma = x.map((v) => 0.02 + 0.05 * v);
  const y = x.map((v, i) => 1.7 * v + sigma[i] * z[i]);
  const fit = fitSlopeThroughOrigin(x, y, sigma);
  assert.ok(Math.abs(fit.slope - 1.7) < 4 * fit.error, `slope ${fit.slope} +- ${fit.error}`);
  // chi^2/dof has standard deviation sqrt(2 / dof) = 0.07.
  assert.ok(Math.abs(fit.chi2PerDof - 1) < 0.3, `chi2/dof ${fit.chi2PerDof}`);
});

Deno.test("fitCurve on a linear model gives the exact weighted least-squares covariance", () => {
  const x = [0, 1, 2, 3, 4], sigma = [0.1, 0.1, 0.2, 0.2, 0.3];
  const y = [1.02, 2.95, 5.1, 6.8, 9.3];
  const fit = fitCurve(x, y, ([a, b]) => (v) => a * v + b, { initial: [1, 0], sigma, absoluteSigma: true });
  // Normal equations: [[Sxx, Sx], [Sx, S]] (a, b) = (Sxy, Sy), covariance = inverse.
  let s = 0, sx = 0, sxx = 0, sy = 0, sxy = 0;
  x.forEach((v, i) => {
    const w = 1 / sigma[i] ** 2;
    s += w, sx += w * v, sxx += w * v * v, sy += w * y[i], sxy += w * v * y[i];
  });
  const det = sxx * s - sx * sx;
  const a = (sxy * s - sx * sy) / det, b = (sxx * sy - sx * sxy) / det;
  assertClose(fit.params, [a, b], { atol: 1e-8 }, "parameters");
  assertClose(
    fit.covariance.flat(),
    [s / det, -sx / det, -sx / det, sxx / det],
    { rtol: 1e-5 },
    "covariance",
  );
  const scaled = fitCurve(x, y, ([a, b]) => (v) => a * v + b, { initial: [1, 0], sigma });
  assertClose([scaled.errors[0]], [fit.errors[0] * Math.sqrt(fit.chi2 / 3)], { rtol: 1e-5 }, "scaled error");
});

Deno.test("fitCurve recovers (x0, sigma) of the 2x2-GOE density and a Gaussian from synthetic data", () => {
  const centres = Array.from({ length: 60 }, (_, i) => 4.0 + (i - 30) * 0.01);
  const exact = centres.map((x) => goe2Density(x, 4.05, 0.08));
  const clean = fitCurve(centres, exact, ([x0, s]) => (x) => goe2Density(x, x0, Math.abs(s)), {
    initial: [4.0, 0.1],
  });
  assertClose(clean.params, [4.05, 0.08], { atol: 1e-7 }, "exact-data fit");
  const z = normals(60, 4);
  const noisy = exact.map((d, i) => d + 0.05 * z[i]);
  const fit = fitCurve(centres, noisy, ([x0, s]) => (x) => goe2Density(x, x0, Math.abs(s)), {
    initial: [4.0, 0.1],
    sigma: new Array(60).fill(0.05),
    absoluteSigma: true,
  });
  for (const [k, want] of [[0, 4.05], [1, 0.08]] as const) {
    assert.ok(
      Math.abs(fit.params[k] - want) < 4 * fit.errors[k],
      `param ${k}: ${fit.params[k]} +- ${fit.errors[k]}`,
    );
  }
  assert.ok(fit.chi2 / fit.dof < 1.6, `chi2/dof ${fit.chi2 / fit.dof}`);
  const gauss = centres.map((x) => gaussianDensity(x, 3.98, 0.05));
  const g = fitCurve(centres, gauss, ([m, s]) => (x) => gaussianDensity(x, m, Math.abs(s)), {
    initial: [4, 0.1],
  });
  assertClose(g.params, [3.98, 0.05], { atol: 1e-7 }, "Gaussian fit");
  assert.throws(() => fitCurve([1], [1], ([a, b]) => () => a + b, { initial: [0, 0] }), /1 points for 2/);
});
