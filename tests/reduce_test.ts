/**
 * Reductions, rowDot and histogram on both backends against the float64 reference
 * (lib/reference/reduce.ts). Tolerances (STYLE.md habit 5) are per output, stated in `bounds`.
 */
import { assert, assertClose, assertExact, testValues, U32 } from "./_assert.ts";
import { keepsSignedZero, testBothBackends, testGpuOnly } from "./_backends.ts";
import type { Backend, ReduceOp, ReduceOptions } from "../lib/backend/backend.ts";
import { splitAxis } from "../lib/backend/tensor.ts";
import { WebGpuBackend } from "../lib/backend/webgpu.ts";
import { REDUCE_CHUNK } from "../kernels/reduce/reduce.ts";
import { histogramReference, reduceReference, rowDotReference } from "../lib/reference/reduce.ts";

const OPS: ReduceOp[] = ["sum", "mean", "variance", "min", "max", "norm", "sumOfSquares"];
const ATOL = 1e-30;

async function reduceOn(
  b: Backend,
  data: ArrayLike<number>,
  shape: number[],
  op: ReduceOp,
  options: ReduceOptions = {},
) {
  const x = b.tensor(data, shape);
  const y = await b.reduce(x, op, options);
  const got = Float64Array.from(await b.read(y));
  b.dispose(x, y);
  return { got, shape: y.shape };
}

function view(shape: number[], axis: number | "all" = "all") {
  const size = shape.reduce((p, v) => p * v, 1);
  return axis === "all" ? { outer: 1, n: size, inner: 1, outShape: [] as number[] } : splitAxis(shape, axis);
}

/**
 * Per-output bounds: sums atol + 8u sum_k |t_k| over the summed terms t_k (scaled like the result);
 * variance adds the effect of a float32 mean (error <= 8u mean|x|) on the squared deviations; min
 * and max are exact.
 */
function bounds(x: Float64Array, shape: number[], op: ReduceOp, options: ReduceOptions = {}): Float64Array {
  const { outer, n, inner } = view(shape, options.axis);
  const ddof = options.ddof ?? 0;
  const red = (values: Float64Array, r: ReduceOp) => reduceReference(values, outer, n, inner, r, 0);
  const sumAbs = red(x.map(Math.abs), "sum");
  const sumSquares = red(x, "sumOfSquares");
  const mean = red(x, "mean");
  const deviation = x.map((v, j) => Math.abs(v - mean[Math.floor(j / (n * inner)) * inner + (j % inner)]));
  const sumAbsDeviation = red(deviation, "sum"), sumSquaredDeviation = red(deviation, "sumOfSquares");
  return sumAbs.map((s, j) => {
    switch (op) {
      case "sum":
        return ATOL + 8 * U32 * s;
      case "mean":
        return ATOL + 9 * U32 * s / n;
      case "variance":
        return ATOL + 8 * U32 * (sumSquaredDeviation[j] + 2 * (s / n) * sumAbsDeviation[j]) / (n - ddof);
      case "sumOfSquares":
        return ATOL + 8 * U32 * sumSquares[j];
      case "norm":
        return ATOL + 8 * U32 * Math.sqrt(sumSquares[j]);
      default:
        return 0;
    }
  });
}

/** Checks one reduction against the reference and returns the max difference. */
async function checkReduce(
  b: Backend,
  data: Float64Array,
  shape: number[],
  op: ReduceOp,
  options: ReduceOptions = {},
) {
  const { outer, n, inner, outShape } = view(shape, options.axis);
  const want = reduceReference(data, outer, n, inner, op, options.ddof ?? 0);
  const { got, shape: gotShape } = await reduceOn(b, data, shape, op, options);
  assert.deepEqual(gotShape, outShape, `${op} shape`);
  const what = `${op} of [${shape}] over axis ${options.axis ?? "all"}`;
  return assertClose(got, want, { bounds: bounds(data, shape, op, options) }, what);
}

testBothBackends("reduce: every op over all, first, last and middle axes", async (b) => {
  const cases: [number[], (number | "all")[]][] = [
    [[1], ["all", 0]],
    [[7], ["all", 0, -1]],
    [[65, 3], ["all", 0, 1]],
    [[5, 257], [0, 1, -1]],
    [[3, 65, 4], ["all", 0, 1, 2]],
    [[2, 7, 5, 3], [1, 2]],
  ];
  for (const [shape, axes] of cases) {
    const data = testValues(shape.reduce((p, v) => p * v, 1), shape.length, -2, 3);
    for (const axis of axes) {
      for (const op of OPS) await checkReduce(b, data, shape, op, { axis });
      await checkReduce(b, data, shape, "variance", { axis, ddof: 1 });
    }
  }
});

