/**
 * Small convolutional networks: the "cnn" preset, its spec, shapes and parameter layout.
 *
 * A CNN takes NCHW images (each sample a flat row of C H W values, channel-major: the layout of
 * lib/data/dataset.ts's `datasetTensors`) through conv blocks, then a flatten and an MLP head:
 *
 * - conv block b: z_b = conv2d(a_{b-1}, `conv{b}.weight` [C_out, C_in, k, k], `conv{b}.bias` [C_out])
 *   (stride 1, zero padding p, cross-correlation like torch.nn.Conv2d), r_b = act(z_b), and
 *   a_b = maxpool2x2(r_b) when the block pools, else a_b = r_b;
 * - flatten: a_B [C, H, W] per sample, read row-major (channel-major, like torch.flatten);
 * - dense layers `fc{l}.weight` [in, out] (the MLP's `[in, out]` order) and `fc{l}.bias`, hidden ones
 *   followed by the activation, the last linear.
 *
 * The "cnn" preset of specs/seed003 section 2.3: conv3x3 3->64, ReLU, conv3x3 64->64, ReLU, maxpool2,
 * conv3x3 64->128, ReLU, maxpool2, flatten 128*6*6 = 4608, FC 512, ReLU, FC 10 (no padding):
 * 32 -> 30 -> 28 -> 14 -> 12 -> 6, 2,477,514 parameters. On 1-channel 28x28 Fashion-MNIST the same
 * blocks give 28 -> 26 -> 24 -> 12 -> 10 -> 5 and a flatten of 128*5*5 = 3200.
 *
 * Weights are Kaiming-normal (fan_in = C_in k k for convs, the input width for dense layers) times
 * `initScale` (0.3 for the CNN), biases zero, drawn as lib/models/init.ts does.
 *
 * @example
 * ```ts
 * import { cnnLayout, cnnPreset } from "./cnn.ts";
 * cnnLayout(cnnPreset("cnn")).count; // 2477514
 * cnnLayout(cnnPreset("cnn", { channels: 1, size: 28 })).view("fc1.weight").shape; // [3200, 512]
 * ```
 *
 * @module
 */
import type { Activation } from "../activations.ts";
import { type InitScheme, weightStd } from "./init.ts";
import { ParameterLayout } from "./parameters.ts";
import type { Conv2dShape } from "../../kernels/conv/conv2d_shape.ts";
import type { PoolShape } from "../../kernels/pool/pool_shape.ts";

/** One conv block: conv2d, activation, optional 2x2 max-pool. */
export interface CnnConvBlock {
  /** Output channels (filters). */
  outChannels: number;
  /** Kernel side k: 3 or 5 (what kernels/conv/conv2d.ts supports). */
  kernelSize: 3 | 5;
  /** Zero padding on each side: 0 (default) or 1. */
  padding?: 0 | 1;
  /** Follow the activation with a 2x2, stride-2 max-pool. */
  pool: boolean;
}

/** A fully specified CNN. */
export interface CnnSpec {
  /** Input channels, height and width (each sample a row of channels * height * width values). */
  input: { channels: number; height: number; width: number };
  /** Conv blocks, in order (at least one). */
  convs: readonly CnnConvBlock[];
  /** Widths of the hidden dense layers after the flatten (may be empty). */
  hidden: readonly number[];
  /** Outputs per sample. */
  outputs: number;
  /** Activation after every conv and hidden dense layer. */
  activation: Activation;
  /** Weight init scheme. */
  init: InitScheme;
  /** Multiplier of the init std. */
  initScale: number;
}

/** The CNN presets. */
export type CnnPresetName = "cnn";

/** The preset blocks of specs/seed003 section 2.3. */
export const CNN_PRESETS: Readonly<
  Record<CnnPresetName, Pick<CnnSpec, "convs" | "hidden" | "activation" | "init" | "initScale">>
> = {
  cnn: {
    convs: [
      { outChannels: 64, kernelSize: 3, pool: false },
      { outChannels: 64, kernelSize: 3, pool: true },
      { outChannels: 128, kernelSize: 3, pool: true },
    ],
    hidden: [512],
    activation: "relu",
    init: "kaiming",
    initScale: 0.3,
  },
};

