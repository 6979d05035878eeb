// CNN presets, layout and init; the float64 reference gradient against central differences; the exact
// R-operator H v against central differences of gradients (smooth nets; ReLU + max-pool where no unit or
// window switches), second differences of the loss, a deep linear net where central differences are exact,
// linearity and symmetry; the GPU against the reference (R-operator and the opt-in central differences);
// chunking, row ranges and row indices; bad input. The layer ops are tests/models_layer_ops_test.ts.
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
  cnnShapes,
  type CnnSpec,
} from "../lib/models/cnn.ts";
import { Cnn, CNN_HVP_METHOD, type CnnEvaluateOptions, type CnnHvpMethod } from "../lib/models/cnn_model.ts";
import { initialParameters } from "../lib/models/init.ts";
import type { LossName } from "../lib/models/losses.ts";
import { cnnBlockPoolShape, cnnForwardReference, cnnReference } from "../lib/models/cnn_reference.ts";
import { randomReference } from "../lib/rng/philox.ts";
import { maxPool2dBackwardReference } from "../lib/reference/pool.ts";

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

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
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

/** The tiny CNN without its max-pool: smooth when the activation is. */
const tinyNoPool = (activation: CnnSpec["activation"]): CnnSpec => ({
  ...tiny(activation),
  convs: [
    { outChannels: 3, kernelSize: 3, pool: false },
    { outChannels: 4, kernelSize: 5, padding: 1, pool: false },
  ],
});

/** The odd CNN without its max-pools. */
const oddNoPool = (activation: CnnSpec["activation"]): CnnSpec => ({
  ...odd(activation),
  convs: odd(activation).convs.map((c) => ({ ...c, pool: false })),
});

/** A float64 problem for the reference checks: parameters, inputs, targets and two directions. */
function referenceProblem(spec: CnnSpec, loss: LossName, rows: number, seed: number) {
  const layout = cnnLayout(spec), nIn = spec.input.channels * spec.input.height * spec.input.width;
  return {
    layout,
    params: initialParameters(layout, seed),
    x: normals(rows * nIn, seed + 1),
    y: loss === "squared" ? normals(rows * spec.outputs, seed + 2) : oneHot(rows, spec.outputs, seed + 2),
    v: normals(layout.count, seed + 3),
    w: normals(layout.count, seed + 4),
  };
}

type Problem = ReturnType<typeof referenceProblem>;

/** (g(theta + eps v) - g(theta - eps v)) / (2 eps) with the exact float64 gradients. */
function gradientDifference(
  spec: CnnSpec,
  loss: LossName,
  p: Problem,
  rows: number,
  eps: number,
  v = p.v,
): Float64Array {
  const g = (s: number) =>
    cnnReference(spec, loss, p.params.map((t, i) => t + s * v[i]), p.x, p.y, rows).gradient;
  const plus = g(eps), minus = g(-eps);
  return plus.map((t, i) => (t - minus[i]) / (2 * eps));
}

function referenceHv(spec: CnnSpec, loss: LossName, p: Problem, rows: number, v = p.v): Float64Array {
  return cnnReference(spec, loss, p.params, p.x, p.y, rows, { direction: v }).hessianVector!;
}

// Smooth nets (tanh, SiLU; no ReLU, no max-pool): the central difference of exact float64 gradients has
// error ~ eps^2 |third derivative| + 1e-16 |g| / eps, ~1e-9 relative at eps 1e-5 (measured ~3e-9 to 1e-8).
for (const [activation, loss] of [["tanh", "squared"], ["silu", "crossEntropy"]] as const) {
  Deno.test(`CNN reference R-operator H v matches central differences of gradients (${activation}, ${loss})`, () => {
    for (const spec of [tinyNoPool(activation), oddNoPool(activation)]) {
      const rows = 3, p = referenceProblem(spec, loss, rows, 5);
      const hv = referenceHv(spec, loss, p, rows), fd = gradientDifference(spec, loss, p, rows, 1e-5);
      const diff = assertClose(hv, fd, { atol: 1e-7 * maxAbs(fd) }, "H v");
      console.log(
        `  ${p.layout.count} parameters: relative max diff ${(diff / maxAbs(fd)).toExponential(1)}`,
      );
    }
  });
}

