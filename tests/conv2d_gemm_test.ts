// Conv2d as matrix products (kernels/conv/conv2d_gemm.ts, kernels/conv/conv2d_layout.ts): the patch-matrix
// identities in float64, the layout kernels exactly against their float64 references, the gemm and
// direct variants against lib/reference/conv2d.ts at odd sizes with accumulate and offsets, sample
// and K chunking (exact on small integers), and the variant choice and its errors.
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
  im2colOutputSize,
  im2colReference,
  type Im2colShape,
  packWeightReference,
} from "../lib/reference/conv2d_im2col.ts";
import { encodeIm2col, encodePackWeight } from "../kernels/conv/conv2d_layout.ts";
import {
  conv2dGemmFloatsPerSample,
  type Conv2dGemmOptions,
  conv2dGemmSamplesPerChunk,
  type Conv2dPass,
  encodeConv2dGemmBackwardInput,
  encodeConv2dGemmBackwardWeight,
  encodeConv2dGemmForward,
  releaseConv2dScratch,
} from "../kernels/conv/conv2d_gemm.ts";
import {
  type Conv2dVariant,
  encodeConv2dBackwardInput,
  encodeConv2dBackwardWeight,
  encodeConv2dForward,
  resolveConv2dVariant,
} from "../kernels/conv/conv2d.ts";

function normals(n: number, seed: number): Float32Array {
  return Float32Array.from(randomReference(1, n, { seed, stream: 0 }) as Float64Array);
}

/** Integers in [-3, 3]: every float32 sum of their products here is exact, whatever the order. */
function smallIntegers(n: number, seed: number): Float32Array {
  const u = randomReference(1, n, { seed, stream: 1, distribution: "uniform" }) as Float64Array;
  return Float32Array.from(u, (v) => Math.floor(v * 7) - 3);
}

const abs = (a: ArrayLike<number>) => Float64Array.from(a, Math.abs);

/** C[b] = A B[b] in float64, A [m, k] shared, B [batch][k, n]. */
function batchedProduct(a: Float64Array, b: Float64Array, m: number, k: number, n: number): Float64Array {
  const batch = b.length / (k * n), c = new Float64Array(batch * m * n);
  for (let t = 0; t < batch; t++) {
    for (let i = 0; i < m; i++) {
      for (let p = 0; p < k; p++) {
        const aip = a[i * k + p];
        for (let j = 0; j < n; j++) c[(t * m + i) * n + j] += aip * b[(t * k + p) * n + j];
      }
    }
  }
  return c;
}

const shape = (over: Partial<Conv2dShape>): Conv2dShape => ({
  batch: 3,
  inChannels: 3,
  outChannels: 9,
  height: 7,
  width: 6,
  kernelSize: 3,
  padding: 0,
  ...over,
});

Deno.test("conv2d patch matrices: the three products reproduce the float64 conv2d passes", () => {
  for (const s of [shape({}), shape({ kernelSize: 5, padding: 1, height: 6, width: 7, outChannels: 2 })]) {
    const sizes = conv2dSizes(s), k = s.kernelSize, kk = k * k;
    const x = normals(sizes.inputSize, 1), w = normals(sizes.weightSize, 2);
    const b = normals(s.outChannels, 3), g = normals(sizes.outputSize, 4);
    const P = sizes.outHeight * sizes.outWidth, kIn = s.inChannels * kk + 1, kOut = s.outChannels * kk;
    const image = {
      channels: s.inChannels,
      height: s.height,
      width: s.width,
      kernelSize: k,
      padding: s.padding,
    };
    // Forward: [C_out, C_in K K + 1] (weight | bias) times the patches with a row of ones.
    const patches = im2colReference(image, x, { onesRow: true });
    const wb = packWeightReference(s.inChannels, s.outChannels, k, w, { bias: b });
    const y = batchedProduct(wb, patches, s.outChannels, kIn, P);
    assertClose(y, conv2dForwardReference(s, x, w, b), { atol: 1e-12 }, "forward");
    // Input gradient: the flipped kernel times the patches of g padded by K - 1 - p (a full convolution).
    const gImage = {
      channels: s.outChannels,
      height: sizes.outHeight,
      width: sizes.outWidth,
      kernelSize: k,
      padding: k - 1 - s.padding,
    };
    assert.deepEqual(im2colOutputSize(gImage), [s.height, s.width]);
    const wf = packWeightReference(s.inChannels, s.outChannels, k, w, { flipped: true });
    const dx = batchedProduct(wf, im2colReference(gImage, g), s.inChannels, kOut, s.height * s.width);
    assertClose(dx, conv2dBackwardInputReference(s, g, w), { atol: 1e-12 }, "input gradient");
    // Weight gradient: sum over samples of g[n] [C_out, P] times patches[n]^T (row layout = transposed).
    const rows = im2colReference(image, x, { onesRow: true, layout: "rows" });
    const dwb = new Float64Array(s.outChannels * kIn);
    for (let n = 0; n < s.batch; n++) {
      for (let o = 0; o < s.outChannels; o++) {
        for (let p = 0; p < P; p++) {
          const gv = g[(n * s.outChannels + o) * P + p];
          for (let q = 0; q < kIn; q++) dwb[o * kIn + q] += gv * rows[(n * P + p) * kIn + q];
        }
      }
    }
    const want = conv2dBackwardWeightReference(s, x, g);
    const dw = new Float64Array(sizes.weightSize), db = new Float64Array(s.outChannels);
    for (let o = 0; o < s.outChannels; o++) {
      dw.set(dwb.subarray(o * kIn, o * kIn + kIn - 1), o * (kIn - 1));
      db[o] = dwb[o * kIn + kIn - 1];
    }
    assertClose(dw, want.gradWeight, { atol: 1e-12 }, "weight gradient");
    assertClose(db, want.gradBias, { atol: 1e-12 }, "bias gradient");
  }
});

