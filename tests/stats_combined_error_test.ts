import { assert, assertClose } from "./_assert.ts";
import { lnGamma, regularizedIncompleteBeta, studentTCdf, studentTQuantile } from "../lib/stats/student_t.ts";
import { combineRandomEffects, TWO_SIGMA_COVERAGE } from "../lib/stats/random_effects.ts";
import { jackknife } from "../lib/stats/jackknife.ts";
import { slopeAcrossDatasets } from "../lib/dyson/dataset_combination.ts";
import type { ScalingPoint } from "../lib/dyson/dyson_plots.ts";
import { PhiloxStream } from "../lib/rng/philox.ts";

Deno.test("Student t: quantiles against tables, the CDF's symmetry, the normal limit", () => {
  // Tables (e.g. Abramowitz and Stegun 26.10): t_{0.975} for 1, 2, 4, 10 dof; t_{0.995} for 3 dof.
  assertClose(
    [1, 2, 4, 10].map((dof) => studentTQuantile(0.975, dof)),
    [12.706204736, 4.302652730, 2.776445105, 2.228138852],
    { rtol: 1e-8 },
    "t_0.975",
  );
  assertClose([studentTQuantile(0.995, 3)], [5.840909310], { rtol: 1e-8 });
  assertClose([studentTQuantile(0.025, 4)], [-2.776445105], { rtol: 1e-8 });
  // 1 dof is Cauchy: F(t) = 1/2 + atan(t) / pi; 2 dof: F(t) = 1/2 + t / (2 sqrt(2 + t^2)).
  for (const t of [-3, -0.5, 0, 0.7, 4]) {
    assertClose([studentTCdf(t, 1)], [0.5 + Math.atan(t) / Math.PI], { atol: 1e-13 }, `Cauchy ${t}`);
    assertClose([studentTCdf(t, 2)], [0.5 + t / (2 * Math.sqrt(2 + t * t))], { atol: 1e-13 }, `t2 ${t}`);
  }
  assertClose([studentTQuantile(0.5 + TWO_SIGMA_COVERAGE / 2, Infinity)], [2], { rtol: 1e-9 });
  assertClose([studentTQuantile(0.5 + TWO_SIGMA_COVERAGE / 2, 1e6)], [2], { rtol: 1e-5 });
  assertClose([lnGamma(0.5), lnGamma(10)], [0.5 * Math.log(Math.PI), Math.log(362880)], { rtol: 1e-13 });
  // I_x(1, b) = 1 - (1 - x)^b.
  assertClose([regularizedIncompleteBeta(0.3, 1, 2.5)], [1 - 0.7 ** 2.5], { rtol: 1e-13 });
  assert.throws(() => studentTQuantile(1, 3), /p is 1/);
  assert.throws(() => studentTCdf(0, 0), /dof is 0/);
});

Deno.test("random-effects combination: K = 1 is the estimate, hand-computed K = 3, Q and tau", () => {
  const one = combineRandomEffects([1.7816490446066877], [0.012569497242954107]);
  assert.equal(one.mean, 1.7816490446066877);
  assert.equal(one.error, 0.012569497242954107);
  assert.ok(Number.isNaN(one.betweenError) && one.twoSigmaFactor === 2);
  // Equal errors 0.1: fixed mean 2, Q = (1 + 0 + 1) / 0.01 = 200, tau^2 = (200 - 2) / (300 - 100) = 0.99,
  // random-effects weights equal: mean 2; Hartung-Knapp variance = sample variance / K = 1 / 3.
  const c = combineRandomEffects([1, 2, 3], [0.1, 0.1, 0.1]);
  assertClose([c.mean, c.qPerDof, c.betweenSd ** 2], [2, 100, 0.99], { rtol: 1e-12 });
  assertClose([c.error, c.withinError], [Math.sqrt(1 / 3), 0.1 / Math.sqrt(3)], { rtol: 1e-12 });
  assertClose([c.betweenError], [Math.sqrt(1 / 3 - 0.01 / 3)], { rtol: 1e-12 });
  assertClose([c.twoSigmaFactor], [studentTQuantile(0.5 + TWO_SIGMA_COVERAGE / 2, 2)], { rtol: 1e-14 });
  // Estimates that agree within their errors: tau = 0 and the error is the within error (DL's floor).
  const agree = combineRandomEffects([1, 1.01, 0.99], [0.1, 0.1, 0.1]);
  assert.equal(agree.betweenSd, 0);
  assertClose([agree.error], [agree.withinError], { rtol: 1e-12 });
  assert.throws(() => combineRandomEffects([1, 2], [0.1, 0]), /estimate 1 is 2 \+- 0/);
  assert.throws(() => combineRandomEffects([], []), /0 estimates/);
});

/**
 * Synthetic ensembles with a planted between-dataset spread: dataset k has its own true value
 * mu + delta_k, delta_k ~ N(0, tau^2); its ensemble is `members` draws N(mu + delta_k, s^2), whose mean
 * and (blocked) jackknife error are the dataset's estimate. Returns the fraction of trials whose
 * 2-sigma interval (combined error, Student t) covers mu, and that of the jackknife errors alone.
 */
