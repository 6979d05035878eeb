/**
 * The backend ops the BYOL line added: activation backward (g f'(x)) and row L2 normalisation with its
 * backward, on both backends, against float64 formulas written out here and against float64 central
 * differences of the forward.
 */
import { assert, assertClose, testValues, U32 } from "./_assert.ts";
import { testBothBackends } from "./_backends.ts";
import { type Activation, activationCoefficients, evaluateActivation } from "../lib/activations.ts";
import { ReferenceBackend } from "../lib/backend/reference.ts";

// Transcendental derivatives on llvmpipe are accurate to a few ulp and 1 - t^2 cancels (as in
// tests/elementwise_test.ts); the product with g adds one rounding.
const ACTIVATION_TOLERANCE = { atol: 4e-6, rtol: 32 * U32 };

const ACTIVATIONS: Activation[] = ["relu", "tanh", "sigmoid", "silu", "linear", {
  hermite: [0.2, 0.5, 0.3, 0.1],
}];

for (const activation of ACTIVATIONS) {
  const name = typeof activation === "string" ? activation : "hermite combination";
  testBothBackends(`activationBackward ${name}: g f'(x) matches float64`, async (backend) => {
    for (const n of [0, 1, 65, 300]) {
      const x = testValues(n, n + 3, -3, 3), g = testValues(n, n + 101, -2, 2);
      const c = activationCoefficients(activation);
      const want = x.map((v, i) => g[i] * evaluateActivation(c, v, 1));
      const got = await backend.read(
        await backend.activationBackward(backend.tensor(x), backend.tensor(g), activation),
      );
      assertClose(got, want, ACTIVATION_TOLERANCE, `${name} n=${n}`);
    }
  });
}

Deno.test("activationBackward equals float64 central differences of the activation [reference]", async () => {
  const backend = new ReferenceBackend(), h = 1e-5;
  for (const activation of ["tanh", "sigmoid", "silu", { hermite: [0, 1, 0.5, 0.25] }] as Activation[]) {
    const x = testValues(40, 9, -2.5, 2.5), g = testValues(40, 10, -1, 1);
    const c = activationCoefficients(activation);
    const want = x.map((v, i) =>
      g[i] * (evaluateActivation(c, v + h, 0) - evaluateActivation(c, v - h, 0)) / (2 * h)
    );
    const got = await backend.read(
      await backend.activationBackward(backend.tensor(x), backend.tensor(g), activation),
    );
    assertClose(
      got,
      want,
      { atol: 1e-8, rtol: 1e-8 },
      `central differences of ${JSON.stringify(activation)}`,
    );
  }
});

testBothBackends("activationBackward rejects mismatched sizes", async (backend) => {
  await assert.rejects(
    () => backend.activationBackward(backend.tensor([1, 2, 3]), backend.tensor([1, 2]), "relu"),
    RangeError,
  );
});

/** y = x / max(||x||, eps) per row, written out in float64. */
function normalizeRows(x: Float64Array, rows: number, cols: number, eps: number): Float64Array {
  const y = new Float64Array(x.length);
  for (let r = 0; r < rows; r++) {
    const row = x.subarray(r * cols, (r + 1) * cols);
    const norm = Math.sqrt(row.reduce((s, v) => s + v * v, 0));
    row.forEach((v, c) => y[r * cols + c] = v / Math.max(norm, eps));
  }
  return y;
}

testBothBackends("rowL2Normalize matches float64 and gives unit rows", async (backend) => {
  for (const [rows, cols] of [[1, 1], [3, 5], [70, 128], [5, 513]]) {
    const x = testValues(rows * cols, rows + cols, -2, 2);
    const want = normalizeRows(x, rows, cols, 1e-12);
    const got = await backend.read(await backend.rowL2Normalize(backend.tensor(x, [rows, cols])));
    // Each y is one division of x by a norm accumulated over cols terms.
    assertClose(got, want, { atol: 1e-7, rtol: (cols + 4) * U32 }, `${rows}x${cols}`);
    for (let r = 0; r < rows; r++) {
      let s = 0;
      for (let c = 0; c < cols; c++) s += got[r * cols + c] ** 2;
      assertClose([s], [1], { atol: (cols + 4) * 4 * U32 }, `row ${r} norm`);
    }
  }
});

