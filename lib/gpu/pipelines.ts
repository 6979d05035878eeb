/**
 * Compiling WGSL kernels into cached compute pipelines with readable errors.
 *
 * A kernel is one or more source parts (a shared function library followed by
 * the kernel's own file). Compilation happens inside a validation error scope;
 * a failure is rethrown as a {@linkcode KernelCompileError} naming the file, the
 * WGSL line and column of the part it came from. Pipelines are cached by
 * label + override constants, so the same kernel with other constants is a
 * second pipeline and changing a runtime value (kept in a uniform) never is.
 *
 * @module
 */
import type { GpuContext } from "./context.ts";
import { describeAdapter, slowGpuFix } from "./gl_path.ts";
import { guardedAsync } from "./watchdog.ts";

/** One source file of a kernel. */
export interface KernelPart {
  /** Path shown in errors, e.g. `"kernels/matmul/matmul_naive.wgsl"`. */
  file: string;
  /** The WGSL text. */
  code: string;
}

/** A kernel: a label and its source parts (concatenated in order). */
export interface KernelSource {
  /** Short name used as the pipeline label and in debug output. */
  label: string;
  /** Library parts first, the kernel's own file (with `main`) last. */
  parts: KernelPart[];
}

/** Override constants of a pipeline (numbers or booleans). */
export type OverrideConstants = Record<string, number | boolean>;

/** Thrown when a kernel fails to compile or its pipeline fails to build. */
export class KernelCompileError extends Error {
  /** @param message The full message. */
  constructor(message: string) {
    super(message);
    this.name = "KernelCompileError";
  }
}

/** Locates a line of the concatenated source in its part. */
export function locateLine(parts: KernelPart[], line: number): { file: string; line: number } {
  let first = 1;
  for (const part of parts) {
    const lines = trimFinalNewline(part.code).split("\n").length;
    if (line < first + lines) return { file: part.file, line: line - first + 1 };
    first += lines;
  }
  return { file: parts[parts.length - 1]?.file ?? "?", line };
}

function trimFinalNewline(code: string): string {
  return code.endsWith("\n") ? code.slice(0, -1) : code;
}

function joinParts(parts: KernelPart[]): string {
  return parts.map((p) => trimFinalNewline(p.code)).join("\n");
}

const caches = new WeakMap<GPUDevice, Map<string, Promise<GPUComputePipeline>>>();

/** The cache key of a pipeline: label plus sorted constants. */
export function pipelineKey(label: string, constants: OverrideConstants = {}): string {
  const entries = Object.keys(constants).sort().map((k) => `${k}=${Number(constants[k])}`);
  return entries.length ? `${label}{${entries.join(",")}}` : label;
}

/**
 * Returns the compute pipeline of `kernel` with `constants`, compiling it once.
 *
 * @param gpu The GPU context.
 * @param kernel The kernel's label and source parts.
 * @param constants Override constants.
 * @returns The pipeline (entry point `main`, layout `auto`).
 * @throws {KernelCompileError} With file, line and column on a WGSL error.
 */
export function getPipeline(
  gpu: GpuContext,
  kernel: KernelSource,
  constants: OverrideConstants = {},
): Promise<GPUComputePipeline> {
  gpu.assertAlive();
  let cache = caches.get(gpu.device);
  if (!cache) caches.set(gpu.device, cache = new Map());
  const key = pipelineKey(kernel.label, constants);
  let pipeline = cache.get(key);
  if (!pipeline) {
    const call = {
      what: `compiling kernel "${key}" (${kernel.parts.at(-1)?.file})`,
      adapter: describeAdapter(gpu.facts),
      fix: slowGpuFix(gpu.facts),
    };
    pipeline = guardedAsync(call, () => compile(gpu, kernel, constants, key));
    cache.set(key, pipeline);
    pipeline.catch(() => cache.delete(key));
  }
  return pipeline;
}

async function compile(
  gpu: GpuContext,
  kernel: KernelSource,
  constants: OverrideConstants,
  key: string,
): Promise<GPUComputePipeline> {
  const device = gpu.device;
  device.pushErrorScope("validation");
  const module = device.createShaderModule({ label: kernel.label, code: joinParts(kernel.parts) });
  const info = await module.getCompilationInfo();
  const moduleError = await device.popErrorScope();
  const errors = info.messages.filter((m) => m.type === "error");
  if (errors.length > 0 || moduleError) {
    const source = joinParts(kernel.parts).split("\n");
    const described = errors.map((m) => {
      const at = locateLine(kernel.parts, m.lineNum);
      // The compiler's own text repeats positions in the joined source; keep its summary line.
      const summary = m.message.split("\n").map((l) => l.trim()).find((l) => l.length > 0) ?? "";
      const code = (source[m.lineNum - 1] ?? "").trim();
      return `${at.file}:${at.line}:${m.linePos}: ${summary}${code ? ` (in \`${code}\`)` : ""}`;
    });
    if (described.length === 0 && moduleError) described.push(moduleError.message);
    throw new KernelCompileError(`Cannot compile kernel "${kernel.label}": ${described.join("; ")}`);
  }
  const numeric: Record<string, number> = {};
  for (const [k, v] of Object.entries(constants)) numeric[k] = Number(v);
  device.pushErrorScope("validation");
  let pipeline: GPUComputePipeline;
  try {
    pipeline = await device.createComputePipelineAsync({
      label: key,
      layout: "auto",
      compute: { module, entryPoint: "main", constants: numeric },
    });
  } catch (error) {
    await device.popErrorScope();
    throw new KernelCompileError(
      `Cannot build pipeline "${key}" from ${kernel.parts.at(-1)?.file}: ${(error as Error).message}`,
    );
  }
  const pipelineError = await device.popErrorScope();
  if (pipelineError) {
    throw new KernelCompileError(
      `Cannot build pipeline "${key}" from ${kernel.parts.at(-1)?.file}: ${pipelineError.message}`,
    );
  }
  return pipeline;
}
