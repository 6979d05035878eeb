import { assert } from "./_assert.ts";
import { testGpuOnly } from "./_backends.ts";
import { getPipeline, KernelCompileError, locateLine, pipelineKey } from "../lib/gpu/pipelines.ts";
import {
  checkCompleted,
  IncompleteDispatchError,
  loopBudget,
  maxStepsPerDispatch,
} from "../lib/gpu/loop_budget.ts";
import { createBuffer, readBuffers, uploadBuffer } from "../lib/gpu/buffers.ts";
import { CommandRecorder, grid1d } from "../lib/gpu/recorder.ts";
import { runLoopProbe } from "../lib/gpu/loop_probe.ts";
import { UniformWriter } from "../lib/gpu/params.ts";
import { encodeFill } from "../kernels/elementwise/elementwise.ts";
import {
  cpuSimdLanes,
  GpuContext,
  GpuDeviceLostError,
  GpuValidationError,
  isCpuAdapterInfo,
  NoGpuAdapterError,
} from "../lib/gpu/device.ts";

Deno.test("locateLine maps a line of concatenated parts back to its file", () => {
  const parts = [{ file: "lib.wgsl", code: "a\nb\nc" }, { file: "main.wgsl", code: "x\ny" }];
  assert.deepEqual(locateLine(parts, 2), { file: "lib.wgsl", line: 2 });
  assert.deepEqual(locateLine(parts, 4), { file: "main.wgsl", line: 1 });
  assert.deepEqual(locateLine(parts, 5), { file: "main.wgsl", line: 2 });
});

Deno.test("pipelineKey sorts constants so equal sets share a cache entry", () => {
  assert.equal(pipelineKey("k", { B: 2, A: true }), "k{A=1,B=2}");
  assert.equal(pipelineKey("k", {}), "k");
});

Deno.test("the no-adapter message names the apt package and the reference backend", () => {
  const message = new NoGpuAdapterError().message;
  assert.match(message, /apt-get install mesa-vulkan-drivers/);
  assert.match(message, /--backend reference/);
});

Deno.test("cpuSimdLanes reads the register width from the adapter description", () => {
  assert.equal(cpuSimdLanes({ description: "llvmpipe (LLVM 15.0.6, 256 bits)" }), 8);
  assert.equal(cpuSimdLanes({ description: "llvmpipe (LLVM 17.0.0, 512 bits)" }), 16);
  assert.equal(cpuSimdLanes({ description: "llvmpipe (LLVM 12, 128 bits)" }), 4);
  assert.equal(cpuSimdLanes({ description: "SwiftShader" }), 8);
});

Deno.test("isCpuAdapterInfo recognises software adapters", () => {
  assert.equal(isCpuAdapterInfo({ description: "llvmpipe (LLVM 15.0.6, 256 bits)" }), true);
  assert.equal(isCpuAdapterInfo({ description: "NVIDIA H100" }), false);
  assert.equal(isCpuAdapterInfo({ description: "NVIDIA H100" }, true), true);
});

Deno.test("maxStepsPerDispatch divides the measured budget and refuses impossible steps", () => {
  const cpu = { facts: { loopLimit: 65535 } };
  assert.equal(loopBudget(cpu), Math.floor(65535 * 0.9));
  assert.equal(maxStepsPerDispatch(cpu, 100), Math.floor(Math.floor(65535 * 0.9) / 100));
  assert.equal(maxStepsPerDispatch(cpu, 100, 1000), Math.floor((Math.floor(65535 * 0.9) - 1000) / 100));
  assert.throws(() => maxStepsPerDispatch(cpu, 70000), RangeError);
  assert.throws(() => maxStepsPerDispatch(cpu, 0), RangeError);
  assert.ok(maxStepsPerDispatch({ facts: { loopLimit: Infinity } }, 1000) > 1000);
});

Deno.test("checkCompleted throws on a shortfall, naming the invocation", () => {
  checkCompleted("k", new Uint32Array([5, 5]), 5);
  assert.throws(() => checkCompleted("k", new Uint32Array([5, 3]), 5), (e: Error) => {
    return e instanceof IncompleteDispatchError && /completed 3 of 5 steps in invocation 1/.test(e.message);
  });
});

