/**
 * Wrapper of the fused seed-LPL kernel (kernels/lpl/seed_layer.wgsl with its libraries
 * seed_layer_inputs.wgsl, seed_layer_update.wgsl and seed_layer_apply.wgsl): the Model and Params structs
 * written by field name ({@linkcode SEED_MODEL_LAYOUT}, {@linkcode SEED_PARAMS_LAYOUT}), the loop budget
 * ({@linkcode seedLayerIterations}) and one dispatch ({@linkcode encodeSeedLayer}).
 *
 * @module
 */
import source from "./seed_layer.wgsl" with { type: "text" };
import inputsSource from "./seed_layer_inputs.wgsl" with { type: "text" };
import updateSource from "./seed_layer_update.wgsl" with { type: "text" };
import applySource from "./seed_layer_apply.wgsl" with { type: "text" };
import { PHILOX_WGSL } from "../random/random.ts";
import type { CommandRecorder } from "../../lib/gpu/recorder.ts";
import { getPipeline, type KernelSource } from "../../lib/gpu/pipelines.ts";
import { StructLayout } from "../../lib/gpu/params.ts";
import {
  SEED_PICK_STEP,
  SEED_STREAMS,
  type SeedLayerShape,
  type SeedModelSetting,
} from "./seed_layer_types.ts";

/** The kernel: the Philox library, the three seed-layer libraries, then kernels/lpl/seed_layer.wgsl. */
export const SEED_LAYER_KERNEL: KernelSource = {
  label: "lpl_seed_layer",
  parts: [
    PHILOX_WGSL,
    { file: "kernels/lpl/seed_layer_inputs.wgsl", code: inputsSource },
    { file: "kernels/lpl/seed_layer_update.wgsl", code: updateSource },
    { file: "kernels/lpl/seed_layer_apply.wgsl", code: applySource },
    { file: "kernels/lpl/seed_layer.wgsl", code: source },
  ],
};

const FILE = "kernels/lpl/seed_layer.wgsl";

/** `struct Model` of the .wgsl (one per model of the batch). */
export const SEED_MODEL_LAYOUT = new StructLayout(
  "Model",
  FILE,
  [
    ["seed", "u32"],
    ["shuffle", "u32"],
    ["hebb", "f32"],
    ["pred", "f32"],
    ["stab", "f32"],
    ["pad0", "u32"],
    ["pad1", "u32"],
    ["pad2", "u32"],
  ] as const,
);

/** `struct Params` of the .wgsl (the uniform of one dispatch). */
export const SEED_PARAMS_LAYOUT = new StructLayout(
  "Params",
  FILE,
  [
    ["models", "u32"],
    ["inputs", "u32"],
    ["outputs", "u32"],
    ["outputs2", "u32"],
    ["height", "u32"],
    ["width", "u32"],
    ["image_count", "u32"],
    ["paired", "u32"],
    ["steps", "u32"],
    ["step_offset", "u32"],
    ["log_every", "u32"],
    ["history_len", "u32"],
    ["chunk", "u32"],
    ["view_stream", "u32"],
    ["pick_step", "u32"],
    ["pad", "u32"],
  ] as const,
);

/** The models array, each `struct Model` written by field name. */
export function seedModelsBytes(models: readonly SeedModelSetting[]): ArrayBuffer {
  return SEED_MODEL_LAYOUT.arrayBytes(models.map((m) => ({
    seed: m.seed,
    shuffle: m.shuffle ? 1 : 0,
    hebb: m.hebb,
    pred: m.pred,
    stab: m.stab,
    pad0: 0,
    pad1: 0,
    pad2: 0,
  })));
}

/** Invocations per workgroup (one workgroup trains one model): at most 256 (the .wgsl's partial sums). */
export function seedLayerWorkgroupSize(gpu: { facts: { isCpuAdapter: boolean } }): number {
  return gpu.facts.isCpuAdapter ? 32 : 128;
}

/**
 * Loop iterations per step of invocation 0 (the most loaded: it takes the ceiling of every strided loop
 * and writes the log), every loop-condition check counted (a loop of n trips costs n + 1).
 *
 * @param shape The batch's sizes.
 * @param workgroupSize Invocations per workgroup.
 * @returns Iterations per step and fixed per dispatch.
 */
