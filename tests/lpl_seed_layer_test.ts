/**
 * The seed project's "LPL" layer (LPL-10, 14): Hebb + stab is Oja's subspace rule, the stability clamps,
 * the stab term's single 5/|y_c| factor (Errata 8), the sanity check stays bounded, the weak views.
 */
import { assert, assertClose } from "./_assert.ts";
import { PhiloxStream } from "../lib/rng/philox.ts";
import {
  createSeedLayer,
  frobeniusNorm,
  type SeedLayer,
  seedLayerForward,
  seedLayerUpdate,
  unitVariance,
} from "../lib/reference/lpl_seed_layer.ts";
import { seedWeakView } from "../lib/lpl/seed_views.ts";
import { seedConditionRates, trainSeedLayer } from "../lib/lpl/seed_training.ts";

function layer(inputs: number, outputs: number, seed: number, scale = 1): SeedLayer {
  const rng = new PhiloxStream(seed);
  let k = 0;
  const l = createSeedLayer(inputs, outputs, () => scale * rng.normal(0, 0, k++));
  return l;
}

Deno.test("seed layer: Hebb + stab with equal rates is Oja's subspace rule (pred off)", () => {
  const l = layer(6, 3, 1, 20); // W ~ N(0, 0.2^2): y well inside the tanh's +-5
  const rng = new PhiloxStream(2);
  const x = Array.from({ length: 6 }, (_, j) => 0.3 * rng.normal(0, 0, j));
  const w0 = Float64Array.from(l.w), eta = 0.01;
  const y = seedLayerForward(l, x);
  assert.ok(frobeniusNorm(y) < 5);
  seedLayerUpdate(l, x, x, { hebb: eta, pred: 0, stab: eta, useHebb: true, usePred: false, useStab: true });
  const want = new Float64Array(18);
  for (let i = 0; i < 3; i++) {
    for (let j = 0; j < 6; j++) {
      let yyw = 0;
      for (let k = 0; k < 3; k++) yyw += y[i] * y[k] * w0[k * 6 + j];
      want[i * 6 + j] = w0[i * 6 + j] + eta * (y[i] * x[j] - yyw - 1e-6 * w0[i * 6 + j]);
    }
  }
  assertClose(l.w, want, { atol: 1e-15 }, "W after one Oja step");
});

Deno.test("seed layer: stab term scaled once by 5/|y_c| when |y_c| > 5 (Errata 8); dW clipped to norm 1", () => {
  const l = layer(4, 3, 3, 300); // saturated outputs, |y| > 5
  const x = [1, -1, 0.5, 2];
  const w0 = Float64Array.from(l.w), eta = 1e-4;
  const y = seedLayerForward(l, x), n = frobeniusNorm(y);
  assert.ok(n > 5, `|y| ${n}`);
  seedLayerUpdate(l, x, x, { hebb: 0, pred: 0, stab: eta, useHebb: false, usePred: false, useStab: true });
  const s = 5 / n, dw = new Float64Array(12);
  for (let i = 0; i < 3; i++) {
    for (let j = 0; j < 4; j++) {
      let yyw = 0;
      for (let k = 0; k < 3; k++) yyw += y[i] * y[k] * w0[k * 4 + j];
      dw[i * 4 + j] = -eta * s * (yyw + 1e-6 * w0[i * 4 + j]);
    }
  }
  const norm = frobeniusNorm(dw);
  const want = w0.map((v, e) => Math.min(5, Math.max(-5, v + dw[e] / Math.max(1, norm))));
  assertClose(l.w, want, { atol: 1e-12 }, "W");
  // Large rates: every step moves W by at most 1 (Frobenius) and keeps W and P in [-5, 5].
  const big = layer(8, 4, 4, 100), rng = new PhiloxStream(5);
  for (let t = 0; t < 50; t++) {
    const xt = Array.from({ length: 8 }, (_, j) => 3 * rng.normal(t, 0, j));
    const xt1 = xt.map((v, j) => v + rng.normal(t, 1, j));
    const before = Float64Array.from(big.w);
    seedLayerUpdate(big, xt, xt1, { hebb: 1, pred: 1, stab: 1, useHebb: true, usePred: true, useStab: true });
    assert.ok(frobeniusNorm(big.w.map((v, e) => v - before[e])) <= 1 + 1e-12);
    assert.ok(big.w.every((v) => Math.abs(v) <= 5) && big.p.every((v) => Math.abs(v) <= 5));
  }
});

