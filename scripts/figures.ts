/**
 * Runs every figure script and writes a gallery: `deno task figures [--full] [--only <patterns>]`.
 *
 * A figure script is `scripts/<name>.ts` matching {@linkcode FIGURE_SCRIPT}, exporting
 * `defaultConfig` and `run(config)` returning a `FigureResult`, optionally `fullConfig`
 * (paper scale, used with `--full`) and `testConfig` (tiny, seconds: used with `--tiny` by
 * the gallery and schema tests). Each figure's spec is checked against the Vega-Lite v6
 * schema, then `out/<name>.vl.json`, `.svg` and `.summary.json` are written; `out/index.html`
 * shows every SVG with its caption (the spec's `description`, else its `title`), its key
 * numbers and the command that made it. A figure that fails is shown as failed and makes
 * the command exit non-zero after the others ran. With `--only`, the gallery keeps the figures
 * that are not rerun, read back from their files in `out/` (marked as from an earlier run).
 * `--out` is checked before anything runs; `--seed` (given explicitly) replaces the seed of every
 * figure that has one, and `--config` reads these options from a JSON file.
 *
 * @module
 */
import { type FigureResult, validateVegaLite, writeFigure, writeTextAtomic } from "../lib/plot/figure.ts";
import { type CliSpec, COMMON_OPTIONS, runCli, UsageError } from "../lib/cli.ts";
import { checkOutputDir } from "../lib/io/output_dir.ts";
import { gitCommit, TOOLKIT_VERSION } from "../lib/io/provenance.ts";
import { setProgressQuiet } from "../lib/progress.ts";
import { figureBackend, referenceScaleSummary, scaleForBackend } from "../lib/plot/reference_scale.ts";

interface FigureModule {
  defaultConfig: Record<string, unknown>;
  fullConfig?: Record<string, unknown>;
  testConfig?: Record<string, unknown>;
  run(config: Record<string, unknown>): Promise<FigureResult>;
}

/**
 * File names of figure scripts: `00_tour.ts`, or `<line>_fig<N>_<what>.ts` (DESIGN.md section 5),
 * e.g. `teacher_student_fig1_overlap.ts`. Each exports `defaultConfig`, optionally `fullConfig`,
 * and `run(config)`.
 */
export const FIGURE_SCRIPT = /^(00_tour|[a-z0-9_]+_fig\d+[a-z0-9_]*)\.ts$/;

const escape = (s: string) =>
  s.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]!);

function keyNumbers(summary: Record<string, unknown>): string {
  const rows: string[] = [];
  // Array entries are labelled by their short string/integer fields, e.g. panels[online,d=32].
  const label = (item: unknown, index: number): string => {
    if (!item || typeof item !== "object" || Array.isArray(item)) return String(index);
    const tags = Object.entries(item)
      .filter(([, v]) => (typeof v === "string" && v.length <= 16) || Number.isInteger(v))
      .slice(0, 2)
      .map(([k, v]) => typeof v === "string" ? v : `${k}=${v}`);
    return tags.length ? tags.join(",") : String(index);
  };
  const walk = (value: unknown, path: string) => {
    if (rows.length >= 16) return;
    if (typeof value === "number") {
      rows.push(`${path} = ${Number.isInteger(value) ? value : value.toPrecision(4)}`);
    } else if (Array.isArray(value)) {
      if (value.length <= 12) value.forEach((item, i) => walk(item, `${path}[${label(item, i)}]`));
    } else if (value && typeof value === "object") {
      for (const [k, v] of Object.entries(value)) if (k !== "config") walk(v, path ? `${path}.${k}` : k);
    }
  };
  walk(summary, "");
  return rows.join("<br>");
}

/**
 * The names (without `.ts`) of the figure scripts in `scripts/`, sorted.
 *
 * @returns Names matching {@linkcode FIGURE_SCRIPT}.
 */
export function figureScriptNames(): string[] {
  return [...Deno.readDirSync(new URL(".", import.meta.url))]
    .map((e) => e.name)
    .filter((n) => FIGURE_SCRIPT.test(n))
    .map((n) => n.slice(0, -3))
    .sort();
}

/** The caption of a figure: the spec's `description`, else its title, else the script's name. */
function caption(figure: FigureResult, name: string): string {
  const spec = figure.spec as { description?: unknown; title?: unknown };
  if (typeof spec.description === "string" && spec.description) return spec.description;
  const title = spec.title as string | { text?: string | string[] } | undefined;
  if (typeof title === "string") return title;
  if (title && title.text) return ([] as string[]).concat(title.text).join(" ");
  return name;
}

/** A gallery card rebuilt from a figure's files on disk (`--only` reruns others), or null when absent. */
async function cardFromDisk(out: string, name: string): Promise<string | null> {
  try {
    const spec = JSON.parse(await Deno.readTextFile(`${out}/${name}.vl.json`));
    const summary = JSON.parse(await Deno.readTextFile(`${out}/${name}.summary.json`));
    await Deno.stat(`${out}/${name}.svg`);
    const command = typeof summary.command === "string" ? summary.command : `deno run -A scripts/${name}.ts`;
    const seconds = typeof summary.walltimeSeconds === "number"
      ? `   # ${summary.walltimeSeconds.toFixed(1)} s`
      : "";
    return card(
      name,
      caption({ spec, summary }, name),
      keyNumbers(summary),
      `${command}${seconds}`,
      "earlier run",
    );
  } catch {
    return null;
  }
}

function card(name: string, text: string, numbers: string, command: string, note = ""): string {
  return `<section id="${escape(name)}"><h2>${escape(name)}${
    note ? ` <small>(${escape(note)})</small>` : ""
  }</h2><p class="caption">${escape(text)}</p><img src="${name}.svg" alt="${escape(name)}">` +
    `<p class="numbers">${numbers}</p><pre>${escape(command)}</pre></section>`;
}