/** Which ReLUs are on and which element wins each max-pool window: the piece of the loss theta is on. */
function switchPattern(spec: CnnSpec, params: Float64Array, x: Float64Array, rows: number): string {
  const trace = cnnForwardReference(spec, params, x, rows), shapes = cnnShapes(spec);
  const hidden = [...trace.convPre, ...trace.densePre.slice(0, -1)];
  const parts = hidden.map((z) => Array.from(z, (t) => t > 0 ? 1 : 0).join(""));
  shapes.blocks.forEach((b, i) => {
    if (!b.pool) return;
    const shape = cnnBlockPoolShape(shapes, i, rows);
    const ones = new Float64Array(trace.blockOut[i].length).fill(1);
    parts.push(maxPool2dBackwardReference(shape, trace.convPost[i], ones).join(""));
  });
  return parts.join("|");
}

Deno.test("CNN reference R-operator H v on ReLU + max-pool equals central differences when nothing switches", () => {
  // Inside one piece (the same ReLUs on, the same window maxima) the loss is a polynomial in theta, so the
  // central difference converges like eps^2; the test checks that theta +- eps v stays on theta's piece.
  // At a large step units switch and the difference quotient is wrong (logged, not asserted).
  for (const spec of [tiny("relu"), odd("relu")]) {
    const rows = 3, p = referenceProblem(spec, "squared", rows, 7);
    const hv = referenceHv(spec, "squared", p, rows);
    const at = (s: number) => switchPattern(spec, p.params.map((t, i) => t + s * p.v[i]), p.x, rows);
    const eps = 1e-6, here = at(0);
    assert.ok(at(eps) === here && at(-eps) === here, "theta +- eps v crosses a ReLU kink or a pool tie");
    const fd = gradientDifference(spec, "squared", p, rows, eps);
    const diff = assertClose(hv, fd, { atol: 1e-7 * maxAbs(fd) }, "H v");
    const large = 0.1, coarse = gradientDifference(spec, "squared", p, rows, large);
    assert.ok(at(large) !== here || at(-large) !== here, "expected switches at the large step");
    console.log(
      `  ${p.layout.count} parameters: relative max diff ${
        (diff / maxAbs(fd)).toExponential(1)
      } at eps ${eps}; ` +
        `central difference at eps ${large} (switches): ${
          (maxDiff(coarse, hv) / maxAbs(hv)).toExponential(1)
        }`,
    );
  }
});

Deno.test("CNN reference R-operator H v matches second differences of the loss (w^T H v, v^T H v)", () => {
  // The bilinear form by polarization of the loss alone, in float64 (a smooth activation, max-pools kept:
  // h = 1e-4 crosses no window tie on these inputs):
  // [L(t + h(v + w)) - L(t + h(v - w)) - L(t - h(v - w)) + L(t - h(v + w))] / (4 h^2).
  const spec = tiny("tanh"), rows = 4, p = referenceProblem(spec, "squared", rows, 8);
  const hv = referenceHv(spec, "squared", p, rows);
  const L = (s: number, t: number) =>
    cnnReference(spec, "squared", p.params.map((q, i) => q + s * p.v[i] + t * p.w[i]), p.x, p.y, rows).loss;
  const h = 1e-4;
  const wHv = (L(h, h) - L(h, -h) - L(-h, h) + L(-h, -h)) / (4 * h * h);
  const vHv = (L(h, 0) - 2 * L(0, 0) + L(-h, 0)) / (h * h);
  // Second differences: truncation ~ h^2 |L''''| and roundoff ~ 1e-16 L / h^2 = 1e-8 L.
  const tol = 1e-5 * (dot(p.w.map(Math.abs), Array.from(hv, Math.abs)) + 1);
  assertClose([dot(p.w, hv)], [wHv], { atol: tol }, "w^T H v");
  assertClose([dot(p.v, hv)], [vHv], { atol: tol }, "v^T H v");
});