Deno.test("conv2d patch matrices: reference layouts, padding rows and bad arguments", () => {
  const image: Im2colShape = { channels: 1, height: 2, width: 3, kernelSize: 3, padding: 1 };
  const x = [1, 2, 3, 4, 5, 6];
  const cols = im2colReference(image, x, { kPadded: 12, onesRow: true });
  assert.equal(cols.length, 12 * 6);
  // Tap (u, v) = (1, 1) is the image itself; tap (0, 0) at pixel (1, 1) is x[0, 0]; row 9 is ones.
  assertExact(cols.subarray(4 * 6, 5 * 6), x, "centre tap");
  assert.equal(cols[0 * 6 + 4], 1);
  assertExact(cols.subarray(9 * 6, 10 * 6), [1, 1, 1, 1, 1, 1], "ones row");
  assertExact(cols.subarray(10 * 6), new Float64Array(12), "zero rows");
  const rows = im2colReference(image, x, { kPadded: 12, onesRow: true, layout: "rows" });
  for (let q = 0; q < 12; q++) for (let p = 0; p < 6; p++) assert.equal(rows[p * 12 + q], cols[q * 6 + p]);
  assert.throws(() => im2colReference({ ...image, padding: 3 }, x), RangeError);
  assert.equal(im2colReference(image, x, { sampleBegin: 1 }).length, 0);
  assert.throws(() => im2colReference(image, x, { sampleBegin: 1, rows: 1 }), /samples \[1, 2\) of x with 6/);
  assert.throws(
    () => im2colReference(image, x, { kPadded: 9, onesRow: true }),
    /kPadded is 9, must be >= 10/,
  );
  assert.throws(() => packWeightReference(2, 1, 3, new Float64Array(9)), RangeError);
});

async function readAll(gpu: GpuContext, buffers: [GPUBuffer, number][]): Promise<Float32Array[]> {
  const data = await readBuffers(gpu, buffers.map(([buffer, n]) => ({ buffer, byteLength: n * 4 })));
  return data.map((d) => new Float32Array(d));
}

