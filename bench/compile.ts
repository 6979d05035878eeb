/**
 * Compile time of every kernel on the current adapter: `deno task bench compile [--json]`.
 *
 * Finds every kernel under `kernels/` ({@linkcode discoverKernels}: each `.wgsl` with an entry point, with
 * the libraries it uses), builds its pipeline with its WGSL default overrides (and the variants the
 * runtime picks by adapter, {@linkcode adapterVariants}), and dispatches it once on zero-filled buffers: Mesa's
 * llvmpipe compiles a shader to machine code at its first dispatch, not at pipeline creation, so only
 * the dispatch shows what a user waits for (teacher_student_sgd with CACHE_ROWS took minutes on the GL
 * adapter). Each row is one kernel: milliseconds from `createShaderModule` to the dispatch's
 * completion.
 *
 * The adapter is whatever `navigator.gpu` gives: hide the Vulkan driver (`VK_ICD_FILENAMES=/nonexistent.json`,
 * or `DENO_WEBGPU_BACKEND=gl`) to measure Mesa's GL adapter. `--only=<label substring>` measures a subset.
 * Mesa keeps compiled shaders in an on-disk cache (`~/.cache/mesa_shader_cache*`): a second run mostly
 * measures cache hits. Set `MESA_SHADER_CACHE_DISABLE=true` to measure what a fresh machine compiles.
 *
 * @module
 */
import type { BenchOptions, BenchRow } from "./_harness.ts";
import { acquireGpu, describeAdapter, type GpuContext } from "../lib/gpu/device.ts";
import {
  teacherStudentCacheRows,
  teacherStudentWorkgroupSize,
} from "../kernels/teacher_student/teacher_student_sgd.ts";
import type { KernelPart, KernelSource, OverrideConstants } from "../lib/gpu/pipelines.ts";

/** What this benchmark measures. */
export const description = "milliseconds to compile each kernel and run its first dispatch (current adapter)";

/**
 * Override sets the runtime chooses on this adapter, besides the WGSL defaults (label -> constant sets):
 * teacher_student_sgd's workgroup size and row cache (CACHE_ROWS on CPU adapters, except through GL).
 */
export function adapterVariants(gpu: GpuContext): Record<string, OverrideConstants[]> {
  return {
    teacher_student_sgd: [{
      WORKGROUP_SIZE: teacherStudentWorkgroupSize(gpu),
      CACHE_ROWS: teacherStudentCacheRows(gpu, 200) ? 1 : 0,
    }],
  };
}

function* walk(dir: URL): Generator<URL> {
  for (const entry of Deno.readDirSync(dir)) {
    const url = new URL(entry.name + (entry.isDirectory ? "/" : ""), dir);
    if (entry.isDirectory) yield* walk(url);
    else yield url;
  }
}

const DECLARATION = /^(?:@\w+(?:\([^)]*\))?\s*)*(?:fn|struct|const|alias|override|var(?:<[^>]*>)?)\s+(\w+)/gm;

/** Names a WGSL library declares at module scope (functions, structs, constants, variables). */
function declaredNames(code: string): string[] {
  return [...code.matchAll(DECLARATION)].map((m) => m[1]);
}

/**
 * Every kernel under kernels/ (any folder): each `.wgsl` with a `@compute` entry point, preceded by the
 * libraries (`.wgsl` files without one) it uses, found by the names they declare (WGSL declarations
 * may come in any order, so the order of the parts does not matter). The label is the file's name.
 */
