/**
 * The fused optimizer update over a flat parameter vector: SGD, momentum, Nesterov, Adam/AdamW with per-group
 * hyperparameters, L2 or decoupled weight decay, optional global-norm clipping. Its companions (the global
 * gradient norm, the Lookahead synchronisation, the stream roofline) are in companions.ts.
 *
 * The host folds everything that is the same for a whole group (the scheduled learning rate, bias
 * corrections, dampening, decay factors) into one row per group ({@linkcode GroupUpdateScalars}), so the update
 * is one dispatch for all parameters and a new learning rate never recompiles a shader.
 *
 * @module
 */
import updateSource from "./update.wgsl" with { type: "text" };
import type { GpuContext } from "../../lib/gpu/device.ts";
import { createBuffer, writeBuffer } from "../../lib/gpu/buffers.ts";
import type { KernelSource } from "../../lib/gpu/pipelines.ts";
import { type CommandRecorder, dispatch1d } from "../../lib/gpu/recorder.ts";
import { StructLayout } from "../../lib/gpu/params.ts";

/** Invocations per workgroup of the optim kernels. */
export const WORKGROUP_SIZE = 64;
/** Elements each invocation of the update handles (a tile is WORKGROUP_SIZE times this). */
const ELEMENTS_PER_INVOCATION = 8;
/** Largest tile of the update: elements one workgroup updates with one group row. */
export const UPDATE_TILE = WORKGROUP_SIZE * ELEMENTS_PER_INVOCATION;

const KERNEL: KernelSource = {
  label: "optim_update",
  parts: [{ file: "kernels/optim/update.wgsl", code: updateSource }],
};

/** update.wgsl's `Params`. */
const UPDATE_PARAMS = new StructLayout(
  "Params",
  "kernels/optim/update.wgsl",
  [
    ["tileCount", "u32"],
    ["firstStep", "u32"],
    ["clip", "u32"],
    ["maxNorm", "f32"],
  ] as const,
);

/** A field of update.wgsl's `Group`. */
type GroupField =
  | "lr"
  | "l2"
  | "decay"
  | "momentum"
  | "gradWeight"
  | "beta2"
  | "gradSquaredWeight"
  | "eps"
  | "stepSize"
  | "invSqrtBias2";

/** update.wgsl's `Group` (one row per parameter group). */
const GROUP: StructLayout<GroupField> = new StructLayout(
  "Group",
  "kernels/optim/update.wgsl",
  [
    ["lr", "f32"],
    ["l2", "f32"],
    ["decay", "f32"],
    ["momentum", "f32"],
    ["gradWeight", "f32"],
    ["beta2", "f32"],
    ["gradSquaredWeight", "f32"],
    ["eps", "f32"],
    ["stepSize", "f32"],
    ["invSqrtBias2", "f32"],
  ] as const,
);

/** One parameter group's row of the update, already folded by the host for this step. */
export type GroupUpdateScalars = Record<GroupField, number>;

/** The update rule (`KIND` override of update.wgsl); AdamW is `"adam"` with decoupled decay in the rows. */
export type UpdateRule = "sgd" | "momentum" | "nesterov" | "adam";

const KIND_CODE: Record<UpdateRule, number> = { sgd: 0, momentum: 1, nesterov: 2, adam: 3 };

/** How many state vectors (each as long as the parameters) an update rule keeps. */
export function stateVectorCount(rule: UpdateRule): 0 | 1 | 2 {
  return rule === "adam" ? 2 : rule === "sgd" ? 0 : 1;
}

const dummies = new WeakMap<GPUDevice, Map<string, GPUBuffer>>();

/**
 * A 16-byte buffer bound where a kernel's binding is unused (sgd's state, the norm without clipping); one per
 * role, so two writable bindings never alias.
 */
function dummyBuffer(gpu: GpuContext, role: string): GPUBuffer {
  let byRole = dummies.get(gpu.device);
  if (!byRole) dummies.set(gpu.device, byRole = new Map());
  let b = byRole.get(role);
  if (!b) byRole.set(role, b = createBuffer(gpu, 16, `optim unused ${role}`));
  return b;
}

/** A contiguous range of the flat vector that shares one parameter group. */
export interface GroupSegment {
  begin: number;
  end: number;
  group: number;
}

