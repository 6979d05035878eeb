/**
 * Evaluation of learned representations (LPL-08, 15): the logistic-regression probe on both backends
 * against the float64 Newton solution and on separable data, the stratified split, participation ratio,
 * class distances, PCA, activation statistics and the .npy export.
 */
import { assert, assertClose } from "./_assert.ts";
import { testBothBackends } from "./_backends.ts";
import { PhiloxStream } from "../lib/rng/philox.ts";
import { fitLogisticProbe, probeAccuracy } from "../lib/probes/logistic_probe.ts";
import { fitLogisticProbeReference, probeObjective } from "../lib/reference/lpl_logistic_probe.ts";
import { stratifiedSplit } from "../lib/probes/stratified_split.ts";
import { splitProbe } from "../lib/probes/split_probe.ts";
import { participationRatio } from "../lib/probes/participation_ratio.ts";
import { pca } from "../lib/probes/pca.ts";
import { classDistances } from "../lib/probes/class_distances.ts";
import { activationStats, beforeAfterCosine } from "../lib/probes/activation_stats.ts";
import { exportActivations, importActivations } from "../lib/probes/activation_export.ts";

/** Gaussian blobs: class c centred at `separation` * e_c (in dims >= classes), unit noise times `noise`. */
function blobs(rows: number, dims: number, classes: number, separation: number, noise: number, seed: number) {
  const rng = new PhiloxStream(seed, 7);
  const features = new Float64Array(rows * dims), labels: number[] = [];
  for (let i = 0; i < rows; i++) {
    const y = i % classes;
    labels.push(y);
    for (let j = 0; j < dims; j++) {
      features[i * dims + j] = (j === y ? separation : 0) + noise * rng.normal(i, 0, j);
    }
  }
  return { features, labels };
}

testBothBackends(
  "probe: L-BFGS on the backend matches the float64 Newton solution (C = 1)",
  async (backend) => {
    const rows = 90, dims = 5, classes = 3;
    const { features, labels } = blobs(rows, dims, classes, 1.0, 1.0, 3);
    const x = backend.tensor(features, [rows, dims]);
    const fit = await fitLogisticProbe(backend, x, labels, classes);
    const ref = fitLogisticProbeReference({ features, labels, rows, dims, classes, penalty: 1 / rows });
    assert.ok(ref.gradientMax < 1e-10, `reference gradient ${ref.gradientMax}`);
    assert.ok(fit.converged, `probe did not converge: max |grad| ${fit.gradientMax} after ${fit.iterations}`);
    const got = [...fit.weights, ...fit.bias];
    // Distance to the minimiser <= |grad| / (smallest Hessian eigenvalue >= lambda = 1/90): 1e-5 * 90 ~ 1e-3.
    const diff = assertClose(got, ref.params, { atol: backend.name === "reference" ? 2e-4 : 2e-3 }, "W, b");
    assertClose([fit.loss], [ref.loss], { atol: 1e-6, rtol: 1e-5 }, "objective");
    // The objective the backend minimised is the reference objective at the backend's parameters.
    const f = probeObjective({ features, labels, rows, dims, classes, penalty: 1 / rows }, got).loss;
    assertClose([f], [ref.loss], { atol: 1e-8, rtol: 1e-6 }, "F(theta_backend) - F*");
    console.log(`  ${backend.name}: ${fit.iterations} iterations, max |dW| ${diff.toExponential(2)}`);
    backend.dispose(x);
  },
);

testBothBackends("probe: reaches 100% on separable blobs and ~chance on shuffled labels", async (backend) => {
  const rows = 400, dims = 8, classes = 4;
  const { features, labels } = blobs(rows, dims, classes, 6, 0.5, 11);
  const r = await splitProbe(backend, features, labels, dims, { seed: 1 });
  assert.equal(r.testRows, 80);
  assert.equal(r.testAccuracy, 1, `test accuracy ${r.testAccuracy}`);
  assert.equal(r.trainAccuracy, 1);
  const shuffled = labels.map((_, i) => labels[(i * 7 + 3) % rows] ^ (i % 3 === 0 ? 1 : 0));
  const noise = blobs(rows, dims, classes, 0, 1, 12);
  const n = await splitProbe(backend, noise.features, shuffled, dims, { seed: 1, classes });
  assert.ok(n.testAccuracy < 0.45, `noise features gave test accuracy ${n.testAccuracy}`);
});

testBothBackends("probe: accuracy on a fixed set is the share of argmax hits", async (backend) => {
  const x = backend.tensor([1, 0, 0, 1, -1, 0], [3, 2]);
  const fit = {
    dims: 2,
    classes: 2,
    weights: Float64Array.from([1, 0, 0, 1]),
    bias: new Float64Array(2),
    loss: 0,
    gradientMax: 0,
    iterations: 0,
    evaluations: 0,
    converged: true,
  };
  assert.equal(await probeAccuracy(backend, x, [0, 1, 0], fit), 2 / 3);
});