/**
 * The spec of a preset for a given input.
 *
 * @param preset The preset's name.
 * @param options `channels` (3: CIFAR-10; 1 for Fashion-MNIST), `size` (square side, 32; 28 for
 *   Fashion-MNIST), `outputs` (10), `initScale` (0.3).
 * @returns The spec.
 * @throws {TypeError} On an unknown preset.
 * @throws {RangeError} When the input is too small for the blocks.
 */
export function cnnPreset(
  preset: CnnPresetName,
  options: { channels?: number; size?: number; outputs?: number; initScale?: number } = {},
): CnnSpec {
  const p = CNN_PRESETS[preset];
  if (!p) {
    throw new TypeError(
      `Cannot make CNN preset "${preset}": expected one of ${Object.keys(CNN_PRESETS).join(", ")}`,
    );
  }
  const size = options.size ?? 32;
  const spec: CnnSpec = {
    ...p,
    input: { channels: options.channels ?? 3, height: size, width: size },
    outputs: options.outputs ?? 10,
    initScale: options.initScale ?? p.initScale,
  };
  checkCnnSpec(spec);
  return spec;
}

/** The shapes of one conv block on one sample. */
export interface CnnBlockShape {
  /** Input channels, height, width. */
  inChannels: number;
  height: number;
  width: number;
  /** Output channels. */
  outChannels: number;
  kernelSize: 3 | 5;
  padding: 0 | 1;
  /** Conv output height and width (before the pool). */
  convHeight: number;
  convWidth: number;
  pool: boolean;
  /** Block output height and width (after the pool, if any). */
  outHeight: number;
  outWidth: number;
}

/** Per-sample shapes of a CNN: its conv blocks and its dense layer widths. */
export interface CnnShapes {
  /** Conv blocks in order. */
  blocks: CnnBlockShape[];
  /** Dense layer widths `[flatten, hidden..., outputs]`. */
  dense: number[];
  /** Values per input sample, C H W. */
  inputs: number;
}

const positive = (v: unknown) => Number.isInteger(v) && (v as number) >= 1;

/**
 * Checks a CNN spec and derives its per-sample shapes.
 *
 * @param spec The CNN.
 * @returns The shapes of every block and the dense widths.
 * @throws {RangeError} On a size that is not a positive integer, an unsupported kernel size or
 *   padding, no conv block, or an input too small for the convs and pools.
 */
export function cnnShapes(spec: CnnSpec): CnnShapes {
  const input = spec?.input;
  if (!input || !positive(input.channels) || !positive(input.height) || !positive(input.width)) {
    throw new RangeError(
      `Cannot make CNN: input ${JSON.stringify(input)} must have positive integer channels, height, width`,
    );
  }
  if (!Array.isArray(spec.convs) || spec.convs.length === 0) {
    throw new RangeError(`Cannot make CNN: it needs at least one conv block`);
  }
  if (!Array.isArray(spec.hidden) || !spec.hidden.every(positive) || !positive(spec.outputs)) {
    throw new RangeError(
      `Cannot make CNN: hidden [${spec.hidden}] and outputs ${spec.outputs} must be positive integers`,
    );
  }
  const blocks: CnnBlockShape[] = [];
  let c = input.channels, h = input.height, w = input.width;
  spec.convs.forEach((block, i) => {
    const name = `conv${i + 1}`;
    const k = block.kernelSize, p = block.padding ?? 0;
    if (!positive(block.outChannels)) {
      throw new RangeError(`Cannot make CNN: ${name} has ${block.outChannels} filters, must be >= 1`);
    }
    if (k !== 3 && k !== 5) {
      throw new RangeError(`Cannot make CNN: ${name} kernelSize is ${k}, must be 3 or 5`);
    }
    if (p !== 0 && p !== 1) throw new RangeError(`Cannot make CNN: ${name} padding is ${p}, must be 0 or 1`);
    const convHeight = h + 2 * p - k + 1, convWidth = w + 2 * p - k + 1;
    if (convHeight < 1 || convWidth < 1) {
      throw new RangeError(
        `Cannot make CNN: ${name} gets a ${h}x${w} input, too small for its ${k}x${k} kernel with padding ${p}`,
      );
    }
    if (block.pool && (convHeight < 2 || convWidth < 2)) {
      throw new RangeError(
        `Cannot make CNN: ${name} output ${convHeight}x${convWidth} is too small for its 2x2 max-pool`,
      );
    }
    const outHeight = block.pool ? Math.floor(convHeight / 2) : convHeight;
    const outWidth = block.pool ? Math.floor(convWidth / 2) : convWidth;
    blocks.push({
      inChannels: c,
      height: h,
      width: w,
      outChannels: block.outChannels,
      kernelSize: k,
      padding: p,
      convHeight,
      convWidth,
      pool: block.pool,
      outHeight,
      outWidth,
    });
    [c, h, w] = [block.outChannels, outHeight, outWidth];
  });
  return {
    blocks,
    dense: [c * h * w, ...spec.hidden, spec.outputs],
    inputs: input.channels * input.height * input.width,
  };
}