Deno.test("seed layer: the predictor learns y_t1 from y_t (dP = eta (y_t1 - P y_t) y_t^T)", () => {
  const l = layer(5, 2, 6, 30);
  const x = [0.2, -0.1, 0.3, 0.05, -0.2], x1 = [0.25, -0.05, 0.3, 0.0, -0.2];
  const p0 = Float64Array.from(l.p), yt = seedLayerForward(l, x), yt1 = seedLayerForward(l, x1);
  seedLayerUpdate(l, x, x1, seedConditionRates("full", { ...seedConditionRates("full"), pred: 0.1 }));
  const want = p0.map((v, e) => {
    const i = Math.floor(e / 2), k = e % 2;
    const yhat = p0[i * 2] * yt[0] + p0[i * 2 + 1] * yt[1];
    return v + 0.1 * (yt1[i] - yhat) * yt[k];
  });
  assertClose(l.p, want, { atol: 1e-15 }, "P");
});

Deno.test("seed sanity check (20 -> 10, rates 0.01, 5000 steps): Var(y) and |W| stay finite and bounded", () => {
  const l = layer(20, 10, 42);
  const rng = new PhiloxStream(42, 9),
    rates = { ...seedConditionRates("full"), hebb: 0.01, pred: 0.01, stab: 0.01 };
  let maxVar = 0;
  for (let t = 0; t < 5000; t++) {
    const xt = Array.from({ length: 20 }, (_, j) => rng.normal(t, 0, j));
    const xt1 = xt.map((v, j) => v + 0.1 * rng.normal(t, 1, j));
    const y = seedLayerUpdate(l, xt, xt1, rates);
    maxVar = Math.max(maxVar, unitVariance(y));
  }
  assert.equal(l.skipped, 0);
  assert.ok(Number.isFinite(frobeniusNorm(l.w)) && frobeniusNorm(l.w) > 0.05, `|W| ${frobeniusNorm(l.w)}`);
  assert.ok(maxVar <= 25 * 10 / 9, `Var(y) ${maxVar} above the tanh bound`);
});

Deno.test("seed weak views: deterministic per (seed, view), in [0, 1], a shifted copy of the image", () => {
  const img = new Float64Array(28 * 28).map((_, e) => (Math.floor(e / 28) === 10 ? 1 : 0));
  const a = seedWeakView(img, 28, 28, new PhiloxStream(1), 3),
    b = seedWeakView(img, 28, 28, new PhiloxStream(1), 3);
  assert.deepEqual(a, b);
  assert.ok(a.every((v) => v >= 0 && v <= 1));
  const rowMeans = Array.from(
    { length: 28 },
    (_, i) => a.slice(i * 28, i * 28 + 28).reduce((s, v) => s + v, 0) / 28,
  );
  const top = rowMeans.indexOf(Math.max(...rowMeans));
  assert.ok(Math.abs(top - 10) <= 4 && rowMeans[top] > 0.7, `bar row ${top} (${rowMeans[top]})`);
});

Deno.test("seed training: log every 500 steps, shuffle and ablations run", () => {
  const count = 20, pixels = new Float64Array(count * 64).map((_, e) => ((e * 7919) % 13) / 13);
  const images = { pixels, labels: new Uint8Array(count), count, height: 8, width: 8 };
  for (const condition of ["full", "shuffle", "no-stab"] as const) {
    const r = trainSeedLayer(images, { outputs: 4, steps: 1000, seed: 1, condition, logEvery: 500 });
    assert.deepEqual(r.log.map((x) => x.step), [500, 1000]);
    assert.ok(r.log.every((x) => Number.isFinite(x.varY) && Number.isFinite(x.weightNorm)));
    assert.notDeepEqual(r.before.w, r.after.w);
  }
});
