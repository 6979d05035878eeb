/**
 * Conv LPL through the global-average-pooled objective (lib/lpl/conv_rule.ts) on both backends: the
 * gradient equals float64 central differences of the objective (lib/lpl/conv_reference.ts) with and
 * without the pool, for the past-detached and symmetric predictive terms, stale estimates and the
 * ablations; the webgpu gradient matches the float64 one; the float64 objective on outputs is the dense
 * oracle's.
 */
import { assert, assertClose, testValues } from "./_assert.ts";
import { testBothBackends } from "./_backends.ts";
import type { Backend } from "../lib/backend/backend.ts";
import { ReferenceBackend } from "../lib/backend/reference.ts";
import { lplConvGradient, type LplConvRuleOptions, type LplConvShape } from "../lib/lpl/conv_rule.ts";
import {
  lplConvForwardReference,
  lplConvLossReference,
  lplObjectiveOfOutputs,
  type LplObjectiveOptions,
} from "../lib/lpl/conv_reference.ts";
import { lplDenseLoss } from "../lib/reference/lpl_dense.ts";
import { lplBatchStats } from "../lib/reference/lpl_dense.ts";

const POOLED: LplConvShape = {
  batch: 5,
  inChannels: 2,
  outChannels: 3,
  height: 6,
  width: 6,
  kernelSize: 3,
  padding: 1,
  pool: true,
};
const UNPOOLED: LplConvShape = { ...POOLED, height: 5, width: 4, kernelSize: 3, padding: 0, pool: false };

function inputs(shape: LplConvShape, seed: number) {
  const { batch, inChannels: ci, outChannels: co, height: h, width: w, kernelSize: k } = shape;
  const x1 = testValues(batch * ci * h * w, seed, 0, 1);
  // the second view: the first plus a perturbation (views of the same images)
  const x2 = x1.map((v, i) => v + 0.3 * testValues(x1.length, seed + 1, -1, 1)[i]);
  return {
    x1,
    x2: Float64Array.from(Float32Array.from(x2)),
    weight: testValues(co * ci * k * k, seed + 2, -0.5, 0.5),
    bias: testValues(co, seed + 3, 0, 0.2),
  };
}

/** Float64 central differences of the objective in every weight and bias. */
function centralDifferences(
  shape: LplConvShape,
  t: ReturnType<typeof inputs>,
  rule: LplConvRuleOptions,
  stale?: { mean: Float64Array; variance: Float64Array },
): { weight: Float64Array; bias: Float64Array } {
  const symmetric = rule.predictive === "symmetric";
  const past = lplConvForwardReference(shape, t.weight, t.bias, t.x1).z;
  const options: LplObjectiveOptions = {
    coefficients: rule.coefficients,
    detachedPast: symmetric ? undefined : past,
    stale,
  };
  const loss = (w: Float64Array, b: Float64Array) =>
    lplConvLossReference(shape, w, b, t.x1, t.x2, options).total;
  const step = 1e-6;
  const diff = (p: Float64Array, other: Float64Array, isWeight: boolean) =>
    p.map((_, i) => {
      const plus = Float64Array.from(p), minus = Float64Array.from(p);
      plus[i] += step;
      minus[i] -= step;
      const lp = isWeight ? loss(plus, other) : loss(other, plus);
      const lm = isWeight ? loss(minus, other) : loss(other, minus);
      return (lp - lm) / (2 * step);
    });
  return { weight: diff(t.weight, t.bias, true), bias: diff(t.bias, t.weight, false) };
}

async function backendGradient(
  backend: Backend,
  shape: LplConvShape,
  t: ReturnType<typeof inputs>,
  rule: LplConvRuleOptions,
  stale?: { mean: Float64Array; variance: Float64Array },
) {
  const tensor = (v: Float64Array) => backend.tensor(v);
  const w = tensor(t.weight), b = tensor(t.bias), x1 = tensor(t.x1), x2 = tensor(t.x2);
  const staleTensor = stale ? backend.tensor([...stale.mean, ...stale.variance]) : undefined;
  const r = await lplConvGradient(backend, shape, w, b, x1, x2, rule, staleTensor);
  const out = {
    weight: Float64Array.from(await backend.read(r.gradWeight)),
    bias: Float64Array.from(await backend.read(r.gradBias)),
    out1: Float64Array.from(await backend.read(r.out1)),
  };
  backend.dispose(w, b, x1, x2, r.gradWeight, r.gradBias, r.out1, r.out2, r.currentStats);
  if (staleTensor) backend.dispose(staleTensor);
  return out;
}

