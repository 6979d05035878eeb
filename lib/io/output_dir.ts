/**
 * Checking an output directory before any work: a script that would compute for minutes (or hours
 * with `--full`) and then fail to write its results checks `--out` first.
 *
 * @module
 */
import { UsageError } from "../exit_codes.ts";

function parentOf(path: string): string {
  const trimmed = path.replace(/\/+$/, "");
  const at = trimmed.lastIndexOf("/");
  return at > 0 ? trimmed.slice(0, at) : at === 0 ? "/" : ".";
}

/**
 * Checks that files can be written under `path` without creating anything: `path` (or, when it does
 * not exist yet, its nearest existing ancestor) must be a directory that accepts a new file (probed
 * with a temporary file, removed at once).
 *
 * @param path The output directory.
 * @param option The option that named it, for the message (default `"--out"`).
 * @throws {UsageError} When the path is empty, runs into a file, or is not writable.
 */
export async function checkOutputDir(path: string, option = "--out"): Promise<void> {
  if (typeof path !== "string" || path.trim() === "") {
    throw new UsageError(`Option ${option} is empty; give a directory`);
  }
  let existing = path;
  let info: Deno.FileInfo | null = null;
  for (;;) {
    info = await Deno.stat(existing).catch(() => null);
    if (info) break;
    const up = parentOf(existing);
    if (up === existing) break;
    existing = up;
  }
  if (!info || !info.isDirectory) {
    throw new UsageError(
      `Cannot write to ${option} ${path}: ${existing} is ${info ? "a file, not a directory" : "missing"}; ` +
        `choose another ${option}`,
    );
  }
  try {
    const probe = await Deno.makeTempFile({ dir: existing, prefix: ".write-check-" });
    await Deno.remove(probe);
  } catch (error) {
    throw new UsageError(
      `Cannot write to ${option} ${path}: ${existing} is not writable (${(error as Error).message}); ` +
        `choose another ${option}`,
    );
  }
}
