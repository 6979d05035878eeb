/**
 * Wrapper of the fused toy-neuron LPL kernel (kernels/lpl/toy_neuron.wgsl): dispatch, loop budget,
 * and the Setting / Params structs written by field name ({@linkcode SETTING_LAYOUT}, {@linkcode PARAMS_LAYOUT}).
 *
 * @module
 */
import source from "./toy_neuron.wgsl" with { type: "text" };
import { PHILOX_WGSL } from "../random/random.ts";
import { type CommandRecorder, dispatch1d } from "../../lib/gpu/recorder.ts";
import type { KernelSource } from "../../lib/gpu/pipelines.ts";
import { cpuSimdLanes } from "../../lib/gpu/device.ts";
import { StructLayout } from "../../lib/gpu/params.ts";
import { twoPointThreshold } from "../../lib/rng/philox.ts";
import { HEBB_KIND, TOY_STREAMS, type ToyNeuronSetting, type ToyNeuronShape } from "./toy_neuron_types.ts";

/** The kernel: the Philox library, then kernels/lpl/toy_neuron.wgsl. */
export const TOY_NEURON_KERNEL: KernelSource = {
  label: "lpl_toy_neuron",
  parts: [PHILOX_WGSL, { file: "kernels/lpl/toy_neuron.wgsl", code: source }],
};

/**
 * Loop iterations per step and per dispatch. llvmpipe counts every loop-condition check (a loop of n
 * trips costs n + 1): per step the loop over ceil(B/4) quads of samples plus the step loop's own check;
 * fixed, the batch-0 loop and the step loop's last check.
 *
 * @param batch Samples per batch.
 * @returns Iterations per step and fixed per dispatch.
 */
export function toyNeuronIterations(batch: number): { perStep: number; fixed: number } {
  const quads = Math.ceil(batch / 4);
  return { perStep: quads + 2, fixed: quads + 2 };
}

/** Invocations per workgroup: one SIMD register's lanes on the CPU adapter, 64 on GPUs. */
export function toyNeuronWorkgroupSize(
  gpu: { facts: { isCpuAdapter: boolean; description: string } },
): number {
  return gpu.facts.isCpuAdapter ? cpuSimdLanes(gpu.facts) : 64;
}

const FILE = "kernels/lpl/toy_neuron.wgsl";

/** `struct Setting` of the .wgsl (one per setting of the sweep). */
export const SETTING_LAYOUT = new StructLayout(
  "Setting",
  FILE,
  [
    ["sigma_y", "f32"],
    ["learning_rate", "f32"],
    ["weight_decay", "f32"],
    ["pred_coefficient", "f32"],
    ["hebb_coefficient", "f32"],
    ["hebb_kind", "u32"],
    ["oja", "u32"],
    ["flip_threshold", "u32"],
    ["stored_past", "u32"],
    ["pad", "u32"],
  ] as const,
);

/** `struct Params` of the .wgsl (the uniform of one dispatch). */
export const PARAMS_LAYOUT = new StructLayout(
  "Params",
  FILE,
  [
    ["sequences", "u32"],
    ["repetitions", "u32"],
    ["batch", "u32"],
    ["steps", "u32"],
    ["step_offset", "u32"],
    ["record_every", "u32"],
    ["history_len", "u32"],
    ["chunk", "u32"],
    ["seed", "u32"],
    ["data_stream", "u32"],
    ["flip_stream", "u32"],
    ["pad", "u32"],
  ] as const,
);

/** Bytes of one `struct Setting` (its array stride). */
export const SETTING_BYTES = SETTING_LAYOUT.size;

/**
 * The settings array, each `struct Setting` written by field name.
 *
 * @param settings The sweep's settings.
 * @returns The bytes of `array<Setting>`.
 */
export function toyNeuronSettingsBytes(settings: readonly ToyNeuronSetting[]): ArrayBuffer {
  if (settings.length === 0) return new ArrayBuffer(0);
  return SETTING_LAYOUT.arrayBytes(settings.map((s) => ({
    sigma_y: s.sigmaY,
    learning_rate: s.learningRate,
    weight_decay: s.weightDecay,
    pred_coefficient: s.predCoefficient,
    hebb_coefficient: s.hebbCoefficient,
    hebb_kind: HEBB_KIND[s.hebb],
    oja: s.oja ? 1 : 0,
    flip_threshold: twoPointThreshold(s.flipProbability),
    stored_past: s.pastOutput === "stored" ? 1 : 0,
    pad: 0,
  })));
}

/** The GPU buffers of one sweep (layouts in the .wgsl header). */
export interface ToyNeuronBuffers {
  settings: GPUBuffer;
  weights: GPUBuffer;
  previous: GPUBuffer;
  history: GPUBuffer;
  completed: GPUBuffer;
}

/** Arguments of one dispatch of {@linkcode encodeToyNeuron}. */
export interface ToyNeuronDispatch {
  buffers: ToyNeuronBuffers;
  shape: ToyNeuronShape;
  /** Steps in this dispatch. */
  steps: number;
  /** Steps already run (0: the dispatch also draws batch 0). */
  stepOffset: number;
  /** Records per sequence in `history`. */
  historyLength: number;
  /** Row of `completed` this dispatch writes. */
  chunk: number;
}

/** The Params uniform of one dispatch, written by field name. */
export function toyNeuronParamsBytes(a: ToyNeuronDispatch): ArrayBuffer {
  return PARAMS_LAYOUT.bytes({
    sequences: a.shape.settings.length * a.shape.repetitions,
    repetitions: a.shape.repetitions,
    batch: a.shape.batch,
    steps: a.steps,
    step_offset: a.stepOffset,
    record_every: a.shape.recordEvery,
    history_len: a.historyLength,
    chunk: a.chunk,
    seed: a.shape.seed,
    data_stream: TOY_STREAMS.data,
    flip_stream: TOY_STREAMS.flip,
    pad: 0,
  });
}

/** Records one dispatch advancing every sequence of the sweep by `steps` steps. */
export async function encodeToyNeuron(rec: CommandRecorder, a: ToyNeuronDispatch): Promise<void> {
  const b = a.buffers;
  await dispatch1d(rec, {
    kernel: TOY_NEURON_KERNEL,
    constants: { WORKGROUP_SIZE: toyNeuronWorkgroupSize(rec.gpu) },
    invocations: a.shape.settings.length * a.shape.repetitions,
    bindings: [
      b.settings,
      b.weights,
      b.previous,
      b.history,
      b.completed,
      rec.uniform(toyNeuronParamsBytes(a)),
    ],
  });
}