testBothBackends("reduce: 300000 elements (past the loop budget) match the reference", async (b) => {
  const n = 300000;
  const data = testValues(n, 7, -1, 1);
  const wide = testValues(2 * n, 8, 0, 4);
  for (const op of OPS) {
    const line = await checkReduce(b, data, [n], op);
    const columns = await checkReduce(b, wide, [n, 2], op, { axis: 0 });
    const diffs = `${line.toExponential(2)} (one line), ${columns.toExponential(2)} ([n, 2] axis 0)`;
    console.log(`${op} n=${n} [${b.name}]: max |got - reference| ${diffs}`);
  }
  const integers = Float64Array.from({ length: n }, (_, k) => (k * 7919) % 5 - 2);
  const { got } = await reduceOn(b, integers, [n], "sum");
  const { got: squares } = await reduceOn(b, integers, [n], "sumOfSquares");
  const want = [integers.reduce((p, v) => p + v, 0), integers.reduce((p, v) => p + v * v, 0)];
  assertExact([got[0], squares[0]], want, "integer sum and sum of squares");
});

testGpuOnly("reduce: long lines take several stages; grids past 65535 workgroups", async (gpu) => {
  const b = new WebGpuBackend(gpu);
  const n = 300000;
  const x = b.tensor(new Float64Array(n).fill(1), [n]);
  const before = b.recorder.dispatchCount;
  const y = await b.reduce(x, "sum");
  let stages = 1;
  for (let parts = Math.ceil(n / REDUCE_CHUNK); parts > 1; parts = Math.ceil(parts / REDUCE_CHUNK)) stages++;
  assert.ok(stages >= 3 && b.recorder.dispatchCount - before === stages, `${stages} stages of a sum of ${n}`);
  assertExact(await b.read(y), [n], "sum of ones");
  // Past 65,535 workgroups per grid dimension (grid1d's 2-D grid): 2^22 + 3 lines, and histogram elements.
  const lines = (1 << 22) + 3;
  const ones = b.tensor(new Float32Array(2 * lines).fill(1), [2, lines]);
  const sums = await b.read(await b.reduce(ones, "sum", { axis: 0 }));
  assert.ok(sums.length === lines && sums.every((v) => v === 2), "column sums of [2, 2^22 + 3] ones");
  const h = await b.histogram(ones, { low: 0, high: 2, bins: 2 });
  assert.deepEqual([...h.counts], [0, 2 * lines], "histogram of 2^23 + 6 ones");
  b.dispose(x, y, ones);
});

testBothBackends("reduce: small integers give exact results", async (b) => {
  const data = [3, -1, 4, 1, -5, 9, 2, 6];
  const exact: [ReduceOp, ReduceOptions, number[]][] = [
    ["sum", {}, [19]],
    ["sum", { axis: 1 }, [7, 12]],
    ["sum", { axis: 0 }, [-2, 8, 6, 7]],
    ["mean", { axis: 1 }, [1.75, 3]],
    ["min", {}, [-5]],
    ["max", { axis: 0 }, [3, 9, 4, 6]],
    ["min", { axis: 1 }, [-1, -5]],
    ["sumOfSquares", {}, [173]],
    ["variance", { axis: 0 }, [16, 25, 1, 6.25]],
  ];
  for (const [op, options, want] of exact) {
    assertExact((await reduceOn(b, data, [2, 4], op, options)).got, want, `${op} ${JSON.stringify(options)}`);
  }
  assertExact((await reduceOn(b, [3, 4], [2], "norm")).got, [5], "norm of [3, 4]");
});

testBothBackends("reduce: NaN propagates through every op, including min and max", async (b) => {
  const data = testValues(15, 3);
  data[7] = NaN; // row 1 of [3, 5]
  for (const op of OPS) {
    const { got } = await reduceOn(b, data, [3, 5], op, { axis: 1 });
    assert.ok(Number.isNaN(got[1]) && !Number.isNaN(got[0]) && !Number.isNaN(got[2]), `${op}: ${got}`);
  }
  const long = testValues(300000, 4);
  long[123457] = NaN;
  for (const op of ["min", "max", "sum"] as const) {
    assert.ok(Number.isNaN((await reduceOn(b, long, [300000], op)).got[0]), `${op} of a long line, one NaN`);
  }
});

testBothBackends("reduce: infinities and signed zeros", async (b) => {
  const cases: [number[], ReduceOp, number][] = [
    [[1, Infinity, 2], "max", Infinity],
    [[1, -Infinity, 2], "min", -Infinity],
    [[1, Infinity, 2], "sum", Infinity],
    [[1, Infinity, -Infinity], "sum", NaN],
    [[Infinity, -Infinity], "mean", NaN],
    [[1, -Infinity], "norm", Infinity],
    [[1, Infinity], "variance", NaN],
    [[-0, -0], "min", -0],
    [[-0, -0, -0], "sum", -0],
    [[-0, 0], "min", -0],
    [[0, -0], "max", 0],
    [[-0, 0], "max", -0],
  ];
  for (const [data, op, want] of cases) {
    assertExact(
      (await reduceOn(b, data, [data.length], op)).got,
      [want],
      `${op} of [${data}]`,
      keepsSignedZero(b),
    );
  }
});

