/**
 * The memory plan of conv2d as matrix products (kernels/conv/conv2d_gemm.ts): how many scratch floats one
 * sample needs in each pass, how many samples fit in a chunk, and the per-recorder scratch buffers.
 *
 * Each recorder keeps its own scratch buffers ("patches", "stage", "weight"), reused across calls and grown
 * as needed (a replaced buffer is destroyed after the recorder's next flush), never shared between
 * recorders, so interleaved recordings cannot overwrite each other. Samples are processed in chunks of
 * R = floor(64 MiB / scratch bytes per sample), so the patches and staging of one pass stay within
 * {@linkcode CONV2D_SCRATCH_BYTES} (a recorder holds the largest of each buffer over the passes it ran,
 * below 2 x 64 MiB plus the packed weights); {@linkcode releaseConv2dScratch} frees them.
 *
 * @module
 */
import type { CommandRecorder } from "../../lib/gpu/recorder.ts";
import { createBuffer } from "../../lib/gpu/buffers.ts";
import type { GpuContext } from "../../lib/gpu/device.ts";
import { type Conv2dShape, conv2dSizes } from "./conv2d_shape.ts";

/** The most scratch memory one conv pass uses per recorder, in bytes (64 MiB). */
export const CONV2D_SCRATCH_BYTES = 64 * 1024 * 1024;

/** Knobs of the matrix-product path (tests use them to force chunking). */
export interface Conv2dGemmOptions {
  /** Scratch bytes per pass (default {@linkcode CONV2D_SCRATCH_BYTES}); sets the samples per chunk. */
  scratchBytes?: number;
  /** Largest K per matmul dispatch (default: from the loop budget). */
  kChunk?: number;
}

/** The three conv2d passes. */
export type Conv2dPass = "forward" | "backwardInput" | "backwardWeight";

/** `n` rounded up to a multiple of 4 (the padded K of every product, so matmul takes its vec4 path). */
export const roundUp4 = (n: number): number => Math.ceil(n / 4) * 4;

/**
 * Scratch floats one sample needs in a pass: its patch matrix plus its share of the staged output
 * (forward, input gradient) or of the swapped output gradient (weight gradient).
 *
 * @param shape The layer shape.
 * @param pass The pass.
 * @returns Floats per sample.
 */
export function conv2dGemmFloatsPerSample(shape: Conv2dShape, pass: Conv2dPass): number {
  const s = conv2dSizes(shape, `plan "conv2d"`);
  const kk = shape.kernelSize ** 2, outPixels = s.outHeight * s.outWidth;
  const inPixels = shape.height * shape.width;
  if (pass === "backwardInput") return (roundUp4(shape.outChannels * kk) + shape.inChannels) * inPixels;
  return (roundUp4(shape.inChannels * kk + 1) + shape.outChannels) * outPixels;
}

/**
 * Samples per chunk of a pass on the matrix-product path, 0 when one sample's scratch alone exceeds
 * the scratch cap or the device's storage binding size.
 *
 * @param gpu The GPU context.
 * @param shape The layer shape.
 * @param pass The pass.
 * @param scratchBytes The scratch cap (default {@linkcode CONV2D_SCRATCH_BYTES}).
 * @returns Samples per chunk, in [0, batch].
 */
export function conv2dGemmSamplesPerChunk(
  gpu: GpuContext,
  shape: Conv2dShape,
  pass: Conv2dPass,
  scratchBytes = CONV2D_SCRATCH_BYTES,
): number {
  const cap = Math.min(scratchBytes, gpu.device.limits.maxStorageBufferBindingSize);
  return Math.min(shape.batch, Math.floor(cap / (4 * conv2dGemmFloatsPerSample(shape, pass))));
}

const scratchByRecorder = new WeakMap<CommandRecorder, Map<string, GPUBuffer>>();

/**
 * A scratch buffer of at least `floats` floats owned by `rec` (a grown one replaces the old after the flush).
 *
 * @param rec The recorder that owns it.
 * @param name "patches", "stage" or "weight".
 * @param floats The floats it must hold.
 * @returns The buffer.
 */
export function conv2dScratch(rec: CommandRecorder, name: string, floats: number): GPUBuffer {
  let pool = scratchByRecorder.get(rec);
  if (!pool) scratchByRecorder.set(rec, pool = new Map());
  const have = pool.get(name);
  if (have && have.size >= floats * 4) return have;
  if (have) rec.releaseAfterFlush(have);
  const buffer = createBuffer(rec.gpu, floats * 4, `conv2d scratch ${name}`);
  pool.set(name, buffer);
  return buffer;
}

/**
 * Destroys the scratch buffers `rec` holds for conv2d, after its next flush.
 *
 * @param rec The recorder.
 */
export function releaseConv2dScratch(rec: CommandRecorder): void {
  for (const buffer of scratchByRecorder.get(rec)?.values() ?? []) rec.releaseAfterFlush(buffer);
  scratchByRecorder.delete(rec);
}

/**
 * Samples per chunk of a pass on this recorder's device.
 *
 * @param rec The recorder (its device's binding size caps the scratch).
 * @param shape The layer shape.
 * @param pass The pass.
 * @param o The chunking knobs.
 * @returns Samples per chunk, at least 1.
 * @throws {RangeError} When one sample's scratch exceeds the cap.
 */
export function conv2dGemmChunk(
  rec: CommandRecorder,
  shape: Conv2dShape,
  pass: Conv2dPass,
  o: Conv2dGemmOptions,
): number {
  const rows = conv2dGemmSamplesPerChunk(rec.gpu, shape, pass, o.scratchBytes);
  if (rows < 1) {
    throw new RangeError(
      `Cannot run "conv2d" (${pass}) as matrix products: one sample needs ${
        4 * conv2dGemmFloatsPerSample(shape, pass)
      } scratch bytes, more than the cap ${
        Math.min(o.scratchBytes ?? CONV2D_SCRATCH_BYTES, rec.gpu.device.limits.maxStorageBufferBindingSize)
      }`,
    );
  }
  return rows;
}
