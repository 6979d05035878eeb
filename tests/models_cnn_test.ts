// CNN presets, layout and init; the float64 reference gradient against central differences; the
// central-difference H v against second differences of the loss and for symmetry; the GPU against the
// reference; chunking; the backend-level conv/pool/batch-norm wrappers on both backends; bad input.
import { assert, assertClose, assertExact, toF32 } from "./_assert.ts";
import { testBothBackends, testGpuOnly } from "./_backends.ts";
import { ReferenceBackend } from "../lib/backend/reference.ts";
import { WebGpuBackend } from "../lib/backend/webgpu.ts";
import type { Backend } from "../lib/backend/backend.ts";
import {
  cnnLayout,
  cnnMultiplyAdds,
  cnnPreset,
  type CnnPresetName,
  type CnnSpec,
} from "../lib/models/cnn.ts";
import { Cnn, CNN_HVP_METHOD, type CnnEvaluateOptions } from "../lib/models/cnn_model.ts";
import { initialParameters } from "../lib/models/init.ts";
import type { LossName } from "../lib/models/losses.ts";
import { cnnReference } from "../lib/reference/cnn.ts";
import { randomReference } from "../lib/rng/philox.ts";
import * as ops from "../lib/models/conv_ops.ts";
import {
  conv2dBackwardInputReference,
  conv2dBackwardWeightReference,
  conv2dForwardReference,
  type Conv2dShape,
} from "../lib/reference/conv2d.ts";
import {
  globalAvgPoolBackwardReference,
  globalAvgPoolForwardReference,
  maxPool2dBackwardReference,
  maxPool2dForwardReference,
} from "../lib/reference/pool.ts";
import { batchNormBackwardReference, batchNormForwardReference } from "../lib/reference/batch_norm.ts";

/** Normal values rounded to float32, so both backends see the same inputs. */
function normals(n: number, seed: number, stream = 0): Float64Array {
  return toF32(randomReference(1, n, { seed, stream }) as Float64Array);
}

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

/** A tiny CNN: 2 channels 8x8 -> conv3x3 (3) -> conv3x3 (4) + pool -> 4*2*2 -> 5 -> 3 (272 parameters). */
const tiny = (activation: CnnSpec["activation"]): CnnSpec => ({
  input: { channels: 2, height: 8, width: 8 },
  convs: [{ outChannels: 3, kernelSize: 3, pool: false }, { outChannels: 4, kernelSize: 3, pool: true }],
  hidden: [5],
  outputs: 3,
  activation,
  init: "kaiming",
  initScale: 1,
});

/** Odd sizes, padding and a 5x5 kernel: 3 channels 9x7 -> conv5x5 p1 (5) + pool -> conv3x3 p1 (7) + pool -> 7 -> 3. */
const odd = (activation: CnnSpec["activation"]): CnnSpec => ({
  input: { channels: 3, height: 9, width: 7 },
  convs: [
    { outChannels: 5, kernelSize: 5, padding: 1, pool: true },
    { outChannels: 7, kernelSize: 3, padding: 1, pool: true },
  ],
  hidden: [],
  outputs: 3,
  activation,
  init: "kaiming",
  initScale: 1,
});

Deno.test("CNN preset: 2,477,514 parameters on CIFAR-10, a 3200-wide flatten on Fashion-MNIST", () => {
  // specs/seed003 section 2.3: conv1 1792 + conv2 36928 + conv3 73856 + fc1 2359808 + fc2 5130.
  const layout = cnnLayout(cnnPreset("cnn"));
  assert.equal(layout.count, 2_477_514);
  const counts = ["conv1", "conv2", "conv3", "fc1", "fc2"].map((n) =>
    layout.view(`${n}.weight`).size + layout.view(`${n}.bias`).size
  );
  assert.deepEqual(counts, [1792, 36928, 73856, 2359808, 5130]);
  assert.deepEqual(layout.view("conv2.weight").shape, [64, 64, 3, 3]);
  assert.deepEqual(layout.view("fc1.weight").shape, [4608, 512]);
  const fashion = cnnLayout(cnnPreset("cnn", { channels: 1, size: 28 }));
  assert.deepEqual(fashion.view("conv1.weight").shape, [64, 1, 3, 3]);
  assert.deepEqual(fashion.view("fc1.weight").shape, [128 * 5 * 5, 512]);
  assert.equal(cnnPreset("cnn").initScale, 0.3);
  // Multiply-adds per sample: conv1 3*64*9*30^2 + conv2 64*64*9*28^2 + conv3 64*128*9*12^2 + 4608*512 + 512*10.
  assert.equal(
    cnnMultiplyAdds(cnnPreset("cnn")),
    3 * 64 * 9 * 900 + 64 * 64 * 9 * 784 + 64 * 128 * 9 * 144 + 4608 * 512 + 5120,
  );
});

