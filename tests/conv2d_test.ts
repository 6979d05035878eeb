// Conv2d: the float64 reference against central differences and closed forms, the GPU kernels
// against the reference at odd sizes, exact small-integer cases, loop-budget chunking and bad shapes.
import { assert, assertClose, assertExact, U32 } from "./_assert.ts";
import { testGpuOnly } from "./_backends.ts";
import type { GpuContext } from "../lib/gpu/device.ts";
import { createBuffer, readBuffers, uploadBuffer } from "../lib/gpu/buffers.ts";
import { CommandRecorder } from "../lib/gpu/recorder.ts";
import { randomReference } from "../lib/rng/philox.ts";
import {
  conv2dBackwardInputReference,
  conv2dBackwardWeightReference,
  conv2dForwardReference,
  type Conv2dShape,
  conv2dSizes,
} from "../lib/reference/conv2d.ts";
import {
  conv2dChannelsPerDispatch,
  conv2dRowsPerDispatch,
  encodeConv2dBackwardInput,
  encodeConv2dBackwardWeight,
  encodeConv2dForward,
} from "../kernels/conv/conv2d.ts";

/** Normal values rounded to float32, so the reference sees exactly what the GPU sees. */
function normals(n: number, seed: number): Float32Array {
  return Float32Array.from(randomReference(1, n, { seed, stream: 0 }) as Float64Array);
}

/** Integers in [-3, 3] (float32 sums of their products are exact). */
function smallIntegers(n: number, seed: number): Float32Array {
  const u = randomReference(1, n, { seed, stream: 1, distribution: "uniform" }) as Float64Array;
  return Float32Array.from(u, (v) => Math.floor(v * 7) - 3);
}

const abs = (a: ArrayLike<number>) => Float64Array.from(a, Math.abs);

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

interface Conv2dData {
  x: Float32Array;
  weight: Float32Array;
  bias: Float32Array;
  gradOutput: Float32Array;
}

function makeData(shape: Conv2dShape, seed: number, draw = normals): Conv2dData {
  const s = conv2dSizes(shape);
  return {
    x: draw(s.inputSize, seed),
    weight: draw(s.weightSize, seed + 1),
    bias: draw(shape.outChannels, seed + 2),
    gradOutput: draw(s.outputSize, seed + 3),
  };
}

/**
 * Runs the three kernels once (weight and bias placed at offsets of one flat buffer, as a model's
 * parameters are) and reads everything back with one wait.
 */
async function runGpu(gpu: GpuContext, shape: Conv2dShape, d: Conv2dData) {
  const s = conv2dSizes(shape);
  const weightOffset = 3, biasOffset = 3 + s.weightSize + 1; // views that do not start at 0
  const flat = new Float32Array(biasOffset + shape.outChannels + 2);
  flat.set(d.weight, weightOffset);
  flat.set(d.bias, biasOffset);
  const params = uploadBuffer(gpu, flat, "conv params");
  const x = uploadBuffer(gpu, d.x, "conv x"), g = uploadBuffer(gpu, d.gradOutput, "conv g");
  const y = createBuffer(gpu, s.outputSize * 4, "conv y"), dx = createBuffer(gpu, s.inputSize * 4, "conv dx");
  const grad = createBuffer(gpu, flat.byteLength, "conv grad");
  const rec = new CommandRecorder(gpu);
  await encodeConv2dForward(rec, { shape, x, weight: params, weightOffset, bias: params, biasOffset, y });
  await encodeConv2dBackwardInput(rec, { shape, gradOutput: g, weight: params, weightOffset, gradInput: dx });
  await encodeConv2dBackwardWeight(rec, { shape, x, gradOutput: g, grad, weightOffset, biasOffset });
  const dispatches = rec.dispatchCount;
  rec.flush();
  const [yb, dxb, gradb] = await readBuffers(gpu, [
    { buffer: y, byteLength: s.outputSize * 4 },
    { buffer: dx, byteLength: s.inputSize * 4 },
    { buffer: grad, byteLength: flat.byteLength },
  ]);
  for (const b of [params, x, g, y, dx, grad]) b.destroy();
  const gradAll = new Float32Array(gradb);
  return {
    y: new Float32Array(yb),
    dx: new Float32Array(dxb),
    gradWeight: gradAll.slice(weightOffset, weightOffset + s.weightSize),
    gradBias: gradAll.slice(biasOffset, biasOffset + shape.outChannels),
    dispatches,
  };
}

/** Reference results and the float32 rounding bounds atol + 8u sum|terms| of each element. */
function referenceWithBounds(shape: Conv2dShape, d: Conv2dData, atol: number) {
  const y = conv2dForwardReference(shape, d.x, d.weight, d.bias);
  const dx = conv2dBackwardInputReference(shape, d.gradOutput, d.weight);
  const { gradWeight, gradBias } = conv2dBackwardWeightReference(shape, d.x, d.gradOutput);
  const bound = (terms: Float64Array) => terms.map((t) => atol + 8 * U32 * t);
  const absWeight = conv2dBackwardWeightReference(shape, abs(d.x), abs(d.gradOutput));
  return {
    want: { y, dx, gradWeight, gradBias },
    bounds: {
      y: bound(conv2dForwardReference(shape, abs(d.x), abs(d.weight), abs(d.bias))),
      dx: bound(conv2dBackwardInputReference(shape, abs(d.gradOutput), abs(d.weight))),
      gradWeight: bound(absWeight.gradWeight),
      gradBias: bound(absWeight.gradBias),
    },
  };
}

