/**
 * The two fused steps of the paper-LPL dense rule as backend-level ops: per-unit batch statistics and
 * the per-view dL/da. webgpu records kernels/lpl/dense.ts; reference runs the float64 functions of
 * lib/reference/lpl_dense.ts.
 *
 * @module
 */
import type { Backend } from "../backend/backend.ts";
import type { Tensor } from "../backend/tensor.ts";
import { buffer, check, recorder, values } from "../models/_layer_ops.ts";
import { encodeLplDenseDelta, encodeLplDenseStats } from "../../kernels/lpl/dense.ts";
import type { LplCoefficients, LplDenseShape } from "../../kernels/lpl/dense_types.ts";
import { lplBatchStats, lplDenseDeltaReference } from "../reference/lpl_dense.ts";

/**
 * Batch statistics of z [batch, units]: stats = [mean(units), variance(units)] (1/(batch - 1)) and
 * the centred values.
 */
export async function lplStats(
  backend: Backend,
  z: Tensor,
  batch: number,
  units: number,
): Promise<{ stats: Tensor; centred: Tensor }> {
  check(backend, "lpl_dense_stats", "z", z, batch * units);
  if (backend.name === "reference") {
    const s = lplBatchStats(values(z), batch, units);
    const stats = new Float64Array(2 * units);
    stats.set(s.mean);
    stats.set(s.variance, units);
    return { stats: backend.tensor(stats, [2 * units]), centred: backend.tensor(s.centred, [batch, units]) };
  }
  const stats = backend.zeros([2 * units]), centred = backend.zeros([batch, units]);
  await encodeLplDenseStats(recorder(backend), {
    z: buffer(z),
    centred: buffer(centred),
    stats: buffer(stats),
    batch,
    units,
  });
  return { stats, centred };
}

/** Tensors of {@linkcode lplDelta}: [batch, units] except stats and hebbStats ([2 units]). */
export interface LplDeltaInputs {
  z: Tensor;
  zOther: Tensor;
  centred: Tensor;
  p: Tensor;
  stats: Tensor;
  hebbStats: Tensor;
  fprime: Tensor;
}

/** dL/dz * f'(a) of one view (see kernels/lpl/dense_delta.wgsl), [batch, units]. */
export async function lplDelta(
  backend: Backend,
  shape: LplDenseShape,
  coefficients: LplCoefficients,
  predSign: number,
  epsilon: number,
  t: LplDeltaInputs,
): Promise<Tensor> {
  const size = shape.batch * shape.outputs;
  for (const name of ["z", "zOther", "centred", "p", "fprime"] as const) {
    check(backend, "lpl_dense_delta", name, t[name], size);
  }
  check(backend, "lpl_dense_delta", "stats", t.stats, 2 * shape.outputs);
  check(backend, "lpl_dense_delta", "hebbStats", t.hebbStats, 2 * shape.outputs);
  const outShape = [shape.batch, shape.outputs];
  if (backend.name === "reference") {
    const v = (x: Tensor) => values(x);
    return backend.tensor(
      lplDenseDeltaReference(shape, coefficients, predSign, epsilon, {
        z: v(t.z),
        zOther: v(t.zOther),
        centred: v(t.centred),
        p: v(t.p),
        stats: v(t.stats),
        hebbStats: v(t.hebbStats),
        fprime: v(t.fprime),
      }),
      outShape,
    );
  }
  const delta = backend.zeros(outShape);
  await encodeLplDenseDelta(recorder(backend), {
    shape,
    coefficients,
    predSign,
    epsilon,
    z: buffer(t.z),
    zOther: buffer(t.zOther),
    centred: buffer(t.centred),
    p: buffer(t.p),
    stats: buffer(t.stats),
    hebbStats: buffer(t.hebbStats),
    fprime: buffer(t.fprime),
    delta: buffer(delta),
  });
  return delta;
}
