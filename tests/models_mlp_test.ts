// MLP presets, parameter layout and init; gradients and exact Hessian-vector products against
// float64 central differences (reference), GPU against reference, quadratic and symmetry checks.
import { assert, assertClose, assertExact } from "./_assert.ts";
import { testBothBackends, testGpuOnly } from "./_backends.ts";
import { ReferenceBackend } from "../lib/backend/reference.ts";
import { WebGpuBackend } from "../lib/backend/webgpu.ts";
import type { Backend } from "../lib/backend/backend.ts";
import { MLP_PRESETS, mlpLayout, mlpPreset, type MlpPresetName, type MlpSpec } from "../lib/models/mlp.ts";
import { initialParameters, weightStd } from "../lib/models/init.ts";
import { ParameterLayout } from "../lib/models/parameters.ts";
import { LOSS_NAMES, type LossName } from "../lib/models/losses.ts";
import { Mlp } from "../lib/models/mlp_model.ts";
import { mlpReference } from "../lib/models/mlp_reference.ts";
import { randomReference } from "../lib/rng/philox.ts";

function normals(n: number, seed: number, stream = 0): Float64Array {
  return randomReference(1, n, { seed, stream }) as Float64Array;
}

/** One-hot rows for classes drawn from a seed (a valid target for both losses). */
function oneHot(rows: number, classes: number, seed: number): Float64Array {
  const u = randomReference(1, rows, { seed, stream: 9, distribution: "uniform" }) as Float64Array;
  const y = new Float64Array(rows * classes);
  for (let r = 0; r < rows; r++) y[r * classes + Math.floor(u[r] * classes)] = 1;
  return y;
}

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}

const small = (activation: MlpSpec["activation"], sizes = [5, 4, 3, 3]): MlpSpec => ({
  sizes,
  activation,
  init: "kaiming",
  initScale: 1,
});

Deno.test("MLP presets have the parameter counts of their layer sizes", () => {
  // specs/seed003 section 2.3: the default mlp on CIFAR-10 (3072 inputs) has 1,841,162 parameters.
  assert.equal(mlpLayout(mlpPreset("mlp")).count, 1_841_162);
  assert.equal(
    mlpLayout(mlpPreset("mlp", { inputs: 784 })).count,
    784 * 512 + 512 + 512 * 512 + 512 + 512 * 10 + 10,
  );
  for (const name of Object.keys(MLP_PRESETS) as MlpPresetName[]) {
    const spec = mlpPreset(name, { inputs: 784 });
    let want = 0;
    for (let l = 1; l < spec.sizes.length; l++) want += spec.sizes[l - 1] * spec.sizes[l] + spec.sizes[l];
    assert.equal(mlpLayout(spec).count, want, name);
  }
  assert.deepEqual(mlpPreset("mlp_l").sizes, [3072, 512, 512, 512, 512, 10]);
  assert.deepEqual(mlpPreset("mlp_s", { outputs: 1 }).sizes, [3072, 256, 1]);
  assert.throws(() => mlpPreset("mlp9" as MlpPresetName), TypeError);
  assert.throws(() => mlpLayout({ ...small("relu"), sizes: [3] }), RangeError);
  assert.throws(() => mlpLayout({ ...small("relu"), sizes: [3, 0, 2] }), RangeError);
});

Deno.test("Parameter layout: views back to back, lookup, split, errors", () => {
  const layout = mlpLayout(small("relu"));
  assert.deepEqual(layout.names, [
    "fc1.weight",
    "fc1.bias",
    "fc2.weight",
    "fc2.bias",
    "fc3.weight",
    "fc3.bias",
  ]);
  let offset = 0;
  for (const v of layout.views) {
    assert.equal(v.offset, offset);
    offset += v.size;
  }
  assert.equal(layout.count, offset);
  assert.deepEqual(layout.view("fc2.weight").shape, [4, 3]);
  const flat = Float64Array.from({ length: layout.count }, (_, i) => i);
  assertExact(layout.split(flat)["fc1.bias"], [20, 21, 22, 23]);
  assert.throws(() => layout.view("fc9.weight"), RangeError);
  assert.throws(() => layout.split(new Float64Array(3)), RangeError);
  assert.throws(() => new ParameterLayout([{ name: "a", shape: [1] }, { name: "a", shape: [2] }]), TypeError);
  assert.throws(() => new ParameterLayout([{ name: "a", shape: [-1] }]), RangeError);
});