testBothBackends("reduce: empty lines and empty outputs", async (b) => {
  for (const op of OPS) {
    const empty = op === "sum" || op === "norm" || op === "sumOfSquares" ? 0 : NaN;
    assertExact((await reduceOn(b, [], [0], op)).got, [empty], `${op} of []`);
    const columns = (await reduceOn(b, [], [0, 3], op, { axis: 0 })).got;
    assertExact(columns, [empty, empty, empty], `${op} of [0, 3] axis 0`);
    const { got, shape } = await reduceOn(b, [], [3, 0], op, { axis: 0 });
    assert.deepEqual([got.length, shape], [0, [0]], `${op} of [3, 0] axis 0`);
  }
  assertExact((await reduceOn(b, [1, 2], [2], "variance", { ddof: 2 })).got, [NaN], "variance with n = ddof");
});

testBothBackends("rowDot: odd sizes match the reference; integers are exact", async (b) => {
  for (const [rows, cols] of [[1, 1], [3, 7], [5, 65], [2, 257], [2, 150001], [3, 0], [0, 4]]) {
    const av = testValues(rows * cols, rows + cols), bv = testValues(rows * cols, rows * cols + 1, -3, 2);
    const a = b.tensor(av, [rows, cols]), bt = b.tensor(bv, [rows, cols]);
    const out = await b.rowDot(a, bt);
    const want = rowDotReference(av, bv, rows, cols);
    const sumAbs = rowDotReference(av.map(Math.abs), bv.map(Math.abs), rows, cols);
    const bound = sumAbs.map((s) => ATOL + 8 * U32 * s);
    const diff = assertClose(await b.read(out), want, { bounds: bound }, `rowDot [${rows}, ${cols}]`);
    if (cols > 100000) console.log(`rowDot [${rows}, ${cols}] [${b.name}]: max |got - reference| = ${diff}`);
    b.dispose(a, bt, out);
  }
  const a = b.tensor([1, 2, 3, 4, 5, 6], [2, 3]), c = b.tensor([1, -1, 2, 0, 3, -2], [2, 3]);
  assertExact(await b.read(await b.rowDot(a, c)), [5, 3], "integer rowDot");
});

testBothBackends("histogram: exact counts, values at the edges, NaN and infinities", async (b) => {
  const special = [-1, 1, -1.0000001, 1.0000001, 0, -0, NaN, Infinity, -Infinity, NaN, 0.5, -0.5, 0.2, 0.6];
  const cases: [Float64Array, number, number, number][] = [
    [Float64Array.from([...testValues(1000, 5, -1.2, 1.2), ...special]), -1, 1, 10],
    [Float64Array.from([...testValues(1000, 6, 0, 1), 0.1, 0.7, 0.3, 0.4]), 0.1, 0.7, 6],
    [testValues(300000, 9, -3, 3), -2.5, 2.5, 1000],
    [Float64Array.from(special), -1, 1, 1],
    [new Float64Array(0), 0, 1, 4],
  ];
  for (const [data, low, high, bins] of cases) {
    const x = b.tensor(data, [data.length]);
    const got = await b.histogram(x, { low, high, bins });
    const want = histogramReference(data, { low, high, bins });
    assert.deepEqual(got, want, `histogram of ${data.length} values over [${low}, ${high}], ${bins} bins`);
    const total = got.counts.reduce((p, v) => p + v, 0) + got.underflow + got.overflow + got.nan;
    assert.equal(total, data.length, "every value counted once");
    b.dispose(x);
  }
  const h = await b.histogram(b.tensor([0, 0.5, 1, 2, -1, NaN], [6]), { low: 0, high: 1, bins: 2 });
  assert.deepEqual([[...h.counts], h.underflow, h.overflow, h.nan], [[1, 2], 1, 1, 1]);
});

testBothBackends("reduce, rowDot, histogram: bad arguments are rejected clearly", async (b) => {
  const x = b.tensor(testValues(6), [2, 3]);
  await assert.rejects(b.reduce(x, "sum", { axis: 2 }), RangeError);
  await assert.rejects(b.reduce(x, "sum", { axis: 0.5 }), /over axis 0.5/);
  const unknownOp = (e: unknown) => e instanceof TypeError && /unknown op "median"/.test(e.message);
  await assert.rejects(b.reduce(x, "median" as ReduceOp), unknownOp);
  await assert.rejects(b.reduce(x, "variance", { ddof: -1 }), /ddof is -1, must be a non-negative integer/);
  await assert.rejects(b.reduce(b.tensor([1, 2], [2], "u32"), "sum"), TypeError);
  await assert.rejects(b.rowDot(x, b.tensor(testValues(6), [3, 2])), /must be 2-D of equal shape/);
  await assert.rejects(b.rowDot(b.tensor([1], [1]), b.tensor([1], [1])), RangeError);
  await assert.rejects(b.histogram(x, { low: 0, high: 1, bins: 0 }), /bins is 0/);
  await assert.rejects(b.histogram(x, { low: 1, high: 1, bins: 4 }), /must be greater than low/);
  await assert.rejects(b.histogram(x, { low: NaN, high: 1, bins: 4 }), TypeError);
  await assert.rejects(b.histogram(x, { low: 1, high: 1 + 1e-12, bins: 4 }), /round to float32/);
});
