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
import { exitCodeOf, UsageError } from "./exit_codes.ts";

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
  /** A number option must be an integer. */
  integer?: boolean;
  /** Smallest allowed value of a number option (inclusive). */
  min?: number;
  /** Largest allowed value of a number option (inclusive). */
  max?: number;
  /** A number option must be > 0 (a learning rate, a scale). */
  positive?: boolean;
  /** A string option must not be empty (a path that is required). */
  nonEmpty?: boolean;
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

export { DataError, EXIT_CODES, exitCodeOf, RunFailedError, UsageError } from "./exit_codes.ts";

/** Options every script takes. */
export const COMMON_OPTIONS: Record<string, OptionSpec> = {
  seed: {
    type: "number",
    default: 0,
    description: "random seed",
    integer: true,
    min: 0,
    max: 2 ** 32 - 1,
  },
  backend: {
    type: "string",
    default: "auto",
    description: "webgpu, reference (float64 TypeScript) or auto (webgpu when an adapter exists)",
    choices: ["auto", "webgpu", "reference"],
  },
  out: { type: "string", default: "out", description: "output directory", nonEmpty: true },
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
    const range = o.type === "number" ? rangeText(o) : "";
    const choices = o.choices ? ` (${o.choices.join(" | ")})` : range ? ` (${range})` : "";
    lines.push(`  ${flag.padEnd(28)} ${o.description}${choices} [default: ${JSON.stringify(o.default)}]`);
  }
  return lines.join("\n");
}

/**
 * The allowed range of a number option in words, e.g. `"an integer >= 1"`, `"a number > 0"`,
 * `"an integer in [0, 4294967295]"`; `""` when any finite number is allowed.
 */
export function rangeText(o: Pick<OptionSpec, "integer" | "min" | "max" | "positive">): string {
  const kind = o.integer ? "an integer" : "a number";
  const low = o.positive ? (o.min !== undefined && o.min > 0 ? o.min : undefined) : o.min;
  if (o.positive && low === undefined) {
    return o.max !== undefined ? `${kind} in (0, ${o.max}]` : `${kind} > 0`;
  }
  if (low !== undefined && o.max !== undefined) return `${kind} in [${low}, ${o.max}]`;
  if (low !== undefined) return `${kind} >= ${low}`;
  if (o.max !== undefined) return `${kind} <= ${o.max}`;
  return o.integer ? kind : "";
}