Deno.test("Init: Kaiming / Xavier stds, zero biases, seeded streams", () => {
  const spec = mlpPreset("mlp_s", { inputs: 784 });
  const layout = mlpLayout(spec);
  const flat = initialParameters(layout, 1312);
  const views = layout.split(flat);
  for (const [name, fanIn, fanOut] of [["fc1.weight", 784, 256], ["fc2.weight", 256, 10]] as const) {
    const w = views[name];
    const std = Math.sqrt(dot(w, w) / w.length);
    const want = 0.2 * Math.sqrt(2 / fanIn);
    assert.equal(weightStd("kaiming", fanIn, fanOut, 0.2), want);
    // Sample std of n normals: relative standard error 1/sqrt(2n); allow 5 of them.
    assertClose([std], [want], { rtol: 5 / Math.sqrt(2 * w.length) }, name);
  }
  assert.ok(views["fc1.bias"].every((b) => b === 0) && views["fc2.bias"].every((b) => b === 0));
  assertExact(initialParameters(layout, 1312), flat, "same seed");
  assert.notEqual(initialParameters(layout, 1313)[0], flat[0]);
  assert.equal(weightStd("xavier", 512, 512, 1), Math.sqrt(2 / 1024));
  assert.equal(mlpPreset("mlp_tanh").init, "xavier");
  assert.throws(() => initialParameters(layout, -1), RangeError);
  assert.throws(() => weightStd("kaiming", 0, 3, 1), RangeError);
});

testBothBackends("Mlp.init gives the reference values (float32-rounded on webgpu)", async (backend) => {
  const mlp = new Mlp(backend, small("tanh", [7, 65, 3]), "squared");
  const got = await backend.read(mlp.init(5));
  const want = initialParameters(mlp.layout, 5);
  assertExact(got, backend.name === "webgpu" ? want.map(Math.fround) : want);
});

// Central differences in float64: gradient error ~ eps^2 f''' + roundoff/eps.
for (const loss of LOSS_NAMES) {
  for (const activation of ["tanh", "silu", "relu"] as const) {
    Deno.test(`MLP reference gradient and H v match central differences (${activation}, ${loss})`, () => {
      const spec = small(activation);
      const layout = mlpLayout(spec);
      const rows = 4;
      const params = initialParameters(layout, 3);
      const x = normals(rows * 5, 11);
      const y = loss === "squared" ? normals(rows * 3, 12) : oneHot(rows, 3, 12);
      const v = normals(layout.count, 13);
      const base = mlpReference(spec, loss, params, x, y, rows, { direction: v });
      const eps = 1e-6;
      const fd = new Float64Array(layout.count);
      for (let i = 0; i < layout.count; i++) {
        const p = params.slice(), m = params.slice();
        p[i] += eps;
        m[i] -= eps;
        fd[i] =
          (mlpReference(spec, loss, p, x, y, rows).loss - mlpReference(spec, loss, m, x, y, rows).loss) /
          (2 * eps);
      }
      assertClose(base.gradient, fd, { atol: 1e-7 * Math.max(1, maxAbs(fd)) }, "gradient");
      const h = 1e-5;
      const plus = mlpReference(spec, loss, params.map((t, i) => t + h * v[i]), x, y, rows).gradient;
      const minus = mlpReference(spec, loss, params.map((t, i) => t - h * v[i]), x, y, rows).gradient;
      const fdHv = plus.map((g, i) => (g - minus[i]) / (2 * h));
      assertClose(base.hessianVector!, fdHv, { atol: 1e-6 * Math.max(1, maxAbs(fdHv)) }, "H v");
    });
  }
}