testGpuOnly("conv2d_im2col and conv2d_pack_weight match their float64 references exactly", async (gpu) => {
  const rec = new CommandRecorder(gpu);
  const cases: [Im2colShape, number, number, number, boolean][] = [
    // geometry, samples in x, first sample, samples unfolded, ones row
    [{ channels: 3, height: 7, width: 5, kernelSize: 3, padding: 0 }, 3, 1, 2, true],
    [{ channels: 2, height: 5, width: 6, kernelSize: 3, padding: 1 }, 2, 0, 2, false],
    [{ channels: 1, height: 6, width: 7, kernelSize: 5, padding: 1 }, 1, 0, 1, true],
    [{ channels: 3, height: 3, width: 4, kernelSize: 5, padding: 4 }, 2, 1, 1, false], // full convolution
    [{ channels: 1, height: 1, width: 1, kernelSize: 3, padding: 2 }, 1, 0, 1, true],
  ];
  for (const [image, samples, sampleBegin, rows, onesRow] of cases) {
    const [oh, ow] = im2colOutputSize(image);
    const kDim = image.channels * image.kernelSize ** 2, kPadded = Math.ceil((kDim + 1) / 4) * 4 + 4;
    const x = normals(samples * image.channels * image.height * image.width, 7);
    const xb = uploadBuffer(gpu, x, "x");
    const size = rows * kPadded * oh * ow;
    const outs = ["columns", "rows"].map((layout) => createBuffer(gpu, size * 4, `patches ${layout}`));
    for (const [i, layout] of (["columns", "rows"] as const).entries()) {
      await encodeIm2col(rec, {
        shape: image,
        x: xb,
        out: outs[i],
        sampleBegin,
        rows,
        kPadded,
        onesRow,
        layout,
      });
    }
    rec.flush();
    const got = await readAll(gpu, outs.map((b) => [b, size]));
    for (const [i, layout] of (["columns", "rows"] as const).entries()) {
      const want = im2colReference(image, x, { sampleBegin, rows, kPadded, onesRow, layout });
      assertExact(got[i], want, `${JSON.stringify(image)} ${layout}`);
    }
    for (const b of [xb, ...outs]) b.destroy();
  }
  // Weights at an offset of a flat buffer, with bias, and flipped.
  for (const s of [shape({}), shape({ kernelSize: 5, inChannels: 2, outChannels: 3 })]) {
    const n = s.outChannels * s.inChannels * s.kernelSize ** 2;
    const flat = normals(n + s.outChannels + 5, 9), weight = flat.subarray(2, 2 + n);
    const bias = flat.subarray(n + 4, n + 4 + s.outChannels);
    const params = uploadBuffer(gpu, flat, "params");
    const kPadded = n / s.outChannels + 3, kFlip = n / s.inChannels + 2;
    const plain = createBuffer(gpu, s.outChannels * kPadded * 4, "plain");
    const flipped = createBuffer(gpu, s.inChannels * kFlip * 4, "flipped");
    const common = { shape: s, weight: params, weightOffset: 2 };
    await encodePackWeight(rec, {
      ...common,
      bias: { buffer: params, offset: n + 4 },
      flipped: false,
      kPadded,
      out: plain,
    });
    await encodePackWeight(rec, { ...common, flipped: true, kPadded: kFlip, out: flipped });
    rec.flush();
    const [p, f] = await readAll(gpu, [[plain, s.outChannels * kPadded], [flipped, s.inChannels * kFlip]]);
    const { inChannels: ci, outChannels: co, kernelSize: k } = s;
    assertExact(p, packWeightReference(ci, co, k, weight, { bias, kPadded }), "packed weight");
    assertExact(
      f,
      packWeightReference(ci, co, k, weight, { flipped: true, kPadded: kFlip }),
      "flipped weight",
    );
    for (const b of [params, plain, flipped]) b.destroy();
  }
});

interface RunResult {
  y: Float32Array;
  dx: Float32Array;
  gradWeight: Float32Array;
  gradBias: Float32Array;
  dispatches: number;
}

/**
 * Runs the three passes with weight and bias at offsets of one flat buffer, the input gradient and
 * weight gradient buffers holding `prior` values that they add to when `accumulate` is set (and
 * overwrite otherwise). `gemm` options call the gemm path directly.
 */
