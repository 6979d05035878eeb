/**
 * The fused update's companion kernels: the two stages of the global gradient norm (for clipping without a
 * host wait), Lookahead's synchronisation, and the streaming roofline kernel the benchmark compares the update
 * with.
 *
 * @module
 */
import normPartialsSource from "./norm_partials.wgsl" with { type: "text" };
import normFinishSource from "./norm_finish.wgsl" with { type: "text" };
import lookaheadSource from "./lookahead.wgsl" with { type: "text" };
import streamSource from "./stream.wgsl" with { type: "text" };
import { getPipeline, type KernelSource } from "../../lib/gpu/pipelines.ts";
import type { CommandRecorder } from "../../lib/gpu/recorder.ts";
import { writeStruct } from "./struct.ts";
import { elementGrid, WORKGROUP_SIZE } from "./optim.ts";

const FINISH_WORKGROUP_SIZE = 64;

/** The WGSL sources, for tests that hold the field lists to their structs. */
export const COMPANION_WGSL = {
  normPartials: normPartialsSource,
  normFinish: normFinishSource,
  lookahead: lookaheadSource,
  stream: streamSource,
} as const;

const KERNELS = {
  normPartials: {
    label: "optim_norm_partials",
    parts: [{ file: "kernels/optim/norm_partials.wgsl", code: normPartialsSource }],
  },
  normFinish: {
    label: "optim_norm_finish",
    parts: [{ file: "kernels/optim/norm_finish.wgsl", code: normFinishSource }],
  },
  lookahead: {
    label: "optim_lookahead",
    parts: [{ file: "kernels/optim/lookahead.wgsl", code: lookaheadSource }],
  },
  stream: { label: "optim_stream", parts: [{ file: "kernels/optim/stream.wgsl", code: streamSource }] },
} satisfies Record<string, KernelSource>;

/** Fields of norm_partials.wgsl's `Params`. */
export const NORM_PARTIALS_FIELDS = [["size", "u32"], ["partialCount", "u32"]] as const;
/** Fields of norm_finish.wgsl's `Params`. */
export const NORM_FINISH_FIELDS = [["partialCount", "u32"]] as const;
/** Fields of lookahead.wgsl's `Params`. */
export const LOOKAHEAD_FIELDS = [["size", "u32"], ["alpha", "f32"]] as const;
/** Fields of stream.wgsl's `Params`. */
export const STREAM_FIELDS = [["size", "u32"]] as const;

/**
 * How many partial sums the first norm stage writes: enough that no invocation loops past `loopBudget`
 * elements, at most 4096 otherwise (and at least one).
 *
 * @param size Gradient length.
 * @param loopBudget Loop iterations one invocation may run (`loopBudget(gpu)` from lib/gpu/loop_budget.ts).
 */
export function normPartialCount(size: number, loopBudget: number): number {
  const wanted = Math.min(4096, Math.ceil(size / 64));
  return Math.max(1, wanted, Math.ceil(size / Math.max(1, Math.floor(loopBudget))));
}

/** Arguments of {@linkcode encodeGradientNormSquared}. */
export interface GradientNormArgs {
  gradient: GPUBuffer;
  size: number;
  /** Scratch of at least `partialCount` floats. */
  partials: GPUBuffer;
  /** From {@linkcode normPartialCount}. */
  partialCount: number;
  /** Element 0 receives the sum of squares. */
  out: GPUBuffer;
}

/** Records out[0] = sum of gradient^2 (two dispatches, no host wait). */
export async function encodeGradientNormSquared(rec: CommandRecorder, args: GradientNormArgs): Promise<void> {
  const partialsConstants = { WORKGROUP_SIZE };
  const finishConstants = { WORKGROUP_SIZE: FINISH_WORKGROUP_SIZE };
  const [partialsPipeline, finishPipeline] = await Promise.all([
    getPipeline(rec.gpu, KERNELS.normPartials, partialsConstants),
    getPipeline(rec.gpu, KERNELS.normFinish, finishConstants),
  ]);
  rec.dispatch({
    pipeline: partialsPipeline,
    label: KERNELS.normPartials.label,
    constants: partialsConstants,
    bindings: [
      args.gradient,
      args.partials,
      rec.uniform(
        writeStruct(
          NORM_PARTIALS_FIELDS,
          { size: args.size, partialCount: args.partialCount },
          "norm Params",
        ),
      ),
    ],
    workgroups: elementGrid(rec, args.partialCount),
  });
  rec.dispatch({
    pipeline: finishPipeline,
    label: KERNELS.normFinish.label,
    constants: finishConstants,
    bindings: [
      args.partials,
      args.out,
      rec.uniform(writeStruct(NORM_FINISH_FIELDS, { partialCount: args.partialCount }, "norm finish Params")),
    ],
    workgroups: [1],
  });
}

/** Records the Lookahead synchronisation slow += alpha (fast - slow); fast = slow. */
export async function encodeLookaheadSync(
  rec: CommandRecorder,
  args: { fast: GPUBuffer; slow: GPUBuffer; size: number; alpha: number },
): Promise<void> {
  if (args.size === 0) return;
  const constants = { WORKGROUP_SIZE };
  const pipeline = await getPipeline(rec.gpu, KERNELS.lookahead, constants);
  rec.dispatch({
    pipeline,
    label: KERNELS.lookahead.label,
    constants,
    bindings: [
      args.fast,
      args.slow,
      rec.uniform(writeStruct(LOOKAHEAD_FIELDS, { size: args.size, alpha: args.alpha }, "lookahead Params")),
    ],
    workgroups: elementGrid(rec, args.size),
  });
}

/**
 * Records the streaming roofline: reads `reads` of the four buffers and writes `writes` of them per element
 * (buffers past those used may be any bindable buffer).
 */
export async function encodeStreamRoofline(
  rec: CommandRecorder,
  args: {
    buffers: [GPUBuffer, GPUBuffer, GPUBuffer, GPUBuffer];
    size: number;
    reads: number;
    writes: number;
  },
): Promise<void> {
  if (!(args.reads >= 1 && args.reads <= 4 && args.writes >= 1 && args.writes <= 3)) {
    throw new RangeError(
      `Cannot dispatch "optim_stream": reads ${args.reads} in [1, 4], writes ${args.writes} in [1, 3]`,
    );
  }
  const constants = { WORKGROUP_SIZE, READS: args.reads, WRITES: args.writes };
  const pipeline = await getPipeline(rec.gpu, KERNELS.stream, constants);
  rec.dispatch({
    pipeline,
    label: KERNELS.stream.label,
    constants,
    bindings: [
      ...args.buffers,
      rec.uniform(writeStruct(STREAM_FIELDS, { size: args.size }, "stream Params")),
    ],
    workgroups: elementGrid(rec, args.size),
  });
}
