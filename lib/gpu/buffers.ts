/**
 * GPU buffer helpers: create, upload, and read back in chunks.
 *
 * Every host wait costs ~11 ms on the CPU adapter whatever its size (DESIGN.md
 * section 3), so {@linkcode readBuffers} copies any number of ranges into staging
 * buffers and maps them all before awaiting once. That wait is where a long or stuck dispatch shows on an
 * adapter whose submit returns at once (Vulkan), so it runs under the watchdog like compiles and submits
 * ({@linkcode waitForGpu}).
 *
 * @module
 */
import type { GpuContext } from "./context.ts";
import { describeAdapter, slowGpuFix } from "./gl_path.ts";
import { guardedAsync } from "./watchdog.ts";

/** Usage of buffers that kernels read and write and the host uploads to and reads from. */
export const STORAGE_USAGE = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;

/** Largest staging buffer used by one readback copy (bytes). */
export const READBACK_CHUNK_BYTES = 64 * 1024 * 1024;

/** Rounds a byte size up to a multiple of 16 (and at least 16) so any buffer can be bound. */
export function paddedByteSize(bytes: number): number {
  return Math.max(16, Math.ceil(bytes / 16) * 16);
}

/**
 * Creates a labelled buffer of at least `bytes` bytes.
 *
 * @param gpu The GPU context.
 * @param bytes Size in bytes (rounded up to a multiple of 16, at least 16).
 * @param label Label shown in WebGPU error messages.
 * @param usage Usage flags, storage + copy by default.
 * @returns The buffer.
 * @throws {RangeError} When `bytes` is negative, not an integer, or above the device limit.
 */
export function createBuffer(
  gpu: GpuContext,
  bytes: number,
  label: string,
  usage = STORAGE_USAGE,
): GPUBuffer {
  gpu.assertAlive();
  if (!Number.isInteger(bytes) || bytes < 0) {
    throw new RangeError(
      `Cannot create buffer "${label}": size ${bytes} bytes, must be a non-negative integer`,
    );
  }
  const size = paddedByteSize(bytes);
  const limit = gpu.device.limits.maxBufferSize;
  if (size > limit) {
    throw new RangeError(
      `Cannot create buffer "${label}": ${size} bytes exceeds the device's maxBufferSize ${limit}`,
    );
  }
  return gpu.device.createBuffer({ size, usage, label });
}

/**
 * Creates a storage buffer holding a copy of `data`.
 *
 * @param gpu The GPU context.
 * @param data The values (f32, u32 or i32).
 * @param label Label for errors.
 * @param usage Usage flags, storage + copy by default.
 * @returns The buffer.
 */
export function uploadBuffer(
  gpu: GpuContext,
  data: Float32Array | Uint32Array | Int32Array,
  label: string,
  usage = STORAGE_USAGE,
): GPUBuffer {
  const buffer = createBuffer(gpu, data.byteLength, label, usage | GPUBufferUsage.COPY_DST);
  writeBuffer(gpu, buffer, data);
  return buffer;
}

/** Writes `data` at `byteOffset` (the tail is padded so the write size is a multiple of 4). */
export function writeBuffer(
  gpu: GpuContext,
  buffer: GPUBuffer,
  data: Float32Array | Uint32Array | Int32Array,
  byteOffset = 0,
): void {
  gpu.assertAlive();
  if (data.byteLength === 0) return;
  gpu.device.queue.writeBuffer(
    buffer,
    byteOffset,
    data.buffer as ArrayBuffer,
    data.byteOffset,
    data.byteLength,
  );
}

/** One range of one buffer to read back. */
export interface ReadRange {
  /** The source buffer (needs COPY_SRC usage). */
  buffer: GPUBuffer;
  /** First byte (multiple of 4). */
  byteOffset?: number;
  /** Bytes to read (multiple of 4); the rest of the buffer by default. */
  byteLength?: number;
}

