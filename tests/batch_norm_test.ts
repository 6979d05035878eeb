// Batch norm: the float64 reference against central differences and closed forms (train and eval),
// the GPU kernels against the reference at odd sizes, loop-budget chunking and bad arguments.
import { assert, assertClose, U32 } from "./_assert.ts";
import { testGpuOnly } from "./_backends.ts";
import type { GpuContext } from "../lib/gpu/device.ts";
import { createBuffer, readBuffers, uploadBuffer } from "../lib/gpu/buffers.ts";
import { CommandRecorder } from "../lib/gpu/recorder.ts";
import {
  batchNormElementsPerDispatch,
  encodeBatchNormBackward,
  encodeBatchNormForward,
} from "../kernels/batch_norm/batch_norm.ts";
import { randomReference } from "../lib/rng/philox.ts";
import {
  batchNormBackwardReference,
  batchNormForwardReference,
  type BatchNormOptions,
  type BatchNormShape,
} from "../lib/reference/batch_norm.ts";

function normals(n: number, seed: number, mean = 0, std = 1): Float32Array {
  return Float32Array.from(randomReference(1, n, { seed, stream: 0 }) as Float64Array, (v) => mean + std * v);
}

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

function centralDifferences(
  v: ArrayLike<number>,
  loss: (v: Float64Array) => number,
  h: number,
): Float64Array {
  const fd = new Float64Array(v.length);
  for (let i = 0; i < v.length; i++) {
    const plus = Float64Array.from(v), minus = Float64Array.from(v);
    plus[i] += h;
    minus[i] -= h;
    fd[i] = (loss(plus) - loss(minus)) / (2 * h);
  }
  return fd;
}

function makeData(s: BatchNormShape, seed: number) {
  const size = s.batch * s.channels * s.height * s.width;
  return {
    x: normals(size, seed, 0.7, 2),
    gamma: normals(s.channels, seed + 1, 1, 0.5),
    beta: normals(s.channels, seed + 2),
    gradOutput: normals(size, seed + 3),
    runningMean: normals(s.channels, seed + 4),
    runningVar: Float32Array.from(normals(s.channels, seed + 5), (v) => 0.5 + v * v),
  };
}

for (const mode of ["train", "eval"] as const) {
  Deno.test(`batch norm reference (${mode}): gradients match float64 central differences`, () => {
    const s: BatchNormShape = { batch: 3, channels: 2, height: 2, width: 3 };
    const d = makeData(s, 1);
    const options: BatchNormOptions = { mode, runningMean: d.runningMean, runningVar: d.runningVar };
    const r = d.gradOutput;
    const loss = (x: ArrayLike<number>, gamma: ArrayLike<number>, beta: ArrayLike<number>) =>
      dot(batchNormForwardReference(s, x, gamma, beta, options).y, r);
    const got = batchNormBackwardReference(s, d.x, d.gamma, r, options);
    const h = 1e-5; // central differences: error O(h^2) times third derivatives of order 1
    assertClose(got.dx, centralDifferences(d.x, (x) => loss(x, d.gamma, d.beta), h), { atol: 1e-7 }, "dx");
    assertClose(
      got.dgamma,
      centralDifferences(d.gamma, (g) => loss(d.x, g, d.beta), h),
      { atol: 1e-7 },
      "dg",
    );
    assertClose(got.dbeta, centralDifferences(d.beta, (b) => loss(d.x, d.gamma, b), h), { atol: 1e-7 }, "db");
  });
}

Deno.test("batch norm reference: train output has per-channel mean beta and std gamma; running update", () => {
  const s: BatchNormShape = { batch: 4, channels: 3, height: 3, width: 2 };
  const d = makeData(s, 7);
  const eps = 1e-12, momentum = 0.25;
  const out = batchNormForwardReference(s, d.x, d.gamma, d.beta, {
    mode: "train",
    eps,
    momentum,
    runningMean: d.runningMean,
    runningVar: d.runningVar,
  });
  const M = 4 * 3 * 2;
  // Normalise y back with beta and gamma: the result has mean 0 and biased variance 1 per channel.
  const again = batchNormForwardReference(s, out.y, [1, 1, 1], [0, 0, 0], {
    mode: "train",
    eps,
    runningMean: [0, 0, 0],
    runningVar: [1, 1, 1],
  });
  for (let c = 0; c < 3; c++) {
    assertClose([again.mean[c]], [d.beta[c]], { atol: 1e-12 }, "mean of y");
    assertClose([again.variance[c]], [d.gamma[c] ** 2], { atol: 1e-10 }, "variance of y");
    assertClose([out.runningMean[c]], [0.75 * d.runningMean[c] + 0.25 * out.mean[c]], { atol: 1e-15 }, "rm");
    const unbiased = out.variance[c] * M / (M - 1);
    assertClose([out.runningVar[c]], [0.75 * d.runningVar[c] + 0.25 * unbiased], { atol: 1e-14 }, "rv");
  }
  // Eval mode uses the running statistics and leaves them unchanged.
  const evalOut = batchNormForwardReference(s, d.x, d.gamma, d.beta, {
    mode: "eval",
    runningMean: d.runningMean,
    runningVar: d.runningVar,
  });
  assert.deepEqual(Array.from(evalOut.runningMean), Array.from(d.runningMean));
  const i = (1 * 3 + 2) * 6 + 4; // n 1, c 2, pixel 4
  const want = d.gamma[2] * (d.x[i] - d.runningMean[2]) / Math.sqrt(d.runningVar[2] + 1e-5) + d.beta[2];
  assertClose([evalOut.y[i]], [want], { atol: 1e-14 }, "eval y");
});

