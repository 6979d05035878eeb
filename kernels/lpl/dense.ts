/**
 * Wrapper of the paper-LPL dense-layer kernels: per-unit batch statistics (dense_stats.wgsl) and the
 * closed-form dL/da of one view (dense_delta.wgsl). Their Params structs are written by field name.
 * Every function records one dispatch and submits nothing.
 *
 * @module
 */
import statsSource from "./dense_stats.wgsl" with { type: "text" };
import deltaSource from "./dense_delta.wgsl" with { type: "text" };
import { type CommandRecorder, dispatch1d } from "../../lib/gpu/recorder.ts";
import type { KernelSource } from "../../lib/gpu/pipelines.ts";
import { loopBudget } from "../../lib/gpu/loop_budget.ts";
import { StructLayout } from "../../lib/gpu/params.ts";
import { type LplCoefficients, type LplDenseShape, lplTermScales } from "./dense_types.ts";

const WORKGROUP_SIZE = 64;
const CONSTANTS = { WORKGROUP_SIZE };

/** The two kernels. */
export const LPL_DENSE_KERNELS = {
  stats: { label: "lpl_dense_stats", parts: [{ file: "kernels/lpl/dense_stats.wgsl", code: statsSource }] },
  delta: { label: "lpl_dense_delta", parts: [{ file: "kernels/lpl/dense_delta.wgsl", code: deltaSource }] },
} satisfies Record<string, KernelSource>;

/** `struct Params` of dense_stats.wgsl. */
const DENSE_STATS_PARAMS = new StructLayout(
  "Params",
  "kernels/lpl/dense_stats.wgsl",
  [
    ["batch", "u32"],
    ["units", "u32"],
    ["pad0", "u32"],
    ["pad1", "u32"],
  ] as const,
);

/** `struct Params` of dense_delta.wgsl. */
const DENSE_DELTA_PARAMS = new StructLayout(
  "Params",
  "kernels/lpl/dense_delta.wgsl",
  [
    ["batch", "u32"],
    ["units", "u32"],
    ["pred_scale", "f32"],
    ["hebb_scale", "f32"],
    ["decorr_scale", "f32"],
    ["inv_batch_minus_one", "f32"],
    ["epsilon", "f32"],
    ["pad", "u32"],
  ] as const,
);

/**
 * Records stats = [mean(units), variance(units)] (variance over batch - 1) and centred = z - mean.
 *
 * @throws {RangeError} When 2 batch + 2 loop trips exceed the adapter's loop budget, or batch < 2.
 */
export async function encodeLplDenseStats(
  rec: CommandRecorder,
  a: { z: GPUBuffer; centred: GPUBuffer; stats: GPUBuffer; batch: number; units: number },
): Promise<void> {
  if (a.batch < 2) {
    throw new RangeError(`Cannot dispatch "lpl_dense_stats": batch is ${a.batch}, must be >= 2`);
  }
  if (2 * a.batch + 2 > loopBudget(rec.gpu)) {
    throw new RangeError(`Cannot dispatch "lpl_dense_stats": batch ${a.batch} exceeds the loop budget`);
  }
  const params = DENSE_STATS_PARAMS.bytes({ batch: a.batch, units: a.units, pad0: 0, pad1: 0 });
  await dispatch1d(rec, {
    kernel: LPL_DENSE_KERNELS.stats,
    constants: CONSTANTS,
    invocations: a.units,
    bindings: [a.z, a.centred, a.stats, rec.uniform(params, "lpl_dense_stats params")],
  });
}

/** Arguments of {@linkcode encodeLplDenseDelta}. */
export interface LplDenseDeltaArgs {
  shape: LplDenseShape;
  coefficients: LplCoefficients;
  /** +1 on the current view, +1 on the past view of the symmetric rule, 0 on the detached past view. */
  predSign: number;
  epsilon: number;
  z: GPUBuffer;
  zOther: GPUBuffer;
  centred: GPUBuffer;
  /** Zc (Zc^T Zc), [batch, units]. */
  p: GPUBuffer;
  stats: GPUBuffer;
  hebbStats: GPUBuffer;
  fprime: GPUBuffer;
  delta: GPUBuffer;
}

/** Records delta = dL/dz * f'(a) of one view (see dense_delta.wgsl). */
export async function encodeLplDenseDelta(rec: CommandRecorder, a: LplDenseDeltaArgs): Promise<void> {
  const { batch, outputs: units } = a.shape;
  const k = lplTermScales(a.shape, a.coefficients, a.predSign);
  const params = DENSE_DELTA_PARAMS.bytes({
    batch,
    units,
    pred_scale: k.pred,
    hebb_scale: k.hebb,
    decorr_scale: k.decorr,
    inv_batch_minus_one: 1 / (batch - 1),
    epsilon: a.epsilon,
    pad: 0,
  });
  await dispatch1d(rec, {
    kernel: LPL_DENSE_KERNELS.delta,
    constants: CONSTANTS,
    invocations: batch * units,
    bindings: [
      a.z,
      a.zOther,
      a.centred,
      a.p,
      a.stats,
      a.hebbStats,
      a.fprime,
      a.delta,
      rec.uniform(params, "lpl_dense_delta params"),
    ],
  });
}
