/**
 * The elementwise product a model's forward-mode passes need: out = u act'(z) (+ w act''(z) s), as a
 * tensor operation on either backend (the GPU kernel is kernels/model_ops/model_ops.ts
 * `encodeActivationBackward`, the same one the MLP's R-operator uses; the reference is float64 loops over
 * lib/activations.ts).
 *
 * @module
 */
import { type Activation, activationCoefficients, evaluateActivation } from "../activations.ts";
import type { Backend } from "../backend/backend.ts";
import { formatShape, type Tensor } from "../backend/tensor.ts";
import { ReferenceTensor } from "../backend/reference.ts";
import { encodeActivationBackward } from "../../kernels/model_ops/model_ops.ts";

/**
 * out = u act'(z), plus w act''(z) s when `second` is given: the first and second derivatives of
 * act(z(t)) along t when u = dz/dt (and, with w = s = dz/dt, u = d^2z/dt^2).
 *
 * @param backend The backend of every tensor.
 * @param activation The activation.
 * @param z Pre-activations.
 * @param u Multiplies act'(z) (same size).
 * @param second Optional w and s multiplying act''(z) (same size).
 * @returns A new tensor of z's shape.
 * @throws {RangeError} On size mismatches.
 */
export async function activationJvp(
  backend: Backend,
  activation: Activation,
  z: Tensor,
  u: Tensor,
  second?: { w: Tensor; s: Tensor },
): Promise<Tensor> {
  for (const t of [u, second?.w, second?.s]) {
    if (t && t.size !== z.size) {
      throw new RangeError(
        `Cannot apply the activation derivative: z has shape ${formatShape(z.shape)}, an operand ${
          formatShape(t.shape)
        }`,
      );
    }
  }
  const coefficients = activationCoefficients(activation);
  const out = backend.zeros(z.shape);
  if (out instanceof ReferenceTensor) {
    const zd = (z as ReferenceTensor).data, ud = (u as ReferenceTensor).data;
    const wd = (second?.w as ReferenceTensor | undefined)?.data,
      sd = (second?.s as ReferenceTensor | undefined)?.data;
    for (let i = 0; i < z.size; i++) {
      let v = ud[i] * evaluateActivation(coefficients, zd[i], 1);
      if (wd && sd) v += wd[i] * evaluateActivation(coefficients, zd[i], 2) * sd[i];
      out.data[i] = v;
    }
    return out;
  }
  const buffer = (t: Tensor) => t.buffer!;
  await encodeActivationBackward(backend.gpuTarget!.recorder, {
    z: buffer(z),
    u: buffer(u),
    out: buffer(out),
    size: z.size,
    coefficients,
    second: second ? { w: buffer(second.w), s: buffer(second.s) } : undefined,
  });
  return out;
}
