/**
 * Matmul kernels: C[b] = act(op(A[b]) op(B[b]) + bias), op = optional transpose.
 *
 * Three variants share one uniform layout (kernels/matmul/matmul_*.wgsl):
 *
 * | variant | kernel | for |
 * |---|---|---|
 * | `naive` | one invocation per element of C | the fallback and benchmark baseline |
 * | `blocked` | barrier-free register blocks: 16x4 with vec4 loads when A, B are not transposed and k, n are multiples of 4 (matmul_blocked_vec4.wgsl), else 4x4 scalar | CPU adapters (llvmpipe/lavapipe), where barriers are expensive |
 * | `tiled` | 64x64 shared-memory tiles, 16x16 invocations | real GPUs |
 *
 * `"auto"` picks the variant calibrated for the adapter by {@linkcode calibrateMatmul}
 * when it has run, else a fixed heuristic (CPU adapter: blocked, else tiled). The variants' sources, tiles
 * and loop costs are in kernels/matmul/matmul_variants.ts.
 *
 * On CPU adapters one invocation silently stops looping after ~65,535 iterations
 * (DESIGN.md section 3), so K is split into chunks within `loopBudget`: each chunk
 * adds its partial product to C, and only the last applies bias and activation.
 *
 * @module
 */
import { activationUniform } from "../elementwise/elementwise.ts";
import { CommandRecorder } from "../../lib/gpu/recorder.ts";
import type { GpuContext } from "../../lib/gpu/device.ts";
import { getPipeline } from "../../lib/gpu/pipelines.ts";
import { StructLayout } from "../../lib/gpu/params.ts";
import { createBuffer, waitForGpu } from "../../lib/gpu/buffers.ts";
import { type MatmulPlan, planMatmul } from "./matmul_shape.ts";
import { ACTIVATION_SLOTS } from "../../lib/activations.ts";
import {
  autoMatmulVariant,
  MATMUL_VARIANTS,
  type MatmulCalibration,
  matmulCalibration,
  matmulKChunk,
  type MatmulVariant,
  recordMatmulCalibration,
  VARIANTS,
} from "./matmul_variants.ts";
export {
  autoMatmulVariant,
  MATMUL_VARIANTS,
  type MatmulCalibration,
  matmulKChunk,
  type MatmulVariant,
} from "./matmul_variants.ts";

/** The uniform struct of kernels/matmul/matmul_epilogue.wgsl. */
const MATMUL_PARAMS = new StructLayout(
  "Params",
  "kernels/matmul/matmul_epilogue.wgsl",
  [
    ["m", "u32"],
    ["n", "u32"],
    ["k_begin", "u32"],
    ["k_end", "u32"],
    ["a_row_stride", "u32"],
    ["a_k_stride", "u32"],
    ["b_k_stride", "u32"],
    ["b_col_stride", "u32"],
    ["stride_a", "u32"],
    ["stride_b", "u32"],
    ["stride_c", "u32"],
    ["batch_base", "u32"],
    ["accumulate", "u32"],
    ["apply_bias", "u32"],
    ["apply_activation", "u32"],
  ] as const,
);

/** Arguments of {@linkcode encodeMatmul}. */
export interface MatmulArgs {
  /** A, row-major `[m, k]` (`[k, m]` when `transposeA`), `plan.strideA` elements per batch. */
  a: GPUBuffer;
  /** B, row-major `[k, n]` (`[n, k]` when `transposeB`), `plan.strideB` elements per batch. */
  b: GPUBuffer;
  /** The output C, row-major `[batch, m, n]`. */
  c: GPUBuffer;
  /** Optional bias of n values added to every row. */
  bias?: GPUBuffer;
  /** Optional activation coefficients (`activationCoefficients`), applied after the bias. */
  activation?: Float64Array;
  /** Shapes and strides from `planMatmul`. */
  plan: MatmulPlan;
  /** Use A^T. */
  transposeA: boolean;
  /** Use B^T. */
  transposeB: boolean;
  /** The kernel, or `"auto"` for the adapter's calibrated (or default) one. */
  variant: MatmulVariant | "auto";
  /** Largest K per dispatch (tests force small chunks); by default from the loop budget. */
  kChunk?: number;
}

/**
 * Times every variant once on `n x n` matrices and makes the fastest the adapter's
 * `"auto"` choice for the rest of the process (cached by adapter description).
 *
 * @param gpu The GPU context.
 * @param options `n` (256 by default), `repeats` (3), `force` to measure again.
 * @returns The measurements and the winner.
 */
