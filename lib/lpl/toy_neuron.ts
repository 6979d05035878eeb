/**
 * The toy 2-D LPL neuron (spec section 3.3, paper Fig. 2): named learning rules, the notebook's
 * hyperparameters, and {@linkcode trainToyNeurons}, which trains every setting x repetition of a sweep
 * together: one fused kernel launch per chunk of steps on webgpu, the float64 loop on the reference
 * backend (lib/reference/lpl_toy_neuron.ts documents the data, the losses and the Philox layout).
 *
 * @module
 */
import type { Backend } from "../backend/backend.ts";
import { createBuffer, uploadBuffer } from "../gpu/buffers.ts";
import { destroyBuffers, planStepsPerDispatch, runFused } from "../gpu/fused_run.ts";
import { toyInitialWeights, toyNeuronReference, type ToyNeuronRun } from "../reference/lpl_toy_neuron.ts";
import {
  encodeToyNeuron,
  TOY_NEURON_KERNEL,
  toyNeuronIterations,
  toyNeuronSettingsBytes,
} from "../../kernels/lpl/toy_neuron.ts";
import type { PastOutput, ToyNeuronSetting, ToyNeuronShape } from "../../kernels/lpl/toy_neuron_types.ts";

/**
 * The learning rules of Fig. 2 (spec 3.3; coefficients c_pull = c_push = 1 as in the erratum, whose
 * c_decorr = 10 multiplies a term that is identically 0 for a single neuron):
 * - `lpl`: predictive MSE + Hebbian -log var;
 * - `predOff`: Hebbian -log var only;
 * - `hebbOff`: predictive only (the supplement's "pred only");
 * - `naiveVar`: predictive + naive -var (diverges, Fig. S1);
 * - `vicregVar`: predictive + VICReg's max(0, 1 - std);
 * - `oja`: Oja's rule.
 */
export type ToyRule = "lpl" | "predOff" | "hebbOff" | "naiveVar" | "vicregVar" | "oja";

/** Every rule, in plotting order. */
export const TOY_RULES: readonly ToyRule[] = ["lpl", "predOff", "hebbOff", "naiveVar", "vicregVar", "oja"];

/** Legend names of the rules (the paper's). */
export const TOY_RULE_NAMES: Record<ToyRule, string> = {
  lpl: "LPL",
  predOff: "Pred-off",
  hebbOff: "Hebb-off",
  naiveVar: "naive -var",
  vicregVar: "VICReg var",
  oja: "Oja",
};

/** The notebook's SGD weight decay (0.15) for every rule of the sigma_y and p sweeps. */
export const NOTEBOOK_WEIGHT_DECAY = 0.15;

/** The notebook's learning rate min(1e-2 / sigma_y, 1e-2). */
export function notebookLearningRate(sigmaY: number): number {
  return Math.min(1e-2 / sigmaY, 1e-2);
}

/** The notebook's step count max(10000, 100 sigma_y). */
export function notebookSteps(sigmaY: number): number {
  return Math.max(10000, Math.floor(100 * sigmaY));
}

/** Options of {@linkcode toySetting}. */
export interface ToySettingOptions {
  /** Cluster-flip probability p (default 0). */
  flipProbability?: number;
  /** Default: {@linkcode notebookLearningRate}. */
  learningRate?: number;
  /** Default: {@linkcode NOTEBOOK_WEIGHT_DECAY}. */
  weightDecay?: number;
  /** Default: "recomputed" (the toy notebook). */
  pastOutput?: PastOutput;
}

/**
 * The kernel setting of a named rule.
 *
 * @param rule The rule.
 * @param sigmaY sigma_y.
 * @param options p, learning rate, weight decay, past output.
 * @returns The setting.
 */
export function toySetting(rule: ToyRule, sigmaY: number, options: ToySettingOptions = {}): ToyNeuronSetting {
  const base = {
    sigmaY,
    flipProbability: options.flipProbability ?? 0,
    learningRate: options.learningRate ?? notebookLearningRate(sigmaY),
    weightDecay: options.weightDecay ?? NOTEBOOK_WEIGHT_DECAY,
    pastOutput: options.pastOutput ?? "recomputed",
    oja: false,
  };
  switch (rule) {
    case "lpl":
      return { ...base, predCoefficient: 1, hebbCoefficient: 1, hebb: "log" };
    case "predOff":
      return { ...base, predCoefficient: 0, hebbCoefficient: 1, hebb: "log" };
    case "hebbOff":
      return { ...base, predCoefficient: 1, hebbCoefficient: 0, hebb: "none" };
    case "naiveVar":
      return { ...base, predCoefficient: 1, hebbCoefficient: 1, hebb: "naive" };
    case "vicregVar":
      return { ...base, predCoefficient: 1, hebbCoefficient: 1, hebb: "vicreg" };
    case "oja":
      return { ...base, predCoefficient: 0, hebbCoefficient: 0, hebb: "none", oja: true };
  }
  throw new TypeError(`Cannot make a toy-neuron setting: unknown rule "${rule}"`);
}

/** Result of {@linkcode trainToyNeurons}: weights [sequences, 2], activity [sequences, records]. */
export interface ToyNeuronResult extends ToyNeuronRun {
  /** Activity records per sequence (floor(steps / recordEvery)). */
  records: number;
  /** Dispatches used (0 on the reference backend). */
  dispatches: number;
  /** Steps per dispatch (0 on the reference backend). */
  stepsPerDispatch: number;
}