testBothBackends("rowL2Normalize keeps a zero row zero and divides short rows by eps", async (backend) => {
  const x = [0, 0, 0, 0.1, 0.2, 0, 3, 4, 0];
  const got = await backend.read(await backend.rowL2Normalize(backend.tensor(x, [3, 3]), 0.5));
  assertClose(got, [0, 0, 0, 0.2, 0.4, 0, 0.6, 0.8, 0], { atol: 1e-7 }, "eps 0.5");
});

/** L(x) = sum g . normalize(x) by float64 central differences, per element of x. */
function centralDifferenceGradient(
  x: Float64Array,
  g: Float64Array,
  rows: number,
  cols: number,
  eps: number,
  h: number,
): Float64Array {
  const loss = (v: Float64Array) => normalizeRows(v, rows, cols, eps).reduce((s, y, i) => s + y * g[i], 0);
  return x.map((_, i) => {
    const plus = x.slice(), minus = x.slice();
    plus[i] += h;
    minus[i] -= h;
    return (loss(plus) - loss(minus)) / (2 * h);
  });
}

Deno.test("rowL2NormalizeBackward equals float64 central differences [reference]", async () => {
  const backend = new ReferenceBackend();
  for (const [rows, cols, eps] of [[4, 6, 1e-12], [3, 3, 0.5]] as const) {
    // Row 0 of the second case has norm < eps (the constant-denominator branch).
    const x = testValues(rows * cols, 17 + cols, -1, 1);
    if (eps === 0.5) x.subarray(0, cols).forEach((_, c) => x[c] = 0.05 * (c + 1));
    const g = testValues(rows * cols, 23 + cols, -1, 1);
    const want = centralDifferenceGradient(x, g, rows, cols, eps, 1e-6);
    const got = await backend.read(
      await backend.rowL2NormalizeBackward(
        backend.tensor(x, [rows, cols]),
        backend.tensor(g, [rows, cols]),
        eps,
      ),
    );
    assertClose(got, want, { atol: 1e-8, rtol: 1e-7 }, `${rows}x${cols} eps ${eps}`);
  }
});

testBothBackends("rowL2NormalizeBackward matches the float64 formula", async (backend) => {
  const reference = new ReferenceBackend();
  for (const [rows, cols, eps] of [[2, 1, 1e-12], [9, 128, 1e-12], [64, 33, 1e-12], [3, 4, 0.5]] as const) {
    const x = testValues(rows * cols, rows * 7 + cols, -1, 1), g = testValues(rows * cols, cols, -1, 1);
    const want = await reference.read(
      await reference.rowL2NormalizeBackward(
        reference.tensor(x, [rows, cols]),
        reference.tensor(g, [rows, cols]),
        eps,
      ),
    );
    const got = await backend.read(
      await backend.rowL2NormalizeBackward(
        backend.tensor(x, [rows, cols]),
        backend.tensor(g, [rows, cols]),
        eps,
      ),
    );
    // dx = (g - y (y . g)) / ||x|| cancels: each element is accurate to ~cols u of |g| / ||x||.
    const bounds = want.map((_, i) => {
      const r = Math.floor(i / cols), row = x.subarray(r * cols, (r + 1) * cols);
      const norm = Math.max(Math.sqrt(row.reduce((s, v) => s + v * v, 0)), eps);
      const gMax = Math.max(...g.subarray(r * cols, (r + 1) * cols).map(Math.abs));
      return 8 * (cols + 4) * U32 * gMax / norm;
    });
    assertClose(got, want, { bounds }, `${rows}x${cols} eps ${eps}`);
  }
});

testBothBackends("rowL2Normalize rejects a 1-D x, mismatched gradients and a bad eps", async (backend) => {
  const x = backend.tensor([1, 2, 3, 4], [2, 2]);
  await assert.rejects(() => backend.rowL2Normalize(backend.tensor([1, 2])), RangeError);
  await assert.rejects(() => backend.rowL2Normalize(x, 0), RangeError);
  await assert.rejects(
    () => backend.rowL2NormalizeBackward(x, backend.tensor([1, 2, 3, 4], [4, 1])),
    RangeError,
  );
});
