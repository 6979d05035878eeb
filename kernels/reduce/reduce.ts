/**
 * Reductions, row-wise dot products and histograms on the GPU.
 *
 * A reduction of x viewed as [outer, n, inner] runs in stages of `kernels/reduce/reduce.wgsl`: each
 * stage turns [outer, length, inner] into partials [outer, ceil(length / CHUNK), inner], every
 * invocation combining at most {@linkcode REDUCE_CHUNK} elements, so no invocation nears
 * llvmpipe's silent ~65,535-iteration loop limit (DESIGN.md section 3) whatever n is. The last
 * stage (one part left) applies the finalisation: 1/n or 1/(n - ddof), sqrt for `norm`. `variance`
 * is two such reductions: the mean, then the sum of squared deviations from it. Scratch
 * partials are destroyed after the next flush. Conventions (empty lines, NaN) are those of
 * `lib/reference/reduce.ts`, whose functions are the oracle.
 *
 * @module
 */
import reduceSource from "./reduce.wgsl" with { type: "text" };
import histogramSource from "./histogram.wgsl" with { type: "text" };
import { type CommandRecorder, dispatch1d, grid1d } from "../../lib/gpu/recorder.ts";
import { getPipeline, type KernelSource } from "../../lib/gpu/pipelines.ts";
import { StructLayout } from "../../lib/gpu/params.ts";
import { createBuffer } from "../../lib/gpu/buffers.ts";
import type { ReduceOp } from "./reduce_shape.ts";
import { checkReduceArguments, constantReduceResult, histogramBinning } from "./reduce_shape.ts";

/** The uniform struct of kernels/reduce/histogram.wgsl. */
const HISTOGRAM_PARAMS = new StructLayout(
  "Params",
  "kernels/reduce/histogram.wgsl",
  [
    ["size", "u32"],
    ["bins", "u32"],
    ["low", "f32"],
    ["high", "f32"],
    ["scale", "f32"],
  ] as const,
);

/** The uniform struct of kernels/reduce/reduce.wgsl. */
const REDUCE_PARAMS = new StructLayout(
  "Params",
  "kernels/reduce/reduce.wgsl",
  [
    ["outer", "u32"],
    ["n", "u32"],
    ["inner", "u32"],
    ["parts", "u32"],
    ["transform", "u32"],
    ["combine", "u32"],
    ["take_sqrt", "u32"],
    ["empty_bits", "u32"],
    ["scale", "f32"],
  ] as const,
);

/**
 * Elements one invocation combines per stage: far below the CPU adapter's loop limit, and small so
 * that no float32 running sum grows long (a line of n takes ceil(log_64 n) stages, ~25 us each).
 */
export const REDUCE_CHUNK = 64;

const WORKGROUP_SIZE = 64;
const CONSTANTS = { WORKGROUP_SIZE };

const KERNELS = {
  reduce: { label: "reduce", parts: [{ file: "kernels/reduce/reduce.wgsl", code: reduceSource }] },
  histogram: {
    label: "histogram",
    parts: [{ file: "kernels/reduce/histogram.wgsl", code: histogramSource }],
  },
} satisfies Record<string, KernelSource>;

/** Per-element transform of the first stage (matches the `transform` codes in reduce.wgsl). */
const Transform = { identity: 0, square: 1, deviation: 2, product: 3 } as const;
/** How elements combine (the `combine` codes in reduce.wgsl). */
const Combine = { sum: 0, min: 1, max: 2 } as const;

/** One staged reduction of a [outer, n, inner] view into out [outer, inner]. */
interface Reduction {
  x: GPUBuffer;
  /** Second input of the first stage: the mean [outer, inner] (deviation) or b (product). */
  y?: GPUBuffer;
  out: GPUBuffer;
  outer: number;
  n: number;
  inner: number;
  transform: number;
  combine: number;
  /** Factor applied to a sum in the last stage. */
  scale: number;
  takeSqrt: boolean;
  /** What every output is when n is 0 (the caller passes n = 0 for data-independent results). */
  emptyValue: number;
}

function floatBits(value: number): number {
  return new Uint32Array(new Float32Array([value]).buffer)[0];
}

