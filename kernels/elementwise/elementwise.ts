/**
 * Elementwise kernels: activation (and derivatives), axpy, scale, fill, and the row gather.
 *
 * Each records one dispatch of one invocation per element; sizes past
 * 65,535 workgroups use a 2-D grid (dispatch1d). A size of 0 records nothing.
 *
 * @module
 */
import activationSource from "./activation.wgsl" with { type: "text" };
import axpySource from "./axpy.wgsl" with { type: "text" };
import scaleSource from "./scale.wgsl" with { type: "text" };
import fillSource from "./fill.wgsl" with { type: "text" };
import gatherRowsSource from "./gather_rows.wgsl" with { type: "text" };
import { ACTIVATION_FUNCTIONS_WGSL } from "./activation_functions.ts";
import { type CommandRecorder, dispatch1d } from "../../lib/gpu/recorder.ts";
import type { KernelSource } from "../../lib/gpu/pipelines.ts";
import { StructLayout, UniformWriter } from "../../lib/gpu/params.ts";
import { ACTIVATION_SLOTS, type DerivativeOrder } from "../../lib/activations.ts";

/** The uniform struct of kernels/elementwise/gather_rows.wgsl. */
const GATHER_ROWS_PARAMS = new StructLayout(
  "Params",
  "kernels/elementwise/gather_rows.wgsl",
  [
    ["count", "u32"],
    ["cols", "u32"],
  ] as const,
);

/** The uniform struct of kernels/elementwise/fill.wgsl. */
const FILL_PARAMS = new StructLayout(
  "Params",
  "kernels/elementwise/fill.wgsl",
  [
    ["size", "u32"],
    ["bits", "u32"],
  ] as const,
);

/** The uniform struct of kernels/elementwise/scale.wgsl. */
const SCALE_PARAMS = new StructLayout(
  "Params",
  "kernels/elementwise/scale.wgsl",
  [
    ["size", "u32"],
    ["alpha", "f32"],
  ] as const,
);

/** The uniform struct of kernels/elementwise/axpy.wgsl. */
const AXPY_PARAMS = new StructLayout(
  "Params",
  "kernels/elementwise/axpy.wgsl",
  [
    ["size", "u32"],
    ["alpha", "f32"],
  ] as const,
);

/** The uniform struct of kernels/elementwise/activation.wgsl. */
const ACTIVATION_PARAMS = new StructLayout(
  "Params",
  "kernels/elementwise/activation.wgsl",
  [
    ["size", "u32"],
    ["order", "u32"],
  ] as const,
);

const WORKGROUP_SIZE = 64;

const KERNELS = {
  activation: {
    label: "activation",
    parts: [ACTIVATION_FUNCTIONS_WGSL, {
      file: "kernels/elementwise/activation.wgsl",
      code: activationSource,
    }],
  },
  axpy: { label: "axpy", parts: [{ file: "kernels/elementwise/axpy.wgsl", code: axpySource }] },
  scale: { label: "scale", parts: [{ file: "kernels/elementwise/scale.wgsl", code: scaleSource }] },
  fill: { label: "fill", parts: [{ file: "kernels/elementwise/fill.wgsl", code: fillSource }] },
  gatherRows: {
    label: "gather_rows",
    parts: [{ file: "kernels/elementwise/gather_rows.wgsl", code: gatherRowsSource }],
  },
} satisfies Record<string, KernelSource>;

async function dispatchElementwise(
  rec: CommandRecorder,
  kernel: KernelSource,
  size: number,
  bindings: GPUBuffer[],
): Promise<void> {
  await dispatch1d(rec, { kernel, constants: { WORKGROUP_SIZE }, invocations: size, bindings });
}

/** Packs activation coefficients as the uniform `array<vec4<f32>, 3>`. */
export function activationUniform(rec: CommandRecorder, coefficients: ArrayLike<number>): GPUBuffer {
  const writer = new UniformWriter();
  for (let s = 0; s < ACTIVATION_SLOTS; s++) writer.f32(coefficients[s] ?? 0);
  return rec.uniform(writer.bytes(), "activation coefficients");
}

/**
 * Records out = f^(order)(x) elementwise.
 *
 * @param rec The recorder.
 * @param args Buffers, element count, the 12 activation coefficients and the derivative order.
 */
export function encodeActivation(
  rec: CommandRecorder,
  args: {
    x: GPUBuffer;
    out: GPUBuffer;
    size: number;
    coefficients: ArrayLike<number>;
    order: DerivativeOrder;
  },
): Promise<void> {
  const params = rec.uniform(ACTIVATION_PARAMS.bytes({ size: args.size, order: args.order }));
  return dispatchElementwise(rec, KERNELS.activation, args.size, [
    args.x,
    args.out,
    params,
    activationUniform(rec, args.coefficients),
  ]);
}

/** Records y <- alpha x + y. */
export function encodeAxpy(
  rec: CommandRecorder,
  args: { x: GPUBuffer; y: GPUBuffer; size: number; alpha: number },
): Promise<void> {
  const params = rec.uniform(AXPY_PARAMS.bytes({ size: args.size, alpha: args.alpha }));
  return dispatchElementwise(rec, KERNELS.axpy, args.size, [args.x, args.y, params]);
}

/** Records x <- alpha x. */
export function encodeScale(
  rec: CommandRecorder,
  args: { x: GPUBuffer; size: number; alpha: number },
): Promise<void> {
  const params = rec.uniform(SCALE_PARAMS.bytes({ size: args.size, alpha: args.alpha }));
  return dispatchElementwise(rec, KERNELS.scale, args.size, [args.x, params]);
}

/** Records x[i] <- bits (a 32-bit pattern). */
export function encodeFill(
  rec: CommandRecorder,
  args: { x: GPUBuffer; size: number; bits: number },
): Promise<void> {
  const params = rec.uniform(FILL_PARAMS.bytes({ size: args.size, bits: args.bits }));
  return dispatchElementwise(rec, KERNELS.fill, args.size, [args.x, params]);
}

/** Records out[i, :] = x[indices[i], :] for i < count (words copied bit for bit; indices checked by the host). */
export function encodeGatherRows(
  rec: CommandRecorder,
  args: { x: GPUBuffer; indices: GPUBuffer; out: GPUBuffer; count: number; cols: number },
): Promise<void> {
  const params = rec.uniform(GATHER_ROWS_PARAMS.bytes({ count: args.count, cols: args.cols }));
  return dispatchElementwise(rec, KERNELS.gatherRows, args.count * args.cols, [
    args.x,
    args.indices,
    args.out,
    params,
  ]);
}