/** The update's tiles of a segment list: (begin, end, group) triples, at most {@linkcode UPDATE_TILE} long. */
export function updateTiles(segments: readonly GroupSegment[]): Uint32Array {
  const out: number[] = [];
  let previous = 0;
  for (const s of segments) {
    if (!(Number.isInteger(s.begin) && s.begin >= previous && s.end > s.begin && Number.isInteger(s.group))) {
      throw new RangeError(
        `Cannot plan optimizer tiles: segment [${s.begin}, ${s.end}) is empty, overlaps or is out of order`,
      );
    }
    for (let b = s.begin; b < s.end; b += UPDATE_TILE) out.push(b, Math.min(s.end, b + UPDATE_TILE), s.group);
    previous = s.end;
  }
  return Uint32Array.from(out);
}

/**
 * Uploads the update's tile table for a list of group segments.
 *
 * @param gpu The context.
 * @param segments Contiguous ranges with their group index, in order.
 * @returns The storage buffer (owned by the caller) and the number of tiles.
 * @throws {RangeError} When segments are empty, overlap or are out of order.
 */
export function uploadTileTable(
  gpu: GpuContext,
  segments: readonly GroupSegment[],
): { buffer: GPUBuffer; tileCount: number } {
  const tiles = updateTiles(segments);
  const buffer = createBuffer(gpu, tiles.byteLength, "optim tiles");
  writeBuffer(gpu, buffer, tiles);
  return { buffer, tileCount: tiles.length / 3 };
}

function storageBytes(rec: CommandRecorder, bytes: ArrayBuffer, label: string): GPUBuffer {
  const buffer = rec.gpu.device.createBuffer({
    size: Math.max(16, bytes.byteLength),
    usage: GPUBufferUsage.STORAGE,
    mappedAtCreation: true,
    label,
  });
  new Uint8Array(buffer.getMappedRange()).set(new Uint8Array(bytes));
  buffer.unmap();
  rec.releaseAfterFlush(buffer);
  return buffer;
}

/** Arguments of {@linkcode encodeOptimizerUpdate}. */
export interface OptimizerUpdateArgs {
  rule: UpdateRule;
  /** Flat parameters, updated in place. */
  weights: GPUBuffer;
  /** Flat gradient (not modified; clipping scales it on the fly). */
  gradient: GPUBuffer;
  /** Momentum buffer or Adam's first moment (needed unless `rule` is sgd). */
  first?: GPUBuffer;
  /** Adam's second moment (needed for adam). */
  second?: GPUBuffer;
  /** From {@linkcode uploadTileTable}. */
  tiles: GPUBuffer;
  tileCount: number;
  /** One row per group, this step's values. */
  groups: readonly GroupUpdateScalars[];
  /** The optimizer's first step (torch starts the momentum buffer at the gradient). */
  firstStep: boolean;
  /** Clip gradients to this global norm using `normSquared[0]` (from {@linkcode encodeGradientNormSquared}). */
  clip?: { normSquared: GPUBuffer; maxNorm: number };
}

/**
 * Records one fused optimizer step over all parameters (one dispatch).
 *
 * @param rec The recorder.
 * @param args Buffers, the rule and this step's group rows.
 * @throws {RangeError} When a state buffer the rule needs is missing or there are no groups.
 */
export async function encodeOptimizerUpdate(rec: CommandRecorder, args: OptimizerUpdateArgs): Promise<void> {
  const states = stateVectorCount(args.rule);
  if ((states >= 1 && !args.first) || (states === 2 && !args.second)) {
    throw new RangeError(`Cannot dispatch "optim_update": rule ${args.rule} needs ${states} state buffers`);
  }
  if (args.groups.length === 0) throw new RangeError(`Cannot dispatch "optim_update": no parameter groups`);
  if (args.tileCount === 0) return;
  const params = rec.uniform(
    UPDATE_PARAMS.bytes({
      tileCount: args.tileCount,
      firstStep: args.firstStep ? 1 : 0,
      clip: args.clip ? 1 : 0,
      maxNorm: args.clip?.maxNorm ?? 0,
    }),
    "optim update params",
  );
  const groups = storageBytes(rec, GROUP.arrayBytes(args.groups, 16), "optim groups");
  await dispatch1d(rec, {
    kernel: KERNEL,
    constants: { WORKGROUP_SIZE, KIND: KIND_CODE[args.rule], ELEMENTS_PER_INVOCATION },
    invocations: args.tileCount * WORKGROUP_SIZE,
    bindings: [
      args.weights,
      args.gradient,
      args.first ?? dummyBuffer(rec.gpu, "first"),
      args.second ?? dummyBuffer(rec.gpu, "second"),
      args.tiles,
      groups,
      args.clip?.normSquared ?? dummyBuffer(rec.gpu, "normSquared"),
      params,
    ],
  });
}
