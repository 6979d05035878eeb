/**
 * One layer forward and backward on backend tensors, given any output gradient: the building block of
 * {@linkcode LayerStack} (lib/models/layer_stack.ts) for heads whose loss is not one of the models' losses
 * (BYOL's projector and predictor, layer-local objectives). Each kind runs the backend-level ops (conv,
 * pool and batch-norm layers of lib/models/conv_ops.ts and norm_ops.ts, `Backend.matmul`,
 * `Backend.activationBackward`, `Backend.rowL2Normalize`), so it runs on either backend.
 *
 * Shapes are per sample: `{ channels, height, width }` for images (NCHW tensors), `{ features }` for
 * vectors ([N, F] tensors).
 *
 * @module
 */
import type { Activation } from "../activations.ts";
import type { Backend } from "../backend/backend.ts";
import type { Tensor } from "../backend/tensor.ts";
import {
  conv2d,
  conv2dBackward,
  globalAvgPool,
  globalAvgPoolBackward,
  maxPool2d,
  maxPool2dBackward,
} from "./conv_ops.ts";
import { batchNorm, batchNormBackward } from "./norm_ops.ts";
import { tensorView } from "./tensor_views.ts";
import { buffer, recorder, values } from "./_layer_ops.ts";
import { encodeConv2dBackwardInput } from "../../kernels/conv/conv2d.ts";
import { conv2dBackwardInputReference, type Conv2dShape } from "../reference/conv2d.ts";

/** A layer of a {@linkcode LayerStack}; `name` prefixes its parameters (`conv1.weight`). */
export type LayerSpec =
  | { kind: "conv2d"; name: string; outChannels: number; kernelSize: 3 | 5; padding: 0 | 1 | 2 }
  | { kind: "dense"; name: string; outFeatures: number; bias?: boolean }
  /** Batch norm over N H W per channel (images) or over N per feature (vectors); running stats in the state. */
  | { kind: "batchNorm"; name: string; eps?: number; momentum?: number }
  | { kind: "activation"; activation: Activation }
  | { kind: "maxPool2d" }
  | { kind: "globalAvgPool" }
  | { kind: "rowL2Normalize"; eps?: number };

/** A per-sample shape: an image or a vector. */
export type SampleShape = { channels: number; height: number; width: number } | { features: number };

/** The parameters of one layer (tensors of the backend), by role. */
export interface LayerParameters {
  weight?: Tensor;
  bias?: Tensor;
}

/** What a layer's forward pass keeps for its backward pass. */
export interface LayerCache {
  /** The layer's input. */
  input: Tensor;
  /** Batch norm in train mode: the batch mean then biased variance [2, C]; eval mode: the running ones. */
  stats?: Tensor;
  /** Whether `stats` is a tensor the cache owns (train mode) or the network state (eval mode). */
  ownsStats?: boolean;
}

/** Gradients of {@linkcode layerBackward}. */
export interface LayerGradients {
  gradInput?: Tensor;
  gradWeight?: Tensor;
  gradBias?: Tensor;
}

/** Options of a layer's forward pass. */
export interface LayerForwardOptions {
  /** Batch norm: batch statistics ("train", updating the running ones) or the running ones ("eval"). */
  mode: "train" | "eval";
  /** Batch norm: the running statistics [2, C] (mean then variance). */
  running?: Tensor;
}

const isImage = (s: SampleShape): s is { channels: number; height: number; width: number } => "channels" in s;

function features(s: SampleShape): number {
  return isImage(s) ? s.channels * s.height * s.width : s.features;
}

function fail(layer: LayerSpec, message: string): never {
  throw new RangeError(
    `Cannot build the "${layer.kind}" layer${"name" in layer ? ` ${layer.name}` : ""}: ${message}`,
  );
}

/**
 * The output shape of a layer and its parameter shapes (weight, bias; batch norm: gamma, beta).
 *
 * @throws {RangeError} When the layer does not fit its input shape.
 */