Deno.test("CNN init: Kaiming fan_in = C_in k k times initScale, zero biases", () => {
  const spec = { ...tiny("relu"), convs: [{ outChannels: 40, kernelSize: 3 as const, pool: false }] };
  const layout = cnnLayout(spec);
  const views = layout.split(initialParameters(layout, 674));
  const w = views["conv1.weight"];
  const std = Math.sqrt(dot(w, w) / w.length), want = Math.sqrt(2 / (2 * 9));
  // Sample std of n normals: relative standard error 1/sqrt(2n); allow 5 of them.
  assertClose([std], [want], { rtol: 5 / Math.sqrt(2 * w.length) }, "conv1 std");
  assert.ok(views["conv1.bias"].every((b) => b === 0) && views["fc1.bias"].every((b) => b === 0));
});

Deno.test("CNN specs are checked with clear errors", () => {
  assert.throws(() => cnnPreset("cnn", { size: 8 }), /conv3 gets a 2x2 input, too small for its 3x3 kernel/);
  assert.throws(() => cnnPreset("cnn", { size: 10 }), /conv3 output 1x1 is too small for its 2x2 max-pool/);
  assert.throws(() => cnnPreset("vgg" as CnnPresetName), TypeError);
  const bad = (change: Partial<CnnSpec>) => () => cnnLayout({ ...tiny("relu"), ...change });
  assert.throws(bad({ convs: [] }), RangeError);
  assert.throws(bad({ convs: [{ outChannels: 0, kernelSize: 3, pool: false }] }), RangeError);
  assert.throws(bad({ convs: [{ outChannels: 2, kernelSize: 4 as 3, pool: false }] }), RangeError);
  assert.throws(bad({ input: { channels: 0, height: 8, width: 8 } }), RangeError);
  assert.throws(bad({ hidden: [0] }), RangeError);
});

// Central differences in float64: error ~ eps^2 f''' + roundoff / eps; the ReLU and max-pool kinks are
// not crossed at eps = 1e-6 on these inputs (a crossing would show as an O(1) error).
for (const [activation, loss] of [["relu", "squared"], ["silu", "crossEntropy"]] as const) {
  Deno.test(`CNN reference gradient matches central differences of the loss (${activation}, ${loss})`, () => {
    for (const spec of [tiny(activation), odd(activation)]) {
      const layout = cnnLayout(spec), rows = 3;
      const nIn = spec.input.channels * spec.input.height * spec.input.width;
      const params = initialParameters(layout, 3);
      const x = normals(rows * nIn, 11), y = loss === "squared" ? normals(rows * 3, 12) : oneHot(rows, 3, 12);
      const f = (p: Float64Array) => cnnReference(spec, loss, p, x, y, rows).loss;
      const base = cnnReference(spec, loss, params, x, y, rows);
      const eps = 1e-6, fd = new Float64Array(layout.count);
      for (let i = 0; i < layout.count; i++) {
        const p = params.slice(), m = params.slice();
        p[i] += eps;
        m[i] -= eps;
        fd[i] = (f(p) - f(m)) / (2 * eps);
      }
      const diff = assertClose(base.gradient, fd, { atol: 1e-7 * Math.max(1, maxAbs(fd)) }, "gradient");
      console.log(`  ${layout.count} parameters: max diff ${diff.toExponential(1)}`);
    }
  });
}