testBothBackends("MLP Hessian is symmetric: w^T H v = v^T H w", async (backend) => {
  for (const loss of LOSS_NAMES) {
    const mlp = new Mlp(backend, small("silu", [6, 5, 4, 3]), loss);
    const rows = 7, count = mlp.layout.count;
    const x = backend.tensor(normals(rows * 6, 1), [rows, 6]);
    const y = backend.tensor(loss === "squared" ? normals(rows * 3, 2) : oneHot(rows, 3, 2), [rows, 3]);
    const v = normals(count, 3), w = normals(count, 4);
    const params = mlp.init(8);
    const hv = await backend.read(
      (await mlp.evaluate(params, x, y, { direction: backend.tensor(v) })).hessianVector!,
    );
    const hw = await backend.read(
      (await mlp.evaluate(params, x, y, { direction: backend.tensor(w) })).hessianVector!,
    );
    const a = dot(w, hv), b = dot(v, hw);
    // float64: roundoff only; float32: 64u of the sum of |terms| of both dot products.
    const terms = dot(w.map(Math.abs), Array.from(hv, Math.abs)) +
      dot(v.map(Math.abs), Array.from(hw, Math.abs));
    const diff = assertClose(
      [a],
      [b],
      { atol: (backend.name === "webgpu" ? 64 * 2 ** -24 : 1e-12) * terms },
      loss,
    );
    console.log(
      `  ${loss}: w^T H v = ${a.toPrecision(6)}, |diff| ${diff.toExponential(1)} [${backend.name}]`,
    );
  }
});

/** The Hessian of the squared loss of a linear model f = W x + b, built entry by entry. */
function linearModelHessian(x: Float64Array, rows: number, d: number, c: number): Float64Array[] {
  // Parameters: W (d x c, [in, out]) then b (c). f_rk = sum_j x_rj W_jk + b_k; L = (1/rows) sum_r sum_k (f_rk - y_rk)^2,
  // so d2L/dtheta dtheta' = (2/rows) sum_r sum_k (df_rk/dtheta)(df_rk/dtheta').
  const P = c * d + c;
  const features = (r: number, k: number) => {
    const phi = new Float64Array(P);
    for (let j = 0; j < d; j++) phi[j * c + k] = x[r * d + j];
    phi[c * d + k] = 1;
    return phi;
  };
  const H = Array.from({ length: P }, () => new Float64Array(P));
  for (let r = 0; r < rows; r++) {
    for (let k = 0; k < c; k++) {
      const phi = features(r, k);
      for (let i = 0; i < P; i++) for (let j = 0; j < P; j++) H[i][j] += (2 / rows) * phi[i] * phi[j];
    }
  }
  return H;
}

testBothBackends("On a linear model with squared loss (a quadratic) H v = A v", async (backend) => {
  const d = 7, c = 3, rows = 9;
  const mlp = new Mlp(backend, small("relu", [d, c]), "squared");
  const x = normals(rows * d, 21), y = normals(rows * c, 22), v = normals(mlp.layout.count, 23);
  const A = linearModelHessian(x, rows, d, c);
  const want = A.map((row) => dot(row, v));
  const params = mlp.init(4);
  const { hessianVector } = await mlp.evaluate(
    params,
    backend.tensor(x, [rows, d]),
    backend.tensor(y, [rows, c]),
    { direction: backend.tensor(v) },
  );
  const got = await backend.read(hessianVector!);
  // float32 on webgpu: each entry is a chain of sums over rows and inputs: 32u sum_j |A_ij v_j|.
  const u = backend.name === "webgpu" ? 2 ** -24 : 0;
  const bounds = A.map((row) => 1e-12 + 32 * u * row.reduce((s, a, j) => s + Math.abs(a * v[j]), 0));
  const diff = assertClose(got, want, { bounds }, "H v");
  console.log(`  linear-model H v max diff ${diff.toExponential(2)} [${backend.name}]`);
});

