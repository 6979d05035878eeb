/**
 * Checkpoints of long runs: the full state (parameters, optimizer state, RNG counters, step)
 * in one self-checking file, and a stop request on SIGINT/SIGTERM.
 *
 * File layout (`.ckpt`): the 8 bytes `SGDCKPT1`, a little-endian uint32 header length, the
 * header as UTF-8 JSON (kind, step, fingerprint, counters, meta, and for each array its name,
 * NumPy dtype, shape, offset and length), the array bytes (each aligned to 8), and the
 * SHA-256 of everything before it (32 bytes). A truncated or altered file fails the checksum
 * and is refused; a file written for another configuration (different `kind` or
 * `fingerprint`) is refused, naming what differs. Files are written atomically, so the
 * previous checkpoint stays intact until the new one is complete.
 *
 * With a counter-based RNG (Philox) the RNG state is just counters (the step), so a
 * resumed run draws exactly the numbers the uninterrupted run would have drawn.
 *
 * @module
 */
import { writeFileAtomic } from "./io/atomic.ts";
import { arrayFromBytes, encodeNpy, type NpyArray, npyDescr } from "./io/npy.ts";

/** A scalar that a fingerprint compares. */
export type FingerprintValue = string | number | boolean | null;

/** The full state of a run at a step. */
export interface CheckpointState {
  /** What wrote it (e.g. `"linear_regression_sgd"`); a checkpoint of another kind is refused. */
  kind: string;
  /** Steps completed. */
  step: number;
  /** The settings a resumed run must share (sizes, learning rate, seed, backend...). */
  fingerprint: Record<string, FingerprintValue>;
  /** Parameters and optimizer state by name, with their shapes. */
  arrays: Record<string, { data: NpyArray; shape: number[] }>;
  /** RNG counters and other integers by name. */
  counters: Record<string, number>;
  /** Anything else JSON-serialisable. */
  meta?: Record<string, unknown>;
}

/** Thrown when a checkpoint is missing, corrupt, or belongs to another run. */
export class CheckpointError extends Error {
  /** @param message What is wrong, naming the file. */
  constructor(message: string) {
    super(message);
    this.name = "CheckpointError";
  }
}

const MAGIC = "SGDCKPT1";
const DIGEST_BYTES = 32;

interface ArrayEntry {
  name: string;
  descr: string;
  shape: number[];
  offset: number;
  byteLength: number;
}

const align8 = (n: number) => Math.ceil(n / 8) * 8;

async function sha256(bytes: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>));
}

/**
 * Encodes a checkpoint (see the module doc for the layout).
 *
 * @param state The state.
 * @returns The file's bytes.
 */
export async function encodeCheckpoint(state: CheckpointState): Promise<Uint8Array> {
  const entries: ArrayEntry[] = [];
  const blobs: Uint8Array[] = [];
  let offset = 0;
  for (const [name, { data, shape }] of Object.entries(state.arrays)) {
    const npy = encodeNpy(data, shape); // validates the shape
    const bytes = npy.subarray(npy.length - data.byteLength);
    entries.push({ name, descr: npyDescr(data), shape: [...shape], offset, byteLength: bytes.length });
    blobs.push(bytes);
    offset = align8(offset + bytes.length);
  }
  const header = new TextEncoder().encode(JSON.stringify({
    kind: state.kind,
    step: state.step,
    fingerprint: state.fingerprint,
    counters: state.counters,
    meta: state.meta ?? {},
    arrays: entries,
  }));
  const dataStart = align8(12 + header.length);
  const out = new Uint8Array(dataStart + offset + DIGEST_BYTES);
  out.set(new TextEncoder().encode(MAGIC), 0);
  new DataView(out.buffer).setUint32(8, header.length, true);
  out.set(header, 12);
  entries.forEach((e, i) => out.set(blobs[i], dataStart + e.offset));
  out.set(await sha256(out.subarray(0, out.length - DIGEST_BYTES)), out.length - DIGEST_BYTES);
  return out;
}

/**
 * Decodes and verifies checkpoint bytes.
 *
 * @param bytes The file's bytes.
 * @param source The file's name, for messages.
 * @returns The state.
 * @throws {CheckpointError} On a bad magic string, a checksum mismatch (truncated or altered file)
 *   or a malformed header.
 */
export async function decodeCheckpoint(bytes: Uint8Array, source = "checkpoint"): Promise<CheckpointState> {
  const corrupt = (why: string) =>
    new CheckpointError(
      `Cannot load checkpoint ${source}: the file is corrupt (${why}); nothing was changed`,
    );
  if (bytes.length < 12 + DIGEST_BYTES || new TextDecoder().decode(bytes.subarray(0, 8)) !== MAGIC) {
    throw corrupt("not a checkpoint file: bad magic string or too short");
  }
  const body = bytes.subarray(0, bytes.length - DIGEST_BYTES);
  const digest = await sha256(body);
  if (!digest.every((b, i) => b === bytes[body.length + i])) {
    throw corrupt("SHA-256 checksum mismatch: truncated or altered");
  }
  const headerLength = new DataView(bytes.buffer, bytes.byteOffset).getUint32(8, true);
  let header;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + headerLength)));
  } catch (error) {
    throw corrupt(`header is not JSON: ${(error as Error).message}`);
  }
  const dataStart = align8(12 + headerLength);
  const arrays: CheckpointState["arrays"] = {};
  for (const e of header.arrays as ArrayEntry[]) {
    const start = dataStart + e.offset;
    if (start + e.byteLength > body.length) throw corrupt(`array "${e.name}" runs past the end`);
    const data = arrayFromBytes(
      e.descr,
      bytes.subarray(start, start + e.byteLength),
      `${source} "${e.name}"`,
    );
    if (data.length !== e.shape.reduce((x, y) => x * y, 1)) {
      throw corrupt(`array "${e.name}" does not fill its shape`);
    }
    arrays[e.name] = { data, shape: e.shape };
  }
  return {
    kind: header.kind,
    step: header.step,
    fingerprint: header.fingerprint,
    counters: header.counters,
    meta: header.meta,
    arrays,
  };
}