async function runPasses(
  gpu: GpuContext,
  s: Conv2dShape,
  d: ReturnType<typeof makeData>,
  variant: Conv2dVariant,
  gemm?: Partial<Record<Conv2dPass, Conv2dGemmOptions>>,
): Promise<RunResult> {
  const sizes = conv2dSizes(s), weightOffset = 1, biasOffset = 1 + sizes.weightSize + 2;
  const flat = new Float32Array(biasOffset + s.outChannels + 1);
  flat.set(d.weight, weightOffset);
  flat.set(d.bias, biasOffset);
  const params = uploadBuffer(gpu, flat, "params");
  const x = uploadBuffer(gpu, d.x, "x"), g = uploadBuffer(gpu, d.g, "g");
  const y = createBuffer(gpu, sizes.outputSize * 4, "y");
  const dx = uploadBuffer(gpu, d.prior.subarray(0, sizes.inputSize), "dx");
  const grad = uploadBuffer(gpu, d.prior.subarray(0, flat.length), "grad");
  const rec = new CommandRecorder(gpu);
  const forward = { shape: s, x, weight: params, weightOffset, bias: params, biasOffset, y, variant };
  const input = {
    shape: s,
    gradOutput: g,
    weight: params,
    weightOffset,
    gradInput: dx,
    accumulate: d.accumulate,
    variant,
  };
  const weight = {
    shape: s,
    x,
    gradOutput: g,
    grad,
    weightOffset,
    biasOffset,
    accumulate: d.accumulate,
    variant,
  };
  if (gemm) {
    await encodeConv2dGemmForward(rec, forward, gemm.forward);
    await encodeConv2dGemmBackwardInput(rec, input, gemm.backwardInput);
    await encodeConv2dGemmBackwardWeight(rec, weight, gemm.backwardWeight);
  } else {
    await encodeConv2dForward(rec, forward);
    await encodeConv2dBackwardInput(rec, input);
    await encodeConv2dBackwardWeight(rec, weight);
  }
  const dispatches = rec.dispatchCount;
  releaseConv2dScratch(rec);
  rec.flush();
  const [yv, dxv, gradv] = await readAll(gpu, [[y, sizes.outputSize], [dx, sizes.inputSize], [
    grad,
    flat.length,
  ]]);
  for (const b of [params, x, g, y, dx, grad]) b.destroy();
  return {
    y: yv,
    dx: dxv,
    gradWeight: gradv.slice(weightOffset, weightOffset + sizes.weightSize),
    gradBias: gradv.slice(biasOffset, biasOffset + s.outChannels),
    dispatches,
  };
}

function makeData(
  s: Conv2dShape,
  seed: number,
  draw: (n: number, seed: number) => Float32Array,
  accumulate: boolean,
) {
  const sizes = conv2dSizes(s);
  return {
    accumulate,
    x: draw(sizes.inputSize, seed),
    weight: draw(sizes.weightSize, seed + 1),
    bias: draw(s.outChannels, seed + 2),
    g: draw(sizes.outputSize, seed + 3),
    prior: draw(sizes.inputSize + sizes.weightSize + s.outChannels + 4, seed + 4),
  };
}

/** The float64 results (with the accumulated priors) and, per element, atol + 8u sum|terms|. */
function expected(s: Conv2dShape, d: ReturnType<typeof makeData>, atol: number) {
  const sizes = conv2dSizes(s), weightOffset = 1, biasOffset = 1 + sizes.weightSize + 2;
  const plus = (a: Float64Array, prior: Float32Array) => a.map((v, i) => v + (d.accumulate ? prior[i] : 0));
  const ref = conv2dBackwardWeightReference(s, d.x, d.g),
    absRef = conv2dBackwardWeightReference(s, abs(d.x), abs(d.g));
  const bound = (terms: Float64Array, prior?: Float32Array) =>
    terms.map((t, i) => atol + 8 * U32 * (t + (prior && d.accumulate ? Math.abs(prior[i]) : 0)));
  const priorW = d.prior.subarray(weightOffset), priorB = d.prior.subarray(biasOffset);
  return {
    want: {
      y: conv2dForwardReference(s, d.x, d.weight, d.bias),
      dx: plus(conv2dBackwardInputReference(s, d.g, d.weight), d.prior),
      gradWeight: plus(ref.gradWeight, priorW),
      gradBias: plus(ref.gradBias, priorB),
    },
    bounds: {
      y: bound(conv2dForwardReference(s, abs(d.x), abs(d.weight), abs(d.bias))),
      dx: bound(conv2dBackwardInputReference(s, abs(d.g), abs(d.weight)), d.prior),
      gradWeight: bound(absRef.gradWeight, priorW),
      gradBias: bound(absRef.gradBias, priorB),
    },
  };
}

const KEYS = ["y", "dx", "gradWeight", "gradBias"] as const;

