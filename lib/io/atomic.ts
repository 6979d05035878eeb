/**
 * Atomic file writes: write to a temporary name in the same directory, then rename.
 *
 * A rename within one directory replaces the target in one step (POSIX), so a reader
 * (or a run interrupted half-way through a write) sees either the old file or the
 * complete new one, never a truncated file. The temporary file is removed when the
 * write fails.
 *
 * @module
 */

let counter = 0;

function temporaryName(path: string): string {
  counter += 1;
  return `${path}.tmp-${Deno.pid}-${counter}`;
}

/**
 * Writes bytes or text to `path` atomically.
 *
 * @param path The target file (its directory must exist).
 * @param data The contents.
 * @throws {Error} Naming the path when the directory cannot be written.
 * @example
 * ```ts
 * import { writeFileAtomic } from "./atomic.ts";
 * const dir = await Deno.makeTempDir();
 * await writeFileAtomic(`${dir}/a.txt`, "hello");
 * console.log(await Deno.readTextFile(`${dir}/a.txt`)); // hello
 * ```
 */
export async function writeFileAtomic(path: string, data: Uint8Array | string): Promise<void> {
  const temporary = temporaryName(path);
  const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
  try {
    const file = await Deno.open(temporary, { write: true, create: true, truncate: true });
    try {
      let written = 0;
      while (written < bytes.length) written += await file.write(bytes.subarray(written));
      // Data must be on disk before the rename makes it visible under the real name.
      await file.syncData();
    } finally {
      file.close();
    }
    await Deno.rename(temporary, path);
  } catch (error) {
    await Deno.remove(temporary).catch(() => {});
    throw new Error(`Cannot write ${path}: ${(error as Error).message}`, { cause: error });
  }
}

/**
 * Writes a value as pretty-printed JSON to `path` atomically.
 *
 * @param path The target file.
 * @param value Any JSON-serialisable value.
 */
export async function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  await writeFileAtomic(path, JSON.stringify(value, null, 2) + "\n");
}
