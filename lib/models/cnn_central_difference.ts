/**
 * The opt-in central-difference Hessian-vector product of lib/models/cnn_model.ts (`hvpMethod:
 * "central-difference"`), kept for comparison with the exact R-operator (the default):
 * H v ~ (g(theta + eps v) - g(theta - eps v)) / (2 eps) with eps = delta max(|theta|, 1) / |v|,
 * delta = {@linkcode CNN_HVP_RELATIVE_STEP} (1e-3 in float32, 1e-7 in float64) or a given relative step,
 * or a given absolute eps; the norms cost one host wait unless eps is given.
 *
 * Error on a smooth network: truncation ~ delta^2 plus roundoff ~ u / delta (~1e-4 relative in float32).
 * WRONG on ReLU and max-pool networks whenever a unit or pool window switches inside +-eps v (measured:
 * relative errors of 4x to 17x for delta in [1e-4, 1e-2] on a 4,386-parameter ReLU CNN with two
 * max-pools), and the number of switches grows with units x samples, so no step is safe for the "cnn"
 * preset.
 *
 * @module
 */
import type { Backend } from "../backend/backend.ts";
import type { Tensor } from "../backend/tensor.ts";

/** Default relative step delta of the (opt-in) central-difference Hessian-vector product, per backend. */
export const CNN_HVP_RELATIVE_STEP: Readonly<Record<"webgpu" | "reference", number>> = {
  webgpu: 1e-3,
  reference: 1e-7,
};

/** |theta| and |v| (one host wait on webgpu: both reads are awaited together). */
async function norms(backend: Backend, params: Tensor, v: Tensor): Promise<[number, number]> {
  const a = await backend.reduce(params, "norm"), b = await backend.reduce(v, "norm");
  const [ra, rb] = await Promise.all([backend.read(a), backend.read(b)]);
  backend.dispose(a, b);
  return [ra[0], rb[0]];
}

/**
 * H v ~ (g(theta + eps v) - g(theta - eps v)) / (2 eps), written into `out` (H 0 = 0 exactly).
 *
 * @param backend The backend of the tensors.
 * @param params theta, flat.
 * @param v The direction, flat.
 * @param gradientAt Writes the gradient at the given parameters into the given tensor.
 * @param out Where H v goes (the size of params).
 * @param step `epsilon`, the absolute step, or else `relativeStep` delta (see the module doc).
 */
export async function centralDifferenceHvp(
  backend: Backend,
  params: Tensor,
  v: Tensor,
  gradientAt: (theta: Tensor, into: Tensor) => Promise<void>,
  out: Tensor,
  step: { epsilon?: number; relativeStep: number },
): Promise<void> {
  let epsilon = step.epsilon;
  if (epsilon === undefined) {
    const [thetaNorm, vNorm] = await norms(backend, params, v);
    if (vNorm === 0) return backend.fill(out, 0); // H 0 = 0
    epsilon = step.relativeStep * Math.max(thetaNorm, 1) / vNorm;
  }
  const shifted = backend.zeros([params.size]), minus = backend.zeros([params.size]);
  await backend.copy(params, shifted);
  await backend.axpy(epsilon, v, shifted);
  await gradientAt(shifted, out);
  await backend.copy(params, shifted);
  await backend.axpy(-epsilon, v, shifted);
  await gradientAt(shifted, minus);
  await backend.axpy(-1, minus, out);
  await backend.scale(out, 1 / (2 * epsilon));
  backend.dispose(shifted, minus);
}