export function layerShapes(
  layer: LayerSpec,
  input: SampleShape,
): { output: SampleShape; weight?: number[]; bias?: number[] } {
  switch (layer.kind) {
    case "conv2d": {
      if (!isImage(input)) fail(layer, "its input is a vector, expected an image");
      const k = layer.kernelSize, p = layer.padding;
      const height = input.height + 2 * p - k + 1, width = input.width + 2 * p - k + 1;
      if (height < 1 || width < 1) fail(layer, `a ${input.height}x${input.width} input is too small`);
      return {
        output: { channels: layer.outChannels, height, width },
        weight: [layer.outChannels, input.channels, k, k],
        bias: [layer.outChannels],
      };
    }
    case "dense": {
      const n = features(input);
      return {
        output: { features: layer.outFeatures },
        weight: [layer.outFeatures, n],
        bias: layer.bias === false ? undefined : [layer.outFeatures],
      };
    }
    case "batchNorm": {
      const c = isImage(input) ? input.channels : input.features;
      return { output: input, weight: [c], bias: [c] };
    }
    case "maxPool2d":
      if (!isImage(input) || input.height < 2 || input.width < 2) {
        fail(layer, "needs an image of at least 2x2");
      }
      return {
        output: { channels: input.channels, height: input.height >> 1, width: input.width >> 1 },
      };
    case "globalAvgPool":
      if (!isImage(input)) fail(layer, "its input is a vector, expected an image");
      return { output: { features: input.channels } };
    case "activation":
      return { output: input };
    case "rowL2Normalize":
      return { output: { features: features(input) } };
  }
}

/** The batch-norm / pool shape of an input: vectors are [N, F, 1, 1]. */
function planeShape(input: SampleShape, batch: number) {
  return isImage(input)
    ? { batch, channels: input.channels, height: input.height, width: input.width }
    : { batch, channels: input.features, height: 1, width: 1 };
}

function convShape(layer: LayerSpec & { kind: "conv2d" }, input: SampleShape, batch: number) {
  if (!isImage(input)) fail(layer, "its input is a vector, expected an image");
  return {
    batch,
    inChannels: input.channels,
    outChannels: layer.outChannels,
    height: input.height,
    width: input.width,
    kernelSize: layer.kernelSize,
    padding: layer.padding,
  };
}

/** dL/dx of a conv layer alone (a frozen layer below a trained one): no weight gradient computed. */
async function convInputGradient(
  backend: Backend,
  weight: Tensor,
  gradOutput: Tensor,
  shape: Conv2dShape,
): Promise<Tensor> {
  const inShape = [shape.batch, shape.inChannels, shape.height, shape.width];
  if (backend.name === "reference") {
    return backend.tensor(conv2dBackwardInputReference(shape, values(gradOutput), values(weight)), inShape);
  }
  const gradInput = backend.zeros(inShape);
  await encodeConv2dBackwardInput(recorder(backend), {
    shape,
    gradOutput: buffer(gradOutput),
    weight: buffer(weight),
    gradInput: buffer(gradInput),
  });
  return gradInput;
}

/**
 * One layer's forward pass on a batch.
 *
 * @param backend The backend.
 * @param layer The layer.
 * @param input The per-sample input shape.
 * @param x The input, N times the sample's elements.
 * @param params The layer's parameters (tensors of their shapes).
 * @param options Mode and batch norm's running statistics.
 * @returns y and what the backward pass needs.
 */
export async function layerForward(
  backend: Backend,
  layer: LayerSpec,
  input: SampleShape,
  x: Tensor,
  params: LayerParameters,
  options: LayerForwardOptions,
): Promise<{ y: Tensor; cache: LayerCache }> {
  const batch = x.size / features(input), cache: LayerCache = { input: x };
  switch (layer.kind) {
    case "conv2d":
      return {
        y: await conv2d(backend, x, params.weight!, params.bias, convShape(layer, input, batch)),
        cache,
      };
    case "dense": {
      const x2 = tensorView(x, [batch, features(input)]);
      return { y: await backend.matmul(x2, params.weight!, { transposeB: true, bias: params.bias }), cache };
    }
    case "batchNorm": {
      const shape = planeShape(input, batch), bnOptions = { ...layer, mode: options.mode };
      if (!options.running) fail(layer, "no running statistics given");
      const r = await batchNorm(backend, x, params.weight!, params.bias!, options.running, shape, bnOptions);
      const train = options.mode === "train";
      cache.stats = train ? r.batchStats : options.running;
      cache.ownsStats = train;
      return { y: isImage(input) ? r.y : tensorView(r.y, [batch, shape.channels]), cache };
    }
    case "maxPool2d":
      return { y: await maxPool2d(backend, x, planeShape(input, batch)), cache };
    case "globalAvgPool":
      return { y: await globalAvgPool(backend, x, planeShape(input, batch)), cache };
    case "activation":
      return { y: await backend.activation(x, layer.activation), cache };
    case "rowL2Normalize":
      return { y: await backend.rowL2Normalize(tensorView(x, [batch, features(input)]), layer.eps), cache };
  }
}

