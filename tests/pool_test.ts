// Pooling: the float64 reference against central differences and closed forms, the GPU kernels
// against the reference (max-pool exactly, ties included), loop-budget chunking and bad shapes.
import { assert, assertClose, assertExact, U32 } from "./_assert.ts";
import { testGpuOnly } from "./_backends.ts";
import type { GpuContext } from "../lib/gpu/device.ts";
import { createBuffer, readBuffers, uploadBuffer } from "../lib/gpu/buffers.ts";
import { CommandRecorder } from "../lib/gpu/recorder.ts";
import { randomReference } from "../lib/rng/philox.ts";
import {
  globalAvgPoolBackwardReference,
  globalAvgPoolForwardReference,
  maxPool2dBackwardReference,
  maxPool2dForwardReference,
  type PoolShape,
} from "../lib/reference/pool.ts";
import {
  avgPoolPixelsPerDispatch,
  encodeGlobalAvgPoolBackward,
  encodeGlobalAvgPoolForward,
  encodeMaxPool2dBackward,
  encodeMaxPool2dForward,
  maxPool2dOutputShape,
} from "../kernels/pool/pool.ts";

function normals(n: number, seed: number): Float32Array {
  return Float32Array.from(randomReference(1, n, { seed, stream: 0 }) as Float64Array);
}

/** Integers in {-1, 0, 1}: most 2x2 windows have ties. */
function ties(n: number, seed: number): Float32Array {
  const u = randomReference(1, n, { seed, stream: 1, distribution: "uniform" }) as Float64Array;
  return Float32Array.from(u, (v) => Math.floor(v * 3) - 1);
}

const size = (s: PoolShape) => s.batch * s.channels * s.height * s.width;
const outSize = (s: PoolShape) => {
  const { outHeight, outWidth } = maxPool2dOutputShape(s);
  return s.batch * s.channels * outHeight * outWidth;
};

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

function centralDifferences(
  x: ArrayLike<number>,
  loss: (x: Float64Array) => number,
  h: number,
): Float64Array {
  const fd = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const plus = Float64Array.from(x), minus = Float64Array.from(x);
    plus[i] += h;
    minus[i] -= h;
    fd[i] = (loss(plus) - loss(minus)) / (2 * h);
  }
  return fd;
}

Deno.test("pool references: gradients match float64 central differences", () => {
  const s: PoolShape = { batch: 2, channels: 3, height: 5, width: 6 };
  const x = normals(size(s), 3);
  // Max-pool is linear near x when no window has a near tie (h far below the gaps of normal draws).
  const r = normals(outSize(s), 4);
  const maxGrad = maxPool2dBackwardReference(s, x, r);
  const fdMax = centralDifferences(x, (v) => dot(maxPool2dForwardReference(s, v), r), 1e-7);
  assertClose(maxGrad, fdMax, { atol: 1e-8 }, "max-pool dL/dx");
  const q = normals(s.batch * s.channels, 5);
  const avgGrad = globalAvgPoolBackwardReference(s, q);
  const fdAvg = centralDifferences(x, (v) => dot(globalAvgPoolForwardReference(s, v), q), 1e-3);
  assertClose(avgGrad, fdAvg, { atol: 1e-10 }, "average pool dL/dx");
});