Deno.test("CNN reference H v (central differences of gradients) matches second differences of the loss", async () => {
  // The bilinear form w^T H v by polarization of the loss alone, in float64 (a smooth activation):
  // [L(t + h(v + w)) - L(t + h(v - w)) - L(t - h(v - w)) + L(t - h(v + w))] / (4 h^2).
  const backend = new ReferenceBackend(), spec = tiny("tanh"), rows = 4;
  const cnn = new Cnn(backend, spec, "squared");
  const count = cnn.layout.count;
  const params = initialParameters(cnn.layout, 8);
  const x = normals(rows * 128, 21),
    y = normals(rows * 3, 22),
    v = normals(count, 23),
    w = normals(count, 24);
  const hv = await backend.read(
    (await cnn.evaluate(
      backend.tensor(params),
      backend.tensor(x, [rows, 128]),
      backend.tensor(y, [rows, 3]),
      {
        direction: backend.tensor(v),
      },
    )).hessianVector!,
  );
  const L = (s: number, t: number) =>
    cnnReference(spec, "squared", params.map((p, i) => p + s * v[i] + t * w[i]), x, y, rows).loss;
  const h = 1e-4;
  const wHv = (L(h, h) - L(h, -h) - L(-h, h) + L(-h, -h)) / (4 * h * h);
  const vHv = (L(h, 0) - 2 * L(0, 0) + L(-h, 0)) / (h * h);
  // Second differences: truncation ~ h^2 |L''''| and roundoff ~ 1e-16 L / h^2 = 1e-8 L.
  const tol = 1e-5 * (dot(w.map(Math.abs), Array.from(hv, Math.abs)) + 1);
  assertClose([dot(w, hv)], [wHv], { atol: tol }, "w^T H v");
  assertClose([dot(v, hv)], [vHv], { atol: tol }, "v^T H v");
  assert.equal(CNN_HVP_METHOD, "central-difference");
  assert.equal(cnn.hvpMethod, "central-difference");
});

testBothBackends("CNN Hessian-vector products are symmetric: w^T H v = v^T H w", async (backend) => {
  const cnn = new Cnn(backend, tiny("silu"), "crossEntropy"), rows = 5, count = cnn.layout.count;
  const x = backend.tensor(normals(rows * 128, 1), [rows, 128]),
    y = backend.tensor(oneHot(rows, 3, 2), [rows, 3]);
  const v = normals(count, 3), w = normals(count, 4), params = cnn.init(8);
  const hv = await backend.read(
    (await cnn.evaluate(params, x, y, { direction: backend.tensor(v) })).hessianVector!,
  );
  const hw = await backend.read(
    (await cnn.evaluate(params, x, y, { direction: backend.tensor(w) })).hessianVector!,
  );
  const a = dot(w, hv), b = dot(v, hw);
  // The finite-difference products are symmetric only up to their truncation and roundoff errors:
  // relative 1e-8 in float64 (delta 1e-7: roundoff ~1e-9), 1e-3 in float32 (delta 1e-3, measured ~4e-4).
  const terms = dot(w.map(Math.abs), Array.from(hv, Math.abs)) +
    dot(v.map(Math.abs), Array.from(hw, Math.abs));
  const diff = assertClose([a], [b], { atol: (backend.name === "webgpu" ? 1e-3 : 1e-8) * terms });
  console.log(`  w^T H v = ${a.toPrecision(6)}, |diff| ${diff.toExponential(1)} [${backend.name}]`);
  cnn.dispose();
});

async function evaluateOn(
  backend: Backend,
  spec: CnnSpec,
  loss: LossName,
  rows: number,
  options: CnnEvaluateOptions = {},
) {
  const cnn = new Cnn(backend, spec, loss);
  const nIn = cnn.inputs, nOut = spec.outputs;
  const x = backend.tensor(normals(rows * nIn, 31), [rows, nIn]);
  const y = backend.tensor(loss === "squared" ? normals(rows * nOut, 32) : oneHot(rows, nOut, 32), [
    rows,
    nOut,
  ]);
  // float32-rounded parameters on both backends.
  const params = backend.tensor(toF32(initialParameters(cnn.layout, 6)));
  const direction = backend.tensor(normals(cnn.layout.count, 33));
  const r = await cnn.evaluate(params, x, y, { gradient: true, direction, ...options });
  const outputs = await backend.read(await cnn.forward(params, x, options.chunkRows));
  const result = {
    loss: (await backend.read(r.loss))[0],
    gradient: await backend.read(r.gradient!),
    hv: await backend.read(r.hessianVector!),
    outputs,
  };
  cnn.dispose();
  return result;
}