/** Options of {@linkcode trainToyNeurons}. */
export interface TrainToyNeuronOptions {
  /** Fewer steps per dispatch than the adapter's cap (never more). */
  stepsPerDispatch?: number;
  /** Tests only: steps per dispatch NOT capped by the loop budget (to prove a short dispatch is caught). */
  uncappedStepsPerDispatch?: number;
}

/** Throws a RangeError naming the first invalid field of a sweep. */
export function validateToyShape(shape: ToyNeuronShape): void {
  const fail = (what: string) => {
    throw new RangeError(`Cannot train the toy neuron: ${what}`);
  };
  const integer = (name: string, v: number, min: number) => {
    if (!Number.isInteger(v) || v < min) fail(`${name} is ${v}, must be an integer >= ${min}`);
  };
  integer("batch", shape.batch, 2);
  integer("steps", shape.steps, 1);
  integer("repetitions", shape.repetitions, 1);
  integer("recordEvery", shape.recordEvery, 1);
  if (!Number.isInteger(shape.seed) || shape.seed < 0 || shape.seed > 0xffffffff) {
    fail(`seed is ${shape.seed}, must be an integer in [0, 2^32)`);
  }
  if (shape.settings.length === 0) fail("settings is empty, must hold at least one setting");
  shape.settings.forEach((s, i) => {
    if (!(s.sigmaY >= 0) || !Number.isFinite(s.sigmaY)) {
      fail(`settings[${i}].sigmaY is ${s.sigmaY}, must be >= 0`);
    }
    if (!(s.flipProbability >= 0 && s.flipProbability <= 1)) {
      fail(`settings[${i}].flipProbability is ${s.flipProbability}, must be in [0, 1]`);
    }
    if (!(s.learningRate >= 0)) fail(`settings[${i}].learningRate is ${s.learningRate}, must be >= 0`);
  });
}

/** Dispatches between host checks of the completed-step counters. */
const CHECK_EVERY = 64;

/**
 * Trains every setting x repetition of the sweep (sequence = setting * repetitions + repetition).
 *
 * @param backend webgpu (fused kernel) or reference (float64, one sequence at a time).
 * @param shape Settings, repetitions, batch, steps, records, seed.
 * @param options Steps per dispatch.
 * @returns Final weights and activity records.
 * @throws {RangeError} On an invalid sweep. @throws {IncompleteDispatchError} On a short dispatch.
 */
export async function trainToyNeurons(
  backend: Backend,
  shape: ToyNeuronShape,
  options: TrainToyNeuronOptions = {},
): Promise<ToyNeuronResult> {
  validateToyShape(shape);
  const records = Math.floor(shape.steps / shape.recordEvery);
  if (!backend.gpuTarget) {
    return { ...toyNeuronReference(shape), records, dispatches: 0, stepsPerDispatch: 0 };
  }
  const { gpu, recorder } = backend.gpuTarget;
  const sequences = shape.settings.length * shape.repetitions;
  const { perStep, fixed } = toyNeuronIterations(shape.batch);
  const perDispatch = options.uncappedStepsPerDispatch ?? planStepsPerDispatch(gpu, {
    what: "the toy neuron",
    iterationsPerStep: perStep,
    fixedIterations: fixed,
    totalSteps: shape.steps,
    requested: options.stepsPerDispatch,
  });
  const initial = new Float32Array(4 * sequences);
  for (let q = 0; q < sequences; q++) {
    const w = toyInitialWeights(shape.seed, q % shape.repetitions);
    initial.set([w[0], w[1], w[0], w[1]], 4 * q);
  }
  const buffers = {
    settings: uploadBuffer(gpu, new Uint32Array(toyNeuronSettingsBytes(shape.settings)), "lpl toy settings"),
    weights: uploadBuffer(gpu, initial, "lpl toy weights"),
    previous: createBuffer(gpu, sequences * shape.batch * 8, "lpl toy previous batch"),
    history: createBuffer(gpu, Math.max(1, sequences * records) * 4, "lpl toy activity"),
  };
  try {
    const run = await runFused({
      gpu,
      recorder,
      label: TOY_NEURON_KERNEL.label,
      invocations: sequences,
      steps: shape.steps,
      stepsPerDispatch: perDispatch,
      checkEvery: CHECK_EVERY,
      encode: (d) =>
        encodeToyNeuron(recorder, {
          buffers: { ...buffers, completed: d.completed },
          shape,
          steps: d.steps,
          stepOffset: d.stepOffset,
          historyLength: records,
          chunk: d.chunk,
        }),
      readback: [
        { buffer: buffers.weights, byteLength: sequences * 16 },
        { buffer: buffers.history, byteLength: Math.max(1, sequences * records) * 4 },
      ],
    });
    const [w, h] = run.readback;
    const state = new Float32Array(w), weights = new Float32Array(2 * sequences);
    for (let q = 0; q < sequences; q++) weights.set(state.subarray(4 * q, 4 * q + 2), 2 * q);
    return {
      weights,
      activity: new Float32Array(h, 0, sequences * records),
      records,
      dispatches: run.dispatches,
      stepsPerDispatch: perDispatch,
    };
  } finally {
    destroyBuffers(buffers);
  }
}