Deno.test("batch norm reference: bad shapes, options and lengths throw RangeError", () => {
  const s: BatchNormShape = { batch: 2, channels: 2, height: 1, width: 1 };
  const ok: BatchNormOptions = { mode: "train", runningMean: [0, 0], runningVar: [1, 1] };
  const x = [1, 2, 3, 4], two = [1, 1];
  assert.throws(() => batchNormForwardReference({ ...s, batch: 0 }, [], two, two, ok), /batch is 0/);
  assert.throws(() => batchNormForwardReference(s, x, two, two, { ...ok, eps: 0 }), /eps is 0/);
  assert.throws(() => batchNormForwardReference(s, x, two, two, { ...ok, momentum: 2 }), /momentum is 2/);
  assert.throws(
    () => batchNormForwardReference(s, x, two, two, { ...ok, mode: "test" as "eval" }),
    /mode is "test"/,
  );
  assert.throws(
    () => batchNormForwardReference(s, x, two, two, { ...ok, runningVar: [1] }),
    /runningVar has 1/,
  );
  assert.throws(() => batchNormForwardReference(s, x, [1], two, ok), /gamma has 1 elements, expected 2/);
  assert.throws(() => batchNormBackwardReference(s, x, two, [1], ok), /gradOutput has 1 elements/);
});

/** Forward then backward on the GPU with gamma, beta and their gradients at offsets of flat buffers. */
async function runGpu(
  gpu: GpuContext,
  s: BatchNormShape,
  d: ReturnType<typeof makeData>,
  mode: "train" | "eval",
) {
  const C = s.channels, size = d.x.length;
  const gammaOffset = 2, betaOffset = 2 + C + 1, runningOffset = 1;
  const flat = new Float32Array(betaOffset + C);
  flat.set(d.gamma, gammaOffset);
  flat.set(d.beta, betaOffset);
  const running = new Float32Array(runningOffset + 2 * C);
  running.set(d.runningMean, runningOffset);
  running.set(d.runningVar, runningOffset + C);
  const affine = uploadBuffer(gpu, flat, "bn affine"), runningB = uploadBuffer(gpu, running, "bn running");
  const x = uploadBuffer(gpu, d.x, "bn x"), g = uploadBuffer(gpu, d.gradOutput, "bn g");
  const y = createBuffer(gpu, size * 4, "bn y"), dx = createBuffer(gpu, size * 4, "bn dx");
  const batchStats = createBuffer(gpu, 2 * C * 4, "bn stats"),
    grad = createBuffer(gpu, flat.byteLength, "bn grad");
  const rec = new CommandRecorder(gpu);
  await encodeBatchNormForward(rec, {
    shape: s,
    mode,
    x,
    affine,
    gammaOffset,
    betaOffset,
    running: runningB,
    runningOffset,
    batchStats,
    y,
  });
  const stats = mode === "train" ? { stats: batchStats } : { stats: runningB, statsOffset: runningOffset };
  // Gradients at the same offsets as the parameters, as in a flat gradient vector.
  await encodeBatchNormBackward(rec, {
    shape: s,
    mode,
    x,
    gradOutput: g,
    affine,
    gammaOffset,
    ...stats,
    grad,
    dgammaOffset: gammaOffset,
    dbetaOffset: betaOffset,
    gradInput: dx,
  });
  const dispatches = rec.dispatchCount;
  rec.flush();
  const read = await readBuffers(gpu, [
    { buffer: y, byteLength: size * 4 },
    { buffer: dx, byteLength: size * 4 },
    { buffer: grad, byteLength: flat.byteLength },
    { buffer: runningB, byteLength: running.byteLength },
  ]);
  for (const b of [affine, runningB, x, g, y, dx, batchStats, grad]) b.destroy();
  const [yv, dxv, gradv, runv] = read.map((b) => new Float32Array(b));
  return {
    y: yv,
    dx: dxv,
    dgamma: gradv.slice(gammaOffset, gammaOffset + C),
    dbeta: gradv.slice(betaOffset, betaOffset + C),
    runningMean: runv.slice(runningOffset, runningOffset + C),
    runningVar: runv.slice(runningOffset + C),
    dispatches,
  };
}

