/**
 * Every uniform and settings struct a kernel wrapper writes (a `StructLayout`, lib/gpu/params.ts) matches the
 * struct its .wgsl declares: the same field names in the same order, the same types, and so the same offsets
 * (4-byte scalars, declaration order). And every kernel's uniform `Params` struct is written by one.
 */
import assert from "node:assert/strict";
import { StructLayout } from "../lib/gpu/params.ts";

/** Files under `dir` (recursively: kernels may sit in family folders). */
function filesUnder(dir: string): string[] {
  return [...Deno.readDirSync(dir)].flatMap((e) =>
    e.isDirectory ? filesUnder(`${dir}/${e.name}`) : [`${dir}/${e.name}`]
  ).sort();
}

// Load every wrapper so that their layouts are declared.
for (const file of filesUnder("kernels").filter((f) => f.endsWith(".ts"))) await import(`../${file}`);
await import("../lib/gpu/loop_probe.ts");

/** The fields `[name, type]` of `struct <name> { ... }` in WGSL source (comments stripped). */
function parseStruct(source: string, name: string): [string, string][] | null {
  const code = source.replace(/\/\/[^\n]*/g, "");
  const body = new RegExp(`struct\\s+${name}\\s*\\{([^}]*)\\}`).exec(code)?.[1];
  if (body === undefined) return null;
  return body.split(",").map((f) => f.trim()).filter((f) => f.length > 0).map((f) => {
    const m = /^(?:@\w+(?:\([^)]*\))?\s*)*(\w+)\s*:\s*([\w<>, ]+)$/.exec(f);
    if (!m) throw new Error(`Cannot parse field "${f}" of struct ${name}`);
    return [m[1], m[2].trim()];
  });
}

/** WGSL byte offsets of a struct of scalars: each field at the next multiple of its alignment (4). */
function wgslOffsets(fields: [string, string][]): number[] {
  const sizes: Record<string, number> = { u32: 4, i32: 4, f32: 4 };
  let at = 0;
  return fields.map(([name, type]) => {
    const size = sizes[type];
    if (!size) {
      throw new Error(`Field ${name}: type ${type} is not a 4-byte scalar (STYLE: uniforms are u32/i32/f32)`);
    }
    const offset = Math.ceil(at / size) * size;
    at = offset + size;
    return offset;
  });
}

/** Kernels whose uniform struct is still written positionally (UniformWriter): drive this list to zero. */
const NOT_YET_NAMED = new Set<string>([]);

Deno.test("every StructLayout matches its WGSL struct: names, order, types, offsets", () => {
  assert.ok(StructLayout.declared.length > 0, "some layouts are declared");
  for (const layout of StructLayout.declared) {
    const fields = parseStruct(Deno.readTextFileSync(layout.file), layout.name);
    assert.ok(fields, `${layout.file} declares no struct ${layout.name}`);
    const where = `${layout.file} struct ${layout.name}`;
    assert.deepEqual(
      layout.fields.map(([n]) => n),
      fields.map(([n]) => n),
      `${where}: field names and order`,
    );
    assert.deepEqual(layout.fields.map(([, t]) => t), fields.map(([, t]) => t), `${where}: field types`);
    const offsets = wgslOffsets(fields);
    assert.deepEqual(fields.map(([n]) => layout.offsetOf(n)), offsets, `${where}: offsets`);
    assert.equal(layout.size, offsets.length * 4, `${where}: size`);
  }
});

Deno.test("every kernel's uniform Params struct is written by name", () => {
  const named = new Set(StructLayout.declared.filter((l) => l.name === "Params").map((l) => l.file));
  const files = [...filesUnder("kernels"), ...filesUnder("lib/gpu")].filter((f) => f.endsWith(".wgsl"));
  const missing = files.filter((f) => /var<uniform>\s+params\s*:\s*Params/.test(Deno.readTextFileSync(f)))
    .filter((f) => !named.has(f) && !NOT_YET_NAMED.has(f));
  assert.deepEqual(missing, [], "kernels whose Params has no StructLayout");
  const stale = [...NOT_YET_NAMED].filter((f) => named.has(f));
  assert.deepEqual(stale, [], "remove these from NOT_YET_NAMED");
});

Deno.test("a StructLayout writes each field at its offset and rejects a bad integer", () => {
  const layout = new StructLayout("T", "none.wgsl", [["a", "u32"], ["b", "f32"], ["c", "i32"]] as const);
  const view = new DataView(layout.bytes({ a: 7, b: 0.5, c: -3 }));
  assert.equal(view.byteLength, 16);
  assert.deepEqual([view.getUint32(0, true), view.getFloat32(4, true), view.getInt32(8, true)], [7, 0.5, -3]);
  const array = new DataView(layout.arrayBytes([{ a: 1, b: 2, c: 3 }, { a: 4, b: 5, c: 6 }]));
  assert.equal(array.byteLength, 24);
  assert.equal(array.getUint32(12, true), 4);
  assert.throws(() => layout.bytes({ a: -1, b: 0, c: 0 }), /Cannot pack uniform field a: u32 value -1/);
  StructLayout.declared.pop(); // not a kernel's
});