async function evaluateOn(
  backend: Backend,
  spec: MlpSpec,
  loss: LossName,
  rows: number,
  chunkRows?: number,
): Promise<{ loss: number; gradient: ArrayLike<number>; hv: ArrayLike<number>; outputs: ArrayLike<number> }> {
  const mlp = new Mlp(backend, spec, loss);
  const nIn = spec.sizes[0], nOut = spec.sizes[spec.sizes.length - 1];
  const x = backend.tensor(normals(rows * nIn, 31), [rows, nIn]);
  const y = backend.tensor(loss === "squared" ? normals(rows * nOut, 32) : oneHot(rows, nOut, 32), [
    rows,
    nOut,
  ]);
  const params = mlp.init(6);
  const direction = backend.tensor(normals(mlp.layout.count, 33));
  const r = await mlp.evaluate(params, x, y, { gradient: true, direction, chunkRows });
  const outputs = await backend.read(await mlp.forward(params, x));
  mlp.dispose();
  return {
    loss: (await backend.read(r.loss))[0],
    gradient: await backend.read(r.gradient!),
    hv: await backend.read(r.hessianVector!),
    outputs,
  };
}

testBothBackends("Full-batch results accumulated over chunks equal one pass", async (backend) => {
  const spec = small("tanh", [6, 9, 4]);
  for (const loss of LOSS_NAMES) {
    const one = await evaluateOn(backend, spec, loss, 37);
    const chunked = await evaluateOn(backend, spec, loss, 37, 8);
    const tol = backend.name === "webgpu" ? 1e-5 : 1e-13;
    assert.ok(one.loss > 0 && maxAbs(one.gradient) > 0 && maxAbs(one.hv) > 0, "nonzero results");
    assertClose([chunked.loss], [one.loss], { atol: tol * Math.abs(one.loss) }, "loss");
    assertClose(chunked.gradient, one.gradient, { atol: tol * maxAbs(one.gradient) }, "gradient");
    assertClose(chunked.hv, one.hv, { atol: tol * maxAbs(one.hv) }, "H v");
  }
});

testBothBackends("Mlp.evaluate on rows [begin, end) equals evaluating those rows alone", async (backend) => {
  const mlp = new Mlp(backend, small("silu", [6, 9, 4]), "crossEntropy");
  const rows = 30, begin = 5, end = 26;
  const xs = normals(rows * 6, 41), ys = oneHot(rows, 4, 42);
  const params = mlp.init(2), direction = backend.tensor(normals(mlp.layout.count, 43));
  const x = backend.tensor(xs, [rows, 6]), y = backend.tensor(ys, [rows, 4]);
  const part = await mlp.evaluate(params, x, y, {
    gradient: true,
    direction,
    rows: { begin, end },
    chunkRows: 8,
  });
  const alone = await mlp.evaluate(
    params,
    backend.tensor(xs.subarray(begin * 6, end * 6), [end - begin, 6]),
    backend.tensor(ys.subarray(begin * 4, end * 4), [end - begin, 4]),
    { gradient: true, direction },
  );
  const tol = backend.name === "webgpu" ? 1e-5 : 1e-13;
  for (const key of ["loss", "gradient", "hessianVector"] as const) {
    const want = await backend.read(alone[key]!);
    assertClose(await backend.read(part[key]!), want, { atol: tol * maxAbs(want) }, key);
  }
  await assert.rejects(() => mlp.evaluate(params, x, y, { rows: { begin: 5, end: 31 } }), RangeError);
  await assert.rejects(() => mlp.evaluate(params, x, y, { rows: { begin: 5, end: 5 } }), RangeError);
});