export async function calibrateMatmul(
  gpu: GpuContext,
  options: { n?: number; repeats?: number; force?: boolean } = {},
): Promise<MatmulCalibration> {
  const cached = matmulCalibration(gpu);
  if (cached && !options.force) return cached;
  const n = options.n ?? 256, repeats = options.repeats ?? 3;
  const rec = new CommandRecorder(gpu);
  const [a, b, c] = ["A", "B", "C"].map((name) => createBuffer(gpu, n * n * 4, `calibrate matmul ${name}`));
  const plan = planMatmul([n, n], [n, n]);
  const gflops = {} as Record<MatmulVariant, number>;
  for (const variant of MATMUL_VARIANTS) {
    const once = async () => {
      await encodeMatmul(rec, { a, b, c, plan, transposeA: false, transposeB: false, variant });
      rec.flush();
      await waitForGpu(
        gpu,
        `timing matmul variant "${variant}"`,
        () => gpu.device.queue.onSubmittedWorkDone(),
      );
    };
    await once(); // compile and warm up
    const times: number[] = [];
    for (let r = 0; r < repeats; r++) {
      const t0 = performance.now();
      await once();
      times.push((performance.now() - t0) / 1000);
    }
    gflops[variant] = (2 * n ** 3) / Math.min(...times) / 1e9;
  }
  for (const buffer of [a, b, c]) buffer.destroy();
  const winner = MATMUL_VARIANTS.reduce((best, v) => gflops[v] > gflops[best] ? v : best);
  const result = { adapter: gpu.facts.description, n, gflops, winner };
  recordMatmulCalibration(result);
  return result;
}

const dummyBias = new WeakMap<GPUDevice, GPUBuffer>();

function checkSize(buffer: GPUBuffer, elements: number, name: string): void {
  if (buffer.size < elements * 4) {
    throw new RangeError(
      `Cannot run "matmul": ${name} buffer holds ${buffer.size} bytes, the plan needs ${elements * 4}`,
    );
  }
}

/**
 * Records C[b] = act(op(A[b]) op(B[b]) + bias) for every batch b.
 *
 * Shapes were checked by `planMatmul`; this checks the buffers are large enough,
 * splits K into chunks within the adapter's loop budget and the batch into
 * dispatches of at most `maxComputeWorkgroupsPerDimension`.
 *
 * @param rec The recorder (nothing is submitted here).
 * @param args Buffers, plan, transposes, bias, activation and variant.
 * @throws {RangeError} When a buffer is smaller than the plan needs, or the grid exceeds the device's limits.
 */
export async function encodeMatmul(rec: CommandRecorder, args: MatmulArgs): Promise<void> {
  const { plan } = args;
  const { m, n, k, batch } = plan;
  if (m === 0 || n === 0 || batch === 0) return;
  checkSize(args.a, plan.strideA * (batch - 1) + m * k, "A");
  checkSize(args.b, plan.strideB * (batch - 1) + k * n, "B");
  checkSize(args.c, plan.strideC * batch, "C");
  if (args.bias) checkSize(args.bias, n, "bias");
  const gpu = rec.gpu;
  const variant = args.variant === "auto" ? autoMatmulVariant(gpu) : args.variant;
  let info = VARIANTS[variant];
  if (!info) {
    throw new RangeError(
      `Cannot run "matmul": unknown variant "${args.variant}", expected auto, ${MATMUL_VARIANTS.join(", ")}`,
    );
  }
  const kChunk = args.kChunk ?? matmulKChunk(gpu, variant);
  if (!Number.isInteger(kChunk) || kChunk < 1) {
    throw new RangeError(`Cannot run "matmul": kChunk is ${kChunk}, must be a positive integer`);
  }
  // The vec4 fast path needs whole vec4 rows of A and B, and chunks that start on one.
  const wholeVec4 = !args.transposeA && !args.transposeB && k % 4 === 0 && n % 4 === 0 && kChunk % 4 === 0;
  if (variant === "blocked" && wholeVec4) info = VARIANTS.blocked_vec4;
  const pipeline = await getPipeline(gpu, info.kernel, info.constants);
  let bias = args.bias;
  if (!bias) {
    bias = dummyBias.get(gpu.device);
    if (!bias) dummyBias.set(gpu.device, bias = createBuffer(gpu, 16, "matmul no-bias"));
  }
  const coefficients = activationUniform(rec, args.activation ?? new Float64Array(ACTIVATION_SLOTS));
  const maxZ = gpu.device.limits.maxComputeWorkgroupsPerDimension;
  const grid: [number, number] = [Math.ceil(n / info.tile[0]), Math.ceil(m / info.tile[1])];
  for (let kBegin = 0; kBegin === 0 || kBegin < k; kBegin += kChunk) {
    const kEnd = Math.min(k, kBegin + kChunk);
    const last = kEnd === k;
    for (let batchBase = 0; batchBase < batch; batchBase += maxZ) {
      const params = MATMUL_PARAMS.bytes({
        m,
        n,
        k_begin: kBegin,
        k_end: kEnd,
        a_row_stride: args.transposeA ? 1 : k,
        a_k_stride: args.transposeA ? m : 1,
        b_k_stride: args.transposeB ? 1 : n,
        b_col_stride: args.transposeB ? k : 1,
        stride_a: plan.strideA,
        stride_b: plan.strideB,
        stride_c: plan.strideC,
        batch_base: batchBase,
        accumulate: kBegin > 0 ? 1 : 0,
        apply_bias: last && args.bias ? 1 : 0,
        apply_activation: last && args.activation ? 1 : 0,
      });
      rec.dispatch({
        pipeline,
        label: info.kernel.label,
        constants: info.constants,
        bindings: [args.a, args.b, args.c, bias, rec.uniform(params, "matmul params"), coefficients],
        workgroups: [grid[0], grid[1], Math.min(maxZ, batch - batchBase)],
      });
    }
  }
}