Deno.test("grid1d covers the invocations within the per-dimension limit", () => {
  assert.deepEqual(grid1d(0, 64), [0, 1]);
  assert.deepEqual(grid1d(65, 64), [2, 1]);
  const [x, y] = grid1d(64 * 70000, 64);
  assert.ok(x <= 65535 && x * y * 64 >= 64 * 70000);
});

Deno.test("UniformWriter packs fields in order and rejects bad integers", () => {
  const bytes = new UniformWriter().u32(7).f32(0.5).i32(-2).bytes();
  assert.equal(bytes.byteLength, 16);
  const view = new DataView(bytes);
  assert.equal(view.getUint32(0, true), 7);
  assert.equal(view.getFloat32(4, true), 0.5);
  assert.equal(view.getInt32(8, true), -2);
  assert.throws(() => new UniformWriter().u32(-1), RangeError);
  assert.throws(() => new UniformWriter().u32(1.5), RangeError);
});

testGpuOnly("a WGSL error names the part's file, line and column", async (gpu) => {
  const kernel = {
    label: "broken",
    parts: [
      { file: "kernels/lib_part.wgsl", code: "fn helper() -> f32 {\n  return 1.0;\n}\n" },
      {
        file: "kernels/broken.wgsl",
        code: "@compute @workgroup_size(1)\nfn main() {\n  let x: f32 = undefined_name;\n}\n",
      },
    ],
  };
  await assert.rejects(getPipeline(gpu, kernel), (e: Error) => {
    assert.ok(e instanceof KernelCompileError, e.message);
    assert.match(e.message, /kernels\/broken\.wgsl:3:\d+/);
    assert.match(e.message, /"broken"/);
    return true;
  });
});

testGpuOnly("pipelines are cached by label and constants", async (gpu) => {
  const kernel = {
    label: "cache_probe",
    parts: [{
      file: "cache_probe.wgsl",
      code:
        "override N: u32 = 1u;\n@group(0) @binding(0) var<storage, read_write> o: array<u32>;\n@compute @workgroup_size(1)\nfn main() { o[0] = N; }\n",
    }],
  };
  const a = await getPipeline(gpu, kernel, { N: 3 });
  const b = await getPipeline(gpu, kernel, { N: 3 });
  const c = await getPipeline(gpu, kernel, { N: 4 });
  assert.equal(a, b);
  assert.notEqual(a, c);
});

testGpuOnly("the loop limit is measured, and a kernel that stops early is caught", async (gpu) => {
  const limit = gpu.facts.loopLimit;
  if (gpu.facts.isCpuAdapter) assert.ok(Number.isFinite(limit), "a CPU adapter should show a loop limit");
  const asked = Number.isFinite(limit) ? limit * 3 : 200_000;
  const completed = await runLoopProbe(gpu, asked);
  if (Number.isFinite(limit)) {
    assert.equal(completed, limit);
    assert.throws(() => checkCompleted("loop_probe", [completed], asked), IncompleteDispatchError);
  } else {
    checkCompleted("loop_probe", [completed], asked);
  }
  // A dispatch planned within the budget completes.
  const planned = maxStepsPerDispatch(gpu, 1);
  checkCompleted(
    "loop_probe",
    [await runLoopProbe(gpu, Math.min(planned, 1 << 20))],
    Math.min(planned, 1 << 20),
  );
});

testGpuOnly("readBuffers reads several ranges with one wait, and rejects unaligned ranges", async (gpu) => {
  const a = uploadBuffer(gpu, new Uint32Array([1, 2, 3, 4, 5]), "a");
  const b = uploadBuffer(gpu, new Float32Array([0.5, -0.25]), "b");
  const [ra, rb] = await readBuffers(gpu, [{ buffer: a, byteOffset: 4, byteLength: 12 }, {
    buffer: b,
    byteLength: 8,
  }]);
  assert.deepEqual([...new Uint32Array(ra)], [2, 3, 4]);
  assert.deepEqual([...new Float32Array(rb)], [0.5, -0.25]);
  await assert.rejects(readBuffers(gpu, [{ buffer: a, byteOffset: 2, byteLength: 4 }]), RangeError);
  assert.throws(() => createBuffer(gpu, -4, "neg"), RangeError);
  a.destroy();
  b.destroy();
});

