/**
 * Shapes and layouts of the fused toy-neuron LPL kernel (kernels/lpl/toy_neuron.wgsl): the per-setting
 * struct, the Params uniform, their by-name writers, and the Philox streams. The float64 reference
 * (lib/reference/lpl_toy_neuron.ts) imports these types, nothing else of the kernel.
 *
 * @module
 */

/** Hebbian (variance) term of a setting: `Setting.hebb_kind` in the .wgsl. */
export const HEBB_KIND = {
  /** No variance term (Hebb off, "pred only"). */
  none: 0,
  /** LPL's `-log(var(y) + 1e-8)` (spec section 3.3, the notebook's `hebbian_loss`). */
  log: 1,
  /** Naive `-var(y)` (no variance-dependent suppression, spec 3.3 / Fig. S1). */
  naive: 2,
  /** VICReg's `max(0, 1 - sqrt(var(y) + 1e-8))` (Bardes et al. 2021). */
  vicreg: 3,
} as const;

/** A Hebbian kind by name. */
export type HebbKind = keyof typeof HEBB_KIND;

/** Which past output the predictive term pulls towards (spec Errata 6). */
export type PastOutput = "recomputed" | "stored";

/**
 * One setting of the sweep, as the kernel and the reference consume it. Every repetition of the
 * setting is one sequence of 200 parallel sequences of the toy data (spec section 3.3).
 */
export interface ToyNeuronSetting {
  /** sigma_y, the standard deviation of the nuisance (y) input. */
  sigmaY: number;
  /** Probability p that a sample's cluster flips between consecutive steps. */
  flipProbability: number;
  /** SGD learning rate (Oja: its rate). */
  learningRate: number;
  /** SGD-style L2 weight decay (the gradient gets + weightDecay w). */
  weightDecay: number;
  /** Coefficient of the predictive term (c_pull; 0 = pred off). */
  predCoefficient: number;
  /** Coefficient of the Hebbian term (c_push). */
  hebbCoefficient: number;
  /** The Hebbian term's form. */
  hebb: HebbKind;
  /** Oja's rule instead of a gradient step (the Hebbian and predictive fields are then unused). */
  oja: boolean;
  /** y_past = w x_prev with the current weights ("recomputed", the toy notebook) or last step's ("stored"). */
  pastOutput: PastOutput;
}

/** Everything the kernel and the reference need to train a batch of settings x repetitions. */
export interface ToyNeuronShape {
  settings: ToyNeuronSetting[];
  /** Repetitions per setting; sequence index = setting * repetitions + repetition. */
  repetitions: number;
  /** Samples per batch (the notebook: 200). */
  batch: number;
  /** SGD steps (transitions batch k -> k + 1). */
  steps: number;
  /** The activity mean |y| is recorded after every `recordEvery` steps. */
  recordEvery: number;
  /** Seed (Philox key word 0). */
  seed: number;
}

/** Philox stream ids (key word 1) of the toy neuron: the data, the cluster flips, the initial weights, validation. */
export const TOY_STREAMS = {
  data: 0x4c504c31,
  flip: 0x4c504c32,
  init: 0x4c504c33,
  validation: 0x4c504c34,
} as const;

/** Cluster centre B (x = +-B + jitter, spec section 3.3). */
export const TOY_CLUSTER_CENTER = 1;
/** Standard deviation of the x jitter around the cluster centre. */
export const TOY_JITTER = 0.1;
/** The variance floor of the Hebbian and VICReg terms (the notebook's 1e-8). */
export const TOY_VARIANCE_EPSILON = 1e-8;

/** A field of a 4-byte-scalar struct. */
export interface StructField {
  name: string;
  type: "u32" | "f32";
}

/** `struct Setting` of the .wgsl, in declaration order (tests hold this table to the WGSL text). */
export const SETTING_FIELDS: readonly StructField[] = [
  { name: "sigma_y", type: "f32" },
  { name: "learning_rate", type: "f32" },
  { name: "weight_decay", type: "f32" },
  { name: "pred_coefficient", type: "f32" },
  { name: "hebb_coefficient", type: "f32" },
  { name: "hebb_kind", type: "u32" },
  { name: "oja", type: "u32" },
  { name: "flip_threshold", type: "u32" },
  { name: "stored_past", type: "u32" },
  { name: "pad", type: "u32" },
];

/** `struct Params` of the .wgsl, in declaration order. */
export const PARAMS_FIELDS: readonly StructField[] = [
  { name: "sequences", type: "u32" },
  { name: "repetitions", type: "u32" },
  { name: "batch", type: "u32" },
  { name: "steps", type: "u32" },
  { name: "step_offset", type: "u32" },
  { name: "record_every", type: "u32" },
  { name: "history_len", type: "u32" },
  { name: "chunk", type: "u32" },
  { name: "seed", type: "u32" },
  { name: "data_stream", type: "u32" },
  { name: "flip_stream", type: "u32" },
  { name: "pad", type: "u32" },
];

/**
 * Writes `values` into `view` at `byteOffset` field by field, by name, in the table's order.
 *
 * @param fields The struct's fields.
 * @param values One value per field name.
 * @param view Target.
 * @param byteOffset Where the struct starts.
 * @throws {TypeError} When a field has no value. @throws {RangeError} When a u32 value is not one.
 */
export function writeStructByName(
  fields: readonly StructField[],
  values: Record<string, number>,
  view: DataView,
  byteOffset = 0,
): void {
  fields.forEach((f, i) => {
    const v = values[f.name];
    if (v === undefined) throw new TypeError(`Cannot write struct field "${f.name}": no value given`);
    if (f.type === "f32") view.setFloat32(byteOffset + 4 * i, v, true);
    else {
      if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) {
        throw new RangeError(
          `Cannot write struct field "${f.name}": u32 value ${v} is not an integer in [0, 2^32)`,
        );
      }
      view.setUint32(byteOffset + 4 * i, v, true);
    }
  });
}