Deno.test("pool references: closed forms, first maximum on ties, dropped odd rows", () => {
  const s: PoolShape = { batch: 1, channels: 1, height: 3, width: 4 };
  const x = [1, 5, 2, 2, 5, 0, 2, 2, 9, 9, 9, 9];
  assertExact(maxPool2dForwardReference(s, x), [5, 2]);
  // Window 1 ties (5 at (0,1) and (1,0)): the first in row-major order wins; window 2 is all 2s.
  // Row 2 is dropped by the floor, so its 9s get no gradient.
  assertExact(maxPool2dBackwardReference(s, x, [10, 20]), [0, 10, 20, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  assertExact(globalAvgPoolForwardReference(s, x), [55 / 12]);
  assertExact(globalAvgPoolBackwardReference({ ...s, height: 2 }, [4]), new Array(8).fill(0.5));
});

Deno.test("pool references: bad shapes and lengths throw RangeError", () => {
  const s: PoolShape = { batch: 1, channels: 2, height: 4, width: 4 };
  assert.throws(
    () => maxPool2dForwardReference({ ...s, height: 1 }, new Float64Array(8)),
    /height is 1, must be >= 2/,
  );
  assert.throws(() => maxPool2dForwardReference(s, new Float64Array(31)), /x has 31 elements, expected 32/);
  assert.throws(() => maxPool2dBackwardReference(s, new Float64Array(32), [1]), /gradOutput has 1 elements/);
  assert.throws(() => globalAvgPoolForwardReference({ ...s, channels: 0 }, []), RangeError);
  assert.throws(() => globalAvgPoolBackwardReference({ ...s, batch: 1.5 }, [1, 2]), RangeError);
  assert.throws(() => globalAvgPoolBackwardReference(s, [1]), /gradOutput has 1 elements, expected 2/);
});

async function runGpu(
  gpu: GpuContext,
  s: PoolShape,
  x: Float32Array,
  gMax: Float32Array,
  gAvg: Float32Array,
) {
  const planes = s.batch * s.channels;
  const xb = uploadBuffer(gpu, x, "pool x"), gMaxB = uploadBuffer(gpu, gMax, "pool g max");
  const gAvgB = uploadBuffer(gpu, gAvg, "pool g avg");
  const yMax = createBuffer(gpu, outSize(s) * 4, "pool y max"),
    yAvg = createBuffer(gpu, planes * 4, "pool y avg");
  const dxMax = createBuffer(gpu, size(s) * 4, "pool dx max"),
    dxAvg = createBuffer(gpu, size(s) * 4, "dx avg");
  const rec = new CommandRecorder(gpu);
  await encodeMaxPool2dForward(rec, { shape: s, x: xb, y: yMax });
  await encodeMaxPool2dBackward(rec, { shape: s, x: xb, gradOutput: gMaxB, gradInput: dxMax });
  await encodeGlobalAvgPoolForward(rec, { shape: s, x: xb, y: yAvg });
  await encodeGlobalAvgPoolBackward(rec, { shape: s, gradOutput: gAvgB, gradInput: dxAvg });
  const dispatches = rec.dispatchCount;
  rec.flush();
  const read = await readBuffers(gpu, [
    { buffer: yMax, byteLength: outSize(s) * 4 },
    { buffer: dxMax, byteLength: size(s) * 4 },
    { buffer: yAvg, byteLength: planes * 4 },
    { buffer: dxAvg, byteLength: size(s) * 4 },
  ]);
  for (const b of [xb, gMaxB, gAvgB, yMax, yAvg, dxMax, dxAvg]) b.destroy();
  const [maxY, maxDx, avgY, avgDx] = read.map((b) => new Float32Array(b));
  return { maxY, maxDx, avgY, avgDx, dispatches };
}

/** Runs all four kernels and compares: max-pool exactly, the average pool within float32 rounding. */
async function compare(gpu: GpuContext, s: PoolShape, draw: (n: number, seed: number) => Float32Array) {
  const x = draw(size(s), 7), gMax = normals(outSize(s), 8), gAvg = normals(s.batch * s.channels, 9);
  const got = await runGpu(gpu, s, x, gMax, gAvg);
  assertExact(got.maxY, maxPool2dForwardReference(s, x), "max-pool y");
  assertExact(got.maxDx, maxPool2dBackwardReference(s, x, gMax), "max-pool dx");
  // Sum of `area` terms times float32(1 / area): atol + 8u mean|x| + 2u |mean|.
  const meanAbs = globalAvgPoolForwardReference(s, Float64Array.from(x, Math.abs));
  const want = globalAvgPoolForwardReference(s, x);
  const bounds = want.map((w, p) => 1e-7 + 8 * U32 * meanAbs[p] + 2 * U32 * Math.abs(w));
  const diffY = assertClose(got.avgY, want, { bounds }, "average pool y");
  const diffDx = assertClose(got.avgDx, globalAvgPoolBackwardReference(s, gAvg), { rtol: 2 * U32 }, "avg dx");
  console.log(
    `  ${JSON.stringify(s)}: ${got.dispatches} dispatches, avg y ${diffY.toExponential(1)}, ` +
      `avg dx ${diffDx.toExponential(1)}`,
  );
  return got;
}

testGpuOnly("pool kernels match the float64 reference at odd sizes", async (gpu) => {
  await compare(gpu, { batch: 2, channels: 3, height: 7, width: 9 }, normals);
  await compare(gpu, { batch: 1, channels: 1, height: 2, width: 3 }, normals);
  await compare(gpu, { batch: 3, channels: 5, height: 6, width: 4 }, ties); // ties: first maximum wins
});

testGpuOnly("global average pool splits pixels over accumulating dispatches", async (gpu) => {
  const side = Math.ceil(Math.sqrt(avgPoolPixelsPerDispatch(gpu) + 5)); // > one dispatch on the CPU adapter
  const got = await compare(gpu, { batch: 1, channels: 2, height: side, width: side }, normals);
  if (Number.isFinite(gpu.facts.loopLimit)) assert.ok(got.dispatches >= 5); // 2 max + 2 avg forward + 1
});

testGpuOnly("pool kernels reject bad shapes and buffers too small", async (gpu) => {
  const s: PoolShape = { batch: 1, channels: 2, height: 4, width: 4 };
  const x = createBuffer(gpu, 32 * 4, "x"), y = createBuffer(gpu, 4 * 4, "y");
  const rec = new CommandRecorder(gpu);
  await assert.rejects(() => encodeMaxPool2dForward(rec, { shape: { ...s, width: 1 }, x, y }), RangeError);
  await assert.rejects(() => encodeMaxPool2dForward(rec, { shape: s, x: y, y: x }), /x needs 32 floats/);
  await assert.rejects(
    () => encodeMaxPool2dBackward(rec, { shape: s, x, gradOutput: y, gradInput: y }),
    /gradOutput needs 8 floats/,
  );
  await assert.rejects(
    () => encodeGlobalAvgPoolForward(rec, { shape: { ...s, batch: 0 }, x, y }),
    RangeError,
  );
  await assert.rejects(
    () => encodeGlobalAvgPoolBackward(rec, { shape: s, gradOutput: y, gradInput: y }),
    /gradInput needs 32 floats/,
  );
  assert.equal(rec.dispatchCount, 0);
  x.destroy();
  y.destroy();
});