const shape = (over: Partial<Conv2dShape>): Conv2dShape => ({
  batch: 2,
  inChannels: 3,
  outChannels: 5,
  height: 7,
  width: 7,
  kernelSize: 3,
  padding: 0,
  ...over,
});

Deno.test("conv2d reference: gradients match float64 central differences of the forward pass", () => {
  // L = sum y r for a fixed r, so dL/dx = backwardInput(r), dL/dw = backwardWeight(x, r).w, dL/db = .b.
  for (const s of [shape({ height: 6, width: 5, outChannels: 2 }), shape({ kernelSize: 5, padding: 1 })]) {
    const d = makeData(s, 11);
    const r = d.gradOutput;
    const loss = (x: ArrayLike<number>, w: ArrayLike<number>, b: ArrayLike<number>) =>
      dot(conv2dForwardReference(s, x, w, b), r);
    const dx = conv2dBackwardInputReference(s, r, d.weight);
    const { gradWeight, gradBias } = conv2dBackwardWeightReference(s, d.x, r);
    const h = 1e-3;
    const central = (values: Float32Array, at: (v: Float64Array) => number) => {
      const fd = new Float64Array(values.length);
      for (let i = 0; i < values.length; i++) {
        const plus = Float64Array.from(values), minus = Float64Array.from(values);
        plus[i] += h;
        minus[i] -= h;
        fd[i] = (at(plus) - at(minus)) / (2 * h);
      }
      return fd;
    };
    // The loss is linear in each argument: central differences are exact up to float64 rounding.
    assertClose(dx, central(d.x, (x) => loss(x, d.weight, d.bias)), { atol: 1e-9 }, "dL/dx");
    assertClose(gradWeight, central(d.weight, (w) => loss(d.x, w, d.bias)), { atol: 1e-9 }, "dL/dw");
    assertClose(gradBias, central(d.bias, (b) => loss(d.x, d.weight, b)), { atol: 1e-9 }, "dL/db");
  }
});

Deno.test("conv2d reference: closed forms on ones (interior, padded corners, identity kernel)", () => {
  const s = shape({ batch: 1, inChannels: 2, outChannels: 1, height: 4, width: 5, padding: 1 });
  const ones = (n: number) => new Float64Array(n).fill(1);
  const y = conv2dForwardReference(s, ones(40), ones(18), [0.5]);
  assert.equal(y.length, 20); // padding 1 keeps 4x5
  assert.equal(y[0], 2 * 4 + 0.5); // corner: 2x2 of the 3x3 window inside, 2 channels
  assert.equal(y[1], 2 * 6 + 0.5); // top edge: 2x3
  assert.equal(y[5 + 1], 2 * 9 + 0.5); // interior
  // A kernel that is 1 at its centre copies the input (padding 1, 3x3).
  const x = Float64Array.from({ length: 20 }, (_, i) => i * i - 3);
  const centre = new Float64Array(9);
  centre[4] = 1;
  const one = { ...s, inChannels: 1 };
  assertExact(conv2dForwardReference(one, x, centre), x, "identity conv");
  assertExact(conv2dBackwardInputReference(one, x, centre), x, "identity conv backward");
});

Deno.test("conv2d: bad shapes and lengths throw RangeError", () => {
  const s = shape({});
  const d = makeData(s, 1);
  for (
    const bad of [
      { kernelSize: 4 },
      { padding: 2 },
      { batch: 0 },
      { inChannels: 1.5 },
      { height: 2 },
      { width: 4, kernelSize: 5 },
    ] as Partial<Conv2dShape>[]
  ) {
    const wrong = { ...s, ...bad };
    assert.throws(() => conv2dSizes(wrong), RangeError, JSON.stringify(bad));
    assert.throws(() => conv2dForwardReference(wrong, d.x, d.weight), RangeError);
  }
  assert.throws(
    () => conv2dForwardReference(s, d.x.subarray(1), d.weight),
    /x has 293 elements, expected 294/,
  );
  assert.throws(() => conv2dForwardReference(s, d.x, d.weight, [1, 2]), /bias has 2 elements/);
  assert.throws(() => conv2dBackwardInputReference(s, d.x, d.weight), /gradOutput has 294 elements/);
  assert.throws(() => conv2dBackwardWeightReference(s, d.x, d.weight), RangeError);
  // The smallest valid input: 5x5 with a 5x5 kernel and no padding gives 1x1.
  assert.equal(conv2dSizes({ ...s, height: 5, width: 5, kernelSize: 5 }).outputSize, 2 * 5);
});

