/**
 * Runs a benchmark: `deno task bench <name> [--json] [--quick] [--key=value ...]`.
 *
 * `<name>` is a file `bench/<name>.ts` exporting `description` and `run`
 * (bench/_harness.ts). Rows print as a table, or with `--json` as one JSON object
 * per line on stdout (progress and notes go to stderr).
 *
 * @module
 */
import type { BenchModule, BenchRow } from "./_harness.ts";

function available(): string[] {
  const here = new URL(".", import.meta.url);
  return [...Deno.readDirSync(here)]
    .map((e) => e.name)
    .filter((n) => n.endsWith(".ts") && !n.startsWith("_") && n !== "main.ts")
    .map((n) => n.slice(0, -3))
    .sort();
}

function format(value: unknown): string {
  if (typeof value !== "number") return String(value);
  if (Number.isInteger(value)) return String(value);
  return Math.abs(value) >= 100 ? value.toFixed(1) : value.toPrecision(3);
}

async function main(): Promise<number> {
  const [name, ...rest] = Deno.args;
  const names = available();
  if (!name || name === "--help" || name === "-h") {
    console.log(
      `Usage: deno task bench <name> [--json] [--quick] [--key=value ...]\nBenchmarks: ${names.join(", ")}`,
    );
    return name ? 0 : 2;
  }
  if (!names.includes(name)) {
    console.error(`error: unknown benchmark "${name}"; available: ${names.join(", ")}`);
    return 2;
  }
  const args: Record<string, string | boolean> = {};
  for (const a of rest) {
    const m = /^--([^=]+)(?:=(.*))?$/.exec(a);
    if (!m) {
      console.error(`error: unexpected argument "${a}"; options look like --json, --quick or --key=value`);
      return 2;
    }
    args[m[1]] = m[2] ?? true;
  }
  const json = args.json === true;
  const module: BenchModule = await import(`./${name}.ts`);
  if (!json) console.log(`# ${name}: ${module.description}`);
  const rows: BenchRow[] = [];
  for await (const row of module.run({ quick: args.quick === true, args })) {
    rows.push(row);
    if (json) console.log(JSON.stringify(row));
    else {
      const params = Object.entries(row)
        .filter(([k]) => !["bench", "variant", "value", "unit", "baseline", "ratio"].includes(k))
        .map(([k, v]) => `${k}=${format(v)}`).join(" ");
      const ratio = row.ratio !== undefined ? `  ${format(row.ratio)}x vs ${row.baseline}` : "";
      console.log(
        `${row.variant.padEnd(22)} ${format(row.value).padStart(10)} ${
          row.unit.padEnd(14)
        } ${params}${ratio}`,
      );
    }
  }
  return 0;
}

Deno.exit(await main());