function coverage(datasets: number, tau: number, trials: number, seed: number) {
  const rng = new PhiloxStream(seed, 0x5e7), members = 40, s = 0.12; // jackknife error about 0.02
  const mean = (x: Float64Array) => x.reduce((a, b) => a + b, 0) / x.length;
  let combined = 0, within = 0;
  for (let t = 0; t < trials; t++) {
    const estimates: number[] = [], errors: number[] = [];
    for (let k = 0; k < datasets; k++) {
      const shift = tau * rng.normal(t, k, 0);
      const sample = Float64Array.from({ length: members }, (_, m) => shift + s * rng.normal(t, k, 4 + m));
      const jk = jackknife(sample, mean, { blocks: 10 });
      estimates.push(jk.estimate);
      errors.push(jk.error);
    }
    const c = combineRandomEffects(estimates, errors);
    if (Math.abs(c.mean) <= c.twoSigmaFactor * c.error) combined++;
    if (Math.abs(c.mean) <= 2 * c.withinError) within++;
  }
  return { combined: combined / trials, within: within / trials };
}

Deno.test("random-effects combination covers a planted between-dataset spread at close to 2-sigma coverage", () => {
  // 1000 trials: the coverage's standard error is sqrt(0.95 0.05 / 1000) = 0.007.
  for (const [datasets, tau] of [[5, 0.06], [3, 0.06], [8, 0.03]]) {
    const c = coverage(datasets, tau, 1000, datasets);
    assert.ok(
      c.combined > TWO_SIGMA_COVERAGE - 0.025 && c.combined < 0.99,
      `K = ${datasets}, tau = ${tau}: coverage ${c.combined} (nominal ${TWO_SIGMA_COVERAGE.toFixed(4)})`,
    );
    // The planted spread is real: the jackknife errors alone cover far less often.
    assert.ok(c.within < 0.75, `K = ${datasets}: jackknife-only coverage ${c.within}`);
  }
  // Without a spread the interval stays valid (the DL floor makes it slightly conservative).
  const none = coverage(5, 0, 1000, 11);
  assert.ok(none.combined > TWO_SIGMA_COVERAGE - 0.025, `tau = 0: coverage ${none.combined}`);
});

Deno.test("slopes across synthetic datasets: the combined error covers a planted slope spread; K = 1 is the fit", () => {
  // Dataset k has slope a + delta_k (delta_k ~ N(0, tau^2)); each point y_j = (a + delta_k) x_j + noise
  // with a known per-point error: the jackknife-like error of one dataset misses tau.
  const x = [0.004, 0.006, 0.008, 0.01, 0.012, 0.016], a = Math.sqrt(Math.PI), tau = 0.05, err = 0.0001;
  const rng = new PhiloxStream(5, 0x5e8);
  const trials = 800, datasets = 5;
  let covered = 0, coveredWithin = 0, consistent = 0;
  for (let t = 0; t < trials; t++) {
    const sets: ScalingPoint[][] = Array.from({ length: datasets }, (_, k) => {
      const slope = a + tau * rng.normal(t, k, 0);
      return x.map((v, j) => ({
        series: "s",
        x: v,
        y: slope * v + err * rng.normal(t, k, 4 + j),
        error: err,
      }));
    });
    const r = slopeAcrossDatasets(sets, { value: a, name: "sqrt(pi)" });
    if (Math.abs(r.slope - a) <= r.twoSigmaFactor * r.error) covered++;
    if (Math.abs(r.slope - a) <= 2 * r.withinError) coveredWithin++;
    if (r.consistent) consistent++;
    if (t === 0) {
      assert.equal(r.points.length, x.length);
      assert.ok(r.betweenError > 3 * r.withinError, `between ${r.betweenError}, within ${r.withinError}`);
      assert.ok(r.slopeSpreadChi2PerDof > 10, `Q/dof ${r.slopeSpreadChi2PerDof}`);
      assert.match(r.verdict, /^consistent with sqrt\(pi\) at 2 sigma: (yes|no)$/);
    }
  }
  assert.equal(consistent, covered);
  assert.ok(covered / trials > TWO_SIGMA_COVERAGE - 0.03, `coverage ${covered / trials}`);
  assert.ok(coveredWithin / trials < 0.5, `jackknife-only coverage ${coveredWithin / trials}`);

  // K = 1: the single dataset's fit, bit for bit, and a verdict that says what it rests on.
  const single = x.map((v, j) => ({ series: "s", x: v, y: 1.8 * v * (1 + 0.01 * j), error: 0.0002 }));
  const one = slopeAcrossDatasets([single], { value: a, name: "sqrt(pi)" });
  assert.equal(one.slope, one.line.slope);
  assert.equal(one.error, one.line.error);
  assert.deepEqual(one.points, single);
  assert.match(one.verdict, /jackknife error only/);
  // A point with no error in one dataset is left out of every dataset.
  const holed = single.map((p, j) => (j === 2 ? { ...p, error: 0 } : p));
  assert.equal(
    slopeAcrossDatasets([single, holed], { value: a, name: "sqrt(pi)" }).points.length,
    x.length - 1,
  );
  // A point with an infinite error (no weight) in one dataset keeps no weight in the combination.
  const unweighted = single.map((p, j) => (j === 2 ? { ...p, error: Infinity } : p));
  const pooled = slopeAcrossDatasets([single, unweighted], { value: a, name: "sqrt(pi)" }, "ensemble");
  assert.equal(pooled.points[2].error, Infinity);
  assert.ok(Number.isFinite(pooled.slope) && Number.isFinite(pooled.chi2PerDof));
  assert.match(one.verdict, /one dataset cannot show the between-dataset spread/);
});
