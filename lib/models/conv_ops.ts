/**
 * Conv and pooling layers on backend tensors: each function runs the WGSL kernel on the `webgpu`
 * backend (kernels/conv/conv2d.ts, kernels/pool/pool.ts; recorded, submitted at the next read or flush) and
 * the float64 reference on `reference` (lib/reference/conv2d.ts, pool.ts), so a model written with them runs
 * on either backend. Batch norm, in the same style, is lib/models/norm_ops.ts.
 *
 * Tensors are NCHW and may have any shape of the right size (a dataset's flat `[rows, C H W]` rows
 * work as they are); the layer's shape is passed explicitly and checked against the sizes. Results
 * are new tensors, shaped `[N, C, H, W]` (`[N, C]` for the global average pool).
 *
 * @example A conv layer, then a 2x2 max-pool, on the reference backend
 * ```ts
 * import assert from "node:assert";
 * import { ReferenceBackend } from "../backend/reference.ts";
 * import { conv2d, maxPool2d } from "./conv_ops.ts";
 * const backend = new ReferenceBackend();
 * const shape = { batch: 1, inChannels: 1, outChannels: 1, height: 4, width: 4, kernelSize: 3, padding: 1 } as const;
 * const x = backend.tensor(Array.from({ length: 16 }, (_, i) => i), [1, 1, 4, 4]);
 * const weight = backend.tensor([0, 0, 0, 0, 1, 0, 0, 0, 0], [1, 1, 3, 3]); // the identity filter
 * const y = await conv2d(backend, x, weight, undefined, shape);
 * const pooled = await maxPool2d(backend, y, { batch: 1, channels: 1, height: 4, width: 4 });
 * assert.ok((await backend.read(pooled)).join() === "5,7,13,15");
 * ```
 *
 * @module
 */
import type { Backend } from "../backend/backend.ts";
import type { Tensor } from "../backend/tensor.ts";
import {
  encodeConv2dBackwardInput,
  encodeConv2dBackwardWeight,
  encodeConv2dForward,
} from "../../kernels/conv/conv2d.ts";
import {
  encodeGlobalAvgPoolBackward,
  encodeGlobalAvgPoolForward,
  encodeMaxPool2dBackward,
  encodeMaxPool2dForward,
} from "../../kernels/pool/pool.ts";
import {
  conv2dBackwardInputReference,
  conv2dBackwardWeightReference,
  conv2dForwardReference,
  type Conv2dShape,
  conv2dSizes,
} from "../reference/conv2d.ts";
import {
  globalAvgPoolBackwardReference,
  globalAvgPoolForwardReference,
  maxPool2dBackwardReference,
  maxPool2dForwardReference,
  poolInputSize,
  type PoolShape,
} from "../reference/pool.ts";
import { buffer, check, recorder, scratch, values } from "./_layer_ops.ts";

export type { Conv2dShape } from "../reference/conv2d.ts";
export type { PoolShape } from "../reference/pool.ts";
// Batch norm moved to lib/models/norm_ops.ts; kept importable from here.
export { batchNorm, batchNormBackward, type BatchNormLayerOptions, type BatchNormShape } from "./norm_ops.ts";

/**
 * y = conv2d(x, weight) + bias (stride 1, zero padding `shape.padding`).
 *
 * @param backend The backend holding the tensors.
 * @param x Input, N C_in H W elements.
 * @param weight Weight [C_out, C_in, k, k] (C_out C_in k k elements).
 * @param bias Bias [C_out], or undefined for none.
 * @param shape The layer shape.
 * @returns y [N, C_out, H_out, W_out].
 * @throws {RangeError} On a bad shape or a tensor of the wrong size.
 * @throws {TypeError} On a tensor of another backend.
 */