Deno.test("CNN reference R-operator on a deep linear CNN: exact central differences at a large step, linear in v", () => {
  // Identity activation, no pool, squared loss: the outputs are linear in each layer's parameters, so along
  // a direction inside one layer f is linear in t, the loss quadratic and every gradient component a
  // quadratic polynomial in t: the central difference is exact at ANY step (here 0.5), and
  // L(1) - 2 L(0) + L(-1) = v^T H v exactly.
  const spec = tinyNoPool("identity"), rows = 3, p = referenceProblem(spec, "squared", rows, 9);
  for (const name of ["conv1", "conv2", "fc1", "fc2"]) {
    const v = new Float64Array(p.layout.count);
    for (const part of ["weight", "bias"]) {
      const view = p.layout.view(`${name}.${part}`);
      v.set(p.v.subarray(view.offset, view.offset + view.size), view.offset);
    }
    const hv = referenceHv(spec, "squared", p, rows, v);
    const fd = gradientDifference(spec, "squared", p, rows, 0.5, v);
    const diff = assertClose(hv, fd, { atol: 1e-12 * maxAbs(fd) }, `H v along ${name}`);
    const L = (t: number) =>
      cnnReference(spec, "squared", p.params.map((q, i) => q + t * v[i]), p.x, p.y, rows).loss;
    assertClose([dot(v, hv)], [L(1) - 2 * L(0) + L(-1)], { rtol: 1e-11 }, `v^T H v along ${name}`);
    console.log(`  along ${name}: relative max diff ${(diff / maxAbs(fd)).toExponential(1)}`);
  }
  // H (a v + b w) = a H v + b H w for full directions (the R-operator is linear in v).
  const a = 0.75, b = -1.5;
  const combined = referenceHv(spec, "squared", p, rows, p.v.map((t, i) => a * t + b * p.w[i]));
  const hv = referenceHv(spec, "squared", p, rows), hw = referenceHv(spec, "squared", p, rows, p.w);
  const want = hv.map((t, i) => a * t + b * hw[i]);
  assertClose(combined, want, { atol: 1e-13 * (maxAbs(hv) + maxAbs(hw)) }, "linearity");
});

