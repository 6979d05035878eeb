/**
 * Reading environment variables without demanding a permission.
 *
 * Library code runs in programs started with few permissions (for example a
 * `deno run --allow-import=...` that imports `mod.ts` from a URL). Reading an
 * optional setting such as `KERNEL_DEBUG` must not throw there: it simply reads
 * as unset.
 *
 * @module
 */

/**
 * Returns the value of an environment variable, or `undefined` when it is unset
 * or when the program has no permission to read it.
 *
 * @param name The variable's name, e.g. `"KERNEL_DEBUG"`.
 * @returns Its value, or `undefined`.
 * @example
 * ```ts
 * import { readEnv } from "./env.ts";
 * const debug = readEnv("KERNEL_DEBUG") === "1";
 * ```
 */
export function readEnv(name: string): string | undefined {
  try {
    const status = Deno.permissions.querySync({ name: "env", variable: name });
    if (status.state !== "granted") return undefined;
    return Deno.env.get(name);
  } catch {
    return undefined;
  }
}
