/**
 * The matmul kernel variants (kernels/matmul/matmul_*.wgsl, recorded by kernels/matmul/matmul.ts): their
 * sources, workgroup sizes, tiles and loop costs (how much K one dispatch may cover within the adapter's loop
 * budget), and the variant `"auto"` resolves to (the calibrated winner, `calibrateMatmul` in matmul.ts, else a
 * fixed heuristic).
 *
 * @module
 */
import naiveSource from "./matmul_naive.wgsl" with { type: "text" };
import blockedSource from "./matmul_blocked.wgsl" with { type: "text" };
import tiledSource from "./matmul_tiled.wgsl" with { type: "text" };
import epilogueSource from "./matmul_epilogue.wgsl" with { type: "text" };
import blockedVec4Source from "./matmul_blocked_vec4.wgsl" with { type: "text" };
import { ACTIVATION_FUNCTIONS_WGSL } from "../elementwise/activation_functions.ts";
import type { GpuContext } from "../../lib/gpu/device.ts";
import type { KernelSource, OverrideConstants } from "../../lib/gpu/pipelines.ts";
import { loopBudget } from "../../lib/gpu/loop_budget.ts";

/** Kernel variants of matmul. */
export type MatmulVariant = "naive" | "blocked" | "tiled";

/** Rows of C per invocation of the blocked vec4 fast path (`ROWS` in its .wgsl). */
const BLOCKED_VEC4_ROWS = 16;

/** Every variant, in benchmark order. */
export const MATMUL_VARIANTS: readonly MatmulVariant[] = ["naive", "blocked", "tiled"];

/** One kernel variant: its source, constants, tile and loop costs. */
export interface VariantInfo {
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

/** Every kernel, by variant (`blocked_vec4`: the fast path of `blocked`). */
export const VARIANTS: Record<MatmulVariant | "blocked_vec4", VariantInfo> = {
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

/** The result of `calibrateMatmul`. */
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

const calibrated = new Map<string, MatmulCalibration>();

/**
 * The calibration of this adapter, if {@linkcode recordMatmulCalibration} has run in this process.
 *
 * @param gpu The GPU context.
 * @returns The calibration or undefined.
 */
export function matmulCalibration(gpu: GpuContext): MatmulCalibration | undefined {
  return calibrated.get(gpu.facts.description);
}

/**
 * Makes a calibration's winner the `"auto"` variant of its adapter for the rest of the process.
 *
 * @param calibration The measurements (`calibrateMatmul` in kernels/matmul/matmul.ts).
 */
export function recordMatmulCalibration(calibration: MatmulCalibration): void {
  calibrated.set(calibration.adapter, calibration);
}

/**
 * The variant `"auto"` resolves to: the calibrated winner for this adapter if
 * `calibrateMatmul` has run in this process, else blocked on CPU
 * adapters and tiled elsewhere (DESIGN.md section 3).
 *
 * @param gpu The GPU context.
 * @returns The variant.
 */
export function autoMatmulVariant(gpu: GpuContext): MatmulVariant {
  return calibrated.get(gpu.facts.description)?.winner ?? (gpu.facts.isCpuAdapter ? "blocked" : "tiled");
}