testBothBackends("CNN full-batch results accumulated over chunks equal one pass", async (backend) => {
  const eps = { hvpEpsilon: 1e-2 };
  const one = await evaluateOn(backend, tiny("relu"), "squared", 11, eps);
  const chunked = await evaluateOn(backend, tiny("relu"), "squared", 11, { ...eps, chunkRows: 4 });
  const tol = backend.name === "webgpu" ? 1e-5 : 1e-12;
  assert.ok(one.loss > 0 && maxAbs(one.gradient) > 0 && maxAbs(one.hv) > 0, "nonzero results");
  assertClose([chunked.loss], [one.loss], { atol: tol * one.loss }, "loss");
  for (const key of ["gradient", "outputs"] as const) {
    assertClose(chunked[key], one[key], { atol: tol * maxAbs(one[key]) }, key);
  }
  // H v divides gradient differences by 2 eps: float32 roundoff of the gradients grows by |g| / (eps |Hv|).
  assertClose(
    chunked.hv,
    one.hv,
    { atol: (backend.name === "webgpu" ? 1e-3 : 1e-10) * maxAbs(one.hv) },
    "H v",
  );
});

// GPU (float32) against the float64 reference, same float32 inputs and parameters. Outputs, loss and
// gradient chain convs, pools and matmuls: 1e-5 of each result's largest magnitude (~170 u; measured
// ~2e-7). H v: both backends use the same absolute eps, so both difference the same gradients, kinks of
// ReLU and max-pool included (a kink inside +-eps v changes both alike); float32 roundoff of the gradients
// divided by 2 eps: allowed 1e-3 of max |H v|.
for (
  const [activation, loss] of [["relu", "squared"], ["silu", "crossEntropy"], ["tanh", "squared"]] as const
) {
  testGpuOnly(`CNN on webgpu matches the reference (${activation}, ${loss}, odd sizes)`, async (gpu) => {
    for (const spec of [tiny(activation), odd(activation)]) {
      const options = { hvpEpsilon: 1e-2, chunkRows: 3 };
      const ref = await evaluateOn(new ReferenceBackend(), spec, loss, 7, options);
      const got = await evaluateOn(new WebGpuBackend(gpu), spec, loss, 7, options);
      const report: string[] = [];
      for (const key of ["outputs", "gradient", "hv"] as const) {
        const scale = maxAbs(ref[key]);
        const diff = assertClose(got[key], ref[key], { atol: (key === "hv" ? 1e-3 : 1e-5) * scale }, key);
        report.push(`${key} ${(diff / scale).toExponential(1)}`);
      }
      assertClose([got.loss], [ref.loss], { rtol: 1e-5 }, "loss");
      console.log(`  relative max diffs: ${report.join(", ")}`);
    }
  });
}

// The default steps (float32 delta 1e-3 on webgpu, float64 delta 1e-7 on reference) on a network without
// kinks (tanh, no pooling), where the central difference converges: float32 roundoff / delta ~ 1e-4 of
// max |H v| (measured ~1e-4 on llvmpipe), allowed 2e-3.
testGpuOnly(
  "CNN H v with the default step on webgpu matches the reference on a smooth network",
  async (gpu) => {
    const spec: CnnSpec = {
      ...tiny("tanh"),
      convs: [{ outChannels: 3, kernelSize: 3, pool: false }, {
        outChannels: 4,
        kernelSize: 5,
        padding: 1,
        pool: false,
      }],
    };
    const ref = await evaluateOn(new ReferenceBackend(), spec, "squared", 6);
    const got = await evaluateOn(new WebGpuBackend(gpu), spec, "squared", 6);
    const scale = maxAbs(ref.hv);
    const diff = assertClose(got.hv, ref.hv, { atol: 2e-3 * scale }, "H v");
    console.log(`  H v relative max diff ${(diff / scale).toExponential(1)}`);
  },
);

