/**
 * A machine with no WebGPU adapter (issue 11): the runtime falls back to the float64 reference backend,
 * `DENO_WEBGPU_BACKEND=none` gives that path on any machine, and the slow figures run at the smaller
 * scale lib/plot/reference_scale.ts lists, saying so in their summary.
 */
import { assert } from "./_assert.ts";
import { REFERENCE_SCALE, scaleForBackend } from "../lib/plot/reference_scale.ts";
import { figureScriptNames } from "../scripts/figures.ts";

const NO_ADAPTER = { DENO_WEBGPU_BACKEND: "none", NO_COLOR: "1", CI: "" };

async function child(args: string[], env: Record<string, string>) {
  const out = await new Deno.Command(Deno.execPath(), {
    args,
    env: { XDG_RUNTIME_DIR: Deno.env.get("XDG_RUNTIME_DIR") ?? "/tmp", ...env },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  return { code: out.code, stdout: decode(out.stdout), stderr: decode(out.stderr) };
}

Deno.test("DENO_WEBGPU_BACKEND=none hides every adapter: auto resolves to the reference backend, with one notice", async () => {
  const code = `import { getBackend, resolveBackendChoice } from "${
    new URL("../lib/backend/select.ts", import.meta.url).href
  }";
console.log(await resolveBackendChoice("auto"), (await getBackend()).name, (await getBackend("auto")).name);`;
  const run = await child(["eval", "--ext=ts", code], NO_ADAPTER);
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.stdout.trim(), "reference reference reference");
  assert.equal(run.stderr.match(/Using the reference backend/g)?.length, 1, run.stderr);
});

Deno.test("the reference-scale table names real figure scripts and only lowers values their quick scale has", async () => {
  const scripts = new Set(figureScriptNames());
  for (const [name, scale] of Object.entries(REFERENCE_SCALE)) {
    assert.ok(scripts.has(name), `${name} is not a figure script`);
    assert.ok(scale.why.length > 20, `${name}: say why`);
    const { defaultConfig } = await import(`../scripts/${name}.ts`);
    for (const [key, value] of Object.entries(scale.config)) {
      assert.ok(key in defaultConfig, `${name}: its config has no "${key}"`);
      assert.equal(typeof value, typeof defaultConfig[key], `${name}.${key}`);
      if (typeof value === "number") {
        assert.ok(
          value < defaultConfig[key],
          `${name}.${key}: ${value} is no reduction of ${defaultConfig[key]}`,
        );
      }
      if (key === "seeds" && name.startsWith("dyson_")) {
        assert.ok(Number(value) >= 20, `${name}: the spacing histograms and fits need >= 20 seeds`);
      }
    }
  }
});

Deno.test("scaleForBackend reduces on the reference backend only, and explicit values win", () => {
  const name = "dyson_fig1_rbm_x_density";
  const quick = { seeds: 400, epochs: 0, trainingTime: 80, backend: "auto" };
  assert.deepEqual(scaleForBackend(name, quick, "webgpu"), { config: quick });
  const reduced = scaleForBackend(name, quick, "reference");
  assert.equal(reduced.config.seeds, REFERENCE_SCALE[name].config.seeds);
  assert.deepEqual(reduced.reduced?.values, REFERENCE_SCALE[name].config);
  assert.equal(quick.seeds, 400, "the quick config is not changed in place");
  const seedsGiven = scaleForBackend(name, quick, "reference", new Set(["seeds"]));
  assert.equal(seedsGiven.config.seeds, 400, "a flag given explicitly keeps its value");
  assert.equal(seedsGiven.reduced?.values.seeds, undefined);
  assert.deepEqual(scaleForBackend(name, quick, "reference", new Set(["seeds", "trainingTime"])), {
    config: quick,
  });
  assert.deepEqual(scaleForBackend("00_tour", quick, "reference"), { config: quick });
});

Deno.test("a reduced figure run without an adapter says in its summary what it reduced and why", async () => {
  const out = await Deno.makeTempDir({ prefix: "no-adapter-" });
  const name = "dyson_fig9_teacher_student_singular_values";
  // Tiny epochs given explicitly (they win); seeds come from the reference-scale table.
  const run = await child([
    "run",
    "-A",
    new URL(`../scripts/${name}.ts`, import.meta.url).pathname,
    "--epochs",
    "1",
    "--batches-per-epoch",
    "20",
    "--quiet",
    "--out",
    out,
  ], NO_ADAPTER);
  assert.equal(run.code, 0, run.stderr);
  const summary = JSON.parse(await Deno.readTextFile(`${out}/${name}.summary.json`));
  const expected = REFERENCE_SCALE[name].config;
  assert.deepEqual(
    Object.fromEntries(Object.keys(expected).map((k) => [k, summary.referenceScale?.[k]])),
    expected,
    JSON.stringify(summary.referenceScale),
  );
  assert.match(summary.referenceScale.why, /reference backend/);
  assert.match(run.stderr, /Using the reference backend/);
  await Deno.remove(out, { recursive: true });
});