const CASES: [string, LplConvShape, LplConvRuleOptions, boolean][] = [
  ["pooled, past detached", POOLED, {}, false],
  ["pooled, symmetric", POOLED, { predictive: "symmetric" }, false],
  ["unpooled, padding 0", UNPOOLED, {}, false],
  ["pooled, stale estimates", POOLED, {}, true],
  ["pooled, Hebb off", POOLED, { coefficients: { pull: 1, push: 0, decorr: 10 } }, false],
  ["pooled, pred off, decorr off", POOLED, { coefficients: { pull: 0, push: 1, decorr: 0 } }, false],
];

testBothBackends(
  "conv LPL: the gradient equals float64 central differences of the GAP objective",
  async (backend) => {
    for (const [name, shape, rule, useStale] of CASES) {
      const t = inputs(shape, 3);
      const stale = useStale
        ? (() => {
          const s = lplBatchStats(
            lplConvForwardReference(shape, t.weight, t.bias, t.x1).z,
            shape.batch,
            shape.outChannels,
          );
          return { mean: s.mean.map((v) => v * 0.9), variance: s.variance.map((v) => v * 1.2) };
        })()
        : undefined;
      const want = centralDifferences(shape, t, rule, stale);
      const got = await backendGradient(backend, shape, t, rule, stale);
      const scale = Math.max(...want.weight.map(Math.abs));
      assert.ok(scale > 1e-3, `${name}: the gradient is not trivially small (${scale})`);
      // float64: central differences are good to ~1e-8 relative; float32 kernels to ~1e-5 of the scale
      const atol = backend.name === "reference" ? 1e-7 * scale : 2e-4 * scale;
      assertClose(
        got.weight,
        want.weight,
        { atol, rtol: backend.name === "reference" ? 1e-6 : 1e-3 },
        `${name} dW`,
      );
      assertClose(
        got.bias,
        want.bias,
        { atol, rtol: backend.name === "reference" ? 1e-6 : 1e-3 },
        `${name} db`,
      );
      // the block's output is the next block's input: the float64 forward map
      const out = lplConvForwardReference(shape, t.weight, t.bias, t.x1).out;
      assertClose(got.out1, out, { atol: 1e-5 }, `${name} output map`);
    }
  },
);

testBothBackends(
  "conv LPL: the webgpu gradient matches the float64 rule on a wider block",
  async (backend) => {
    const shape: LplConvShape = { ...POOLED, batch: 16, inChannels: 4, outChannels: 8, height: 8, width: 8 };
    const t = inputs(shape, 11);
    const got = await backendGradient(backend, shape, t, {});
    const want = await backendGradient(new ReferenceBackend(), shape, t, {});
    const scale = Math.max(...want.weight.map(Math.abs));
    const diff = assertClose(got.weight, want.weight, { atol: 1e-4 * scale, rtol: 1e-3 }, "dW");
    assertClose(got.bias, want.bias, { atol: 1e-4 * scale, rtol: 1e-3 }, "db");
    assert.ok(backend.name !== "reference" || diff === 0, "the reference backend is the float64 rule");
  },
);

Deno.test("conv LPL: the objective on outputs is the dense oracle's with identity weights", () => {
  const batch = 6, units = 4;
  const z1 = testValues(batch * units, 5, 0, 2), z2 = testValues(batch * units, 6, 0, 2);
  const eye = new Float64Array(units * units).map((_, i) => (i % (units + 1) === 0 ? 1 : 0));
  const shape = { batch, inputs: units, outputs: units };
  const want = lplDenseLoss(shape, eye, z1, z2, { activation: "linear" });
  const got = lplObjectiveOfOutputs(z1, z2, batch, units);
  for (const k of ["pred", "hebb", "decorr", "total"] as const) {
    assertClose([got[k]], [want[k]], { atol: 1e-14, rtol: 1e-12 }, k);
  }
  assert.ok(got.decorr > 0 && got.pred > 0);
});

testBothBackends("conv LPL: a batch of 1 is refused", async (backend) => {
  const shape = { ...POOLED, batch: 1 };
  const t = inputs(shape, 1);
  const w = backend.tensor(t.weight), b = backend.tensor(t.bias), x = backend.tensor(t.x1);
  await assert.rejects(() => lplConvGradient(backend, shape, w, b, x, x), /batch is 1, must be >= 2/);
});
