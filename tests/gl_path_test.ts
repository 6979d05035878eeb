/**
 * The paths a newcomer's machine may give WebGPU (issue 11): Mesa's GL adapter is recognised, picks
 * the kernel variants that compile there, says once that it is the slow path, and a compile or
 * dispatch stuck past its budget ends the process with the kernel, the adapter and the fix.
 *
 * The watchdog cases run child processes (a stuck main thread cannot be observed from inside).
 */
import { assert } from "./_assert.ts";
import { testGpuOnly } from "./_backends.ts";
import { describeAdapter, GL_PATH_FIX, glPathNotice, isGlBackend, slowGpuFix } from "../lib/gpu/device.ts";
import { teacherStudentCacheRows } from "../kernels/teacher_student/teacher_student_sgd.ts";
import { DEFAULT_HARD_SECONDS } from "../lib/gpu/watchdog.ts";
import { discoverKernels } from "../bench/compile.ts";

const GL_LIMITS = { maxBindingsPerBindGroup: 0xffffffff };
const VULKAN_LIMITS = { maxBindingsPerBindGroup: 1024 };

Deno.test("isGlBackend: wgpu's GL limit on Linux, or DENO_WEBGPU_BACKEND=gl", () => {
  assert.equal(isGlBackend(GL_LIMITS, "linux"), true);
  assert.equal(isGlBackend(VULKAN_LIMITS, "linux"), false);
  assert.equal(isGlBackend(GL_LIMITS, "darwin"), false, "Metal also reports 2^32 - 1");
  assert.equal(isGlBackend(VULKAN_LIMITS, "linux", "gl"), true);
  assert.equal(isGlBackend(VULKAN_LIMITS, "linux", "vulkan"), false);
});

Deno.test("messages name the adapter's path and the one-line fix", () => {
  const gl = { description: "llvmpipe (LLVM 15.0.6, 256 bits)", viaGl: true };
  assert.equal(describeAdapter(gl), "llvmpipe (LLVM 15.0.6, 256 bits) via OpenGL");
  assert.equal(describeAdapter({ ...gl, viaGl: false }), "llvmpipe (LLVM 15.0.6, 256 bits)");
  assert.match(GL_PATH_FIX, /apt-get install mesa-vulkan-drivers/);
  assert.equal(slowGpuFix(gl), GL_PATH_FIX);
  assert.match(slowGpuFix({ viaGl: false }), /--backend reference/);
  assert.match(glPathNotice(gl), /slow path.*mesa-vulkan-drivers/);
});

Deno.test("teacher_student_sgd caches rows only when asked (TEACHER_STUDENT_CACHE_ROWS=1), never through GL", () => {
  const facts = (isCpuAdapter: boolean, viaGl: boolean) => ({ facts: { isCpuAdapter, viaGl } });
  assert.equal(
    teacherStudentCacheRows(facts(true, false), 200, undefined),
    false,
    "off by default: cold compile",
  );
  assert.equal(teacherStudentCacheRows(facts(true, false), 200, "0"), false);
  assert.equal(teacherStudentCacheRows(facts(true, false), 200, "1"), true);
  assert.equal(teacherStudentCacheRows(facts(false, false), 200, "1"), true, "asked for on a GPU");
  assert.equal(
    teacherStudentCacheRows(facts(true, true), 200, "1"),
    false,
    "GL: the cached variant hangs its compiler",
  );
  assert.equal(teacherStudentCacheRows(facts(true, false), 4000, "1"), false, "rows longer than the cache");
});

