/**
 * Runs every figure script and writes a gallery: `deno task figures [--full] [--only <pattern>]`.
 *
 * A figure script is `scripts/<name>.ts` (other than this one and the `_`-prefixed
 * helpers) exporting `defaultConfig` and `run(config)` returning a `FigureResult`.
 * Each writes `out/<name>.vl.json`, `.svg` and `.summary.json`; `out/index.html`
 * shows every SVG with its caption, key numbers and the command that made it.
 * `--full` passes `{ full: true }` to scripts that have a paper-scale config.
 *
 * @module
 */
import { type FigureResult, writeFigure, writeTextAtomic } from "../lib/plot/figure.ts";
import { type CliSpec, COMMON_OPTIONS, runCli } from "../lib/cli.ts";

interface FigureModule {
  defaultConfig: Record<string, unknown>;
  fullConfig?: Record<string, unknown>;
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
  const walk = (value: unknown, path: string) => {
    if (rows.length >= 12) return;
    if (typeof value === "number") {
      rows.push(`${path} = ${Number.isInteger(value) ? value : value.toPrecision(4)}`);
    } else if (value && typeof value === "object" && !Array.isArray(value)) {
      for (const [k, v] of Object.entries(value)) if (k !== "config") walk(v, path ? `${path}.${k}` : k);
    }
  };
  walk(summary, "");
  return rows.join("<br>");
}

const CLI: CliSpec = {
  usage: "deno task figures",
  description: "Run every figure script and write out/<name>.{vl.json,svg,summary.json} and out/index.html",
  options: {
    full: { type: "boolean", default: false, description: "paper scale (for a GPU) instead of quick scale" },
    only: { type: "string", default: "", description: "run only scripts whose name contains this text" },
    backend: COMMON_OPTIONS.backend,
    out: COMMON_OPTIONS.out,
  },
};

if (import.meta.main) {
  await runCli(CLI, async (options) => {
    const dir = new URL(".", import.meta.url);
    // Figure scripts: every scripts/*.ts except this runner, `_` helpers and tools (see FIGURE_SCRIPT).
    const names = [...Deno.readDirSync(dir)]
      .map((e) => e.name)
      .filter((n) => FIGURE_SCRIPT.test(n))
      .map((n) => n.slice(0, -3))
      .filter((n) => n.includes(String(options.only)))
      .sort();
    if (names.length === 0) throw new Error(`No figure script matches --only "${options.only}"`);
    const out = String(options.out);
    const cards: string[] = [];
    let failures = 0;
    for (const name of names) {
      const module: FigureModule = await import(`./${name}.ts`);
      const base = options.full && module.fullConfig ? module.fullConfig : module.defaultConfig;
      const config = { ...base, backend: options.backend };
      const command = `deno run -A scripts/${name}.ts${options.full ? " --full" : ""}`;
      const started = performance.now();
      console.error(`figures: ${name} ...`);
      try {
        const figure = await module.run(config);
        const seconds = (performance.now() - started) / 1000;
        figure.summary = { ...figure.summary, walltimeSeconds: seconds, command };
        await writeFigure(out, name, figure);
        const title = typeof figure.spec.title === "string" ? figure.spec.title : name;
        cards.push(
          `<section><h2>${escape(name)}</h2><p>${escape(title)}</p><img src="${name}.svg" alt="${
            escape(name)
          }">` +
            `<p class="numbers">${keyNumbers(figure.summary)}</p><pre>${escape(command)}   # ${
              seconds.toFixed(1)
            } s</pre></section>`,
        );
        console.error(`figures: ${name} done in ${seconds.toFixed(1)} s`);
      } catch (error) {
        failures++;
        console.error(`figures: ${name} failed: ${(error as Error).message}`);
        cards.push(
          `<section><h2>${escape(name)}</h2><p class="error">failed: ${
            escape((error as Error).message)
          }</p></section>`,
        );
      }
    }
    const html = `<!doctype html><meta charset="utf-8"><title>Figures</title>
<style>body{font-family:sans-serif;margin:2em}section{border-top:1px solid #ccc;padding:1em 0}img{max-width:100%}
.numbers{font-family:monospace;font-size:90%}.error{color:#b00}</style>
<h1>Figures</h1>
${cards.join("\n")}
`;
    await writeTextAtomic(`${out}/index.html`, html);
    console.error(`figures: wrote ${out}/index.html (${names.length - failures} of ${names.length} figures)`);
    if (failures > 0) throw new Error(`${failures} figure script(s) failed`);
  });
}