/**
 * Checks a CNN spec (see {@linkcode cnnShapes} for the errors).
 *
 * @throws {RangeError} On a bad spec.
 */
export function checkCnnSpec(spec: CnnSpec): void {
  cnnShapes(spec);
}

/** The conv2d shape (lib/reference/conv2d.ts) of block b on `rows` samples. */
export function cnnBlockConvShape(shapes: CnnShapes, b: number, rows: number): Conv2dShape {
  const s = shapes.blocks[b];
  return {
    batch: rows,
    inChannels: s.inChannels,
    outChannels: s.outChannels,
    height: s.height,
    width: s.width,
    kernelSize: s.kernelSize,
    padding: s.padding,
  };
}

/** The max-pool input shape (lib/reference/pool.ts) of block b on `rows` samples. */
export function cnnBlockPoolShape(shapes: CnnShapes, b: number, rows: number): PoolShape {
  const s = shapes.blocks[b];
  return { batch: rows, channels: s.outChannels, height: s.convHeight, width: s.convWidth };
}

/**
 * The flat parameter layout of a CNN: `conv1.weight, conv1.bias, ..., fc1.weight, fc1.bias, ...`.
 *
 * @param spec The CNN.
 * @returns The layout, with each weight's init std (fan_in = C_in k k for convs).
 * @throws {RangeError} On a bad spec.
 */
export function cnnLayout(spec: CnnSpec): ParameterLayout {
  const { blocks, dense } = cnnShapes(spec);
  const entries = [];
  for (const [i, b] of blocks.entries()) {
    const k = b.kernelSize, fanIn = b.inChannels * k * k, fanOut = b.outChannels * k * k;
    const std = weightStd(spec.init, fanIn, fanOut, spec.initScale);
    entries.push({
      name: `conv${i + 1}.weight`,
      shape: [b.outChannels, b.inChannels, k, k],
      init: { kind: "normal" as const, std },
    });
    entries.push({ name: `conv${i + 1}.bias`, shape: [b.outChannels] });
  }
  for (let l = 1; l < dense.length; l++) {
    const std = weightStd(spec.init, dense[l - 1], dense[l], spec.initScale);
    entries.push({
      name: `fc${l}.weight`,
      shape: [dense[l - 1], dense[l]],
      init: { kind: "normal" as const, std },
    });
    entries.push({ name: `fc${l}.bias`, shape: [dense[l]] });
  }
  return new ParameterLayout(entries);
}

/** Multiply-adds of one sample's forward pass (convs and dense layers). */
export function cnnMultiplyAdds(spec: CnnSpec): number {
  const { blocks, dense } = cnnShapes(spec);
  let total = 0;
  for (const b of blocks) {
    total += b.outChannels * b.inChannels * b.kernelSize ** 2 * b.convHeight * b.convWidth;
  }
  for (let l = 1; l < dense.length; l++) total += dense[l - 1] * dense[l];
  return total;
}
