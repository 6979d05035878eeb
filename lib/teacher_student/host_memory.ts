/**
 * Host memory of a teacher-student run (lib/teacher_student/trainer.ts): what one batch of walkers and the
 * kept results cost, the default batch size that bounds it, and allocations that fail with a message naming
 * the size and the fix instead of V8's bare "Array buffer allocation failed".
 *
 * @module
 */

/** Host bytes one batch of walkers may use by default (its float64 and float32 weight copies): 2 GiB. */
export const HOST_BATCH_BYTES = 2 ** 31;

/** What to do when a run does not fit, for messages. */
export const MEMORY_FIX =
  "run fewer walkers, keep fewer save times, set finalWeights: false to keep only the observables, " +
  "or lower walkersPerBatch (--walker-batch)";

/**
 * Host (and, on a CPU adapter, device) bytes one walker of a batch costs while it runs: its initial float64
 * row, the float32 rows uploaded and read back, the float64 final row, the GPU weight and sample-scratch rows.
 *
 * @param d Dimension.
 * @returns Bytes per walker (48 d).
 */
export function batchBytesPerWalker(d: number): number {
  return 48 * d;
}

/**
 * The default number of walkers per batch: as many as fit in {@linkcode HOST_BATCH_BYTES}.
 *
 * @param d Dimension.
 * @returns At least 1.
 */
export function defaultWalkersPerBatch(d: number): number {
  return Math.max(1, Math.floor(HOST_BATCH_BYTES / batchBytesPerWalker(d)));
}

/** Bytes as text: `"8.00 GB"`, `"512 B"`. */
export function formatBytes(bytes: number): string {
  if (bytes < 1e3) return `${bytes} B`;
  const units = ["kB", "MB", "GB", "TB", "PB"];
  let i = -1, v = bytes;
  while (v >= 1e3 && i < units.length - 1) {
    v /= 1e3;
    i++;
  }
  return `${v.toFixed(2)} ${units[i]}`;
}

/** One part of a run's host memory, for {@linkcode checkHostMemory}. */
export interface MemoryPart {
  /** What it holds, e.g. `"final weights [walkers, d] float64"`. */
  what: string;
  bytes: number;
}

/** The host's available memory in bytes, or undefined when the process may not ask (no --allow-sys). */
function availableMemory(): number | undefined {
  try {
    return Deno.systemMemoryInfo().available;
  } catch {
    return undefined;
  }
}

/**
 * Throws before a run starts when the memory it will hold at once is more than the host has available.
 *
 * @param action What runs, e.g. `"run teacher-student SGD with 20000000 walkers at d = 1000"`.
 * @param parts What the run holds at once.
 * @param available Available bytes (default: `Deno.systemMemoryInfo().available`; no check without it).
 * @throws {RangeError} Naming each part's size, the total, the available memory and {@linkcode MEMORY_FIX}.
 */
export function checkHostMemory(action: string, parts: MemoryPart[], available = availableMemory()): void {
  const total = parts.reduce((n, p) => n + p.bytes, 0);
  if (available === undefined || total <= available) return;
  const list = parts.filter((p) => p.bytes > 0).map((p) => `${p.what} ${formatBytes(p.bytes)}`).join(", ");
  throw new RangeError(
    `Cannot ${action}: it needs ${formatBytes(total)} of host memory (${list}), ` +
      `more than the ${formatBytes(available)} available; ${MEMORY_FIX}`,
  );
}

/**
 * A zeroed Float64Array whose allocation failure says what it was for, its size and the fix.
 *
 * @param length Values.
 * @param what What it holds, e.g. `"overlaps [times, walkers]"`.
 * @returns The array.
 * @throws {RangeError} When the engine cannot allocate it.
 */
export function allocateFloat64(length: number, what: string): Float64Array {
  try {
    return new Float64Array(length);
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    throw new RangeError(
      `Cannot allocate ${what}: ${length} float64 values (${formatBytes(length * 8)}) do not fit in host ` +
        `memory; ${MEMORY_FIX}`,
      { cause: error },
    );
  }
}
