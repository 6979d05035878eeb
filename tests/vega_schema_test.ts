/**
 * Every figure script's spec validates against the Vega-Lite v6 JSON schema.
 *
 * Each figure script runs with a tiny config: its exported `testConfig`, or one listed in
 * TINY below. A script with neither is checked through the spec `deno task figures` wrote
 * (out/<name>.vl.json) when present, else reported as unchecked.
 */
import { assert } from "./_assert.ts";
import { type FigureResult, validateVegaLite, VEGA_LITE_SCHEMA } from "../lib/plot/figure.ts";
import { figureScriptNames } from "../scripts/figures.ts";

/** Tiny configs for figure scripts that do not export `testConfig`. */
const TINY: Record<string, Record<string, unknown>> = {
  "00_tour": {
    samples: 64,
    dimension: 8,
    walkers: 4,
    steps: 40,
    learningRate: 0.5,
    seed: 1,
    backend: "auto",
  },
};

interface FigureModule {
  defaultConfig: Record<string, unknown>;
  testConfig?: Record<string, unknown>;
  run(config: Record<string, unknown>): Promise<FigureResult>;
}

Deno.test("the validator rejects a broken spec and accepts a minimal one", async () => {
  const ok = {
    $schema: VEGA_LITE_SCHEMA,
    data: { values: [{ x: 1 }] },
    mark: "point",
    encoding: { x: { field: "x", type: "quantitative" } },
  };
  assert.deepEqual(await validateVegaLite(ok), []);
  const bad = { ...ok, mark: "pointz", encoding: { x: { field: "x", type: "numeric" } } };
  const violations = await validateVegaLite(bad);
  assert.ok(violations.some((v) => v.startsWith("/mark")), violations.join("\n"));
  assert.ok(violations.some((v) => v.startsWith("/encoding/x")), violations.join("\n"));
});

for (const name of figureScriptNames()) {
  Deno.test(`figure script ${name}: its spec validates against the Vega-Lite v6 schema`, async () => {
    const module: FigureModule = await import(`../scripts/${name}.ts`);
    const config = module.testConfig ?? TINY[name];
    let spec: unknown;
    if (config) {
      spec = (await module.run({ ...module.defaultConfig, ...config })).spec;
    } else {
      const written = new URL(`../out/${name}.vl.json`, import.meta.url);
      const text = await Deno.readTextFile(written).catch(() => null);
      if (text === null) {
        console.error(`${name}: no testConfig export and no out/${name}.vl.json: spec not checked`);
        return;
      }
      spec = JSON.parse(text);
    }
    assert.equal((spec as { $schema?: string }).$schema, VEGA_LITE_SCHEMA);
    const violations = await validateVegaLite(spec);
    assert.deepEqual(violations, [], `${name}: ${violations.slice(0, 10).join("\n")}`);
  });
}
