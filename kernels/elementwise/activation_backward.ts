/**
 * The activation backward kernel (kernels/elementwise/activation_backward.wgsl): gradInput = g f'(x),
 * elementwise, one invocation per element. A size of 0 records nothing.
 *
 * @module
 */
import source from "./activation_backward.wgsl" with { type: "text" };
import { ACTIVATION_FUNCTIONS_WGSL } from "./activation_functions.ts";
import { activationUniform } from "./elementwise.ts";
import { type CommandRecorder, dispatch1d } from "../../lib/gpu/recorder.ts";
import type { KernelSource } from "../../lib/gpu/pipelines.ts";
import { StructLayout } from "../../lib/gpu/params.ts";

/** The uniform struct of kernels/elementwise/activation_backward.wgsl. */
const ACTIVATION_BACKWARD_PARAMS = new StructLayout(
  "Params",
  "kernels/elementwise/activation_backward.wgsl",
  [["size", "u32"]] as const,
);

const KERNEL: KernelSource = {
  label: "activation_backward",
  parts: [ACTIVATION_FUNCTIONS_WGSL, { file: "kernels/elementwise/activation_backward.wgsl", code: source }],
};

const WORKGROUP_SIZE = 64;

/** Arguments of {@linkcode encodeActivationBackward}. */
export interface ActivationBackwardArgs {
  /** The forward input (pre-activation), `size` elements. */
  x: GPUBuffer;
  /** g = dL/dy, `size` elements. */
  gradOutput: GPUBuffer;
  /** dL/dx (written), `size` elements. */
  gradInput: GPUBuffer;
  /** Elements. */
  size: number;
  /** The 12 activation coefficients (lib/activations.ts). */
  coefficients: ArrayLike<number>;
}

/**
 * Records gradInput[i] = gradOutput[i] f'(x[i]).
 *
 * @param rec The recorder.
 * @param args Buffers, element count and the activation's coefficients.
 */
export async function encodeActivationBackward(
  rec: CommandRecorder,
  args: ActivationBackwardArgs,
): Promise<void> {
  if (args.size === 0) return;
  const params = rec.uniform(ACTIVATION_BACKWARD_PARAMS.bytes({ size: args.size }));
  await dispatch1d(rec, {
    kernel: KERNEL,
    constants: { WORKGROUP_SIZE },
    invocations: args.size,
    bindings: [args.x, args.gradOutput, args.gradInput, params, activationUniform(rec, args.coefficients)],
  });
}
