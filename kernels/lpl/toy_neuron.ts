/**
 * Wrapper of the fused toy-neuron LPL kernel (kernels/lpl/toy_neuron.wgsl): pipeline, loop budget,
 * and the Setting / Params structs written by field name (layouts in ./toy_neuron_types.ts).
 *
 * @module
 */
import source from "./toy_neuron.wgsl" with { type: "text" };
import { PHILOX_WGSL } from "../random.ts";
import { type CommandRecorder, grid1d } from "../../lib/gpu/recorder.ts";
import { getPipeline, type KernelSource } from "../../lib/gpu/pipelines.ts";
import { cpuSimdLanes } from "../../lib/gpu/device.ts";
import { twoPointThreshold } from "../../lib/rng/philox.ts";
import {
  HEBB_KIND,
  PARAMS_FIELDS,
  SETTING_FIELDS,
  TOY_STREAMS,
  type ToyNeuronSetting,
  type ToyNeuronShape,
  writeStructByName,
} from "./toy_neuron_types.ts";

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

/** Bytes of one `struct Setting` (its array stride). */
export const SETTING_BYTES = 4 * SETTING_FIELDS.length;

/**
 * The settings array, each `struct Setting` written by field name.
 *
 * @param settings The sweep's settings.
 * @returns The bytes of `array<Setting>`.
 */
export function toyNeuronSettingsBytes(settings: readonly ToyNeuronSetting[]): ArrayBuffer {
  const bytes = new ArrayBuffer(SETTING_BYTES * settings.length), view = new DataView(bytes);
  settings.forEach((s, i) =>
    writeStructByName(
      SETTING_FIELDS,
      {
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
      },
      view,
      SETTING_BYTES * i,
    )
  );
  return bytes;
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
  const bytes = new ArrayBuffer(4 * PARAMS_FIELDS.length);
  writeStructByName(PARAMS_FIELDS, {
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
  }, new DataView(bytes));
  return bytes;
}

/** Records one dispatch advancing every sequence of the sweep by `steps` steps. */
export async function encodeToyNeuron(rec: CommandRecorder, a: ToyNeuronDispatch): Promise<void> {
  const workgroupSize = toyNeuronWorkgroupSize(rec.gpu);
  const constants = { WORKGROUP_SIZE: workgroupSize };
  const pipeline = await getPipeline(rec.gpu, TOY_NEURON_KERNEL, constants);
  const b = a.buffers;
  rec.dispatch({
    pipeline,
    label: TOY_NEURON_KERNEL.label,
    constants,
    bindings: [
      b.settings,
      b.weights,
      b.previous,
      b.history,
      b.completed,
      rec.uniform(toyNeuronParamsBytes(a)),
    ],
    workgroups: grid1d(
      a.shape.settings.length * a.shape.repetitions,
      workgroupSize,
      rec.gpu.device.limits.maxComputeWorkgroupsPerDimension,
    ),
  });
}
