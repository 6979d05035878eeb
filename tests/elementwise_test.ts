import { assert, assertClose, assertExact, testValues, toF32, U32 } from "./_assert.ts";
import { keepsSignedZero, testBothBackends } from "./_backends.ts";
import {
  type Activation,
  activationCoefficients,
  BASIS_NAMES,
  evaluateActivation,
} from "../lib/activations.ts";

const SIZES = [0, 1, 7, 65, 257];

// Inputs the float32 kernels see, and the float64 reference on the same (rounded) inputs.
function inputs(n: number, seed: number, scale = 3): Float64Array {
  return testValues(n, seed, -scale, scale);
}

// Transcendental activations get a looser stated bound than the 4u elementwise one:
// llvmpipe's exp/tanh are accurate to a few ulp, and derivatives like 1 - t^2 cancel.
const TRANSCENDENTAL = { atol: 2e-6, rtol: 16 * U32 };
const POLYNOMIAL = { atol: 1e-6, rtol: 16 * U32 };

for (const name of [...BASIS_NAMES, "linear"] as const) {
  for (const order of [0, 1, 2] as const) {
    testBothBackends(`activation ${name} order ${order} matches float64 at sizes 0..257`, async (backend) => {
      for (const n of SIZES) {
        const x = inputs(n, n + 11 * order);
        const c = activationCoefficients(name);
        const want = x.map((v) => evaluateActivation(c, v, order));
        const got = await backend.read(await backend.activation(backend.tensor(x), name, order));
        const tol = ["tanh", "sigmoid", "silu"].includes(name) ? TRANSCENDENTAL : POLYNOMIAL;
        assertClose(got, want, tol, `${name}'(${order}) n=${n}`);
      }
    });
  }
}

testBothBackends("activation combinations: Hermite lists and basis maps", async (backend) => {
  const x = inputs(65, 5);
  const cases: Activation[] = [
    { hermite: [0.5, 0, 0, Math.sqrt(6)] }, // unnormalised He3 plus a constant
    { he1: 1, he3: -0.25, relu: 2 },
    { tanh: 1, silu: -1, sigmoid: 0.5 },
  ];
  for (const act of cases) {
    for (const order of [0, 1, 2] as const) {
      const c = activationCoefficients(act);
      const want = x.map((v) => evaluateActivation(c, v, order));
      const got = await backend.read(await backend.activation(backend.tensor(x), act, order));
      assertClose(got, want, { atol: 1e-5, rtol: 32 * U32 }, `${JSON.stringify(act)} order ${order}`);
    }
  }
});

testBothBackends("tanh, sigmoid and silu stay finite and exact at |x| ~ 300", async (backend) => {
  const x = [-300, -88.5, -30, 30, 88.5, 300];
  const read = async (name: Activation, order: 0 | 1 | 2 = 0) =>
    await backend.read(await backend.activation(backend.tensor(x), name, order));
  assertExact(await read("tanh"), [-1, -1, -1, 1, 1, 1], "tanh");
  assertClose(
    await read("sigmoid"),
    x.map((v) => 1 / (1 + Math.exp(-v))),
    { atol: 1e-30, rtol: 32 * U32 },
    "sigmoid",
  ); // exp accurate to a few ulp
  assertClose(await read("tanh", 1), [0, 0, 0, 0, 0, 0], { atol: 1e-12 }, "tanh'");
  const silu = await read("silu");
  assert.equal(silu[5], 300);
  assert.ok(Math.abs(silu[0]) < 1e-30, `silu(-300) = ${silu[0]}`);
  for (const v of [...silu, ...await read("sigmoid", 1), ...await read("silu", 2)]) {
    assert.ok(Number.isFinite(v));
  }
});

testBothBackends("activations: NaN propagates, relu keeps -0, Inf saturates", async (backend) => {
  const x = [NaN, -0, 0, Infinity, -Infinity];
  const relu = await backend.read(await backend.activation(backend.tensor(x), "relu"));
  assertExact(relu, [NaN, -0, 0, Infinity, 0], "relu", keepsSignedZero(backend));
  const tanh = await backend.read(await backend.activation(backend.tensor(x), "tanh"));
  assertExact(tanh, [NaN, -0, 0, 1, -1], "tanh");
  const sigmoid = await backend.read(await backend.activation(backend.tensor(x), "sigmoid"));
  assertExact(sigmoid, [NaN, 0.5, 0.5, 1, 0], "sigmoid");
  const reluGrad = await backend.read(await backend.activation(backend.tensor(x), "relu", 1));
  assertExact(reluGrad, [NaN, 0, 0, 1, 0], "relu'");
});

testBothBackends("axpy, scale, fill and copy: exact small-integer cases at odd sizes", async (backend) => {
  for (const n of SIZES) {
    const xs = Array.from({ length: n }, (_, i) => (i % 7) - 3);
    const ys = Array.from({ length: n }, (_, i) => (i % 5) + 1);
    const x = backend.tensor(xs), y = backend.tensor(ys);
    await backend.axpy(2, x, y);
    assertExact(await backend.read(y), ys.map((v, i) => v + 2 * xs[i]), `axpy n=${n}`);
    await backend.scale(y, -0.5);
    assertExact(await backend.read(y), ys.map((v, i) => -0.5 * (v + 2 * xs[i])), `scale n=${n}`);
    await backend.fill(x, 1.25);
    assertExact(await backend.read(x), new Array(n).fill(1.25), `fill n=${n}`);
    await backend.copy(y, x);
    assertExact(await backend.read(x), await backend.read(y), `copy n=${n}`);
    const u = backend.zeros([n], "u32");
    await backend.fill(u, 0xffffffff);
    assertExact(await backend.read(u), new Array(n).fill(0xffffffff), `fill u32 n=${n}`);
  }
});

