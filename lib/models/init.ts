/**
 * Seeded parameter initialisation, identical on both backends.
 *
 * Tensor `t` of a layout (its index in flat order) draws its element `e` from the
 * toolkit's Philox stream with key `(seed, t)` and counter `(floor(e / 4), 0, 0, 0)`,
 * lane `e % 4`, as `Backend.random` would with `{ seed, stream: t, distribution: "normal" }`,
 * times the view's std. The values are drawn in float64 on the host and uploaded,
 * so the webgpu backend holds exactly the float32 rounding of the reference values.
 *
 * Kaiming-normal (fan_in, ReLU gain): std = sqrt(2 / fan_in); Xavier-normal:
 * std = sqrt(2 / (fan_in + fan_out)); both times an `initScale` (0.2 for the MLPs of
 * specs/seed003 section 2.3), biases zero.
 *
 * @module
 */
import type { Backend } from "../backend/backend.ts";
import type { Tensor } from "../backend/tensor.ts";
import { randomReference } from "../rng/philox.ts";
import type { ParameterLayout } from "./parameters.ts";

/** Weight initialisation schemes. */
export type InitScheme = "kaiming" | "xavier";

/**
 * The std of a weight of `fanIn` inputs and `fanOut` outputs.
 *
 * @param scheme `"kaiming"` (normal, fan_in, ReLU gain) or `"xavier"` (normal).
 * @param fanIn Inputs per output unit.
 * @param fanOut Outputs per input unit.
 * @param initScale Multiplier.
 * @returns The standard deviation.
 * @example
 * ```ts
 * import { weightStd } from "./init.ts";
 * weightStd("kaiming", 512, 10, 1); // sqrt(2 / 512) = 0.0625
 * ```
 */
export function weightStd(scheme: InitScheme, fanIn: number, fanOut: number, initScale: number): number {
  if (!(fanIn >= 1) || !(fanOut >= 1)) {
    throw new RangeError(`Cannot initialise a weight: fan_in ${fanIn} and fan_out ${fanOut} must be >= 1`);
  }
  if (!(initScale >= 0 && Number.isFinite(initScale))) {
    throw new RangeError(`Cannot initialise a weight: initScale is ${initScale}, must be finite and >= 0`);
  }
  if (scheme === "kaiming") return initScale * Math.sqrt(2 / fanIn);
  if (scheme === "xavier") return initScale * Math.sqrt(2 / (fanIn + fanOut));
  throw new TypeError(`Cannot initialise a weight: unknown scheme "${scheme}", expected kaiming or xavier`);
}

/**
 * The initial flat parameters of a layout in float64 (see the module doc for the streams).
 *
 * @param layout The layout (each view's `init` says zeros or normal with a std).
 * @param seed The init seed, an integer in [0, 2^32).
 * @returns `layout.count` values.
 * @throws {RangeError} On a bad seed.
 */
export function initialParameters(layout: ParameterLayout, seed: number): Float64Array {
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new RangeError(`Cannot initialise parameters: seed is ${seed}, must be an integer in [0, 2^32)`);
  }
  const flat = new Float64Array(layout.count);
  layout.views.forEach((view, t) => {
    if (view.init.kind !== "normal" || view.size === 0) return;
    const z = randomReference(1, view.size, { seed, stream: t, distribution: "normal" }) as Float64Array;
    const std = view.init.std;
    for (let e = 0; e < view.size; e++) flat[view.offset + e] = std * z[e];
  });
  return flat;
}

/**
 * Creates the initial flat parameter tensor of a layout on a backend.
 *
 * @param backend Where the tensor lives.
 * @param layout The layout.
 * @param seed The init seed.
 * @returns A `[layout.count]` f32 tensor.
 */
export function initParameters(backend: Backend, layout: ParameterLayout, seed: number): Tensor {
  return backend.tensor(initialParameters(layout, seed), [layout.count]);
}