testGpuOnly("the recorder refuses grids past the device limit and times a pass", async (gpu) => {
  const rec = new CommandRecorder(gpu);
  const pipeline = await getPipeline(gpu, {
    label: "noop",
    parts: [{ file: "noop.wgsl", code: "@compute @workgroup_size(1)\nfn main() {}\n" }],
  });
  assert.throws(
    () => rec.dispatch({ pipeline, label: "noop", bindings: [], workgroups: [70000] }),
    RangeError,
  );
  const ns = await rec.timed(() => rec.dispatch({ pipeline, label: "noop", bindings: [], workgroups: [4] }));
  if (gpu.facts.hasTimestamps) assert.ok(ns !== undefined && ns >= 0);
});

testGpuOnly("a lost device turns later operations into a clear GpuDeviceLostError", async (gpu) => {
  // A private device, so destroying it does not disturb the shared one.
  const device = await gpu.adapter.requestDevice();
  const context = new GpuContext(gpu.adapter, device, { ...gpu.facts });
  device.destroy();
  await device.lost;
  assert.ok(context.isLost);
  assert.throws(() => createBuffer(context, 16, "after loss"), (e: Error) => {
    return e instanceof GpuDeviceLostError && /was lost \(reason "destroyed"/.test(e.message) &&
      /--backend reference/.test(e.message);
  });
});

testGpuOnly("KERNEL_DEBUG=1 prints each dispatch's label, constants and grid on stderr", async () => {
  const script = `
    import { getBackend } from "${new URL("../mod.ts", import.meta.url).href}";
    const backend = await getBackend("webgpu");
    const x = backend.tensor([1, 2, 3]);
    await backend.scale(x, 2);
    console.log(Array.from(await backend.read(x)).join(","));
  `;
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["eval", "--no-check", script],
    env: { KERNEL_DEBUG: "1", NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stderr = new TextDecoder().decode(output.stderr);
  assert.equal(output.code, 0, stderr);
  assert.equal(new TextDecoder().decode(output.stdout).trim(), "2,4,6");
  assert.match(stderr, /\[kernel\] scale\{WORKGROUP_SIZE=64\} workgroups=\[1, 1, 1\]/);
});

testGpuOnly("a validation error inside a dispatch fails the next GPU call loudly", async (gpu) => {
  const device = await gpu.adapter.requestDevice();
  const context = new GpuContext(gpu.adapter, device, { ...gpu.facts });
  const kernel = {
    label: "aliasing",
    parts: [{
      file: "aliasing.wgsl",
      code: "@group(0) @binding(0) var<storage, read> a: array<f32>;\n" +
        "@group(0) @binding(1) var<storage, read_write> b: array<f32>;\n" +
        "@compute @workgroup_size(1)\nfn main() { b[0] = a[0]; }\n",
    }],
  };
  const buffer = createBuffer(context, 16, "aliased");
  const rec = new CommandRecorder(context);
  // The same buffer bound read-only and read-write in one dispatch is invalid.
  rec.dispatch({
    pipeline: await getPipeline(context, kernel),
    label: "aliasing",
    bindings: [buffer, buffer],
    workgroups: [1],
  });
  rec.flush();
  await assert.rejects(readBuffers(context, [{ buffer }]), GpuValidationError);
  device.destroy();
});

testGpuOnly(
  "a uniform made before another run's flush survives until the dispatch that binds it",
  async (gpu) => {
    // Two runs share one recorder: run A makes its uniform and awaits its pipeline while run B
    // flushes. A's uniform must still be alive when A records its dispatch.
    const rec = new CommandRecorder(gpu);
    const n = 100;
    const out = createBuffer(gpu, 4 * n, "fill target");
    const pending = encodeFill(rec, { x: out, size: n, bits: 7 });
    rec.flush(); // run B's flush, before A's dispatch is recorded
    await pending;
    gpu.device.pushErrorScope("validation");
    rec.flush();
    const error = await gpu.device.popErrorScope();
    assert.equal(error, null, error?.message);
    const [bytes] = await readBuffers(gpu, [{ buffer: out }]);
    assert.deepEqual(Array.from(new Uint32Array(bytes)), new Array(n).fill(7));
    // A uniform that is never bound is destroyed after the second flush, not leaked.
    rec.uniform(new ArrayBuffer(16), "unbound");
    rec.flush();
    rec.flush();
    out.destroy();
  },
);
