/**
 * Every entry point in deno.json `exports` works when imported from a URL: serve the repository
 * over http on 127.0.0.1, run `deno run --allow-import=127.0.0.1:PORT` on a script that imports
 * each entry by URL, multiplies two matrices through mod.ts, and prints each entry's exported
 * names; check the product and that each entry exports by URL exactly what it exports locally.
 */
import { assert } from "./_assert.ts";
import { GPU_REQUIRED, testGpu } from "./_backends.ts";

const ROOT = new URL("../", import.meta.url);

const CONTENT_TYPES: Record<string, string> = {
  ".ts": "application/typescript",
  ".wgsl": "text/plain",
  ".json": "application/json",
};

/** The entry points: deno.json `exports`, name -> path relative to the root. */
const ENTRY_POINTS: Record<string, string> = JSON.parse(
  await Deno.readTextFile(new URL("deno.json", ROOT)),
).exports;

Deno.test("deno.json exports an entry point per area, each a mod.ts with a @module doc and an explicit list", async () => {
  assert.equal(ENTRY_POINTS["."], "./mod.ts");
  assert.ok(Object.keys(ENTRY_POINTS).length >= 10, `${Object.keys(ENTRY_POINTS).length} entry points`);
  for (const [name, path] of Object.entries(ENTRY_POINTS)) {
    assert.match(path, /(^|\/)mod\.ts$/, `${name}: ${path}`);
    const source = await Deno.readTextFile(new URL(path, ROOT));
    assert.ok(source.includes("@module"), `${path} has no @module doc`);
    assert.ok(!/export \*/.test(source), `${path} uses export *`);
  }
});

Deno.test("every entry point imported by URL: mod.ts multiplies two matrices, each exports what it exports locally", async () => {
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (request) => {
    const path = decodeURIComponent(new URL(request.url).pathname);
    if (path.includes("..")) return new Response("bad path", { status: 400 });
    try {
      const body = await Deno.readFile(new URL(`.${path}`, ROOT));
      const type = CONTENT_TYPES[path.slice(path.lastIndexOf("."))] ?? "application/octet-stream";
      return new Response(body, { headers: { "content-type": type } });
    } catch {
      return new Response("not found", { status: 404 });
    }
  });
  const port = server.addr.port;
  const dir = await Deno.makeTempDir();
  try {
    const entries = Object.entries(ENTRY_POINTS);
    const url = (path: string) => `http://127.0.0.1:${port}/${path.replace(/^\.\//, "")}`;
    const script = `${dir}/use_toolkit.ts`;
    await Deno.writeTextFile(
      script,
      `import { getBackend } from "${url("./mod.ts")}";
${entries.map(([, path], i) => `import * as entry${i} from "${url(path)}";`).join("\n")}
const backend = await getBackend(${JSON.stringify(testGpu ? "webgpu" : "reference")});
const a = backend.tensor([1, 2, 3, 4, 5, 6], [2, 3]);
const b = backend.tensor([7, 8, 9, 10, 11, 12], [3, 2]);
const c = await backend.matmul(a, b);
const names = [${entries.map((_, i) => `Object.keys(entry${i}).sort()`).join(", ")}];
console.log(JSON.stringify({ backend: backend.name, c: Array.from(await backend.read(c)), names }));
`,
    );
    const output = await new Deno.Command(Deno.execPath(), {
      args: ["run", "--reload", `--allow-import=127.0.0.1:${port}`, script],
      cwd: dir,
      stdout: "piped",
      stderr: "piped",
      env: { NO_COLOR: "1" },
    }).output();
    const stdout = new TextDecoder().decode(output.stdout);
    const stderr = new TextDecoder().decode(output.stderr);
    assert.equal(output.code, 0, `subprocess failed:\n${stderr}`);
    const result = JSON.parse(stdout.trim().split("\n").at(-1)!);
    assert.deepEqual(result.c, [58, 64, 139, 154]);
    if (GPU_REQUIRED) assert.equal(result.backend, "webgpu");
    for (const [i, [name, path]] of entries.entries()) {
      const local = Object.keys(await import(new URL(path, ROOT).href)).sort();
      assert.ok(local.length > 0, `${name} exports no values`);
      assert.deepEqual(result.names[i], local, `entry point "${name}" (${path}) by URL`);
    }
  } finally {
    await server.shutdown();
    await Deno.remove(dir, { recursive: true });
  }
});