/** Records the stages of one reduction (the pipeline is compiled already, so the order is kept). */
function recordStages(rec: CommandRecorder, pipeline: GPUComputePipeline, r: Reduction): void {
  const max = rec.gpu.device.limits.maxComputeWorkgroupsPerDimension;
  let source = r.x, second = r.y ?? r.x, length = r.n, transform = r.transform;
  for (;;) {
    const parts = Math.max(1, Math.ceil(length / REDUCE_CHUNK));
    const last = parts === 1;
    const lines = r.outer * parts * r.inner;
    const target = last
      ? r.out
      : createBuffer(rec.gpu, lines * 4, `reduce partials [${r.outer}, ${parts}, ${r.inner}]`);
    if (!last) rec.releaseAfterFlush(target);
    const params = REDUCE_PARAMS.bytes({
      outer: r.outer,
      n: length,
      inner: r.inner,
      parts,
      transform,
      combine: r.combine,
      take_sqrt: r.takeSqrt ? 1 : 0,
      empty_bits: floatBits(r.emptyValue),
      scale: r.scale,
    });
    rec.dispatch({
      pipeline,
      label: KERNELS.reduce.label,
      constants: CONSTANTS,
      bindings: [source, second, target, rec.uniform(params, "reduce params")],
      workgroups: grid1d(lines, WORKGROUP_SIZE, max),
    });
    if (last) return;
    source = second = target;
    length = parts;
    transform = Transform.identity;
  }
}

/**
 * Records a reduction of x viewed as [outer, n, inner] over the middle axis into out [outer, inner].
 *
 * @param rec The recorder.
 * @param args Input and output buffers, the view, the op and the ddof of `variance`.
 * @throws {TypeError} On an unknown op. @throws {RangeError} On a bad ddof.
 */
export async function encodeReduce(
  rec: CommandRecorder,
  args: { x: GPUBuffer; out: GPUBuffer; outer: number; n: number; inner: number; op: ReduceOp; ddof: number },
): Promise<void> {
  const { x, out, outer, n, inner, op, ddof } = args;
  checkReduceArguments(op, ddof);
  if (outer * inner === 0) return;
  const pipeline = await getPipeline(rec.gpu, KERNELS.reduce, CONSTANTS);
  const view = { x, out, outer, n, inner, scale: 1, takeSqrt: false, emptyValue: 0 };
  const constant = constantReduceResult(op, n, ddof);
  if (constant !== undefined) {
    recordStages(rec, pipeline, { ...view, n: 0, transform: 0, combine: 0, emptyValue: constant });
    return;
  }
  switch (op) {
    case "sum":
    case "mean":
      recordStages(rec, pipeline, {
        ...view,
        transform: Transform.identity,
        combine: Combine.sum,
        scale: op === "mean" ? 1 / n : 1,
      });
      return;
    case "min":
    case "max":
      recordStages(rec, pipeline, { ...view, transform: Transform.identity, combine: Combine[op] });
      return;
    case "norm":
    case "sumOfSquares":
      recordStages(rec, pipeline, {
        ...view,
        transform: Transform.square,
        combine: Combine.sum,
        takeSqrt: op === "norm",
      });
      return;
    case "variance": {
      const mean = createBuffer(rec.gpu, outer * inner * 4, `variance mean [${outer}, ${inner}]`);
      rec.releaseAfterFlush(mean);
      recordStages(rec, pipeline, {
        ...view,
        out: mean,
        transform: Transform.identity,
        combine: Combine.sum,
        scale: 1 / n,
      });
      recordStages(rec, pipeline, {
        ...view,
        y: mean,
        transform: Transform.deviation,
        combine: Combine.sum,
        scale: 1 / (n - ddof),
      });
      return;
    }
  }
}

/**
 * Records out[r] = sum_c a[r, c] b[r, c] for row-major [rows, cols] buffers (0 when cols is 0).
 *
 * @param rec The recorder.
 * @param args Operands, output [rows] and the shape.
 */
export async function encodeRowDot(
  rec: CommandRecorder,
  args: { a: GPUBuffer; b: GPUBuffer; out: GPUBuffer; rows: number; cols: number },
): Promise<void> {
  if (args.rows === 0) return;
  const pipeline = await getPipeline(rec.gpu, KERNELS.reduce, CONSTANTS);
  recordStages(rec, pipeline, {
    x: args.a,
    y: args.b,
    out: args.out,
    outer: args.rows,
    n: args.cols,
    inner: 1,
    transform: Transform.product,
    combine: Combine.sum,
    scale: 1,
    takeSqrt: false,
    emptyValue: 0,
  });
}

/**
 * Records a histogram into out (u32, bins + 3: counts, underflow, overflow, nan); out is zero on entry.
 *
 * @param rec The recorder.
 * @param args Input, output, element count and the (checked) histogram options.
 * @throws {RangeError} When low and high collapse in float32 (see `histogramBinning`).
 */
export async function encodeHistogram(
  rec: CommandRecorder,
  args: { x: GPUBuffer; out: GPUBuffer; size: number; low: number; high: number; bins: number },
): Promise<void> {
  const { low, high, scale } = histogramBinning(args);
  if (args.size === 0) return;
  const params = HISTOGRAM_PARAMS.bytes({ size: args.size, bins: args.bins, low, high, scale });
  await dispatch1d(rec, {
    kernel: KERNELS.histogram,
    constants: CONSTANTS,
    invocations: args.size,
    bindings: [args.x, args.out, rec.uniform(params, "histogram params")],
  });
}
