/**
 * Wrapper of the paper-LPL dense-layer kernels: per-unit batch statistics (dense_stats.wgsl) and the
 * closed-form dL/da of one view (dense_delta.wgsl). Their Params structs are written by field name
 * (layouts in ./dense_types.ts). Every function records one dispatch and submits nothing.
 *
 * @module
 */
import statsSource from "./dense_stats.wgsl" with { type: "text" };
import deltaSource from "./dense_delta.wgsl" with { type: "text" };
import { type CommandRecorder, grid1d } from "../../lib/gpu/recorder.ts";
import { getPipeline, type KernelSource } from "../../lib/gpu/pipelines.ts";
import { loopBudget } from "../../lib/gpu/loop_budget.ts";
import { writeStructByName } from "./toy_neuron_types.ts";
import {
  DENSE_DELTA_FIELDS,
  DENSE_STATS_FIELDS,
  type LplCoefficients,
  type LplDenseShape,
  lplTermScales,
} from "./dense_types.ts";

const WORKGROUP_SIZE = 64;
const CONSTANTS = { WORKGROUP_SIZE };

/** The two kernels. */
export const LPL_DENSE_KERNELS = {
  stats: { label: "lpl_dense_stats", parts: [{ file: "kernels/lpl/dense_stats.wgsl", code: statsSource }] },
  delta: { label: "lpl_dense_delta", parts: [{ file: "kernels/lpl/dense_delta.wgsl", code: deltaSource }] },
} satisfies Record<string, KernelSource>;

async function dispatch(
  rec: CommandRecorder,
  kernel: KernelSource,
  workgroups: [number, number?],
  bindings: GPUBuffer[],
): Promise<void> {
  const pipeline = await getPipeline(rec.gpu, kernel, CONSTANTS);
  rec.dispatch({ pipeline, label: kernel.label, constants: CONSTANTS, bindings, workgroups });
}

function structBytes(fields: typeof DENSE_STATS_FIELDS, values: Record<string, number>): ArrayBuffer {
  const bytes = new ArrayBuffer(Math.ceil(fields.length / 4) * 16);
  writeStructByName(fields, values, new DataView(bytes));
  return bytes;
}

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
  const params = structBytes(DENSE_STATS_FIELDS, { batch: a.batch, units: a.units, pad0: 0, pad1: 0 });
  await dispatch(rec, LPL_DENSE_KERNELS.stats, [Math.ceil(a.units / WORKGROUP_SIZE)], [
    a.z,
    a.centred,
    a.stats,
    rec.uniform(params, "lpl_dense_stats params"),
  ]);
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
  const params = structBytes(DENSE_DELTA_FIELDS, {
    batch,
    units,
    pred_scale: k.pred,
    hebb_scale: k.hebb,
    decorr_scale: k.decorr,
    inv_batch_minus_one: 1 / (batch - 1),
    epsilon: a.epsilon,
    pad: 0,
  });
  const grid = grid1d(batch * units, WORKGROUP_SIZE, rec.gpu.device.limits.maxComputeWorkgroupsPerDimension);
  await dispatch(rec, LPL_DENSE_KERNELS.delta, grid, [
    a.z,
    a.zOther,
    a.centred,
    a.p,
    a.stats,
    a.hebbStats,
    a.fprime,
    a.delta,
    rec.uniform(params, "lpl_dense_delta params"),
  ]);
}
