/**
 * The BYOL target update: an exponential moving average of the online parameters,
 * target <- tau target + (1 - tau) online, over the whole target or over some of its named parameters,
 * and the momentum schedule of the BYOL paper.
 *
 * @module
 */
import type { Backend } from "../backend/backend.ts";
import type { Tensor } from "../backend/tensor.ts";
import type { ParameterLayout } from "../models/parameters.ts";
import { copyElements, sliceTensor } from "../models/tensor_views.ts";

/**
 * target <- tau target + (1 - tau) online on the parameters of `layout` selected by `which` (all by
 * default). The online tensor may be longer than the target (the canonical online network is the target's
 * layers followed by the predictor): the target's layout is a prefix of the online one.
 *
 * @param backend The backend.
 * @param target The target's flat parameters (updated in place).
 * @param online The online flat parameters (same layout for the first `layout.count` elements).
 * @param layout The target's layout.
 * @param tau The momentum in [0, 1].
 * @param which Which named parameters move (all by default).
 * @throws {RangeError} On tau outside [0, 1] or an online tensor shorter than the target.
 */
export async function emaUpdate(
  backend: Backend,
  target: Tensor,
  online: Tensor,
  layout: ParameterLayout,
  tau: number,
  which: (name: string) => boolean = () => true,
): Promise<void> {
  if (!(tau >= 0 && tau <= 1)) {
    throw new RangeError(`Cannot update the BYOL target: tau is ${tau}, must be in [0, 1]`);
  }
  if (online.size < layout.count || target.size !== layout.count) {
    throw new RangeError(
      `Cannot update the BYOL target: online has ${online.size} and target ${target.size} parameters, ` +
        `the target layout ${layout.count}`,
    );
  }
  // Contiguous runs of selected views, each updated by one scale and one axpy.
  const runs: [number, number][] = [];
  for (const v of layout.views) {
    if (!which(v.name)) continue;
    const last = runs.at(-1);
    if (last && last[0] + last[1] === v.offset) last[1] += v.size;
    else runs.push([v.offset, v.size]);
  }
  for (const [offset, size] of runs) {
    const t = sliceTensor(backend, target, offset, [size]), o = sliceTensor(backend, online, offset, [size]);
    await backend.scale(t, tau);
    await backend.axpy(1 - tau, o, t);
    copyElements(backend, t, 0, target, offset, size);
    backend.dispose(t, o);
  }
}

/**
 * The BYOL paper's target momentum: tau_k = 1 - (1 - tau_0) (cos(pi k / K) + 1) / 2, from tau_0 at step 0
 * to 1 at step K.
 *
 * @param tau0 The base momentum.
 * @param step k.
 * @param steps K.
 */
export function cosineTau(tau0: number, step: number, steps: number): number {
  return 1 - (1 - tau0) * (Math.cos(Math.PI * Math.min(step, steps) / steps) + 1) / 2;
}
