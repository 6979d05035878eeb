/**
 * Command-line options for scripts, over `node:util` `parseArgs`.
 *
 * All parsing lives here so a later swap to `@std/cli` is one file. A script
 * declares its options with defaults and descriptions; `--help` lists them;
 * `--config file.json` supplies values that flags override; unknown or malformed
 * options end in a `UsageError` naming the option.
 *
 * @module
 */
import { parseArgs } from "node:util";

/** One option's declaration. */
export interface OptionSpec {
  /** The value type. */
  type: "number" | "string" | "boolean";
  /** Default value. */
  default: number | string | boolean;
  /** One line for `--help`. */
  description: string;
  /** Allowed values of a string option. */
  choices?: readonly string[];
}

/** A script's command-line interface. */
export interface CliSpec {
  /** Command shown in `--help`, e.g. `"deno run -A scripts/00_tour.ts"`. */
  usage: string;
  /** What the script does. */
  description: string;
  /** Options by long name (camelCase names are written kebab-case on the command line). */
  options: Record<string, OptionSpec>;
}

/** Thrown on bad command-line input; scripts print its message and exit with status 2. */
export class UsageError extends Error {
  /** @param message What is wrong and how to fix it. */
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** Options every script takes. */
export const COMMON_OPTIONS: Record<string, OptionSpec> = {
  seed: { type: "number", default: 0, description: "random seed (integer in [0, 2^32))" },
  backend: {
    type: "string",
    default: "auto",
    description: "webgpu, reference (float64 TypeScript) or auto (webgpu when an adapter exists)",
    choices: ["auto", "webgpu", "reference"],
  },
  out: { type: "string", default: "out", description: "output directory" },
  config: { type: "string", default: "", description: "JSON file of option values (flags override it)" },
};

const kebab = (name: string) => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** The `--help` text of a CLI. */
export function helpText(spec: CliSpec): string {
  const lines = [spec.description, "", `Usage: ${spec.usage} [options]`, "", "Options:"];
  const all = {
    ...spec.options,
    help: { type: "boolean", default: false, description: "show this help" } as OptionSpec,
  };
  for (const [name, o] of Object.entries(all)) {
    const flag = `--${kebab(name)}${o.type === "boolean" ? "" : ` <${o.type}>`}`;
    const choices = o.choices ? ` (${o.choices.join(" | ")})` : "";
    lines.push(`  ${flag.padEnd(28)} ${o.description}${choices} [default: ${JSON.stringify(o.default)}]`);
  }
  return lines.join("\n");
}

function coerce(name: string, o: OptionSpec, raw: unknown, source: string): number | string | boolean {
  const from = source ? ` ${source}` : "";
  if (o.type === "boolean") {
    if (typeof raw === "boolean") return raw;
    throw new UsageError(`Option --${kebab(name)}${from} must be true or false, got ${JSON.stringify(raw)}`);
  }
  if (o.type === "number") {
    const value = typeof raw === "number"
      ? raw
      : typeof raw === "string" && raw.trim() !== ""
      ? Number(raw)
      : NaN;
    if (!Number.isFinite(value)) {
      throw new UsageError(
        `Option --${kebab(name)}${from} must be a finite number, got ${JSON.stringify(raw)}`,
      );
    }
    return value;
  }
  if (typeof raw !== "string") {
    throw new UsageError(`Option --${kebab(name)}${from} must be a string, got ${JSON.stringify(raw)}`);
  }
  if (o.choices && !o.choices.includes(raw)) {
    throw new UsageError(
      `Option --${kebab(name)}${from} must be one of ${o.choices.join(", ")}, got "${raw}"`,
    );
  }
  return raw;
}

/**
 * Parses arguments into a config: defaults, then the `--config` file, then flags.
 *
 * @param spec The CLI.
 * @param args The arguments (`Deno.args`).
 * @returns The values by option name, or `"help"` when `--help` was given.
 * @throws {UsageError} On an unknown option, a malformed value, or an unreadable config file.
 * @example
 * ```ts
 * import { parseCli } from "./cli.ts";
 * const config = parseCli({ usage: "x", description: "demo", options: {
 *   steps: { type: "number", default: 10, description: "steps" } } }, ["--steps", "20"]);
 * if (config !== "help") console.log(config.steps); // 20
 * ```
 */
export function parseCli(spec: CliSpec, args: string[]): Record<string, number | string | boolean> | "help" {
  const options: Record<string, { type: "string" | "boolean" }> = { help: { type: "boolean" } };
  const byFlag = new Map<string, string>();
  for (const [name, o] of Object.entries(spec.options)) {
    options[kebab(name)] = { type: o.type === "boolean" ? "boolean" : "string" };
    byFlag.set(kebab(name), name);
  }
  // `--steps -5` would be refused by parseArgs as ambiguous: pass negative numbers as `--steps=-5`,
  // so that the script's own range check names the problem.
  const joined: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const name = args[i].startsWith("--") ? byFlag.get(args[i].slice(2)) : undefined;
    if (name && spec.options[name].type === "number" && /^-[\d.]/.test(args[i + 1] ?? "")) {
      joined.push(`${args[i]}=${args[++i]}`);
    } else joined.push(args[i]);
  }
  let parsed;
  try {
    parsed = parseArgs({ args: joined, options, strict: true, allowPositionals: false });
  } catch (error) {
    throw new UsageError(
      `${
        (error as Error).message.replace(/\s*To specify.*$/s, "").replace(/[.?]$/, "")
      }; run with --help for the options`,
    );
  }
  if (parsed.values.help) return "help";
  const config: Record<string, number | string | boolean> = {};
  for (const [name, o] of Object.entries(spec.options)) config[name] = o.default;
  const file = parsed.values.config as string | undefined;
  if (file) {
    let fromFile: Record<string, unknown>;
    try {
      fromFile = JSON.parse(Deno.readTextFileSync(file));
    } catch (error) {
      throw new UsageError(`Cannot read --config ${file}: ${(error as Error).message}`);
    }
    for (const [key, raw] of Object.entries(fromFile)) {
      const o = spec.options[key];
      if (!o) {
        throw new UsageError(`Unknown option "${key}" in --config ${file}; run with --help for the options`);
      }
      config[key] = coerce(key, o, raw, `in ${file}`);
    }
  }
  for (const [flag, raw] of Object.entries(parsed.values)) {
    const name = byFlag.get(flag);
    if (!name || name === "config") continue;
    config[name] = coerce(name, spec.options[name], raw, "");
  }
  return config;
}

