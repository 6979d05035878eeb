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
 * when it has run, else a fixed heuristic (CPU adapter: blocked, else tiled).
 *
 * On CPU adapters one invocation silently stops looping after ~65,535 iterations
 * (DESIGN.md section 3), so K is split into chunks within `loopBudget`: each chunk
 * adds its partial product to C, and only the last applies bias and activation.
 *
 * @module
 */
import naiveSource from "./matmul_naive.wgsl" with { type: "text" };
import blockedSource from "./matmul_blocked.wgsl" with { type: "text" };
import tiledSource from "./matmul_tiled.wgsl" with { type: "text" };
import epilogueSource from "./matmul_epilogue.wgsl" with { type: "text" };
import blockedVec4Source from "./matmul_blocked_vec4.wgsl" with { type: "text" };
import { ACTIVATION_FUNCTIONS_WGSL } from "../elementwise/activation_functions.ts";
import { activationUniform } from "../elementwise/elementwise.ts";
import { CommandRecorder } from "../../lib/gpu/recorder.ts";
import type { GpuContext } from "../../lib/gpu/device.ts";
import { getPipeline, type KernelSource, type OverrideConstants } from "../../lib/gpu/pipelines.ts";
import { StructLayout } from "../../lib/gpu/params.ts";
import { loopBudget } from "../../lib/gpu/loop_budget.ts";
import { createBuffer, waitForGpu } from "../../lib/gpu/buffers.ts";
import { type MatmulPlan, planMatmul } from "./matmul_shape.ts";
import { ACTIVATION_SLOTS } from "../../lib/activations.ts";

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

/** Kernel variants of matmul. */
export type MatmulVariant = "naive" | "blocked" | "tiled";

/** Rows of C per invocation of the blocked vec4 fast path (`ROWS` in its .wgsl). */
const BLOCKED_VEC4_ROWS = 16;

/** Every variant, in benchmark order. */
export const MATMUL_VARIANTS: readonly MatmulVariant[] = ["naive", "blocked", "tiled"];

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

interface VariantInfo {
  kernel: KernelSource;
  constants: OverrideConstants;
  /** C elements per workgroup along n and m. */
  tile: [number, number];
  /** K values per loop trip, and loop trips outside the K loop. */
  kPerTrip: number;
  fixedTrips: number;
  /** K chunks are a multiple of this. */
  kAlign: number;
}

/** Params, output bindings and the store of C, shared by every variant (./matmul_epilogue.wgsl). */
const MATMUL_EPILOGUE_WGSL = { file: "kernels/matmul/matmul_epilogue.wgsl", code: epilogueSource };

const BLOCKED_WORKGROUP = 16;

const VARIANTS: Record<MatmulVariant | "blocked_vec4", VariantInfo> = {
  naive: {
    kernel: {
      label: "matmul_naive",
      parts: [ACTIVATION_FUNCTIONS_WGSL, MATMUL_EPILOGUE_WGSL, {
        file: "kernels/matmul/matmul_naive.wgsl",
        code: naiveSource,
      }],
    },
    constants: { WORKGROUP_X: 16, WORKGROUP_Y: 4 },
    tile: [16, 4],
    kPerTrip: 1,
    fixedTrips: 0,
    kAlign: 1,
  },
  blocked: {
    kernel: {
      label: "matmul_blocked",
      parts: [ACTIVATION_FUNCTIONS_WGSL, MATMUL_EPILOGUE_WGSL, {
        file: "kernels/matmul/matmul_blocked.wgsl",
        code: blockedSource,
      }],
    },
    constants: { WORKGROUP_SIZE: BLOCKED_WORKGROUP },
    tile: [4 * BLOCKED_WORKGROUP, 4],
    kPerTrip: 4,
    fixedTrips: 4, // the remainder loop: up to 3 trips and its exit test
    kAlign: 4,
  },
  blocked_vec4: {
    kernel: {
      label: "matmul_blocked_vec4",
      parts: [ACTIVATION_FUNCTIONS_WGSL, MATMUL_EPILOGUE_WGSL, {
        file: "kernels/matmul/matmul_blocked_vec4.wgsl",
        code: blockedVec4Source,
      }],
    },
    constants: { WORKGROUP_SIZE: BLOCKED_WORKGROUP },
    tile: [4 * BLOCKED_WORKGROUP, BLOCKED_VEC4_ROWS],
    kPerTrip: 4,
    fixedTrips: 1,
    kAlign: 4,
  },
  tiled: {
    kernel: {
      label: "matmul_tiled",
      parts: [ACTIVATION_FUNCTIONS_WGSL, MATMUL_EPILOGUE_WGSL, {
        file: "kernels/matmul/matmul_tiled.wgsl",
        code: tiledSource,
      }],
    },
    constants: {},
    tile: [64, 64],
    // Per 16 values of K: 1 trip of the K-tile loop + 17 of the inner loop (its 16 and the exit
    // test; measured: an unsplit K = 300000 stopped at 3640 tiles = 65535 / 18).
    kPerTrip: 16 / 18,
    fixedTrips: 0,
    kAlign: 16,
  },
};

/**
 * The largest K one dispatch of `variant` may cover on this adapter.
 *
 * @param gpu The GPU context.
 * @param variant The kernel.
 * @returns K values per dispatch (a multiple of the variant's unroll, at least that).
 */
export function matmulKChunk(gpu: GpuContext, variant: MatmulVariant): number {
  const v = VARIANTS[variant];
  const k = Math.floor((loopBudget(gpu) - v.fixedTrips) * v.kPerTrip);
  return Math.max(v.kAlign, Math.floor(k / v.kAlign) * v.kAlign);
}

const calibrated = new Map<string, MatmulCalibration>();

/** The result of {@linkcode calibrateMatmul}. */
export interface MatmulCalibration {
  /** The adapter description it was measured on. */
  adapter: string;
  /** The matrix size timed (n x n times n x n). */
  n: number;
  /** GFLOP/s of each variant. */
  gflops: Record<MatmulVariant, number>;
  /** The fastest variant, used by `"auto"` from now on. */
  winner: MatmulVariant;
}

/**
 * The variant `"auto"` resolves to: the calibrated winner for this adapter if
 * {@linkcode calibrateMatmul} has run in this process, else blocked on CPU
 * adapters and tiled elsewhere (DESIGN.md section 3).
 *
 * @param gpu The GPU context.
 * @returns The variant.
 */
export function autoMatmulVariant(gpu: GpuContext): MatmulVariant {
  return calibrated.get(gpu.facts.description)?.winner ?? (gpu.facts.isCpuAdapter ? "blocked" : "tiled");
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
  const cached = calibrated.get(gpu.facts.description);
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
  calibrated.set(gpu.facts.description, result);
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