testBothBackends("axpy matches float64 within atol + 4u|ref| on random inputs", async (backend) => {
  const xs = inputs(257, 3), ys = inputs(257, 4);
  const y = backend.tensor(ys);
  await backend.axpy(0.3, backend.tensor(xs), y);
  const alpha = Math.fround(0.3);
  const want = ys.map((v, i) => v + alpha * xs[i]);
  assertClose(await backend.read(y), want, {
    bounds: want.map((w, i) => 1e-7 + 4 * U32 * (Math.abs(w) + Math.abs(alpha * xs[i]))),
  });
});

testBothBackends("tensors round-trip; u32 keeps full 32-bit values; -0 survives", async (backend) => {
  assertExact(await backend.read(backend.tensor([0, 1, 4294967295, 123456789], [2, 2], "u32")), [
    0,
    1,
    4294967295,
    123456789,
  ]);
  assertExact(await backend.read(backend.tensor([-0, 1.5, -2])), [-0, 1.5, -2], "f32", true); // stored bits
  assertExact(await backend.read(backend.zeros([0])), []);
  assertExact(await backend.read(backend.tensor(toF32([0.1]))), toF32([0.1]));
});

testBothBackends("bad arguments give TypeError or RangeError with clear messages", async (backend) => {
  assert.throws(() => backend.tensor([1, 2, 3], [2, 2]), /3 values given for shape \[2, 2\]/);
  assert.throws(() => backend.zeros([-1]), RangeError);
  assert.throws(() => backend.zeros([2.5]), RangeError);
  assert.throws(() => backend.tensor([-1], [1], "u32"), RangeError);
  const x = backend.tensor([1, 2, 3]);
  await assert.rejects(backend.axpy(1, x, backend.tensor([1, 2])), /same size/);
  await assert.rejects(backend.axpy(NaN, x, x), TypeError);
  await assert.rejects(backend.scale(x, Infinity), TypeError);
  await assert.rejects(backend.activation(x, "softmax" as Activation), /activation "softmax": unknown name/);
  await assert.rejects(backend.activation(x, "relu", 3 as 0), RangeError);
  await assert.rejects(backend.activation(x, { he7: 1 } as Activation), TypeError);
  await assert.rejects(backend.activation(x, { he1: NaN }), TypeError);
  await assert.rejects(backend.activation(backend.zeros([2], "u32"), "relu"), /dtype u32, must be f32/);
  await assert.rejects(backend.fill(backend.zeros([2], "u32"), -1), RangeError);
  await assert.rejects(backend.copy(x, backend.zeros([3], "u32")), RangeError);
});

testBothBackends(
  "tanh keeps its relative accuracy near 0 (builtin tanh cancels there on some drivers)",
  async (backend) => {
    const x = toF32([1e-30, -1e-8, 1e-6, -1e-4, 1e-3, 0.01, -0.1, 0.3, 0.6, 0.7, -1, 3]);
    const got = await backend.read(await backend.activation(backend.tensor(x), "tanh"));
    // Cephes tanhf is accurate to ~2 ulp; 8u relative is the stated bound.
    assertClose(got, x.map(Math.tanh), { rtol: 8 * U32 }, "tanh near 0");
  },
);

testBothBackends(
  "gatherRows picks rows bit for bit: any order, repeats, u32, empty; bad indices named",
  async (
    backend,
  ) => {
    const rows = 67, cols = 5;
    const values = testValues(rows * cols, 11).map((v, i) => (i === 7 ? -0 : v));
    const x = backend.tensor(values, [rows, cols]);
    const indices = [66, 0, 3, 3, 65, 1, 0];
    const got = await backend.read(await backend.gatherRows(x, indices));
    const stored = await backend.read(x);
    const want = indices.flatMap((r) => Array.from(stored.subarray(r * cols, (r + 1) * cols)));
    assertExact(got, want, "gathered rows");
    assert.ok(Object.is(got[5 * cols + 2], -0), "-0 (row 1, column 2) survives the gather");
    const words = backend.tensor([0xffffffff, 1, 2, 3, 4, 5], [3, 2], "u32");
    assertExact(
      await backend.read(await backend.gatherRows(words, [2, 0])),
      [4, 5, 0xffffffff, 1],
      "u32 rows",
    );
    const none = await backend.gatherRows(x, []);
    assert.deepEqual(none.shape, [0, cols]);
    await assert.rejects(
      () => backend.gatherRows(x, [0, 67]),
      /indices\[1\] = 67 is not a row of x \[67, 5\]/,
    );
    await assert.rejects(() => backend.gatherRows(x, [1.5]), /indices\[0\] = 1.5/);
    await assert.rejects(() => backend.gatherRows(backend.zeros([4]), [0]), /must be 2-D/);
  },
);