/** The command line of `deno task figures`. */
export const CLI: CliSpec = {
  usage: "deno task figures",
  description: "Run every figure script and write out/<name>.{vl.json,svg,summary.json} and out/index.html",
  options: {
    full: { type: "boolean", default: false, description: "paper scale (for a GPU) instead of quick scale" },
    only: {
      type: "string",
      default: "",
      description: "run only scripts whose name contains one of these comma-separated texts",
    },
    tiny: {
      type: "boolean",
      default: false,
      description: "tiny configs (each script's testConfig, else defaultConfig): for tests",
    },
    quiet: { type: "boolean", default: false, description: "no progress output from the figure scripts" },
    seed: {
      ...COMMON_OPTIONS.seed,
      default: -1,
      min: -1,
      description: "seed of every figure that has one (-1: each figure's own default)",
    },
    backend: COMMON_OPTIONS.backend,
    out: COMMON_OPTIONS.out,
    config: COMMON_OPTIONS.config,
  },
};

if (import.meta.main) {
  await runCli(CLI, async (options) => {
    setProgressQuiet(Boolean(options.quiet));
    const all = figureScriptNames();
    const names = all
      .filter((n) => String(options.only).split(",").some((pattern) => n.includes(pattern.trim())));
    if (names.length === 0) {
      throw new UsageError(
        `No figure script matches --only "${options.only}"; the scripts are ${all.join(", ")}`,
      );
    }
    const out = String(options.out);
    await checkOutputDir(out);
    const cards = new Map<string, string>();
    let failures = 0;
    // On the float64 reference backend (no adapter, or --backend reference) the slow figures run at the
    // smaller scale lib/plot/reference_scale.ts lists; --full and --tiny are run as asked.
    const backend = await figureBackend(options.backend);
    const scaled = !options.full && !options.tiny && backend === "reference";
    if (scaled) console.error("figures: on the reference backend the slowest figures run with fewer seeds");
    for (const name of names) {
      let module: FigureModule;
      try {
        module = await import(`./${name}.ts`);
      } catch (error) {
        // A script that fails to load must not stop the others or lose the gallery.
        failures++;
        console.error(`figures: ${name} failed to load: ${(error as Error).message}`);
        cards.set(
          name,
          `<section><h2>${escape(name)}</h2><p class="error">failed to load: ${
            escape((error as Error).message)
          }</p></section>`,
        );
        continue;
      }
      const base = options.full && module.fullConfig
        ? module.fullConfig
        : options.tiny && module.testConfig
        ? module.testConfig
        : module.defaultConfig;
      const given: Record<string, unknown> = { ...base, backend: options.backend };
      if (Number(options.seed) >= 0 && "seed" in base) given.seed = options.seed;
      const scale = scaled ? scaleForBackend(name, given, backend) : { config: given };
      const config = scale.config;
      const command = `deno run -A scripts/${name}.ts${options.full ? " --full" : ""}` +
        (config.seed === options.seed ? ` --seed ${options.seed}` : "") +
        (options.tiny && module.testConfig ? " (testConfig)" : "");
      const started = performance.now();
      console.error(`figures: ${name} ...`);
      try {
        const figure = await module.run(config);
        const seconds = (performance.now() - started) / 1000;
        figure.summary = {
          ...figure.summary,
          ...referenceScaleSummary(scale),
          walltimeSeconds: seconds,
          command,
        };
        const violations = await validateVegaLite(figure.spec);
        if (violations.length > 0) {
          throw new Error(`its spec fails the Vega-Lite v6 schema: ${violations.slice(0, 5).join("; ")}`);
        }
        await writeFigure(out, name, figure);
        cards.set(
          name,
          card(
            name,
            caption(figure, name),
            keyNumbers(figure.summary),
            `${command}   # ${seconds.toFixed(1)} s`,
          ),
        );
        console.error(`figures: ${name} done in ${seconds.toFixed(1)} s`);
      } catch (error) {
        failures++;
        console.error(`figures: ${name} failed: ${(error as Error).message}`);
        cards.set(
          name,
          `<section><h2>${escape(name)}</h2><p class="error">failed: ${
            escape((error as Error).message)
          }</p></section>`,
        );
      }
    }
    // Figures not rerun this time keep their card, rebuilt from their files (merge with what is on disk).
    let kept = 0;
    for (const name of all) {
      if (cards.has(name)) continue;
      const earlier = await cardFromDisk(out, name);
      if (earlier) {
        cards.set(name, earlier);
        kept++;
      }
    }
    const commit = gitCommit();
    const html = `<!doctype html><meta charset="utf-8"><title>Figures</title>
<style>body{font-family:sans-serif;margin:2em}section{border-top:1px solid #ccc;padding:1em 0}img{max-width:100%}
.numbers{font-family:monospace;font-size:90%}.error{color:#b00}</style>
<h1>Figures</h1>
<p>Made by <code>deno task figures${options.full ? " --full" : ""}</code> on ${
      escape(new Date().toISOString())
    }, toolkit ${escape(TOOLKIT_VERSION)}${commit ? `, commit <code>${commit.slice(0, 12)}</code>` : ""}.</p>
${all.filter((n) => cards.has(n)).map((n) => cards.get(n)).join("\n")}
`;
    await writeTextAtomic(`${out}/index.html`, html);
    console.error(
      `figures: wrote ${out}/index.html (${names.length - failures} of ${names.length} figures run` +
        `${kept ? `, ${kept} kept from an earlier run` : ""})`,
    );
    if (failures > 0) throw new Error(`${failures} figure script(s) failed`);
  });
}