Deno.test("stratified split keeps every class's share and is seeded", () => {
  const labels = Array.from({ length: 100 }, (_, i) => (i < 60 ? 0 : i < 90 ? 1 : 2));
  const a = stratifiedSplit(labels, 0.2, 5),
    b = stratifiedSplit(labels, 0.2, 5),
    c = stratifiedSplit(labels, 0.2, 6);
  assert.deepEqual(a, b);
  assert.notDeepEqual(a.test, c.test);
  const count = (idx: number[], y: number) => idx.filter((i) => labels[i] === y).length;
  assert.deepEqual([0, 1, 2].map((y) => count(a.test, y)), [12, 6, 2]);
  assert.equal(a.train.length + a.test.length, 100);
  assert.equal(new Set([...a.train, ...a.test]).size, 100);
});

Deno.test("participation ratio: isotropic ~ dims, one axis = 1, two equal axes = 2", () => {
  const rows = 2000, dims = 6, rng = new PhiloxStream(1);
  const iso = new Float64Array(rows * dims).map((_, e) => rng.normal(Math.floor(e / dims), 0, e % dims));
  const pr = participationRatio(iso, rows, dims);
  assert.ok(pr > 5.8 && pr <= 6, `isotropic PR ${pr}`);
  const line = new Float64Array(rows * dims).map((_, e) => (e % dims === 0 ? 0 : 1) * iso[e - (e % dims)]);
  assertClose([participationRatio(line, rows, dims)], [1], { atol: 1e-9 }, "rank-1 PR");
  // Two exactly orthogonal +-1 patterns of equal variance.
  const two = new Float64Array(4 * 3);
  [[1, 1], [1, -1], [-1, 1], [-1, -1]].forEach(([a, b], i) => {
    two[i * 3] = a;
    two[i * 3 + 2] = b;
  });
  assertClose([participationRatio(two, 4, 3)], [2], { atol: 1e-12 }, "two-axis PR");
});

Deno.test("PCA: finds the stretched axis and its variance; projections are centred", () => {
  const rows = 3000, rng = new PhiloxStream(2);
  const f = new Float64Array(rows * 3);
  for (let i = 0; i < rows; i++) {
    const a = 3 * rng.normal(i, 0, 0), b = 0.5 * rng.normal(i, 0, 1);
    // axis u = (1, 1, 0)/sqrt2 has std 3, v = (1, -1, 0)/sqrt2 std 0.5, z std 0.1
    f[i * 3] = (a + b) / Math.SQRT2 + 5;
    f[i * 3 + 1] = (a - b) / Math.SQRT2;
    f[i * 3 + 2] = 0.1 * rng.normal(i, 0, 2);
  }
  const p = pca(f, rows, 3, 2);
  assertClose(p.axes.slice(0, 3), [Math.SQRT1_2, Math.SQRT1_2, 0], { atol: 0.02 }, "first axis");
  assertClose([p.variances[0], p.variances[1]], [9, 0.25], { rtol: 0.08 }, "variances");
  assert.ok(p.explainedRatio[0] > 0.96);
  const m0 = p.projections.filter((_, e) => e % 2 === 0).reduce((s, v) => s + v, 0) / rows;
  assertClose([m0], [0], { atol: 1e-9 }, "mean projection");
});

Deno.test("class distances, activation stats, before/after cosine", () => {
  // Two classes at x = 0 and x = 10, each a pair 1 apart.
  const f = [0, 0, 1, 0, 10, 0, 11, 0];
  const d = classDistances(f, [0, 0, 1, 1], 2);
  assertClose([d.intra, d.inter], [1, (10 + 11 + 9 + 10) / 4], { atol: 1e-12 });
  assertClose([d.ratio], [10], { atol: 1e-12 });
  const s = activationStats([1, 1, 1, 1.01], 2, 2);
  assert.ok(s.collapsed && s.max === 1.01 && s.min === 1);
  assertClose([s.normMean], [(Math.SQRT2 + Math.hypot(1, 1.01)) / 2], { atol: 1e-12 });
  const c = beforeAfterCosine([1, 0, 0, 2], [2, 0, 1, 0], 2);
  assertClose(c.cosines, [1, 0], { atol: 1e-12 });
  assertClose([c.mean], [0.5], { atol: 1e-12 });
});

Deno.test("activations round-trip through .npy with their labels", async () => {
  const dir = await Deno.makeTempDir();
  const p = await exportActivations(dir, "after", [0.5, -1, 2, 3.25, 0, 1], [2, 0, 1], 2);
  const header = new TextDecoder().decode((await Deno.readFile(p.activations)).slice(10, 70));
  assert.ok(header.includes("'<f4'") && header.includes("(3, 2)"), header);
  const back = await importActivations(dir, "after");
  assert.deepEqual([...back.activations], [0.5, -1, 2, 3.25, 0, 1]);
  assert.deepEqual([...back.labels], [2, 0, 1]);
  assert.deepEqual([back.rows, back.dims], [3, 2]);
  await Deno.remove(dir, { recursive: true });
});
