/**
 * `deno task figures` builds a gallery in which every figure renders in a real browser.
 *
 * Runs scripts/figures.ts with tiny configs (each script's `testConfig`; scripts without one
 * except the 00_tour are left out with a notice, since their quick scale can take a minute)
 * into a temporary directory, then opens out/index.html in headless Chromium (Debian package
 * `chromium`): every <img> must have loaded with a non-zero size, and a screenshot must differ
 * from a blank page's. Skipped with a notice when chromium is missing, except with CI=true.
 */
import { assert } from "./_assert.ts";
import { figureScriptNames } from "../scripts/figures.ts";

const IN_CI = Deno.env.get("CI") === "true";

async function findChromium(): Promise<string | null> {
  for (const name of ["chromium", "chromium-browser", "google-chrome"]) {
    try {
      const { code } = await new Deno.Command(name, { args: ["--version"], stdout: "null", stderr: "null" })
        .output();
      if (code === 0) return name;
    } catch {
      // not installed under this name
    }
  }
  return null;
}

const CHROMIUM = await findChromium();
if (!CHROMIUM) {
  if (IN_CI) throw new Error("CI=true: the gallery test needs chromium (apt-get install -y chromium)");
  console.error(
    "chromium not found: the gallery test is skipped (apt-get install -y chromium; CI=true fails)",
  );
}

/** Runs headless Chromium with a fresh profile; returns stdout. */
async function chromium(args: string[]): Promise<string> {
  const profile = await Deno.makeTempDir({ prefix: "chromium-profile-" });
  try {
    const { code, stdout, stderr } = await new Deno.Command(CHROMIUM!, {
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        `--user-data-dir=${profile}`,
        ...args,
      ],
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(code, 0, `chromium failed: ${new TextDecoder().decode(stderr).slice(-2000)}`);
    return new TextDecoder().decode(stdout);
  } finally {
    await Deno.remove(profile, { recursive: true });
  }
}

Deno.test({
  name: "the figures gallery shows every figure, rendered, with caption, numbers and command",
  ignore: !CHROMIUM,
  fn: async () => {
    // Every figure script exports a tiny testConfig (enforced by tests/vega_schema_test.ts).
    const names = figureScriptNames();
    const out = await Deno.makeTempDir({ prefix: "gallery-" });
    const script = new URL("../scripts/figures.ts", import.meta.url).pathname;
    const run = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", script, "--tiny", "--only", names.join(","), "--out", out],
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(run.code, 0, new TextDecoder().decode(run.stderr));

    const html = await Deno.readTextFile(`${out}/index.html`);
    for (const name of names) {
      assert.ok(html.includes(`<img src="${name}.svg"`), `${name} is in the gallery`);
      assert.match(
        html,
        new RegExp(
          `id="${name}".*class="caption">[^<]+<.*class="numbers">[^<]+.*deno run -A scripts/${name}.ts`,
        ),
      );
      for (const ext of ["vl.json", "svg", "summary.json"]) await Deno.stat(`${out}/${name}.${ext}`);
    }

    // After load, record every image's natural size in the DOM, then dump the DOM.
    const probe =
      `<script>addEventListener("load", () => { document.body.dataset.rendered = [...document.images]
      .map((i) => i.getAttribute("src") + "=" + (i.complete ? i.naturalWidth + "x" + i.naturalHeight : "0x0")).join(" "); });</script>`;
    await Deno.writeTextFile(`${out}/check.html`, html + probe);
    const dom = await chromium(["--dump-dom", `file://${out}/check.html`]);
    const rendered = /data-rendered="([^"]*)"/.exec(dom)?.[1];
    assert.ok(rendered !== undefined, `no load result in the DOM: ${dom.slice(0, 500)}`);
    const sizes = Object.fromEntries(rendered.split(" ").map((e) => e.split("=")));
    for (const name of names) {
      const [w, h] = (sizes[`${name}.svg`] ?? "0x0").split("x").map(Number);
      assert.ok(w > 50 && h > 50, `${name}.svg rendered at ${w}x${h}`);
    }
    console.log(`rendered in Chromium: ${rendered}`);

    // A screenshot of the gallery carries far more detail than one of a blank page of the same size.
    await Deno.writeTextFile(`${out}/blank.html`, "<!doctype html><title>blank</title>");
    const size = "--window-size=1000,1400";
    await chromium(["--screenshot=" + `${out}/gallery.png`, size, `file://${out}/index.html`]);
    await chromium(["--screenshot=" + `${out}/blank.png`, size, `file://${out}/blank.html`]);
    const [gallery, blank] = [
      (await Deno.stat(`${out}/gallery.png`)).size,
      (await Deno.stat(`${out}/blank.png`)).size,
    ];
    assert.ok(gallery > 5 * blank, `screenshot ${gallery} bytes vs blank ${blank} bytes`);
    console.log(`screenshot ${gallery} bytes, blank page ${blank} bytes`);
    await Deno.remove(out, { recursive: true });
  },
});

Deno.test("the example notebook runs and its last figure cell gives a Jupyter display bundle", async () => {
  const notebook = JSON.parse(
    await Deno.readTextFile(new URL("../notebooks/figures.ipynb", import.meta.url)),
  );
  assert.equal(notebook.metadata.kernelspec.name, "deno");
  const root = new URL("../", import.meta.url).href;
  // Each code cell in order; the value of a cell's last line is kept, as the kernel would display it.
  const body = notebook.cells
    .filter((c: { cell_type: string }) => c.cell_type === "code")
    .map((c: { source: string[] }, i: number) => {
      const lines = c.source.join("").replaceAll(`from "../`, `from "${root}`).trimEnd().split("\n");
      const last = lines.pop()!;
      const statement = /^(import|export|const|let|var|function|class|\/\/)\b/.test(last.trim());
      return [
        ...lines,
        statement ? last : `const cell${i} = (${last.replace(/;\s*$/, "")});`,
        statement ? "" : `values.push(cell${i});`,
      ]
        .join("\n");
    }).join("\n");
  const module = `const values: unknown[] = [];\n${body}\n` +
    `const shown = values.filter((v) => v && typeof v === "object" && Symbol.for("Jupyter.display") in v)` +
    `.map((v) => (v as Record<symbol, () => Record<string, unknown>>)[Symbol.for("Jupyter.display")]());\n` +
    `console.log(JSON.stringify(shown.map((b) => ({ types: Object.keys(b), svg: String(b["image/svg+xml"]).slice(0, 4), ` +
    `schema: (b["application/vnd.vegalite.v6+json"] as { $schema: string }).$schema }))));\n`;
  const dir = await Deno.makeTempDir({ prefix: "notebook-" });
  await Deno.writeTextFile(`${dir}/notebook.ts`, module);
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", `${dir}/notebook.ts`],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(code, 0, new TextDecoder().decode(stderr));
  const shown = JSON.parse(new TextDecoder().decode(stdout).trim().split("\n").at(-1)!);
  assert.equal(shown.length, 1, "one figure displayed");
  assert.deepEqual(shown[0].types, ["application/vnd.vegalite.v6+json", "image/svg+xml", "text/plain"]);
  assert.equal(shown[0].svg, "<svg");
  assert.equal(shown[0].schema, "https://vega.github.io/schema/vega-lite/v6.json");
  await Deno.remove(dir, { recursive: true });
});