export async function conv2d(
  backend: Backend,
  x: Tensor,
  weight: Tensor,
  bias: Tensor | undefined,
  shape: Conv2dShape,
): Promise<Tensor> {
  const op = "conv2d", s = conv2dSizes(shape, `run "${op}"`);
  check(backend, op, "x", x, s.inputSize);
  check(backend, op, "weight", weight, s.weightSize);
  if (bias) check(backend, op, "bias", bias, shape.outChannels);
  const outShape = [shape.batch, shape.outChannels, s.outHeight, s.outWidth];
  if (backend.name === "reference") {
    const y = conv2dForwardReference(shape, values(x), values(weight), bias ? values(bias) : undefined);
    return backend.tensor(y, outShape);
  }
  const y = backend.zeros(outShape);
  await encodeConv2dForward(recorder(backend), {
    shape,
    x: buffer(x),
    weight: buffer(weight),
    bias: bias ? buffer(bias) : undefined,
    y: buffer(y),
  });
  return y;
}

/** Gradients of {@linkcode conv2dBackward}. */
export interface Conv2dGradients {
  /** dL/dx [N, C_in, H, W] (absent with `{ input: false }`). */
  gradInput?: Tensor;
  /** dL/dweight [C_out, C_in, k, k]. */
  gradWeight: Tensor;
  /** dL/dbias [C_out]. */
  gradBias: Tensor;
}

/**
 * The gradients of conv2d given g = dL/dy, summed over the batch.
 *
 * @param backend The backend holding the tensors.
 * @param x The forward input (N C_in H W elements).
 * @param weight Weight [C_out, C_in, k, k].
 * @param gradOutput g, N C_out H_out W_out elements.
 * @param shape The layer shape.
 * @param options `input: false` skips dL/dx (a first layer).
 * @returns dL/dx, dL/dweight, dL/dbias.
 * @throws {RangeError} On a bad shape or a tensor of the wrong size.
 * @throws {TypeError} On a tensor of another backend.
 */
export async function conv2dBackward(
  backend: Backend,
  x: Tensor,
  weight: Tensor,
  gradOutput: Tensor,
  shape: Conv2dShape,
  options: { input?: boolean } = {},
): Promise<Conv2dGradients> {
  const op = "conv2d_backward", s = conv2dSizes(shape, `run "${op}"`), withInput = options.input ?? true;
  check(backend, op, "x", x, s.inputSize);
  check(backend, op, "weight", weight, s.weightSize);
  check(backend, op, "gradOutput", gradOutput, s.outputSize);
  const { batch, inChannels, outChannels, height, width, kernelSize: k } = shape;
  const inShape = [batch, inChannels, height, width], weightShape = [outChannels, inChannels, k, k];
  if (backend.name === "reference") {
    const w = conv2dBackwardWeightReference(shape, values(x), values(gradOutput));
    return {
      gradInput: withInput
        ? backend.tensor(conv2dBackwardInputReference(shape, values(gradOutput), values(weight)), inShape)
        : undefined,
      gradWeight: backend.tensor(w.gradWeight, weightShape),
      gradBias: backend.tensor(w.gradBias, [outChannels]),
    };
  }
  const rec = recorder(backend);
  const gradWeight = backend.zeros(weightShape), gradBias = backend.zeros([outChannels]);
  const flat = scratch(rec, s.weightSize + outChannels, "conv2d_backward gradients");
  await encodeConv2dBackwardWeight(rec, {
    shape,
    x: buffer(x),
    gradOutput: buffer(gradOutput),
    grad: flat,
    weightOffset: 0,
    biasOffset: s.weightSize,
  });
  rec.copy(flat, 0, buffer(gradWeight), 0, s.weightSize * 4);
  rec.copy(flat, s.weightSize * 4, buffer(gradBias), 0, outChannels * 4);
  let gradInput: Tensor | undefined;
  if (withInput) {
    gradInput = backend.zeros(inShape);
    await encodeConv2dBackwardInput(rec, {
      shape,
      gradOutput: buffer(gradOutput),
      weight: buffer(weight),
      gradInput: buffer(gradInput),
    });
  }
  return { gradInput, gradWeight, gradBias };
}

/**
 * y = 2x2 max-pool, stride 2 (odd trailing rows and columns dropped).
 *
 * @param backend The backend holding x.
 * @param x Input, N C H W elements (H, W >= 2).
 * @param shape The input shape.
 * @returns y [N, C, floor(H / 2), floor(W / 2)].
 * @throws {RangeError} On a bad shape or a tensor of the wrong size.
 */