testBothBackends("Cnn.evaluate on rows [begin, end) equals evaluating those rows alone", async (backend) => {
  const cnn = new Cnn(backend, odd("tanh"), "crossEntropy"), nIn = cnn.inputs;
  const rows = 9, begin = 2, end = 7;
  const xs = normals(rows * nIn, 41), ys = oneHot(rows, 3, 42);
  const params = cnn.init(2), direction = backend.tensor(normals(cnn.layout.count, 43));
  const x = backend.tensor(xs, [rows, nIn]), y = backend.tensor(ys, [rows, 3]);
  const common = { gradient: true, direction, hvpEpsilon: 1e-2 };
  const part = await cnn.evaluate(params, x, y, { ...common, rows: { begin, end }, chunkRows: 2 });
  const alone = await cnn.evaluate(
    params,
    backend.tensor(xs.subarray(begin * nIn, end * nIn), [end - begin, nIn]),
    backend.tensor(ys.subarray(begin * 3, end * 3), [end - begin, 3]),
    common,
  );
  for (const key of ["loss", "gradient", "hessianVector"] as const) {
    const want = await backend.read(alone[key]!);
    const tol = backend.name === "webgpu" ? (key === "hessianVector" ? 1e-3 : 1e-5) : 1e-10;
    assertClose(await backend.read(part[key]!), want, { atol: tol * maxAbs(want) }, key);
  }
  cnn.dispose();
});

testBothBackends("Cnn rejects bad shapes and options", async (backend) => {
  const cnn = new Cnn(backend, tiny("relu"), "squared");
  const params = cnn.init(1), x = backend.zeros([2, 128]), y = backend.zeros([2, 3]);
  await assert.rejects(() => cnn.evaluate(backend.zeros([271]), x, y), RangeError);
  await assert.rejects(() => cnn.evaluate(params, backend.zeros([2, 127]), y), /NCHW rows of 2x8x8/);
  await assert.rejects(() => cnn.evaluate(params, backend.zeros([2, 2, 8, 8]), y), RangeError);
  await assert.rejects(() => cnn.evaluate(params, x, backend.zeros([3, 3])), RangeError);
  await assert.rejects(() => cnn.evaluate(params, x, y, { chunkRows: 0 }), RangeError);
  await assert.rejects(() => cnn.evaluate(params, x, y, { direction: backend.zeros([4]) }), RangeError);
  await assert.rejects(() => cnn.evaluate(params, x, y, { direction: params, hvpEpsilon: 0 }), RangeError);
  await assert.rejects(() => cnn.evaluate(params, x, y, { rows: { begin: 1, end: 3 } }), RangeError);
  await assert.rejects(() => cnn.forward(params, backend.zeros([2, 3])), RangeError);
  assert.throws(() => new Cnn(backend, tiny("relu"), "hinge" as LossName), TypeError);
  // A zero direction gives H 0 = 0 without a division by zero.
  const { hessianVector } = await cnn.evaluate(params, x, y, {
    direction: backend.zeros([cnn.layout.count]),
  });
  assertExact(await backend.read(hessianVector!), new Float64Array(cnn.layout.count));
  cnn.dispose();
});

