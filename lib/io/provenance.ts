/**
 * Where a result came from: the toolkit's version (from deno.json) and the git commit.
 *
 * @module
 */
import denoJson from "../../deno.json" with { type: "json" };

/** The toolkit's version, from deno.json. */
export const TOOLKIT_VERSION: string = (denoJson as { version?: string }).version ?? "unknown";

/**
 * The git commit of the toolkit's checkout, read from `.git` without running git; null when the
 * toolkit was imported from a URL, is not a git checkout, or cannot be read (no permission).
 *
 * @returns The 40-hex-digit commit, or null.
 */
export function gitCommit(): string | null {
  try {
    const root = new URL("../../", import.meta.url);
    if (root.protocol !== "file:") return null;
    const git = new URL(".git/", root);
    const head = Deno.readTextFileSync(new URL("HEAD", git)).trim();
    if (/^[0-9a-f]{40}$/.test(head)) return head;
    const ref = /^ref: (.+)$/.exec(head)?.[1];
    if (!ref) return null;
    try {
      return Deno.readTextFileSync(new URL(ref, git)).trim();
    } catch {
      const packed = Deno.readTextFileSync(new URL("packed-refs", git));
      const line = packed.split("\n").find((l) => l.endsWith(` ${ref}`));
      return line ? line.split(" ")[0] : null;
    }
  } catch {
    return null;
  }
}