export function discoverKernels(root = new URL("../kernels/", import.meta.url)): KernelSource[] {
  const files: KernelPart[] = [];
  for (const url of walk(root)) {
    if (url.pathname.endsWith(".wgsl")) {
      files.push({
        file: "kernels/" + url.pathname.slice(root.pathname.length),
        code: Deno.readTextFileSync(url),
      });
    }
  }
  // A library is needed for its functions, types and constants (not its bindings, whose names are short).
  const libraries = files.filter((f) => !f.code.includes("@compute"))
    .map((part) => ({ part, names: declaredNames(part.code.replace(/^.*\bvar\b.*$/gm, "")) }));
  const uses = (code: string, name: string) => new RegExp(`\\b${name}\\b`).test(code);
  return files.filter((f) => f.code.includes("@compute")).map((entry) => {
    const parts = [entry];
    for (let added = true; added;) {
      added = false;
      const own = new Set(parts.flatMap((p) => declaredNames(p.code)));
      const code = parts.map((p) => p.code.replace(/\/\/.*$/gm, "")).join("\n");
      for (const library of libraries) {
        if (parts.includes(library.part)) continue;
        if (library.names.some((n) => !own.has(n) && uses(code, n))) {
          parts.unshift(library.part);
          added = true;
          break;
        }
      }
    }
    const label = entry.file.replace(/^.*\//, "").replace(/\.wgsl$/, "");
    return { label, parts };
  }).sort((a, b) => a.label.localeCompare(b.label));
}

const BINDING = /@group\(0\)\s*@binding\((\d+)\)\s*var<(uniform|storage)\s*(?:,\s*(read_write|read))?>/g;

/**
 * Compiles `kernel` with `constants` and runs one workgroup on zero-filled buffers (an explicit layout
 * from the source's bindings, so unused bindings do not matter); resolves to the milliseconds taken.
 */
export async function compileAndDispatch(
  gpu: GpuContext,
  kernel: KernelSource,
  constants: OverrideConstants = {},
): Promise<number> {
  const device = gpu.device;
  const code = kernel.parts.map((p) => p.code).join("\n");
  const entries: GPUBindGroupLayoutEntry[] = [...code.matchAll(BINDING)].map((m) => ({
    binding: Number(m[1]),
    visibility: GPUShaderStage.COMPUTE,
    buffer: {
      type: m[2] === "uniform" ? "uniform" : m[3] === "read_write" ? "storage" : "read-only-storage",
    },
  }));
  const buffers = entries.map((e) =>
    device.createBuffer({
      size: 1 << 16,
      usage: e.buffer!.type === "uniform" ? GPUBufferUsage.UNIFORM : GPUBufferUsage.STORAGE,
    })
  );
  const started = performance.now();
  device.pushErrorScope("validation");
  const layout = device.createBindGroupLayout({ entries });
  const module = device.createShaderModule({ label: kernel.label, code });
  const numeric: Record<string, number> = {};
  for (const [k, v] of Object.entries(constants)) numeric[k] = Number(v);
  const pipeline = await device.createComputePipelineAsync({
    label: kernel.label,
    layout: device.createPipelineLayout({ bindGroupLayouts: [layout] }),
    compute: { module, entryPoint: "main", constants: numeric },
  });
  const bindGroup = device.createBindGroup({
    layout,
    entries: entries.map((e, i) => ({ binding: e.binding, resource: { buffer: buffers[i] } })),
  });
  const encoder = device.createCommandEncoder();
  const pass = encoder.beginComputePass();
  pass.setPipeline(pipeline);
  pass.setBindGroup(0, bindGroup);
  pass.dispatchWorkgroups(1);
  pass.end();
  device.queue.submit([encoder.finish()]);
  await device.queue.onSubmittedWorkDone();
  const ms = performance.now() - started;
  const error = await device.popErrorScope();
  for (const b of buffers) b.destroy();
  if (error) throw new Error(`Cannot compile kernel "${kernel.label}" for the bench: ${error.message}`);
  return ms;
}

/** One row per kernel and override set: compile + first dispatch, in milliseconds. */
export async function* run(options: BenchOptions): AsyncGenerator<BenchRow> {
  const gpu = await acquireGpu();
  const only = typeof options.args.only === "string" ? options.args.only : "";
  const kernels = discoverKernels();
  const adapter = describeAdapter(gpu.facts);
  const variants = adapterVariants(gpu);
  for (const kernel of kernels) {
    if (only && !kernel.label.includes(only)) continue;
    for (const constants of [{}, ...(variants[kernel.label] ?? [])]) {
      const ms = await compileAndDispatch(gpu, kernel, constants);
      const overrides = Object.entries(constants).map(([k, v]) => `${k}=${Number(v)}`).join(",") ||
        "defaults";
      yield { bench: "compile", variant: kernel.label, value: ms, unit: "ms", overrides, adapter };
    }
  }
}
