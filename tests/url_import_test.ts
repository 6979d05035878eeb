/**
 * mod.ts works when imported from a URL: serve the repository over http on 127.0.0.1,
 * run `deno run --allow-import=127.0.0.1:PORT` on a script that imports it by URL and
 * multiplies two matrices, and check the printed product.
 */
import { assert } from "./_assert.ts";
import { IN_CI, testGpu } from "./_backends.ts";

const ROOT = new URL("../", import.meta.url);

const CONTENT_TYPES: Record<string, string> = {
  ".ts": "application/typescript",
  ".wgsl": "text/plain",
  ".json": "application/json",
};

Deno.test("mod.ts imported by URL multiplies two matrices in a subprocess", async () => {
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
    const script = `${dir}/use_toolkit.ts`;
    await Deno.writeTextFile(
      script,
      `import { getBackend } from "http://127.0.0.1:${port}/mod.ts";
const backend = await getBackend(${JSON.stringify(testGpu ? "webgpu" : "reference")});
const a = backend.tensor([1, 2, 3, 4, 5, 6], [2, 3]);
const b = backend.tensor([7, 8, 9, 10, 11, 12], [3, 2]);
const c = await backend.matmul(a, b);
console.log(JSON.stringify({ backend: backend.name, c: Array.from(await backend.read(c)) }));
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
    if (IN_CI) assert.equal(result.backend, "webgpu");
  } finally {
    await server.shutdown();
    await Deno.remove(dir, { recursive: true });
  }
});