/**
 * Reads several buffer ranges back with a single host wait.
 *
 * Large ranges are split into {@linkcode READBACK_CHUNK_BYTES} staging copies.
 * The caller must have submitted the work that writes these buffers (or pass a
 * `beforeCopy` that records it), since the copies are submitted here.
 *
 * @param gpu The GPU context.
 * @param ranges What to read.
 * @returns One `ArrayBuffer` per range, in order.
 * @throws {RangeError} On unaligned or out-of-bounds ranges.
 */
export async function readBuffers(gpu: GpuContext, ranges: ReadRange[]): Promise<ArrayBuffer[]> {
  gpu.assertAlive();
  const device = gpu.device;
  const encoder = device.createCommandEncoder({ label: "readback" });
  const pieces: { staging: GPUBuffer; range: number; at: number; bytes: number }[] = [];
  const results = ranges.map((r, index) => {
    const offset = r.byteOffset ?? 0;
    const length = r.byteLength ?? r.buffer.size - offset;
    if (offset % 4 !== 0 || length % 4 !== 0 || offset < 0 || length < 0 || offset + length > r.buffer.size) {
      throw new RangeError(
        `Cannot read back buffer "${r.buffer.label}": range [${offset}, ${
          offset + length
        }) is unaligned or exceeds its ${r.buffer.size} bytes`,
      );
    }
    for (let at = 0; at < length; at += READBACK_CHUNK_BYTES) {
      const bytes = Math.min(READBACK_CHUNK_BYTES, length - at);
      const staging = device.createBuffer({
        size: bytes,
        usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
        label: `readback of ${r.buffer.label}`,
      });
      encoder.copyBufferToBuffer(r.buffer, offset + at, staging, 0, bytes);
      pieces.push({ staging, range: index, at, bytes });
    }
    return new ArrayBuffer(length);
  });
  device.queue.submit([encoder.finish()]);
  const labels = [...new Set(ranges.map((r) => `"${r.buffer.label}"`))];
  const shown = labels.length > 3 ? [...labels.slice(0, 3), `${labels.length - 3} more`] : labels;
  await waitForGpu(
    gpu,
    `waiting for the GPU work before reading back ${shown.join(", ")}`,
    () => Promise.all(pieces.map((p) => p.staging.mapAsync(GPUMapMode.READ))),
  );
  gpu.assertAlive();
  for (const p of pieces) {
    new Uint8Array(results[p.range], p.at, p.bytes).set(new Uint8Array(p.staging.getMappedRange()));
    p.staging.unmap();
    p.staging.destroy();
  }
  return results;
}

/** Reads one buffer range back (see {@linkcode readBuffers}). */
export async function readBuffer(
  gpu: GpuContext,
  buffer: GPUBuffer,
  byteOffset = 0,
  byteLength?: number,
): Promise<ArrayBuffer> {
  const [result] = await readBuffers(gpu, [{ buffer, byteOffset, byteLength }]);
  return result;
}

/**
 * Awaits a GPU promise (a buffer map, `onSubmittedWorkDone`) under the watchdog: past the budget
 * (`GPU_WATCHDOG_NOTICE_SECONDS`, `GPU_WATCHDOG_SECONDS`) it says what was awaited on which adapter, with
 * the fix, instead of waiting silently for a dispatch that never ends.
 *
 * @param gpu The GPU context (its adapter is named in the messages).
 * @param what What is awaited, e.g. `waiting for the GPU work before reading back "weights"`.
 * @param wait Starts the wait.
 * @returns What `wait` resolves to.
 * @example
 * ```ts ignore
 * await waitForGpu(gpu, "waiting for the timed pass", () => gpu.device.queue.onSubmittedWorkDone());
 * ```
 */
export function waitForGpu<T>(gpu: GpuContext, what: string, wait: () => Promise<T>): Promise<T> {
  return guardedAsync({ what, adapter: describeAdapter(gpu.facts), fix: slowGpuFix(gpu.facts) }, wait);
}