Deno.test("the compile bench finds every kernel under kernels/ with the libraries it uses", async () => {
  const kernels = discoverKernels();
  const entries: string[] = [];
  const walk = (dir: URL) => {
    for (const e of Deno.readDirSync(dir)) {
      const url = new URL(e.name + (e.isDirectory ? "/" : ""), dir);
      if (e.isDirectory) walk(url);
      else if (e.name.endsWith(".wgsl") && Deno.readTextFileSync(url).includes("@compute")) {
        entries.push(e.name);
      }
    }
  };
  walk(new URL("../kernels/", import.meta.url));
  assert.deepEqual(kernels.map((k) => k.parts.at(-1)!.file.replace(/^.*\//, "")).sort(), entries.sort());
  const sgd = kernels.find((k) => k.label === "teacher_student_sgd")!;
  assert.deepEqual(
    sgd.parts.map((p) => p.file.replace(/^.*\//, "")).sort(),
    [
      "activation_functions.wgsl",
      "philox.wgsl",
      "teacher_student_row_cache.wgsl",
      "teacher_student_sgd.wgsl",
      "teacher_student_step.wgsl",
    ],
  );
  const matmul = kernels.find((k) => k.label === "matmul_naive")!;
  assert.ok(
    matmul.parts.some((p) => p.file.endsWith("matmul_epilogue.wgsl")),
    "matmul_naive needs its epilogue",
  );
});

const WATCHDOG = new URL("../lib/gpu/watchdog.ts", import.meta.url).href;

/** Runs `code` in a child Deno with `env`; returns its exit code, stderr and wall time. */
async function child(code: string, env: Record<string, string>) {
  const started = performance.now();
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["eval", "--ext=ts", code],
    env: { NO_COLOR: "1", ...env },
    stdout: "piped",
    stderr: "piped",
  }).output();
  return {
    code: out.code,
    stderr: new TextDecoder().decode(out.stderr),
    seconds: (performance.now() - started) / 1000,
  };
}

Deno.test("watchdog budgets come from the environment, and 0 turns the watchdog off", async () => {
  const code = `import { startWatchdog, watchdogActive, watchdogBudgets } from "${WATCHDOG}";
await startWatchdog();
console.error(JSON.stringify({ ...watchdogBudgets(), active: watchdogActive() }));`;
  const set = await child(code, { GPU_WATCHDOG_SECONDS: "7", GPU_WATCHDOG_NOTICE_SECONDS: "2" });
  assert.deepEqual(JSON.parse(set.stderr), { hardMs: 7000, noticeMs: 2000, active: true });
  const off = await child(code, { GPU_WATCHDOG_SECONDS: "0" });
  assert.deepEqual(JSON.parse(off.stderr).active, false);
  const bad = await child(code, { GPU_WATCHDOG_SECONDS: "soon" });
  assert.equal(JSON.parse(bad.stderr).hardMs, 1000 * DEFAULT_HARD_SECONDS);
});

Deno.test("a guarded call that blocks the main thread past its budget ends the process with the message", async () => {
  const code = `import { guarded, startWatchdog } from "${WATCHDOG}";
await startWatchdog();
guarded({ what: 'compiling kernel "stuck_kernel"', adapter: "test adapter", fix: "install the fix" }, () => {
  const t = performance.now();
  while (performance.now() - t < 20000) { /* a stuck compile: blocks the main thread */ }
});
console.error("not reached");`;
  const run = await child(code, { GPU_WATCHDOG_SECONDS: "1", GPU_WATCHDOG_NOTICE_SECONDS: "0.3" });
  assert.notEqual(run.code, 0, run.stderr);
  assert.ok(run.seconds < 15, `ended after ${run.seconds} s, budget 1 s`);
  assert.match(run.stderr, /Still compiling kernel "stuck_kernel" on test adapter after 0.3 s/);
  assert.match(
    run.stderr,
    /Error: compiling kernel "stuck_kernel" on test adapter did not finish within 1 s .*Fix: install the fix/,
  );
  assert.doesNotMatch(run.stderr, /not reached/);
});

Deno.test("guarded calls within budget run normally, and the watchdog never keeps the process alive", async () => {
  const code = `import { guarded, guardedAsync, startWatchdog, watchdogActive } from "${WATCHDOG}";
await startWatchdog();
if (!watchdogActive()) throw new Error("watchdog did not start");
const call = { what: "x", adapter: "a", fix: "f" };
let sum = 0;
for (let i = 0; i < 1000; i++) sum += guarded(call, () => i);
sum += await guardedAsync(call, async () => { await new Promise((r) => setTimeout(r, 50)); return 1; });
console.error("sum " + sum);`;
  const run = await child(code, { GPU_WATCHDOG_SECONDS: "2" });
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stderr, /sum 499501/);
  assert.ok(run.seconds < 10, `took ${run.seconds} s`);
});

testGpuOnly("a kernel compile past a tiny budget names the kernel, the adapter and the fix", async (gpu) => {
  const code = `import { acquireGpu } from "${new URL("../lib/gpu/device.ts", import.meta.url).href}";
import { getPipeline } from "${new URL("../lib/gpu/pipelines.ts", import.meta.url).href}";
import { setWatchdogBudgets } from "${WATCHDOG}";
import { TEACHER_STUDENT_SGD_WORKGROUP_KERNEL } from "${
    new URL("../kernels/teacher_student/teacher_student_sgd_workgroup.ts", import.meta.url).href
  }";
const gpu = await acquireGpu();
setWatchdogBudgets({ hardMs: 1, noticeMs: 0 });
// A comment no shader cache has seen: a real compile (>= 0.3 s on a CPU), past the watchdog's 0.1 s poll.
const kernel = { ...TEACHER_STUDENT_SGD_WORKGROUP_KERNEL };
kernel.parts = [...kernel.parts, { file: "unique", code: "// " + crypto.randomUUID() }];
await getPipeline(gpu, kernel, { WORKGROUP_SIZE: 4 });
console.error("compiled within 1 ms");`;
  const run = await child(code, {
    XDG_RUNTIME_DIR: Deno.env.get("XDG_RUNTIME_DIR") ?? "/tmp",
    SGD_QUIET_GL_NOTICE: "1",
  });
  assert.notEqual(run.code, 0, run.stderr);
  assert.match(run.stderr, /compiling kernel "teacher_student_sgd_workgroup\{WORKGROUP_SIZE=4\}"/);
  assert.ok(run.stderr.includes(describeAdapter(gpu.facts)), run.stderr);
  assert.ok(run.stderr.includes(slowGpuFix(gpu.facts)), run.stderr);
});

testGpuOnly("facts.viaGl agrees with the adapter's limits", (gpu) => {
  assert.equal(
    gpu.facts.viaGl,
    isGlBackend(gpu.adapter.limits, Deno.build.os, Deno.env.get("DENO_WEBGPU_BACKEND")),
  );
  // With the Vulkan loader pointed at no driver (how CI gets the GL path), any Linux adapter is GL's.
  if (Deno.build.os === "linux" && Deno.env.get("VK_ICD_FILENAMES") === "/nonexistent.json") {
    assert.equal(gpu.facts.viaGl, true, `${gpu.facts.description} with the Vulkan driver hidden`);
  }
  if (Deno.env.get("DENO_WEBGPU_BACKEND") === "vulkan") assert.equal(gpu.facts.viaGl, false);
});