/**
 * Runs a script's main function with CLI handling: `--help` prints and exits 0, a
 * `UsageError` prints its message and exits 2, any other error prints and exits 1.
 *
 * @param spec The CLI.
 * @param main The script body, given the parsed config.
 * @param args The arguments (default `Deno.args`; a script with a subcommand passes the rest).
 */
export async function runCli(
  spec: CliSpec,
  main: (config: Record<string, number | string | boolean>) => Promise<void>,
  args: string[] = Deno.args,
): Promise<void> {
  let config;
  try {
    config = parseCli(spec, args);
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`error: ${error.message}`);
      Deno.exit(2);
    }
    throw error;
  }
  if (config === "help") {
    console.log(helpText(spec));
    return;
  }
  try {
    await main(config);
  } catch (error) {
    console.error(`error: ${(error as Error).message}`);
    Deno.exit(error instanceof UsageError ? 2 : 1);
  }
}

/**
 * Parses a comma-separated list option such as `--dims 32,64`.
 *
 * @param option The option's name, for the message (e.g. `"dims"`).
 * @param text The option's value.
 * @param check `integer` and `min` (inclusive) constraints on every entry.
 * @returns The numbers.
 * @throws {UsageError} Naming the option and the bad entry.
 */
export function parseNumberList(
  option: string,
  text: string,
  { integer = false, min = -Infinity }: { integer?: boolean; min?: number } = {},
): number[] {
  const entries = String(text).split(",").map((s) => s.trim());
  return entries.map((entry) => {
    const value = entry === "" ? NaN : Number(entry);
    if (!Number.isFinite(value) || (integer && !Number.isInteger(value)) || value < min) {
      throw new UsageError(
        `Option --${kebab(option)} has entry "${entry}", each must be ${
          integer ? "an integer" : "a number"
        }` +
          (min > -Infinity ? ` >= ${min}` : "") + ` (a comma-separated list like 32,64)`,
      );
    }
    return value;
  });
}

/**
 * Checks that a numeric option is finite and at least `min` (and an integer when asked).
 *
 * @throws {UsageError} Naming the option.
 */
export function requireOption(
  option: string,
  value: number,
  { integer = false, min = -Infinity } = {},
): void {
  if (!Number.isFinite(value) || (integer && !Number.isInteger(value)) || value < min) {
    throw new UsageError(
      `Option --${kebab(option)} is ${value}, must be ${integer ? "an integer" : "a finite number"}` +
        (min > -Infinity ? ` >= ${min}` : ""),
    );
  }
}
