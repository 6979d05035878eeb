// Doc examples run as tests (`deno test --doc`), so each must be able to fail: `console.assert` only prints
// "Assertion failed" and passes. This test refuses it in lib/, kernels/ and mod.ts (use node:assert's
// `assert.ok`, which throws).
import { assert } from "./_assert.ts";

async function* sources(dir: string): AsyncGenerator<string> {
  for await (const entry of Deno.readDir(dir)) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory) yield* sources(path);
    else if (entry.name.endsWith(".ts")) yield path;
  }
}

Deno.test("doc examples assert with something that throws, never console.assert", async () => {
  const root = new URL("..", import.meta.url).pathname;
  const offenders: string[] = [];
  for (const dir of ["lib", "kernels"]) {
    for await (const path of sources(`${root}${dir}`)) {
      const lines = (await Deno.readTextFile(path)).split("\n");
      lines.forEach((line, i) => {
        if (line.includes("console.assert(")) offenders.push(`${path.slice(root.length)}:${i + 1}`);
      });
    }
  }
  if ((await Deno.readTextFile(`${root}mod.ts`)).includes("console.assert(")) offenders.push("mod.ts");
  assert.deepEqual(offenders, [], `console.assert passes silently in doc tests: ${offenders.join(", ")}`);
});
