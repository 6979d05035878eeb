/**
 * The `main` of every figure script: parse the CLI, run, write the figure files.
 *
 * A figure script exports `defaultConfig` (quick scale: minutes on a CPU adapter),
 * optionally `fullConfig` (the paper's scale) and `testConfig` (tiny, seconds: the gallery and
 * schema tests run it, see scripts/figures.ts `--tiny`), and `run(config)`. The spec's
 * `description` (else its `title`) is the figure's caption in the gallery. Its main block is
 *
 * ```ts ignore
 * if (import.meta.main) await figureMain({ name: "teacher_student_fig1_overlap", description, options, defaultConfig, fullConfig, run });
 * ```
 *
 * which gives it `--help`, `--full`, `--quiet`, `--seed`, `--backend`, `--out`, `--config` and one flag per
 * entry of `options` (with its declared range: `integer`, `min`, `max`, `positive`, checked by the parser
 * before anything runs), checks that `--out` can be written, then runs and writes
 * `<out>/<name>.vl.json`, `.svg` and `.summary.json`.
 *
 * @module
 */
import { type CliSpec, COMMON_OPTIONS, type OptionSpec, runCli } from "../cli.ts";
import { checkOutputDir } from "../io/output_dir.ts";
import { type FigureResult, writeFigure } from "./figure.ts";
import { setProgressQuiet } from "../progress.ts";
import { figureBackend, referenceScaleSummary, scaleForBackend } from "./reference_scale.ts";

/** What {@linkcode figureMain} needs from a figure script. */
export interface FigureScript<C extends Record<string, unknown>> {
  /** File name without `.ts`; also the output files' base name. */
  name: string;
  /** One line for `--help`. */
  description: string;
  /** The script's own options (defaults are taken from `defaultConfig`, or `fullConfig` with `--full`). */
  options: Record<string, Omit<OptionSpec, "default"> & { default?: OptionSpec["default"] }>;
  /** Quick-scale configuration. */
  defaultConfig: C;
  /** Paper-scale configuration (used with `--full`). */
  fullConfig?: C;
  /** Tiny configuration for tests (seconds); not used by the command line. */
  testConfig?: C;
  /** Runs the figure. */
  run(config: C): Promise<FigureResult>;
}

/**
 * The command line of a figure script: its options with defaults from `defaultConfig`, then `--full`,
 * `--quiet` and the common options (tests check every script's ranges with it).
 *
 * @param script The script's name, options and configs.
 * @returns The CLI spec.
 */
export function figureCli<C extends Record<string, unknown>>(
  script: Pick<FigureScript<C>, "name" | "description" | "options" | "defaultConfig">,
): CliSpec {
  const options: Record<string, OptionSpec> = {};
  for (const [key, o] of Object.entries(script.options)) {
    options[key] = { ...o, default: (script.defaultConfig[key] ?? o.default) as OptionSpec["default"] };
  }
  options.full = {
    type: "boolean",
    default: false,
    description: "paper scale (fullConfig) instead of quick scale",
  };
  options.quiet = { type: "boolean", default: false, description: "no progress output on stderr" };
  const common = { ...COMMON_OPTIONS };
  if ("seed" in script.defaultConfig) {
    common.seed = { ...common.seed, default: script.defaultConfig.seed as number };
  }
  return {
    usage: `deno run -A scripts/${script.name}.ts`,
    description: script.description,
    options: { ...options, ...common },
  };
}

/**
 * Runs a figure script from the command line (see the module doc).
 *
 * Flags given explicitly (or in `--config`) win over `--full`, which wins over the defaults. `--out`
 * is checked before the figure is computed.
 *
 * @param script The script's name, options, configs and run function.
 */
export async function figureMain<C extends Record<string, unknown>>(script: FigureScript<C>): Promise<void> {
  await runCli(figureCli(script), async (parsed, given) => {
    setProgressQuiet(Boolean(parsed.quiet));
    await checkOutputDir(String(parsed.out));
    const base = parsed.full && script.fullConfig ? script.fullConfig : script.defaultConfig;
    const config: Record<string, unknown> = { ...base };
    for (const [key, value] of Object.entries(parsed)) {
      if (key === "full" || key === "quiet" || key === "out" || key === "config") continue;
      // --full supplies its own values unless a flag (or config file) set one explicitly.
      if (!parsed.full || given.has(key) || !(key in base)) config[key] = value;
    }
    // The slow figures run smaller on the float64 reference backend (lib/plot/reference_scale.ts), except
    // with --full or where a flag sets the value.
    const scale = parsed.full
      ? { config }
      : scaleForBackend(script.name, config, await figureBackend(config.backend), given);
    if (scale.reduced) {
      console.error(`${script.name}: on the reference backend with ${JSON.stringify(scale.reduced.values)}`);
    }
    const started = performance.now();
    const figure = await script.run(scale.config as C);
    figure.summary = {
      ...figure.summary,
      ...referenceScaleSummary(scale),
      walltimeSeconds: (performance.now() - started) / 1000,
    };
    const files = await writeFigure(String(parsed.out), script.name, figure);
    console.error(`wrote ${files.join(", ")}`);
    console.log(JSON.stringify(figure.summary, null, 2));
  });
}
