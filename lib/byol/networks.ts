/**
 * The BYOL networks as {@linkcode LayerStack} layer lists (specs/seed004 section 3.7).
 *
 * Encoder (both variants): conv3x3 (pad 1) C_in -> c1, BN, ReLU -> conv5x5 (pad 2) c1 -> c2, BN, ReLU ->
 * conv3x3 (pad 1) c2 -> c3, BN, ReLU -> global average pool (c3 features). No spatial pooling, as in the
 * seed project's `train_byol.py`.
 *
 * - Seed variant (the seed's code, not its README): encoder -> projector Linear c3 -> hidden, BN1d, ReLU,
 *   Linear hidden -> out -> L2-normalise. No predictor. Only conv1 and bn1 are trained.
 * - Canonical variant: encoder -> projector (the same MLP, without the normalisation) -> predictor
 *   Linear out -> hidden, BN1d, ReLU, Linear hidden -> out. The target network is the encoder and the
 *   projector, the first layers of the online network, so its flat parameters are a prefix of the
 *   online ones (the EMA is one axpy over the prefix).
 *
 * @module
 */
import type { LayerSpec } from "../models/layer_stack.ts";

/** Widths of a BYOL network. */
export interface ByolWidths {
  /** Output channels of conv1, conv2, conv3 (the seed: 64, 128, 256). */
  channels: [number, number, number];
  /** Hidden width of the projector and predictor MLPs (the seed: 512). */
  hidden: number;
  /** Projection width (the seed: 128). */
  projection: number;
}

/** The seed project's widths. */
export const SEED_WIDTHS: ByolWidths = { channels: [64, 128, 256], hidden: 512, projection: 128 };

/** The quick-scale widths: narrow channels so a run takes a couple of minutes on the CPU adapter. */
export const QUICK_WIDTHS: ByolWidths = { channels: [16, 32, 64], hidden: 128, projection: 64 };

/** The encoder: three conv blocks and the global average pool. */
export function encoderLayers(widths: ByolWidths): LayerSpec[] {
  const [c1, c2, c3] = widths.channels;
  return [
    { kind: "conv2d", name: "conv1", outChannels: c1, kernelSize: 3, padding: 1 },
    { kind: "batchNorm", name: "bn1" },
    { kind: "activation", activation: "relu" },
    { kind: "conv2d", name: "conv2", outChannels: c2, kernelSize: 5, padding: 2 },
    { kind: "batchNorm", name: "bn2" },
    { kind: "activation", activation: "relu" },
    { kind: "conv2d", name: "conv3", outChannels: c3, kernelSize: 3, padding: 1 },
    { kind: "batchNorm", name: "bn3" },
    { kind: "activation", activation: "relu" },
    { kind: "globalAvgPool" },
  ];
}

/** An MLP head Linear -> BN1d -> ReLU -> Linear, its layers named `<prefix>.fc1`, `.bn`, `.fc2`. */
export function mlpHeadLayers(prefix: string, widths: ByolWidths): LayerSpec[] {
  return [
    { kind: "dense", name: `${prefix}.fc1`, outFeatures: widths.hidden },
    { kind: "batchNorm", name: `${prefix}.bn` },
    { kind: "activation", activation: "relu" },
    { kind: "dense", name: `${prefix}.fc2`, outFeatures: widths.projection },
  ];
}

/** The index of the encoder's output (the global average pool) in every BYOL layer list. */
export const ENCODER_OUTPUT_LAYER = 9;

/** The seed variant's network (online and target alike): encoder, projector, L2 normalisation. */
export function seedNetworkLayers(widths: ByolWidths): LayerSpec[] {
  return [...encoderLayers(widths), ...mlpHeadLayers("projector", widths), { kind: "rowL2Normalize" }];
}

/** The canonical variant's target network: encoder and projector. */
export function canonicalTargetLayers(widths: ByolWidths): LayerSpec[] {
  return [...encoderLayers(widths), ...mlpHeadLayers("projector", widths)];
}

/** The canonical variant's online network: the target's layers, then the predictor. */
export function canonicalOnlineLayers(widths: ByolWidths): LayerSpec[] {
  return [...canonicalTargetLayers(widths), ...mlpHeadLayers("predictor", widths)];
}

/** Parameters the seed variant trains: conv1 and bn1's affine. */
export const seedTrainable = (name: string): boolean => name.startsWith("conv1.") || name.startsWith("bn1.");

/** Parameters the seed variant's EMA moves: conv1 only. */
export const seedEmaParameters = (name: string): boolean => name.startsWith("conv1.");