/**
 * Back-propagates a given output gradient through one layer: dL/dx and the parameters' gradients
 * (summed over the batch) from g = dL/dy.
 *
 * @param backend The backend.
 * @param layer The layer.
 * @param input The per-sample input shape.
 * @param cache What {@linkcode layerForward} returned.
 * @param params The layer's parameters.
 * @param gradOutput g, shaped like y.
 * @param options `input: false` skips dL/dx; `parameters: false` skips the parameters' gradients;
 *   `mode` is the forward pass's.
 * @returns The requested gradients (dL/dx viewed with the input's shape).
 */
export async function layerBackward(
  backend: Backend,
  layer: LayerSpec,
  input: SampleShape,
  cache: LayerCache,
  params: LayerParameters,
  gradOutput: Tensor,
  options: { input?: boolean; parameters?: boolean; mode: "train" | "eval" },
): Promise<LayerGradients> {
  const withInput = options.input ?? true, withParams = options.parameters ?? true;
  const x = cache.input, n = features(input), batch = x.size / n;
  switch (layer.kind) {
    case "conv2d": {
      const shape = convShape(layer, input, batch);
      if (!withParams) {
        return withInput
          ? { gradInput: await convInputGradient(backend, params.weight!, gradOutput, shape) }
          : {};
      }
      const g = await conv2dBackward(backend, x, params.weight!, gradOutput, shape, { input: withInput });
      return { gradInput: g.gradInput, gradWeight: g.gradWeight, gradBias: g.gradBias };
    }
    case "dense": {
      const x2 = tensorView(x, [batch, n]), g2 = tensorView(gradOutput, [batch, layer.outFeatures]);
      const out: LayerGradients = {};
      if (withInput) out.gradInput = await backend.matmul(g2, params.weight!);
      if (withParams) {
        out.gradWeight = await backend.matmul(g2, x2, { transposeA: true });
        if (params.bias) out.gradBias = await backend.reduce(g2, "sum", { axis: 0 });
      }
      return out;
    }
    case "batchNorm": {
      const shape = planeShape(input, batch), bnOptions = { ...layer, mode: options.mode };
      const g = await batchNormBackward(
        backend,
        x,
        params.weight!,
        gradOutput,
        cache.stats!,
        shape,
        bnOptions,
      );
      const out: LayerGradients = {};
      if (withInput) out.gradInput = isImage(input) ? g.gradInput : tensorView(g.gradInput, [batch, n]);
      else backend.dispose(g.gradInput);
      if (withParams) Object.assign(out, { gradWeight: g.gradGamma, gradBias: g.gradBeta });
      else backend.dispose(g.gradGamma, g.gradBeta);
      return out;
    }
    case "maxPool2d":
      return withInput
        ? { gradInput: await maxPool2dBackward(backend, x, gradOutput, planeShape(input, batch)) }
        : {};
    case "globalAvgPool":
      return withInput
        ? { gradInput: await globalAvgPoolBackward(backend, gradOutput, planeShape(input, batch)) }
        : {};
    case "activation":
      return withInput
        ? { gradInput: await backend.activationBackward(x, gradOutput, layer.activation) }
        : {};
    case "rowL2Normalize": {
      if (!withInput) return {};
      const g2 = tensorView(gradOutput, [batch, n]);
      const dx = await backend.rowL2NormalizeBackward(tensorView(x, [batch, n]), g2, layer.eps);
      return { gradInput: dx };
    }
  }
}