// GPU (float32) against the float64 reference. Sums of M terms and the normalisation chain: we allow
// atol + 8u M-scaled bounds, stated per quantity below (measured max diffs are printed).
async function compare(gpu: GpuContext, s: BatchNormShape, mode: "train" | "eval") {
  const d = makeData(s, 3);
  const options: BatchNormOptions = { mode, runningMean: d.runningMean, runningVar: d.runningVar };
  const fwd = batchNormForwardReference(s, d.x, d.gamma, d.beta, options);
  const bwd = batchNormBackwardReference(s, d.x, d.gamma, d.gradOutput, options);
  const got = await runGpu(gpu, s, d, mode);
  const M = s.batch * s.height * s.width;
  // Mean and variance carry ~M u relative error in the worst case; y and dx inherit it through xhat.
  const rel = 8 * U32 * Math.max(M, 16);
  const absMax = (a: ArrayLike<number>) => Math.max(...Array.from(a, Math.abs));
  const report: string[] = [];
  const check = (key: string, g: ArrayLike<number>, w: ArrayLike<number>, scale: number) => {
    report.push(`${key} ${assertClose(g, w, { atol: rel * scale }, key).toExponential(1)}`);
  };
  check("y", got.y, fwd.y, absMax(fwd.y));
  check("dx", got.dx, bwd.dx, absMax(bwd.dx));
  // dgamma, dbeta are sums of M terms of size |g| (|xhat| ~ 1).
  check("dgamma", got.dgamma, bwd.dgamma, M * absMax(d.gradOutput) * 4);
  check("dbeta", got.dbeta, bwd.dbeta, M * absMax(d.gradOutput));
  check("runningMean", got.runningMean, fwd.runningMean, absMax(fwd.runningMean) + 1);
  check("runningVar", got.runningVar, fwd.runningVar, absMax(fwd.runningVar));
  console.log(`  ${mode} ${JSON.stringify(s)}: ${got.dispatches} dispatches; max diffs ${report.join(", ")}`);
  return got;
}

for (const mode of ["train", "eval"] as const) {
  testGpuOnly(`batch norm kernels match the float64 reference (${mode}, odd sizes)`, async (gpu) => {
    await compare(gpu, { batch: 3, channels: 5, height: 7, width: 9 }, mode);
    await compare(gpu, { batch: 7, channels: 65, height: 1, width: 1 }, mode); // 1-D batch norm
    await compare(gpu, { batch: 1, channels: 1, height: 1, width: 1 }, mode); // M = 1
  });
}

testGpuOnly("batch norm reductions split over accumulating dispatches", async (gpu) => {
  const per = batchNormElementsPerDispatch(gpu);
  const s: BatchNormShape = { batch: 2, channels: 2, height: 1, width: Math.ceil((per + 3) / 2) };
  const got = await compare(gpu, s, "train");
  // 2 reduce passes forward and 1 backward, each split in two, plus running update and two applies.
  if (Number.isFinite(gpu.facts.loopLimit)) assert.equal(got.dispatches, 9);
});

testGpuOnly("batch norm kernels reject bad arguments and buffers too small", async (gpu) => {
  const s: BatchNormShape = { batch: 2, channels: 3, height: 2, width: 2 };
  const x = createBuffer(gpu, 24 * 4, "x"), small = createBuffer(gpu, 4 * 4, "small");
  const affine = createBuffer(gpu, 6 * 4, "affine"), stats = createBuffer(gpu, 6 * 4, "stats");
  const rec = new CommandRecorder(gpu);
  const fwd = { shape: s, mode: "train" as const, x, affine, running: stats, batchStats: stats, y: x };
  await assert.rejects(
    () => encodeBatchNormForward(rec, { ...fwd, shape: { ...s, channels: 0 } }),
    /channels is 0/,
  );
  await assert.rejects(() => encodeBatchNormForward(rec, { ...fwd, eps: -1 }), /eps is -1/);
  await assert.rejects(() => encodeBatchNormForward(rec, { ...fwd, momentum: 1.5 }), /momentum is 1.5/);
  await assert.rejects(
    () => encodeBatchNormForward(rec, { ...fwd, batchStats: undefined }),
    /needs a batchStats/,
  );
  await assert.rejects(() => encodeBatchNormForward(rec, { ...fwd, betaOffset: 6 }), /beta needs 9 floats/);
  await assert.rejects(() => encodeBatchNormForward(rec, { ...fwd, y: small }), /y needs 24 floats/);
  await assert.rejects(
    () =>
      encodeBatchNormBackward(rec, {
        shape: s,
        mode: "eval",
        x,
        gradOutput: x,
        affine,
        stats: small,
        grad: affine,
        gradInput: x,
      }),
    /statistics needs 6 floats/,
  );
  assert.equal(rec.dispatchCount, 0);
  for (const b of [x, small, affine, stats]) b.destroy();
});
