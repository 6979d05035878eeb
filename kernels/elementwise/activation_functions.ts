/**
 * The WGSL activation library (kernels/elementwise/activation_functions.wgsl) as a kernel part.
 *
 * Kernels that apply an activation list it before their own file:
 * `parts: [ACTIVATION_FUNCTIONS_WGSL, { file, code }]`, declare a uniform
 * `array<vec4<f32>, 3>` of coefficients and call `activation_apply(c, x, order)`.
 *
 * @module
 */
import source from "./activation_functions.wgsl" with { type: "text" };
import type { KernelPart } from "../../lib/gpu/pipelines.ts";

/** The activation function library. */
export const ACTIVATION_FUNCTIONS_WGSL: KernelPart = {
  file: "kernels/elementwise/activation_functions.wgsl",
  code: source,
};