export async function maxPool2d(backend: Backend, x: Tensor, shape: PoolShape): Promise<Tensor> {
  const op = "max_pool2d";
  check(backend, op, "x", x, poolInputSize(shape, `run "${op}"`, 2));
  const outShape = [shape.batch, shape.channels, Math.floor(shape.height / 2), Math.floor(shape.width / 2)];
  if (backend.name === "reference") {
    return backend.tensor(maxPool2dForwardReference(shape, values(x)), outShape);
  }
  const y = backend.zeros(outShape);
  await encodeMaxPool2dForward(recorder(backend), { shape, x: buffer(x), y: buffer(y) });
  return y;
}

/**
 * dL/dx of the 2x2 max-pool: each g goes to its window's first maximum.
 *
 * @param backend The backend holding the tensors.
 * @param x The forward input (N C H W elements).
 * @param gradOutput g, N C floor(H / 2) floor(W / 2) elements.
 * @param shape The input shape.
 * @returns dL/dx [N, C, H, W].
 * @throws {RangeError} On a bad shape or a tensor of the wrong size.
 */
export async function maxPool2dBackward(
  backend: Backend,
  x: Tensor,
  gradOutput: Tensor,
  shape: PoolShape,
): Promise<Tensor> {
  const op = "max_pool2d_backward", size = poolInputSize(shape, `run "${op}"`, 2);
  check(backend, op, "x", x, size);
  const planes = shape.batch * shape.channels;
  check(
    backend,
    op,
    "gradOutput",
    gradOutput,
    planes * Math.floor(shape.height / 2) * Math.floor(shape.width / 2),
  );
  const inShape = [shape.batch, shape.channels, shape.height, shape.width];
  if (backend.name === "reference") {
    return backend.tensor(maxPool2dBackwardReference(shape, values(x), values(gradOutput)), inShape);
  }
  const dx = backend.zeros(inShape);
  await encodeMaxPool2dBackward(recorder(backend), {
    shape,
    x: buffer(x),
    gradOutput: buffer(gradOutput),
    gradInput: buffer(dx),
  });
  return dx;
}

/**
 * y[n, c] = mean over the pixels of x[n, c].
 *
 * @param backend The backend holding x.
 * @param x Input, N C H W elements.
 * @param shape The input shape.
 * @returns y [N, C].
 * @throws {RangeError} On a bad shape or a tensor of the wrong size.
 */
export async function globalAvgPool(backend: Backend, x: Tensor, shape: PoolShape): Promise<Tensor> {
  const op = "global_avg_pool";
  check(backend, op, "x", x, poolInputSize(shape, `run "${op}"`));
  const outShape = [shape.batch, shape.channels];
  if (backend.name === "reference") {
    return backend.tensor(globalAvgPoolForwardReference(shape, values(x)), outShape);
  }
  const y = backend.zeros(outShape);
  await encodeGlobalAvgPoolForward(recorder(backend), { shape, x: buffer(x), y: buffer(y) });
  return y;
}

/**
 * dL/dx of the global average pool: g[n, c] / (H W) on every pixel.
 *
 * @param backend The backend holding gradOutput.
 * @param gradOutput g, N C elements.
 * @param shape The input shape.
 * @returns dL/dx [N, C, H, W].
 * @throws {RangeError} On a bad shape or a tensor of the wrong size.
 */
export async function globalAvgPoolBackward(
  backend: Backend,
  gradOutput: Tensor,
  shape: PoolShape,
): Promise<Tensor> {
  const op = "global_avg_pool_backward";
  poolInputSize(shape, `run "${op}"`);
  check(backend, op, "gradOutput", gradOutput, shape.batch * shape.channels);
  const inShape = [shape.batch, shape.channels, shape.height, shape.width];
  if (backend.name === "reference") {
    return backend.tensor(globalAvgPoolBackwardReference(shape, values(gradOutput)), inShape);
  }
  const dx = backend.zeros(inShape);
  await encodeGlobalAvgPoolBackward(recorder(backend), {
    shape,
    gradOutput: buffer(gradOutput),
    gradInput: buffer(dx),
  });
  return dx;
}
