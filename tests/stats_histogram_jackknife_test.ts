import { assert, assertClose } from "./_assert.ts";
import { erf } from "../lib/stats/special.ts";
import {
  densityHistogram,
  freedmanDiaconisWidth,
  histogramMean,
  quantileSorted,
} from "../lib/stats/histogram.ts";
import { jackknife, jackknifeVector } from "../lib/stats/jackknife.ts";
import { PhiloxStream } from "../lib/rng/philox.ts";

const mean = (s: ArrayLike<number>) => Array.from(s).reduce((a, b) => a + b, 0) / s.length;
const variance = (s: ArrayLike<number>, ddof = 0) => {
  const m = mean(s);
  return Array.from(s).reduce((a, b) => a + (b - m) ** 2, 0) / (s.length - ddof);
};
function normals(n: number, seed: number): Float64Array {
  const rng = new PhiloxStream(seed, 99);
  return Float64Array.from({ length: n }, (_, i) => rng.normal(0, 0, i));
}

Deno.test("erf matches tabulated values to 1e-14 relative and is odd", () => {
  // Abramowitz & Stegun table 7.1 / high-precision values.
  const table: [number, number][] = [
    [0.01, 0.011283415555849618],
    [0.5, 0.5204998778130465],
    [1, 0.8427007929497149],
    [2, 0.9953222650189527],
    [2.9, 0.9999589021219005],
    [3.5, 0.9999992569016276],
    [5, 0.9999999999984626],
  ];
  const got = table.map(([x]) => erf(x)), want = table.map(([, v]) => v);
  const diff = assertClose(got, want, { rtol: 1e-14 }, "erf");
  assertClose(table.map(([x]) => erf(-x)), want.map((v) => -v), { rtol: 1e-14 }, "erf(-x)");
  assert.equal(erf(0), 0);
  assert.ok(Number.isNaN(erf(NaN)));
  console.log(`erf max abs diff ${diff.toExponential(2)}`);
});

Deno.test("quantiles interpolate like numpy and Freedman-Diaconis uses 2 IQR / n^(1/3)", () => {
  assert.equal(quantileSorted([1, 2, 3, 4], 0.25), 1.75);
  assert.equal(quantileSorted([1, 2, 3, 4], 1), 4);
  const values = Array.from({ length: 100 }, (_, i) => i); // IQR = 74.25 - 24.75 = 49.5
  assertClose([freedmanDiaconisWidth(values)], [2 * 49.5 / Math.cbrt(100)], { rtol: 1e-15 });
  const h = densityHistogram(values); // floor(99 / 21.33) = 4 bins
  assert.equal(h.counts.length, 4);
  assert.equal(h.counts.reduce((a, b) => a + b, 0), 100, "the maximum falls in the last bin");
  assert.throws(() => quantileSorted([], 0.5), RangeError);
  assert.throws(() => densityHistogram([1, 1, 1], { range: [1, 1] }), /range \[1, 1\] is empty/);
  assert.throws(() => densityHistogram([NaN]), /no finite values/);
});

Deno.test("a density histogram integrates to 1 and its weighted mean is within a bin of the mean", () => {
  const x = normals(4001, 3);
  const h = densityHistogram(x);
  const integral = h.density.reduce((a, d) => a + d * h.binWidth, 0);
  assertClose([integral], [1], { atol: 1e-12 }, "integral");
  assert.ok(Math.abs(histogramMean(h) - mean(x)) < h.binWidth / 2, `${histogramMean(h)} vs ${mean(x)}`);
  // An explicit range leaves values out and normalises by those inside.
  const part = densityHistogram(x, { range: [0, 3], bins: 30 });
  assert.ok(part.outside > 1800 && part.outside < 2200, `outside ${part.outside}`);
  assertClose([part.density.reduce((a, d) => a + d * part.binWidth, 0)], [1], { atol: 1e-12 });
  // The histogram of N(0, 1) samples approaches the normal density (n = 4001: ~5% per bin).
  const mid = h.centres.findIndex((c) => c > 0);
  assert.ok(Math.abs(h.density[mid] - 1 / Math.sqrt(2 * Math.PI)) < 0.06, `density near 0 ${h.density[mid]}`);
});

Deno.test("leave-one-out jackknife of the mean equals the standard error s / sqrt(n) exactly", () => {
  const x = normals(257, 5);
  const r = jackknife(x, mean);
  assertClose([r.error], [Math.sqrt(variance(x, 1) / x.length)], { rtol: 1e-12 }, "jackknife error");
  assertClose([r.estimate], [mean(x)], { rtol: 1e-15 });
  assertClose([r.biasCorrected], [mean(x)], { atol: 1e-14 }, "the mean has no bias");
});

Deno.test("jackknife bias correction turns the plug-in variance into the unbiased one", () => {
  const x = normals(101, 7);
  const r = jackknife(x, (s) => variance(s, 0));
  assertClose([r.biasCorrected], [variance(x, 1)], { rtol: 1e-12 }, "bias-corrected variance");
  // Its error for N(0, 1) data is close to sqrt(2 / n) (within 25% at n = 101).
  assert.ok(Math.abs(r.error / Math.sqrt(2 / 101) - 1) < 0.25, `error ${r.error}`);
});

Deno.test("blocked jackknife of the mean equals the standard error of the block means", () => {
  const x = normals(240, 11), blocks = 12, size = 20;
  const r = jackknife(x, mean, { blocks });
  const blockMeans = Array.from({ length: blocks }, (_, b) => mean(x.subarray(b * size, (b + 1) * size)));
  assertClose([r.error], [Math.sqrt(variance(blockMeans, 1) / blocks)], { rtol: 1e-12 }, "blocked error");
  assert.equal(r.replicates.length, blocks);
  // Correlated data: blocks see the inflated error that leave-one-out misses.
  const correlated = Float64Array.from({ length: 2000 }, (_, i) => x[Math.floor(i / 10) % 240]);
  const loo = jackknife(correlated, mean).error, blocked = jackknife(correlated, mean, { blocks: 20 }).error;
  assert.ok(blocked > 2 * loo, `blocked ${blocked} vs leave-one-out ${loo}`);
});

Deno.test("jackknifeVector handles several outputs and bad arguments are named", () => {
  const x = normals(50, 2);
  const r = jackknifeVector(x, (s) => [mean(s), 2 * mean(s)]);
  assertClose([r.error[1]], [2 * r.error[0]], { rtol: 1e-12 });
  assert.throws(() => jackknife([1], mean), /Cannot jackknife: 1 values/);
  assert.throws(() => jackknife([1, 2, 3], mean, { blocks: 4 }), RangeError);
});