testBothBackends("CNN Hessian-vector products are symmetric: w^T H v = v^T H w", async (backend) => {
  for (const [activation, loss] of [["silu", "crossEntropy"], ["relu", "squared"]] as const) {
    const cnn = new Cnn(backend, tiny(activation), loss), rows = 5, count = cnn.layout.count;
    const x = backend.tensor(normals(rows * 128, 1), [rows, 128]);
    const y = backend.tensor(loss === "squared" ? normals(rows * 3, 2) : oneHot(rows, 3, 2), [rows, 3]);
    const v = normals(count, 3), w = normals(count, 4), params = cnn.init(8);
    const product = async (d: Float64Array) =>
      await backend.read((await cnn.evaluate(params, x, y, { direction: backend.tensor(d) })).hessianVector!);
    const hv = await product(v), hw = await product(w);
    const a = dot(w, hv), b = dot(v, hw);
    // Exact products: symmetric up to roundoff, 1e-12 of the summed |terms| in float64 and 1e-5 in
    // float32 (chains of sums of up to ~1000 terms, ~100 u).
    const terms = dot(w.map(Math.abs), Array.from(hv, Math.abs)) +
      dot(v.map(Math.abs), Array.from(hw, Math.abs));
    const diff = assertClose([a], [b], { atol: (backend.name === "webgpu" ? 1e-5 : 1e-12) * terms });
    console.log(
      `  ${activation}: w^T H v = ${a.toPrecision(6)}, |diff| ${diff.toExponential(1)} [${backend.name}]`,
    );
    cnn.dispose();
  }
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
  // H v alone (no gradient asked): the GPU then skips the gradient's stores but still runs its chain.
  const alone = await cnn.evaluate(params, x, y, { ...options, direction, gradient: false });
  const outputs = await backend.read(await cnn.forward(params, x, options.chunkRows));
  const result = {
    loss: (await backend.read(r.loss))[0],
    gradient: await backend.read(r.gradient!),
    hv: await backend.read(r.hessianVector!),
    hvAlone: await backend.read(alone.hessianVector!),
    outputs,
  };
  assert.equal(alone.gradient, undefined);
  cnn.dispose();
  return result;
}

testBothBackends("CNN full-batch results accumulated over chunks equal one pass", async (backend) => {
  for (const hvpMethod of ["r-operator", "central-difference"] as const) {
    const options = { hvpMethod, hvpEpsilon: 1e-2 };
    const one = await evaluateOn(backend, tiny("relu"), "squared", 11, options);
    const chunked = await evaluateOn(backend, tiny("relu"), "squared", 11, { ...options, chunkRows: 4 });
    const tol = backend.name === "webgpu" ? 1e-5 : 1e-12;
    assert.ok(one.loss > 0 && maxAbs(one.gradient) > 0 && maxAbs(one.hv) > 0, "nonzero results");
    assertClose([chunked.loss], [one.loss], { atol: tol * one.loss }, "loss");
    for (const key of ["gradient", "outputs"] as const) {
      assertClose(chunked[key], one[key], { atol: tol * maxAbs(one[key]) }, key);
    }
    // The exact H v sums like the gradient; the central difference divides gradient differences by 2 eps:
    // float32 roundoff of the gradients grows by |g| / (eps |Hv|).
    const hvTol = hvpMethod === "r-operator" ? tol : backend.name === "webgpu" ? 1e-3 : 1e-10;
    for (const key of ["hv", "hvAlone"] as const) {
      assertClose(chunked[key], one.hv, { atol: hvTol * maxAbs(one.hv) }, `H v (${hvpMethod}, ${key})`);
    }
  }
});

// GPU (float32) against the float64 reference, same float32 inputs and parameters. Outputs, loss,
// gradient and the exact H v chain convs, pools and matmuls: 1e-5 of each result's largest magnitude
// (~170 u; measured ~1e-7 to 8e-7). A window whose two largest values are within float32 rounding could
// pick a different maximum on the GPU; these inputs have none. The opt-in central difference: both
// backends use the same absolute eps, so both difference the same gradients, kinks of ReLU and max-pool
// included (a kink inside +-eps v changes both alike); float32 roundoff of the gradients divided by
// 2 eps: allowed 1e-3 of max |H v|.
for (
  const [activation, loss] of [["relu", "squared"], ["silu", "crossEntropy"], ["tanh", "squared"]] as const
) {
  testGpuOnly(`CNN on webgpu matches the reference (${activation}, ${loss}, odd sizes)`, async (gpu) => {
    for (const spec of [tiny(activation), odd(activation)]) {
      for (const hvpMethod of ["r-operator", "central-difference"] as CnnHvpMethod[]) {
        const options = { hvpMethod, hvpEpsilon: 1e-2, chunkRows: 3 };
        const ref = await evaluateOn(new ReferenceBackend(), spec, loss, 7, options);
        const got = await evaluateOn(new WebGpuBackend(gpu), spec, loss, 7, options);
        const report: string[] = [];
        for (const key of ["outputs", "gradient", "hv", "hvAlone"] as const) {
          const scale = maxAbs(ref[key]),
            exact = key !== "hv" && key !== "hvAlone" || hvpMethod === "r-operator";
          const diff = assertClose(got[key], ref[key], { atol: (exact ? 1e-5 : 1e-3) * scale }, key);
          report.push(`${key} ${(diff / scale).toExponential(1)}`);
        }
        assertClose([got.loss], [ref.loss], { rtol: 1e-5 }, "loss");
        console.log(`  ${hvpMethod}: relative max diffs ${report.join(", ")}`);
      }
    }
  });
}

// The central difference with its default steps (float32 delta 1e-3 on webgpu) on a network without kinks
// (tanh, no pooling), where it converges, against the exact float64 R-operator: float32 roundoff / delta
// ~ 1e-4 of max |H v| (measured ~1e-4 on llvmpipe), allowed 2e-3.
testGpuOnly(
  "CNN central-difference H v with the default step on webgpu is close on a smooth network",
  async (gpu) => {
    const spec = tinyNoPool("tanh");
    const ref = await evaluateOn(new ReferenceBackend(), spec, "squared", 6);
    const got = await evaluateOn(new WebGpuBackend(gpu), spec, "squared", 6, {
      hvpMethod: "central-difference",
    });
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
  const common = { gradient: true, direction };
  const part = await cnn.evaluate(params, x, y, { ...common, rows: { begin, end }, chunkRows: 2 });
  const alone = await cnn.evaluate(
    params,
    backend.tensor(xs.subarray(begin * nIn, end * nIn), [end - begin, nIn]),
    backend.tensor(ys.subarray(begin * 3, end * 3), [end - begin, 3]),
    common,
  );
  for (const key of ["loss", "gradient", "hessianVector"] as const) {
    const want = await backend.read(alone[key]!);
    const tol = backend.name === "webgpu" ? 1e-5 : 1e-12;
    assertClose(await backend.read(part[key]!), want, { atol: tol * maxAbs(want) }, key);
  }
  cnn.dispose();
});

testBothBackends(
  "Cnn.evaluate on a subset of row indices equals evaluating those rows alone",
  async (backend) => {
    const cnn = new Cnn(backend, odd("tanh"), "crossEntropy"), nIn = cnn.inputs;
    const rows = 9, indices = [8, 3, 3, 5, 0];
    const xs = normals(rows * nIn, 44), ys = oneHot(rows, 3, 45);
    const params = cnn.init(4), direction = backend.tensor(normals(cnn.layout.count, 46));
    const x = backend.tensor(xs, [rows, nIn]), y = backend.tensor(ys, [rows, 3]);
    const part = await cnn.evaluate(params, x, y, { gradient: true, direction, indices, chunkRows: 2 });
    const pick = (values: Float64Array, cols: number) =>
      indices.flatMap((r) => Array.from(values.subarray(r * cols, (r + 1) * cols)));
    const alone = await cnn.evaluate(
      params,
      backend.tensor(pick(xs, nIn), [indices.length, nIn]),
      backend.tensor(pick(ys, 3), [indices.length, 3]),
      { gradient: true, direction },
    );
    // Same rows, different chunking (2 vs 128): sums regrouped, 1e-5 (float32) / 1e-12 (float64) of max.
    const tol = backend.name === "webgpu" ? 1e-5 : 1e-12;
    for (const key of ["loss", "gradient", "hessianVector"] as const) {
      const want = await backend.read(alone[key]!);
      assertClose(await backend.read(part[key]!), want, { atol: tol * maxAbs(want) }, key);
    }
    await assert.rejects(() => cnn.evaluate(params, x, y, { indices: [9] }), /not a row/);
    await assert.rejects(() => cnn.evaluate(params, x, y, { indices: [] }), /empty index list/);
    await assert.rejects(
      () => cnn.evaluate(params, x, y, { indices: [1], rows: { begin: 0, end: 2 } }),
      /not both/,
    );
    cnn.dispose();
  },
);

testBothBackends("Cnn rejects bad shapes and options; the R-operator is the default", async (backend) => {
  const cnn = new Cnn(backend, tiny("relu"), "squared");
  assert.equal(CNN_HVP_METHOD, "r-operator");
  assert.equal(cnn.hvpMethod, "r-operator");
  assert.equal(
    new Cnn(backend, tiny("relu"), "squared", { hvpMethod: "central-difference" }).hvpMethod,
    "central-difference",
  );
  const params = cnn.init(1), x = backend.zeros([2, 128]), y = backend.zeros([2, 3]);
  await assert.rejects(() => cnn.evaluate(backend.zeros([271]), x, y), RangeError);
  await assert.rejects(() => cnn.evaluate(params, backend.zeros([2, 127]), y), /NCHW rows of 2x8x8/);
  await assert.rejects(() => cnn.evaluate(params, backend.zeros([2, 2, 8, 8]), y), RangeError);
  await assert.rejects(() => cnn.evaluate(params, x, backend.zeros([3, 3])), RangeError);
  await assert.rejects(() => cnn.evaluate(params, x, y, { chunkRows: 0 }), RangeError);
  await assert.rejects(() => cnn.evaluate(params, x, y, { direction: backend.zeros([4]) }), RangeError);
  await assert.rejects(() => cnn.evaluate(params, x, y, { direction: params, hvpEpsilon: 0 }), RangeError);
  await assert.rejects(
    () => cnn.evaluate(params, x, y, { direction: params, hvpMethod: "exact" as CnnHvpMethod }),
    /Hessian-vector product method "exact": expected one of r-operator, central-difference/,
  );
  assert.throws(
    () => new Cnn(backend, tiny("relu"), "squared", { hvpMethod: "fd" as CnnHvpMethod }),
    TypeError,
  );
  await assert.rejects(() => cnn.evaluate(params, x, y, { rows: { begin: 1, end: 3 } }), RangeError);
  await assert.rejects(() => cnn.forward(params, backend.zeros([2, 3])), RangeError);
  assert.throws(() => new Cnn(backend, tiny("relu"), "hinge" as LossName), TypeError);
  // A zero direction gives H 0 = 0 by both methods (no division by zero in the central difference).
  for (const hvpMethod of ["r-operator", "central-difference"] as const) {
    const { hessianVector } = await cnn.evaluate(params, x, y, {
      direction: backend.zeros([cnn.layout.count]),
      hvpMethod,
    });
    assertExact(await backend.read(hessianVector!), new Float64Array(cnn.layout.count));
  }
  cnn.dispose();
});
