/**
 * Writing a figure: the Vega-Lite spec, an SVG rendered headless, and a summary.
 *
 * Every figure script produces `out/<name>.vl.json`, `out/<name>.svg` and
 * `out/<name>.summary.json` (DESIGN.md section 5). Files are written to a
 * temporary name and renamed, so an interrupted run never leaves a file that
 * looks complete. Vega is loaded lazily: importing the toolkit does not load it.
 *
 * @module
 */
import type { TopLevelSpec } from "npm:vega-lite@6";
import { writeFileAtomic } from "../io/atomic.ts";

export type { TopLevelSpec };

/** The Vega-Lite v6 schema URL every spec declares. */
export const VEGA_LITE_SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json";

/** What a figure script returns. */
export interface FigureResult {
  /** The Vega-Lite spec. */
  spec: TopLevelSpec;
  /** The numbers the figure shows (fits, plateaus, slopes), with the config that made them. */
  summary: Record<string, unknown>;
}

/**
 * Renders a Vega-Lite spec to SVG (headless; text widths are estimated).
 *
 * @param spec The spec.
 * @returns The SVG text.
 */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const [vl, vega] = await Promise.all([import("npm:vega-lite@6"), import("npm:vega@6")]);
  const compiled = vl.compile(spec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Writes a text file atomically (temporary name, then rename; see lib/io/atomic.ts). */
export async function writeTextAtomic(path: string, text: string): Promise<void> {
  await writeFileAtomic(path, text);
}

let validator: Promise<(spec: unknown) => string[]> | null = null;

/**
 * Checks a spec against the Vega-Lite v6 JSON schema (`npm:vega-lite@6/vega-lite-schema.json`,
 * compiled once per process with `npm:ajv@8`, ~1.5 s; loaded lazily).
 *
 * @param spec The spec.
 * @returns The schema violations as `"<path> <message>"` lines; empty when the spec is valid.
 */
export function validateVegaLite(spec: unknown): Promise<string[]> {
  validator ??= (async () => {
    const [{ default: schema }, { Ajv }] = await Promise.all([
      import("npm:vega-lite@6/vega-lite-schema.json", { with: { type: "json" } }),
      import("npm:ajv@8"),
    ]);
    // strict: false: the schema uses keywords ajv does not know; formats are not checked.
    const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
    const validate = ajv.compile(schema);
    return (value: unknown) =>
      validate(value)
        ? []
        : (validate.errors ?? []).map((e: { instancePath: string; message?: string }) =>
          `${e.instancePath || "/"} ${e.message}`
        );
  })();
  return validator.then((validate) => validate(spec));
}

/**
 * Writes `<outDir>/<name>.vl.json`, `.svg` and `.summary.json`.
 *
 * @param outDir The output directory (created if missing).
 * @param name The figure's name.
 * @param figure The spec and summary.
 * @returns The paths written.
 * @throws {Error} Naming the directory when it cannot be created or written.
 */
export async function writeFigure(outDir: string, name: string, figure: FigureResult): Promise<string[]> {
  try {
    await Deno.mkdir(outDir, { recursive: true });
  } catch (error) {
    throw new Error(
      `Cannot write figure "${name}": cannot create directory ${outDir} (${(error as Error).message})`,
    );
  }
  const base = `${outDir}/${name}`;
  const svg = await renderSvg(figure.spec);
  const files: [string, string][] = [
    [`${base}.vl.json`, JSON.stringify(figure.spec, null, 1)],
    [`${base}.svg`, svg],
    [`${base}.summary.json`, JSON.stringify(figure.summary, null, 2)],
  ];
  for (const [path, text] of files) await writeTextAtomic(path, text);
  return files.map(([path]) => path);
}

/** What a Jupyter kernel displays: MIME type -> content. */
export type MimeBundle = Record<string, unknown>;

/**
 * Makes a figure display inline in Deno's Jupyter kernel (`deno jupyter`): the returned object,
 * as the last expression of a cell, shows as the Vega-Lite spec (interactive where the
 * frontend renders `application/vnd.vegalite.v6+json`) with the SVG rendered here as fallback.
 * It uses the kernel's `Symbol.for("Jupyter.display")` protocol (`Deno.jupyter.$display`), so it
 * also runs outside a kernel.
 *
 * @param spec The spec.
 * @returns An object the kernel displays.
 * @example
 * ```ts ignore
 * // in a notebook cell
 * await figureDisplay(figure.spec)
 * ```
 */
export async function figureDisplay(spec: TopLevelSpec): Promise<{ [key: symbol]: () => MimeBundle }> {
  const bundle: MimeBundle = {
    "application/vnd.vegalite.v6+json": spec,
    "image/svg+xml": await renderSvg(spec),
    "text/plain": `Vega-Lite figure: ${typeof spec.title === "string" ? spec.title : "untitled"}`,
  };
  return { [Symbol.for("Jupyter.display")]: () => bundle };
}