export function seedLayerIterations(
  shape: SeedLayerShape,
  workgroupSize: number,
): { perStep: number; fixed: number } {
  const over = (n: number) => Math.ceil(n / workgroupSize) + 1;
  const cols = (n: number) => Math.ceil(n / 4 / workgroupSize);
  const layer = (n: number, m: number) => {
    const rows = Math.ceil(m / workgroupSize);
    return Math.ceil(m / 4 / workgroupSize) * (n / 4 + 1 + 5) + 1 + // forward
      rows * (m / 4 + 1) + 1 + // predict
      cols(n) * (m + 1) + 1 + (m + 1) + (workgroupSize + 1) + // columns, row sums, |W|^2
      (workgroupSize + 1) + cols(n) * (m + 1) + 1 + over(m * m / 4) + // apply
      2 * (m + 1) + (workgroupSize + 1); // log
  };
  const norm = (n: number, m: number) => cols(n) * (m + 1) + 1;
  const layers = shape.outputs2 > 0 ? 2 : 1;
  // The step loop, the view loop (2 views) with its inner loops, the layer loop.
  let perStep = 1 + 3 + 2 * over(shape.inputs / 4) + (layers + 1) + layer(shape.inputs, shape.outputs);
  let fixed = 2 + (layers + 1) + norm(shape.inputs, shape.outputs);
  if (layers === 2) {
    perStep += over(shape.outputs / 4) + layer(shape.outputs, shape.outputs2);
    fixed += norm(shape.outputs, shape.outputs2);
  }
  return { perStep, fixed };
}

/** The GPU buffers of one batch (layouts in the .wgsl header). */
export interface SeedLayerBuffers {
  models: GPUBuffer;
  images: GPUBuffer;
  weights: GPUBuffer;
  xs: GPUBuffer;
  ys: GPUBuffer;
  history: GPUBuffer;
  completed: GPUBuffer;
}

/** Arguments of one dispatch of {@linkcode encodeSeedLayer}. */
export interface SeedLayerDispatch {
  buffers: SeedLayerBuffers;
  shape: SeedLayerShape;
  /** Steps in this dispatch. */
  steps: number;
  /** Steps already run. */
  stepOffset: number;
  /** Log records per model in `history`. */
  historyLength: number;
  /** Row of `completed` this dispatch writes. */
  chunk: number;
}

/** The Params uniform of one dispatch, written by field name. */
export function seedLayerParamsBytes(a: SeedLayerDispatch): ArrayBuffer {
  const s = a.shape;
  return SEED_PARAMS_LAYOUT.bytes({
    models: s.models,
    inputs: s.inputs,
    outputs: s.outputs,
    outputs2: s.outputs2,
    height: s.height,
    width: s.width,
    image_count: s.imageCount,
    paired: s.mode === "pairs" ? 1 : 0,
    steps: a.steps,
    step_offset: a.stepOffset,
    log_every: s.logEvery,
    history_len: a.historyLength,
    chunk: a.chunk,
    view_stream: SEED_STREAMS.training,
    pick_step: SEED_PICK_STEP,
    pad: 0,
  });
}

/**
 * Throws a RangeError naming the first size the kernel cannot take.
 *
 * @param shape The batch's sizes.
 */
export function validateSeedLayerShape(shape: SeedLayerShape): void {
  const fail = (what: string) => {
    throw new RangeError(`Cannot train the seed-LPL layer: ${what}`);
  };
  const quad = (name: string, v: number, min: number) => {
    if (!Number.isInteger(v) || v < min || v % 4 !== 0) {
      fail(`${name} is ${v}, must be a multiple of 4 >= ${min}`);
    }
  };
  quad("inputs", shape.inputs, 4);
  quad("outputs", shape.outputs, 4);
  quad("outputs2", shape.outputs2, 0);
  if (shape.outputs > 256 || shape.outputs2 > 256) {
    fail(
      `outputs are ${shape.outputs} and ${shape.outputs2}, must be <= 256 (the kernel's row coefficients)`,
    );
  }
  if (shape.mode === "views" && shape.height * shape.width !== shape.inputs) {
    fail(`height x width is ${shape.height} x ${shape.width}, must equal inputs ${shape.inputs}`);
  }
  for (
    const [name, v] of [["models", shape.models], ["imageCount", shape.imageCount], [
      "logEvery",
      shape.logEvery,
    ]]
  ) {
    if (!Number.isInteger(v) || (v as number) < 1) fail(`${name} is ${v}, must be an integer >= 1`);
  }
}

/** Records one dispatch advancing every model of the batch by `steps` steps. */
export async function encodeSeedLayer(
  rec: CommandRecorder,
  a: SeedLayerDispatch,
  workgroupSize: number = seedLayerWorkgroupSize(rec.gpu),
): Promise<void> {
  const b = a.buffers;
  const constants = { WORKGROUP_SIZE: workgroupSize };
  rec.dispatch({
    pipeline: await getPipeline(rec.gpu, SEED_LAYER_KERNEL, constants),
    label: SEED_LAYER_KERNEL.label,
    constants,
    bindings: [
      b.models,
      b.images,
      b.weights,
      b.xs,
      b.ys,
      b.history,
      b.completed,
      rec.uniform(seedLayerParamsBytes(a)),
    ],
    workgroups: [a.shape.models],
  });
}

/** Log records per model (each holding every layer's Var(y_t) and |W|_F) of a run of `steps` steps. */
export function seedLayerRecords(shape: Pick<SeedLayerShape, "logEvery">, steps: number): number {
  return Math.floor(steps / shape.logEvery);
}
