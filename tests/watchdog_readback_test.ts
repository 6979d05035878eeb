/**
 * Readback waits run under the watchdog like compiles and submits (issue 11): on an adapter whose submit
 * returns at once (Vulkan), a dispatch that never ends shows as a buffer map that never resolves, and
 * that must end the process with what was awaited, the adapter and the fix, not wait silently.
 *
 * The cases run child processes (the watchdog ends its process). The first needs no adapter: its device
 * is a stand-in whose buffer map takes 30 s; the second slows the real adapter's `mapAsync` the same way.
 */
import { assert } from "./_assert.ts";
import { testGpuOnly } from "./_backends.ts";
import { describeAdapter, slowGpuFix } from "../lib/gpu/device.ts";

const here = (path: string) => new URL(path, import.meta.url).href;

/** Runs `code` in a child Deno with `env`; returns its exit code, stderr and wall time. */
async function child(code: string, env: Record<string, string>) {
  const started = performance.now();
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["eval", "--ext=ts", code],
    env: { NO_COLOR: "1", XDG_RUNTIME_DIR: Deno.env.get("XDG_RUNTIME_DIR") ?? "/tmp", ...env },
    stdout: "piped",
    stderr: "piped",
  }).output();
  return {
    code: out.code,
    stderr: new TextDecoder().decode(out.stderr),
    seconds: (performance.now() - started) / 1000,
  };
}

// A device whose buffers take `mapMs` to map (a timer keeps the child's event loop alive meanwhile,
// as a real pending map does).
const STAND_IN = `
const mapMs = Number(Deno.env.get("MAP_MS"));
const device = {
  createCommandEncoder: () => ({ copyBufferToBuffer() {}, finish: () => ({}) }),
  createBuffer: ({ size }) => ({
    size,
    mapAsync: () => new Promise((resolve) => setTimeout(resolve, mapMs)),
    getMappedRange: () => new ArrayBuffer(size),
    unmap() {},
    destroy() {},
  }),
  queue: { submit() {} },
};
const gpu = {
  device,
  facts: { description: "stand-in adapter", viaGl: false },
  assertAlive() {},
};
const source = { label: "weights", size: 64 };
`;

const READ_WITH_STAND_IN = `import { readBuffers } from "${here("../lib/gpu/buffers.ts")}";
import { startWatchdog } from "${here("../lib/gpu/watchdog.ts")}";
${STAND_IN}
await startWatchdog();
const [bytes] = await readBuffers(gpu, [{ buffer: source }, { buffer: { label: "biases", size: 16 } }]);
console.error("read " + bytes.byteLength + " bytes");`;

Deno.test("a readback wait past its budget ends the process naming the buffers, the adapter and the fix", async () => {
  const run = await child(READ_WITH_STAND_IN, {
    MAP_MS: "30000",
    GPU_WATCHDOG_SECONDS: "1",
    GPU_WATCHDOG_NOTICE_SECONDS: "0.3",
  });
  assert.notEqual(run.code, 0, run.stderr);
  assert.ok(run.seconds < 20, `ended after ${run.seconds} s, budget 1 s`);
  assert.match(
    run.stderr,
    /Still waiting for the GPU work before reading back "weights", "biases" on stand-in adapter after 0.3 s/,
  );
  assert.match(
    run.stderr,
    /Error: waiting for the GPU work before reading back "weights", "biases" on stand-in adapter did not finish within 1 s .*Fix: .*GPU_WATCHDOG_SECONDS/,
  );
  assert.doesNotMatch(run.stderr, /read \d+ bytes/);
});

Deno.test("a readback within its budget returns its bytes and leaves no watchdog behind", async () => {
  const run = await child(READ_WITH_STAND_IN, { MAP_MS: "200", GPU_WATCHDOG_SECONDS: "5" });
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stderr, /read 64 bytes/);
  assert.doesNotMatch(run.stderr, /Still|Error/);
  assert.ok(run.seconds < 15, `took ${run.seconds} s`);
});

testGpuOnly("a stuck buffer map on the real adapter names the adapter and its fix", async (gpu) => {
  const code = `import { acquireGpu } from "${here("../lib/gpu/device.ts")}";
import { readBuffer, uploadBuffer } from "${here("../lib/gpu/buffers.ts")}";
import { setWatchdogBudgets } from "${here("../lib/gpu/watchdog.ts")}";
const gpu = await acquireGpu();
const buffer = uploadBuffer(gpu, new Float32Array([1, 2, 3, 4]), "probe values");
await readBuffer(gpu, buffer); // a real wait within budget first
// Then a map that takes 30 s, as a dispatch that never ends would make it.
const mapAsync = GPUBuffer.prototype.mapAsync;
GPUBuffer.prototype.mapAsync = function (...args) {
  return new Promise((resolve) => setTimeout(resolve, 30000)).then(() => mapAsync.apply(this, args));
};
setWatchdogBudgets({ hardMs: 1000, noticeMs: 0 });
await readBuffer(gpu, buffer);
console.error("not reached");`;
  const run = await child(code, { SGD_QUIET_GL_NOTICE: "1" });
  assert.notEqual(run.code, 0, run.stderr);
  assert.ok(run.seconds < 25, `ended after ${run.seconds} s, budget 1 s`);
  assert.match(run.stderr, /waiting for the GPU work before reading back "probe values" on /);
  assert.ok(run.stderr.includes(`on ${describeAdapter(gpu.facts)} did not finish within 1 s`), run.stderr);
  assert.ok(run.stderr.includes(slowGpuFix(gpu.facts)), run.stderr);
  assert.doesNotMatch(run.stderr, /not reached/);
});