/**
 * Saves a checkpoint atomically: the previous file at `path` stays intact until the new one is
 * complete on disk.
 *
 * @param path The file (conventionally `<run>/checkpoint.ckpt`).
 * @param state The state.
 */
export async function saveCheckpoint(path: string, state: CheckpointState): Promise<void> {
  await writeFileAtomic(path, await encodeCheckpoint(state));
}

/** What a loaded checkpoint must match. */
export interface CheckpointExpectation {
  /** The kind that must have written it. */
  kind: string;
  /** Settings that must be equal (keys missing from the checkpoint count as different). */
  fingerprint: Record<string, FingerprintValue>;
  /** Arrays that must be present, with their shapes. */
  shapes?: Record<string, number[]>;
}

/**
 * Loads, verifies and (optionally) matches a checkpoint against the run that wants to resume.
 * Nothing is written or removed: a refused checkpoint stays on disk as it was.
 *
 * @param path The file.
 * @param expect The kind, fingerprint and array shapes the resuming run needs.
 * @returns The state.
 * @throws {CheckpointError} When the file is missing or corrupt, or written by a different kind or
 *   configuration (the message lists every differing setting).
 */
export async function loadCheckpoint(path: string, expect?: CheckpointExpectation): Promise<CheckpointState> {
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(path);
  } catch (error) {
    throw new CheckpointError(`Cannot load checkpoint ${path}: ${(error as Error).message}`);
  }
  const state = await decodeCheckpoint(bytes, path);
  if (!expect) return state;
  const mismatch = (what: string) =>
    new CheckpointError(`Cannot resume from checkpoint ${path}: ${what}; nothing was changed`);
  if (state.kind !== expect.kind) {
    throw mismatch(`it was written by "${state.kind}", this run is "${expect.kind}"`);
  }
  const differences: string[] = [];
  const keys = new Set([...Object.keys(expect.fingerprint), ...Object.keys(state.fingerprint)]);
  for (const key of keys) {
    const saved = state.fingerprint[key], wanted = expect.fingerprint[key];
    if (!Object.is(saved, wanted)) {
      differences.push(
        `${key} is ${JSON.stringify(saved)} in the checkpoint, ${JSON.stringify(wanted)} here`,
      );
    }
  }
  if (differences.length) throw mismatch(`its settings differ: ${differences.join("; ")}`);
  for (const [name, shape] of Object.entries(expect.shapes ?? {})) {
    const saved = state.arrays[name];
    if (!saved) throw mismatch(`array "${name}" is missing`);
    if (saved.shape.join() !== shape.join()) {
      throw mismatch(`array "${name}" has shape [${saved.shape}], this run needs [${shape}]`);
    }
  }
  return state;
}

/** A stop request from SIGINT or SIGTERM, polled by a long run between chunks. */
export interface StopRequest {
  /** The signal received, or null. */
  readonly signal: Deno.Signal | null;
  /** Removes the listeners. */
  dispose(): void;
}

/**
 * Listens for SIGINT and SIGTERM; instead of dying mid-write, the run sees `signal` set, writes a
 * checkpoint at its next chunk boundary and exits (status 130 or 143 by convention).
 * A second signal of the same kind exits at once.
 *
 * @returns The stop request; call `dispose()` when the run ends.
 */
export function listenForStop(): StopRequest {
  const request: { signal: Deno.Signal | null; dispose(): void } = { signal: null, dispose: () => {} };
  const handlers: [Deno.Signal, () => void][] = [];
  for (const signal of ["SIGINT", "SIGTERM"] as Deno.Signal[]) {
    const handler = () => {
      if (request.signal) Deno.exit(signal === "SIGINT" ? 130 : 143);
      request.signal = signal;
      console.error(
        `received ${signal}: checkpointing at the next safe point (repeat to exit now)`,
      );
    };
    try {
      Deno.addSignalListener(signal, handler);
      handlers.push([signal, handler]);
    } catch {
      // SIGTERM listeners are not available on Windows: SIGINT alone then.
    }
  }
  request.dispose = () => {
    for (const [signal, handler] of handlers) Deno.removeSignalListener(signal, handler);
    handlers.length = 0;
  };
  return request;
}

/** Exit status for a run stopped by `signal` (128 + signal number). */
export function stopExitCode(signal: Deno.Signal): number {
  return signal === "SIGINT" ? 130 : signal === "SIGTERM" ? 143 : 1;
}
