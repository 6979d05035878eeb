/**
 * Multilayer perceptrons: presets, parameter layout and initialisation.
 *
 * An MLP with sizes `[n0, n1, ..., nL]` has L linear layers; layer l maps a row
 * a_{l-1} (n_{l-1} values) to z_l = a_{l-1} W_l + b_l, with `fc{l}.weight` W_l of shape
 * `[n_{l-1}, n_l]` (`[in, out]`, like Flax's Dense kernel; PyTorch's Linear.weight is its
 * transpose) and `fc{l}.bias` b_l of shape `[n_l]`, laid out in that order in the flat
 * parameter vector. The `[in, out]` order lets the forward pass, the largest product, use
 * the matmul kernel's fastest (untransposed, vec4) path. Hidden layers apply the activation,
 * a_l = act(z_l); the output f = z_L is linear.
 *
 * Presets of specs/seed003 section 2.3 (3072 inputs for CIFAR-10, 784 for Fashion-MNIST):
 *
 * | preset | hidden | activation | init |
 * |---|---|---|---|
 * | mlp | 512, 512 | relu | kaiming |
 * | mlp2 | 256, 256 | relu | kaiming |
 * | mlp3 | 256, 256, 256 | relu | kaiming |
 * | mlp_s | 256 | relu | kaiming |
 * | mlp_l | 512 x 4 | relu | kaiming |
 * | mlp_silu | 512, 512 | silu | kaiming |
 * | mlp_tanh | 512, 512 | tanh | xavier (the seed uses xavier-normal for tanh) |
 * | linear | 512, 512 | identity (a deep linear network: "no activations") | kaiming |
 *
 * Weights are normal with std `weightStd(init, fan_in, fan_out, initScale)`, initScale 0.2 by default;
 * biases are zero.
 *
 * @module
 */
import type { Activation } from "../activations.ts";
import { type InitScheme, weightStd } from "./init.ts";
import { ParameterLayout } from "./parameters.ts";

/** The MLP presets. */
export type MlpPresetName = "mlp" | "mlp2" | "mlp3" | "mlp_s" | "mlp_l" | "mlp_silu" | "mlp_tanh" | "linear";

/** A preset's hidden widths, activation and init scheme. */
export interface MlpPreset {
  /** Hidden layer widths. */
  hidden: readonly number[];
  /** Hidden-layer activation. */
  activation: Activation;
  /** Weight init scheme. */
  init: InitScheme;
}

/** The presets of specs/seed003 section 2.3. */
export const MLP_PRESETS: Readonly<Record<MlpPresetName, MlpPreset>> = {
  mlp: { hidden: [512, 512], activation: "relu", init: "kaiming" },
  mlp2: { hidden: [256, 256], activation: "relu", init: "kaiming" },
  mlp3: { hidden: [256, 256, 256], activation: "relu", init: "kaiming" },
  mlp_s: { hidden: [256], activation: "relu", init: "kaiming" },
  mlp_l: { hidden: [512, 512, 512, 512], activation: "relu", init: "kaiming" },
  mlp_silu: { hidden: [512, 512], activation: "silu", init: "kaiming" },
  mlp_tanh: { hidden: [512, 512], activation: "tanh", init: "xavier" },
  linear: { hidden: [512, 512], activation: "identity", init: "kaiming" },
};

/** A fully specified MLP. */
export interface MlpSpec {
  /** Layer widths `[inputs, hidden..., outputs]` (at least two entries). */
  sizes: readonly number[];
  /** Hidden-layer activation (the output layer is linear). */
  activation: Activation;
  /** Weight init scheme. */
  init: InitScheme;
  /** Multiplier of the init std. */
  initScale: number;
}

/**
 * The spec of a preset for a given input and output size.
 *
 * @param preset The preset's name.
 * @param options `inputs` (3072 by default: CIFAR-10; 784 for Fashion-MNIST), `outputs` (10),
 *   `initScale` (0.2).
 * @returns The spec.
 * @throws {TypeError} On an unknown preset.
 * @example
 * ```ts
 * import { mlpLayout, mlpPreset } from "./mlp.ts";
 * mlpLayout(mlpPreset("mlp")).count; // 1841162
 * ```
 */
export function mlpPreset(
  preset: MlpPresetName,
  options: { inputs?: number; outputs?: number; initScale?: number } = {},
): MlpSpec {
  const p = MLP_PRESETS[preset];
  if (!p) {
    throw new TypeError(
      `Cannot make MLP preset "${preset}": expected one of ${Object.keys(MLP_PRESETS).join(", ")}`,
    );
  }
  return {
    sizes: [options.inputs ?? 3072, ...p.hidden, options.outputs ?? 10],
    activation: p.activation,
    init: p.init,
    initScale: options.initScale ?? 0.2,
  };
}

/**
 * Checks an MLP spec.
 *
 * @throws {RangeError} On fewer than two sizes or a size that is not a positive integer.
 */
export function checkMlpSpec(spec: MlpSpec): void {
  const sizes = spec.sizes;
  if (!Array.isArray(sizes) || sizes.length < 2 || !sizes.every((n) => Number.isInteger(n) && n >= 1)) {
    throw new RangeError(
      `Cannot make MLP: sizes [${sizes}] must be at least [inputs, outputs], each a positive integer`,
    );
  }
}

/**
 * The flat parameter layout of an MLP: `fc1.weight, fc1.bias, fc2.weight, ...`.
 *
 * @param spec The MLP.
 * @returns The layout, with each weight's init std.
 */
export function mlpLayout(spec: MlpSpec): ParameterLayout {
  checkMlpSpec(spec);
  const entries = [];
  for (let l = 1; l < spec.sizes.length; l++) {
    const fanIn = spec.sizes[l - 1], fanOut = spec.sizes[l];
    const std = weightStd(spec.init, fanIn, fanOut, spec.initScale);
    entries.push({ name: `fc${l}.weight`, shape: [fanIn, fanOut], init: { kind: "normal" as const, std } });
    entries.push({ name: `fc${l}.bias`, shape: [fanOut] });
  }
  return new ParameterLayout(entries);
}

/** Multiply-adds of one sample's forward pass (sum of n_{l-1} n_l). */
export function mlpMultiplyAdds(spec: MlpSpec): number {
  let total = 0;
  for (let l = 1; l < spec.sizes.length; l++) total += spec.sizes[l - 1] * spec.sizes[l];
  return total;
}