// The backend-level layer wrappers against the reference functions, on float32 inputs. Each output is a
// sum of at most C k k (conv) or N H W (batch norm) terms: 1e-5 relative of the largest value bounds it.
testBothBackends("conv_ops: conv2d, pools and batch norm match the reference functions", async (backend) => {
  const t = (v: Float64Array, shape: number[]) => backend.tensor(v, shape);
  const read = async (tensor: Tensor) => await backend.read(tensor);
  type Tensor = Parameters<Backend["read"]>[0];
  const close = (got: ArrayLike<number>, want: ArrayLike<number>, what: string) =>
    assertClose(
      got,
      want,
      { atol: (backend.name === "webgpu" ? 1e-5 : 1e-14) * Math.max(1, maxAbs(want)) },
      what,
    );

  const conv: Conv2dShape = {
    batch: 2,
    inChannels: 3,
    outChannels: 4,
    height: 7,
    width: 6,
    kernelSize: 3,
    padding: 1,
  };
  const x = normals(2 * 3 * 42, 51),
    w = normals(4 * 3 * 9, 52),
    b = normals(4, 53),
    g = normals(2 * 4 * 42, 54);
  const y = await ops.conv2d(backend, t(x, [2, 126]), t(w, [4, 3, 3, 3]), t(b, [4]), conv);
  assert.deepEqual(y.shape, [2, 4, 7, 6]);
  close(await read(y), conv2dForwardReference(conv, x, w, b), "conv2d");
  const grads = await ops.conv2dBackward(
    backend,
    t(x, [2, 3, 7, 6]),
    t(w, [4, 3, 3, 3]),
    t(g, [2, 4, 7, 6]),
    conv,
  );
  const wantW = conv2dBackwardWeightReference(conv, x, g);
  close(await read(grads.gradInput!), conv2dBackwardInputReference(conv, g, w), "conv2d dx");
  close(await read(grads.gradWeight), wantW.gradWeight, "conv2d dw");
  close(await read(grads.gradBias), wantW.gradBias, "conv2d db");
  const noInput = await ops.conv2dBackward(backend, t(x, [252]), t(w, [108]), t(g, [336]), conv, {
    input: false,
  });
  assert.equal(noInput.gradInput, undefined);

  const pool = { batch: 2, channels: 3, height: 7, width: 6 };
  const py = await ops.maxPool2d(backend, t(x, [2, 3, 7, 6]), pool);
  assert.deepEqual(py.shape, [2, 3, 3, 3]);
  close(await read(py), maxPool2dForwardReference(pool, x), "max pool");
  const pg = normals(2 * 3 * 9, 55);
  close(
    await read(await ops.maxPool2dBackward(backend, t(x, [252]), t(pg, [54]), pool)),
    maxPool2dBackwardReference(pool, x, pg),
    "max pool dx",
  );
  close(
    await read(await ops.globalAvgPool(backend, t(x, [252]), pool)),
    globalAvgPoolForwardReference(pool, x),
    "avg",
  );
  const ag = normals(6, 56);
  close(
    await read(await ops.globalAvgPoolBackward(backend, t(ag, [2, 3]), pool)),
    globalAvgPoolBackwardReference(pool, ag),
    "avg dx",
  );

  const bn = { batch: 2, channels: 3, height: 7, width: 6 };
  const gamma = normals(3, 57), beta = normals(3, 58);
  const runningMean = normals(3, 59), runningVar = Float64Array.from(normals(3, 60), (v) => 0.5 + v * v);
  for (const mode of ["train", "eval"] as const) {
    const options = { mode, runningMean, runningVar, momentum: 0.2 };
    const running = t(Float64Array.from([...runningMean, ...runningVar]), [2, 3]);
    const fwd = await ops.batchNorm(backend, t(x, [252]), t(gamma, [3]), t(beta, [3]), running, bn, options);
    const want = batchNormForwardReference(bn, x, gamma, beta, options);
    close(await read(fwd.y), want.y, `batch norm ${mode}`);
    close(await read(running), [...want.runningMean, ...want.runningVar], `batch norm running ${mode}`);
    const stats = mode === "train"
      ? fwd.batchStats!
      : t(Float64Array.from([...runningMean, ...runningVar]), [2, 3]);
    if (mode === "train") close(await read(stats), [...want.mean, ...want.variance], "batch stats");
    const back = await ops.batchNormBackward(
      backend,
      t(x, [252]),
      t(gamma, [3]),
      t(g.subarray(0, 252), [252]),
      stats,
      bn,
      options,
    );
    const wantBack = batchNormBackwardReference(bn, x, gamma, g.subarray(0, 252), options);
    close(await read(back.gradInput), wantBack.dx, `batch norm dx ${mode}`);
    close(await read(back.gradGamma), wantBack.dgamma, `batch norm dgamma ${mode}`);
    close(await read(back.gradBeta), wantBack.dbeta, `batch norm dbeta ${mode}`);
  }

  await assert.rejects(
    () => ops.conv2d(backend, t(x.subarray(0, 251), [251]), t(w, [108]), undefined, conv),
    /x of shape \[251\]/,
  );
  await assert.rejects(
    () => ops.conv2d(backend, t(x, [252]), t(w, [108]), t(b.subarray(0, 3), [3]), conv),
    RangeError,
  );
  await assert.rejects(
    () => ops.maxPool2d(backend, t(x, [252]), { ...pool, height: 1, width: 42 }),
    RangeError,
  );
  const other = backend.name === "webgpu" ? new ReferenceBackend() : backend;
  if (other !== backend) {
    await assert.rejects(() => ops.maxPool2d(backend, other.tensor(x, [252]), pool), TypeError);
  }
});
