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

/** Writes a text file atomically (temporary name, then rename). */
export async function writeTextAtomic(path: string, text: string): Promise<void> {
  const temporary = `${path}.tmp-${Deno.pid}`;
  await Deno.writeTextFile(temporary, text);
  await Deno.rename(temporary, path);
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
