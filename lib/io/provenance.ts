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
    let git = new URL(".git/", root);
    // A linked worktree's `.git` is a file, `gitdir: <its directory in the main .git>`; its HEAD is
    // there, the refs are in the common directory (`commondir`).
    let common = git;
    if (Deno.statSync(new URL(".git", root)).isFile) {
      const gitdir = /^gitdir: (.+)$/m.exec(Deno.readTextFileSync(new URL(".git", root)))?.[1].trim();
      if (!gitdir) return null;
      git = new URL(gitdir.endsWith("/") ? gitdir : `${gitdir}/`, root);
      const commondir = Deno.readTextFileSync(new URL("commondir", git)).trim();
      common = new URL(commondir.endsWith("/") ? commondir : `${commondir}/`, git);
    }
    const head = Deno.readTextFileSync(new URL("HEAD", git)).trim();
    if (/^[0-9a-f]{40}$/.test(head)) return head;
    const ref = /^ref: (.+)$/.exec(head)?.[1];
    if (!ref) return null;
    try {
      return Deno.readTextFileSync(new URL(ref, common)).trim();
    } catch {
      const packed = Deno.readTextFileSync(new URL("packed-refs", common));
      const line = packed.split("\n").find((l) => l.endsWith(` ${ref}`));
      return line ? line.split(" ")[0] : null;
    }
  } catch {
    return null;
  }
}