// GPU (float32) against the float64 reference at odd sizes; the bound per element is
// atol + 8u sum|terms| of its sum (the sum of absolute products computed by the reference itself).
for (
  const s of [
    shape({ height: 7, width: 7, padding: 0 }),
    shape({ height: 9, width: 9, padding: 1 }),
    shape({ height: 9, width: 7, kernelSize: 5, padding: 0 }),
    shape({ height: 7, width: 9, kernelSize: 5, padding: 1, batch: 1, inChannels: 1, outChannels: 1 }),
  ]
) {
  const name =
    `${s.batch}x${s.inChannels}x${s.height}x${s.width} -> ${s.outChannels}, k ${s.kernelSize}, p ${s.padding}`;
  testGpuOnly(`conv2d kernels match the float64 reference (${name})`, async (gpu) => {
    const d = makeData(s, 5);
    const got = await runGpu(gpu, s, d);
    const { want, bounds } = referenceWithBounds(s, d, 1e-7);
    const report: string[] = [];
    for (const key of ["y", "dx", "gradWeight", "gradBias"] as const) {
      const diff = assertClose(got[key], want[key], { bounds: bounds[key] }, key);
      report.push(`${key} ${diff.toExponential(1)}`);
    }
    console.log(`  max diffs: ${report.join(", ")}`);
  });
}

testGpuOnly("conv2d kernels are exact on small integers", async (gpu) => {
  for (
    const s of [shape({ padding: 1, height: 5, width: 6 }), shape({ kernelSize: 5, height: 6, width: 5 })]
  ) {
    const d = makeData(s, 21, smallIntegers);
    const got = await runGpu(gpu, s, d);
    const { want } = referenceWithBounds(s, d, 0);
    for (const key of ["y", "dx", "gradWeight", "gradBias"] as const) assertExact(got[key], want[key], key);
  }
});

testGpuOnly("conv2d kernels split long loops into accumulating dispatches and stay exact", async (gpu) => {
  // Enough channels / rows to need more than one dispatch on the CPU adapter (loop limit 65,535),
  // on tiny images so the test stays fast. Small integers keep every chunked sum exact.
  const k = 5;
  const channels = conv2dChannelsPerDispatch(gpu, k) + 3;
  const wide = shape({ batch: 1, inChannels: channels, outChannels: 2, height: 5, width: 6, kernelSize: k });
  const tall = shape({ batch: 1, inChannels: 2, outChannels: channels, height: 5, width: 5, kernelSize: k });
  const rows = conv2dRowsPerDispatch(gpu, 5) + 2;
  const long = shape({ batch: rows, inChannels: 1, outChannels: 2, height: 1, width: 5, padding: 1 });
  for (const s of [wide, tall, long]) {
    const d = makeData(s, 31, smallIntegers);
    const got = await runGpu(gpu, s, d);
    const { want } = referenceWithBounds(s, d, 0);
    for (const key of ["y", "dx", "gradWeight", "gradBias"] as const) assertExact(got[key], want[key], key);
    console.log(`  C_in ${s.inChannels}, C_out ${s.outChannels}, N ${s.batch}: ${got.dispatches} dispatches`);
    if (Number.isFinite(gpu.facts.loopLimit)) assert.ok(got.dispatches >= 4);
  }
});

testGpuOnly("conv2d kernels reject bad shapes and buffers too small for their views", async (gpu) => {
  const s = shape({});
  const sizes = conv2dSizes(s);
  const x = createBuffer(gpu, sizes.inputSize * 4, "x"), w = createBuffer(gpu, sizes.weightSize * 4, "w");
  const y = createBuffer(gpu, sizes.outputSize * 4, "y");
  const rec = new CommandRecorder(gpu);
  await assert.rejects(
    () => encodeConv2dForward(rec, { shape: { ...s, padding: 2 as 0 }, x, weight: w, y }),
    RangeError,
  );
  await assert.rejects(
    () => encodeConv2dForward(rec, { shape: s, x, weight: w, weightOffset: 2, y }),
    /weight needs 137 floats/,
  );
  await assert.rejects(() => encodeConv2dForward(rec, { shape: s, x: y, weight: w, y: x }), RangeError);
  await assert.rejects(
    () =>
      encodeConv2dBackwardInput(rec, { shape: { ...s, height: 2 }, gradOutput: y, weight: w, gradInput: x }),
    /smaller than the 3x3 kernel/,
  );
  await assert.rejects(
    () => encodeConv2dBackwardWeight(rec, { shape: s, x, gradOutput: y, grad: w, biasOffset: 133 }),
    /bias gradient needs 138 floats/,
  );
  await assert.rejects(
    () => encodeConv2dBackwardWeight(rec, { shape: s, x, gradOutput: y, grad: w, weightOffset: -1 }),
    RangeError,
  );
  assert.equal(rec.dispatchCount, 0);
  for (const b of [x, w, y]) b.destroy();
});