function inRange(o: Pick<OptionSpec, "integer" | "min" | "max" | "positive">, v: number): boolean {
  return Number.isFinite(v) && (!o.integer || Number.isInteger(v)) && (o.min === undefined || v >= o.min) &&
    (o.max === undefined || v <= o.max) && (!o.positive || v > 0);
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
    const range = rangeText(o);
    if (!Number.isFinite(value)) {
      throw new UsageError(
        `Option --${kebab(name)}${from} must be ${range || "a finite number"}, got ${JSON.stringify(raw)}`,
      );
    }
    if (!inRange(o, value)) {
      throw new UsageError(`Option --${kebab(name)}${from} is ${value}, must be ${range}`);
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
  if (o.nonEmpty && raw.trim() === "") {
    throw new UsageError(`Option --${kebab(name)}${from} is empty; give a path (${o.description})`);
  }
  return raw;
}

/** What {@linkcode parseCliWithSources} found: the values and which options the user gave. */
export interface ParsedCli {
  /** The values by option name (defaults, then the `--config` file, then flags). */
  config: Record<string, number | string | boolean>;
  /** Names of the options given by a flag or in the `--config` file (not defaulted). */
  given: Set<string>;
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
  const parsed = parseCliWithSources(spec, args);
  return parsed === "help" ? "help" : parsed.config;
}

/**
 * Like {@linkcode parseCli}, and also says which options were given (by a flag or in `--config`):
 * what `--resume` refuses, and what `--full` must not override.
 *
 * @param spec The CLI.
 * @param args The arguments.
 * @returns The values and the given names, or `"help"`.
 * @throws {UsageError} As {@linkcode parseCli}.
 */
export function parseCliWithSources(spec: CliSpec, args: string[]): ParsedCli | "help" {
  const options: Record<string, { type: "string" | "boolean" }> = { help: { type: "boolean" } };
  const byFlag = new Map<string, string>();
  for (const [name, o] of Object.entries(spec.options)) {
    options[kebab(name)] = { type: o.type === "boolean" ? "boolean" : "string" };
    byFlag.set(kebab(name), name);
  }
  // `--steps -5` would be refused by parseArgs as ambiguous: pass negative numbers as `--steps=-5`,
  // so that the range check names the problem.
  const joined: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const name = args[i].startsWith("--") ? byFlag.get(args[i].slice(2)) : undefined;
    if (name && spec.options[name].type !== "boolean" && /^-[\d.I]|^-$/.test(args[i + 1] ?? "")) {
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
  const given = new Set<string>();
  for (const [name, o] of Object.entries(spec.options)) config[name] = o.default;
  const file = parsed.values.config as string | undefined;
  if (file) {
    let fromFile: unknown;
    try {
      fromFile = JSON.parse(Deno.readTextFileSync(file));
    } catch (error) {
      throw new UsageError(`Cannot read --config ${file}: ${(error as Error).message}`);
    }
    if (fromFile === null || typeof fromFile !== "object" || Array.isArray(fromFile)) {
      const what = fromFile === null ? "null" : Array.isArray(fromFile) ? "an array" : `a ${typeof fromFile}`;
      throw new UsageError(
        `Cannot use --config ${file}: it holds ${what}, must be a JSON object of option values ` +
          `such as {"seed": 1}`,
      );
    }
    for (const [key, raw] of Object.entries(fromFile)) {
      const o = spec.options[key];
      if (!o || key === "config") {
        throw new UsageError(`Unknown option "${key}" in --config ${file}; run with --help for the options`);
      }
      config[key] = coerce(key, o, raw, `in ${file}`);
      given.add(key);
    }
  }
  for (const [flag, raw] of Object.entries(parsed.values)) {
    const name = byFlag.get(flag);
    if (!name || name === "config") continue;
    config[name] = coerce(name, spec.options[name], raw, "");
    given.add(name);
  }
  return { config, given };
}

/**
 * Runs a script's main function with CLI handling: `--help` prints and exits 0; an error prints one
 * line, `error: <message>`, and exits with {@linkcode exitCodeOf} (2 for a usage error, see
 * {@linkcode EXIT_CODES}).
 *
 * @param spec The CLI.
 * @param main The script body, given the parsed config and the names of the options given explicitly.
 * @param args The arguments (default `Deno.args`; a script with a subcommand passes the rest).
 */
export async function runCli(
  spec: CliSpec,
  main: (config: Record<string, number | string | boolean>, given: Set<string>) => Promise<void>,
  args: string[] = Deno.args,
): Promise<void> {
  let parsed;
  try {
    parsed = parseCliWithSources(spec, args);
  } catch (error) {
    fail(error);
  }
  if (parsed === "help") {
    console.log(helpText(spec));
    return;
  }
  try {
    await main(parsed.config, parsed.given);
  } catch (error) {
    fail(error);
  }
}

function fail(error: unknown): never {
  const message = error instanceof Error ? error.message : String(error);
  console.error(`error: ${message}`);
  Deno.exit(exitCodeOf(error));
}

/**
 * Parses a comma-separated list option such as `--dims 32,64`.
 *
 * @param option The option's name, for the message (e.g. `"dims"`).
 * @param text The option's value.
 * @param range `integer`, `min`, `max` (inclusive) and `positive` constraints on every entry
 *   (`min: Number.MIN_VALUE` means `positive`).
 * @returns The numbers.
 * @throws {UsageError} Naming the option and the bad entry.
 */
export function parseNumberList(
  option: string,
  text: string,
  range: { integer?: boolean; min?: number; max?: number; positive?: boolean } = {},
): number[] {
  const o = range.min === Number.MIN_VALUE ? { ...range, min: undefined, positive: true } : range;
  const entries = String(text).split(",").map((s) => s.trim());
  return entries.map((entry) => {
    const value = entry === "" ? NaN : Number(entry);
    if (!inRange(o, value)) {
      throw new UsageError(
        `Option --${kebab(option)} has entry "${entry}", each must be ${
          rangeText(o) || "a finite number"
        } (a comma-separated list like 32,64)`,
      );
    }
    return value;
  });
}

/**
 * Checks that a numeric option is finite and in range (for values checked in `run(config)`, where
 * the parser's declared ranges do not reach).
 *
 * @param option The option's name (e.g. `"learningRate"`).
 * @param value Its value.
 * @param range `integer`, `min`, `max` (inclusive), `positive` (> 0; `min: Number.MIN_VALUE` means the same).
 * @throws {UsageError} Naming the option and its range in words.
 */
export function requireOption(
  option: string,
  value: number,
  range: { integer?: boolean; min?: number; max?: number; positive?: boolean } = {},
): void {
  const o = range.min === Number.MIN_VALUE ? { ...range, min: undefined, positive: true } : range;
  if (!inRange(o, value)) {
    throw new UsageError(
      `Option --${kebab(option)} is ${value}, must be ${rangeText(o) || "a finite number"}`,
    );
  }
}