for (
  const s of [
    shape({}),
    shape({ padding: 1, height: 9, width: 5, batch: 2, inChannels: 8, outChannels: 12 }),
    shape({ kernelSize: 5, height: 9, width: 7, inChannels: 9 }),
    shape({ kernelSize: 5, padding: 1, height: 5, width: 5, batch: 1, inChannels: 1, outChannels: 1 }),
  ]
) {
  const name = `${s.batch}x${s.inChannels}x${s.height}x${s.width} -> ${s.outChannels}, k ${s.kernelSize}, ` +
    `p ${s.padding}`;
  testGpuOnly(`conv2d gemm and direct variants match the float64 reference (${name})`, async (gpu) => {
    for (const accumulate of [false, true]) {
      const d = makeData(s, 3, normals, accumulate);
      const { want, bounds } = expected(s, d, 1e-7);
      for (const variant of ["gemm", "direct"] as const) {
        const got = await runPasses(gpu, s, d, variant);
        const what = `${variant}${accumulate ? " accumulate" : ""}`;
        const diffs = KEYS.map((key) =>
          `${key} ${
            assertClose(got[key], want[key], { bounds: bounds[key] }, `${what} ${key}`).toExponential(1)
          }`
        );
        console.log(`  ${what}: max diffs ${diffs.join(", ")}`);
      }
    }
  });
}

testGpuOnly("conv2d gemm splits samples and K into chunks and stays exact", async (gpu) => {
  const s = shape({ batch: 5, inChannels: 4, outChannels: 8, height: 6, width: 6, padding: 1 });
  const d = makeData(s, 13, smallIntegers, true);
  const { want } = expected(s, d, 0);
  const whole = await runPasses(gpu, s, d, "gemm", {});
  // Scratch for two samples at most: chunks of 2, 2, 1 in every pass; K chunks of 8.
  const tiny: Partial<Record<Conv2dPass, Conv2dGemmOptions>> = {};
  for (const pass of ["forward", "backwardInput", "backwardWeight"] as const) {
    const scratchBytes = 2 * 4 * conv2dGemmFloatsPerSample(s, pass);
    tiny[pass] = { scratchBytes, kChunk: 8 };
    assert.equal(conv2dGemmSamplesPerChunk(gpu, s, pass, scratchBytes), 2, pass);
  }
  const chunked = await runPasses(gpu, s, d, "gemm", tiny);
  for (const key of KEYS) {
    assertExact(whole[key], want[key], `whole ${key}`);
    assertExact(chunked[key], want[key], `chunked ${key}`);
  }
  console.log(`  dispatches: ${whole.dispatches} whole, ${chunked.dispatches} chunked`);
  assert.ok(chunked.dispatches > 2 * whole.dispatches);
});

testGpuOnly(
  "conv2d variants: auto picks gemm for wide layers, direct for narrow ones; errors",
  async (gpu) => {
    const wide = shape({ inChannels: 16, outChannels: 16 });
    for (const pass of ["forward", "backwardInput", "backwardWeight"] as const) {
      assert.equal(resolveConv2dVariant(gpu, wide, pass), "gemm");
      assert.equal(resolveConv2dVariant(gpu, wide, pass, "direct"), "direct");
    }
    assert.equal(
      resolveConv2dVariant(gpu, shape({ inChannels: 3, outChannels: 64 }), "backwardInput"),
      "direct",
    );
    assert.equal(resolveConv2dVariant(gpu, shape({ inChannels: 3, outChannels: 64 }), "forward"), "gemm");
    assert.equal(resolveConv2dVariant(gpu, shape({ outChannels: 4 }), "forward"), "direct");
    assert.throws(
      () => resolveConv2dVariant(gpu, wide, "forward", "fast" as Conv2dVariant),
      /variant is "fast"/,
    );
    const sizes = conv2dSizes(wide);
    const x = createBuffer(gpu, sizes.inputSize * 4, "x"), w = createBuffer(gpu, sizes.weightSize * 4, "w");
    const y = createBuffer(gpu, sizes.outputSize * 4, "y");
    const rec = new CommandRecorder(gpu);
    await assert.rejects(
      () => encodeConv2dGemmForward(rec, { shape: wide, x, weight: w, y }, { scratchBytes: 1024 }),
      /one sample needs \d+ scratch bytes, more than the cap 1024/,
    );
    await assert.rejects(
      () => encodeConv2dForward(rec, { shape: wide, x, weight: w, y, variant: "slow" as Conv2dVariant }),
      RangeError,
    );
    assert.equal(rec.dispatchCount, 0);
    for (const b of [x, w, y]) b.destroy();
  },
);