testBothBackends(
  "Mlp.evaluate on a subset of row indices equals evaluating those rows alone",
  async (backend) => {
    const mlp = new Mlp(backend, small("tanh", [6, 9, 4]), "squared");
    const rows = 30, indices = [29, 3, 3, 17, 0, 8, 21];
    const xs = normals(rows * 6, 51), ys = oneHot(rows, 4, 52);
    const params = mlp.init(3), direction = backend.tensor(normals(mlp.layout.count, 53));
    const x = backend.tensor(xs, [rows, 6]), y = backend.tensor(ys, [rows, 4]);
    const part = await mlp.evaluate(params, x, y, { gradient: true, direction, indices, chunkRows: 3 });
    const pick = (values: Float64Array, cols: number) =>
      indices.flatMap((r) => Array.from(values.subarray(r * cols, (r + 1) * cols)));
    const alone = await mlp.evaluate(
      params,
      backend.tensor(pick(xs, 6), [indices.length, 6]),
      backend.tensor(pick(ys, 4), [indices.length, 4]),
      { gradient: true, direction },
    );
    const tol = backend.name === "webgpu" ? 1e-5 : 1e-13;
    for (const key of ["loss", "gradient", "hessianVector"] as const) {
      const want = await backend.read(alone[key]!);
      assertClose(await backend.read(part[key]!), want, { atol: tol * maxAbs(want) }, key);
    }
    await assert.rejects(() => mlp.evaluate(params, x, y, { indices: [30] }), /not a row/);
    await assert.rejects(
      () => mlp.evaluate(params, x, y, { indices: [1], rows: { begin: 0, end: 2 } }),
      /not both/,
    );
  },
);

// GPU (float32) against the float64 reference. The passes chain matmuls (sums of up to ~65
// products) and activations; we allow 1e-5 of each result's largest magnitude, ~170 u, a
// stated bound for these chains (measured on llvmpipe: <= 5e-7; printed on each run).
for (const loss of LOSS_NAMES) {
  for (const activation of ["relu", "tanh", "silu"] as const) {
    testGpuOnly(`MLP on webgpu matches the reference (${activation}, ${loss}, odd sizes)`, async (gpu) => {
      const spec = small(activation, [7, 65, 33, 3]);
      const ref = await evaluateOn(new ReferenceBackend(), spec, loss, 5);
      const got = await evaluateOn(new WebGpuBackend(gpu), spec, loss, 5);
      const report: string[] = [];
      for (const key of ["outputs", "gradient", "hv"] as const) {
        const scale = maxAbs(ref[key]);
        const diff = assertClose(got[key], ref[key], { atol: 1e-5 * scale }, key);
        report.push(`${key} ${(diff / scale).toExponential(1)}`);
      }
      assertClose([got.loss], [ref.loss], { rtol: 1e-5 }, "loss");
      console.log(`  relative max diffs: ${report.join(", ")}`);
    });
  }
}

testBothBackends("Mlp.evaluate rejects bad shapes and options", async (backend) => {
  const mlp = new Mlp(backend, small("relu"), "squared");
  const params = mlp.init(1);
  const x = backend.zeros([2, 5]), y = backend.zeros([2, 3]);
  await assert.rejects(() => mlp.evaluate(backend.zeros([3]), x, y), RangeError);
  await assert.rejects(() => mlp.evaluate(params, backend.zeros([2, 4]), y), RangeError);
  await assert.rejects(() => mlp.evaluate(params, x, backend.zeros([3, 3])), RangeError);
  await assert.rejects(() => mlp.evaluate(params, x, y, { chunkRows: 0 }), RangeError);
  await assert.rejects(() => mlp.evaluate(params, x, y, { direction: backend.zeros([4]) }), RangeError);
  assert.throws(() => new Mlp(backend, small("relu"), "hinge" as LossName), TypeError);
});
