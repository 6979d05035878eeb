/**
 * Every figure script's spec validates against the Vega-Lite v6 JSON schema.
 *
 * Each figure script runs with its exported `testConfig` (tiny, seconds); a script without one
 * fails, so no spec goes unchecked.
 */
import { assert } from "./_assert.ts";
import { type FigureResult, validateVegaLite, VEGA_LITE_SCHEMA } from "../lib/plot/figure.ts";
import { figureScriptNames } from "../scripts/figures.ts";

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
    // Every figure script must export a tiny testConfig, so no spec goes unchecked.
    assert.ok(
      module.testConfig,
      `scripts/${name}.ts must export testConfig (a tiny config that runs in seconds)`,
    );
    const spec = (await module.run({ ...module.defaultConfig, ...module.testConfig })).spec;
    assert.equal((spec as { $schema?: string }).$schema, VEGA_LITE_SCHEMA);
    const violations = await validateVegaLite(spec);
    assert.deepEqual(violations, [], `${name}: ${violations.slice(0, 10).join("\n")}`);
  });
}
