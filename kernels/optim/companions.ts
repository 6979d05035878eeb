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
import type { KernelSource } from "../../lib/gpu/pipelines.ts";
import { type CommandRecorder, dispatch1d } from "../../lib/gpu/recorder.ts";
import type { GpuContext } from "../../lib/gpu/device.ts";
import { loopBudget } from "../../lib/gpu/loop_budget.ts";
import { StructLayout } from "../../lib/gpu/params.ts";
import { WORKGROUP_SIZE } from "./optim.ts";

const FINISH_WORKGROUP_SIZE = 64;

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

const NORM_PARTIALS_PARAMS = new StructLayout(
  "Params",
  "kernels/optim/norm_partials.wgsl",
  [
    ["size", "u32"],
    ["partialCount", "u32"],
  ] as const,
);
const NORM_FINISH_PARAMS = new StructLayout(
  "Params",
  "kernels/optim/norm_finish.wgsl",
  [
    ["partialCount", "u32"],
  ] as const,
);
const LOOKAHEAD_PARAMS = new StructLayout(
  "Params",
  "kernels/optim/lookahead.wgsl",
  [
    ["size", "u32"],
    ["alpha", "f32"],
  ] as const,
);
const STREAM_PARAMS = new StructLayout("Params", "kernels/optim/stream.wgsl", [["size", "u32"]] as const);

/**
 * How many partial sums the first norm stage writes: enough that no invocation loops past the adapter's loop
 * budget, at most 4096 otherwise (and at least one).
 *
 * @param gpu The context (its measured loop limit).
 * @param size Gradient length.
 */
export function normPartialCount(gpu: GpuContext | { facts: { loopLimit: number } }, size: number): number {
  const wanted = Math.min(4096, Math.ceil(size / 64));
  return Math.max(1, wanted, Math.ceil(size / Math.max(1, Math.floor(loopBudget(gpu)))));
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
  await dispatch1d(rec, {
    kernel: KERNELS.normPartials,
    constants: { WORKGROUP_SIZE },
    invocations: args.partialCount,
    bindings: [
      args.gradient,
      args.partials,
      rec.uniform(NORM_PARTIALS_PARAMS.bytes({ size: args.size, partialCount: args.partialCount })),
    ],
  });
  // One workgroup reduces the partials.
  await dispatch1d(rec, {
    kernel: KERNELS.normFinish,
    constants: { WORKGROUP_SIZE: FINISH_WORKGROUP_SIZE },
    invocations: FINISH_WORKGROUP_SIZE,
    bindings: [
      args.partials,
      args.out,
      rec.uniform(NORM_FINISH_PARAMS.bytes({ partialCount: args.partialCount })),
    ],
  });
}

/** Records the Lookahead synchronisation slow += alpha (fast - slow); fast = slow. */
export async function encodeLookaheadSync(
  rec: CommandRecorder,
  args: { fast: GPUBuffer; slow: GPUBuffer; size: number; alpha: number },
): Promise<void> {
  await dispatch1d(rec, {
    kernel: KERNELS.lookahead,
    constants: { WORKGROUP_SIZE },
    invocations: args.size,
    bindings: [
      args.fast,
      args.slow,
      rec.uniform(LOOKAHEAD_PARAMS.bytes({ size: args.size, alpha: args.alpha })),
    ],
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
  await dispatch1d(rec, {
    kernel: KERNELS.stream,
    constants: { WORKGROUP_SIZE, READS: args.reads, WRITES: args.writes },
    invocations: args.size,
    bindings: [...args.buffers, rec.uniform(STREAM_PARAMS.bytes({ size: args.size }))],
  });
}
