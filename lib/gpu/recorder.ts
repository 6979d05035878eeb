/**
 * Recording dispatches into one compute pass and submitting them together.
 *
 * A dispatch inside an open pass costs ~25 us on the CPU adapter, a submit
 * ~60-95 us and a host wait ~11 ms (DESIGN.md section 3). The recorder therefore
 * keeps one pass open and submits only when asked (`flush`), which readbacks do
 * first. WebGPU orders dispatches within a pass, so a later dispatch sees an
 * earlier one's writes. With `KERNEL_DEBUG=1` every dispatch prints its label,
 * override constants and grid on stderr.
 *
 * @module
 */
import type { GpuContext } from "./context.ts";
import { describeAdapter, slowGpuFix } from "./gl_path.ts";
import { guarded, guardedAsync } from "./watchdog.ts";
import { getPipeline, type KernelSource, type OverrideConstants, pipelineKey } from "./pipelines.ts";
import { readEnv } from "../env.ts";

/** A binding: a whole buffer, or a range of one. */
export type Binding = GPUBuffer | { buffer: GPUBuffer; offset?: number; size?: number };

/** Everything one dispatch needs. */
export interface DispatchSpec {
  /** The pipeline (from `getPipeline`). */
  pipeline: GPUComputePipeline;
  /** Kernel label, for debug output. */
  label: string;
  /** The pipeline's override constants, for debug output. */
  constants?: OverrideConstants;
  /** Bindings of group 0 in binding order (0, 1, 2, ...). */
  bindings: Binding[];
  /** Workgroup counts; each must be <= the device's maxComputeWorkgroupsPerDimension. */
  workgroups: [number, number?, number?];
}

/** Pipelines dispatched at least once in this process (the first dispatch may compile on GL). */
const dispatchedPipelines = new WeakSet<GPUComputePipeline>();

let debugFlag: boolean | undefined;
/** True when `KERNEL_DEBUG=1` is set (and readable). */
export function kernelDebugEnabled(): boolean {
  debugFlag ??= readEnv("KERNEL_DEBUG") === "1";
  return debugFlag;
}

/** Keeps one compute pass open, records dispatches into it, submits on `flush`. */
export class CommandRecorder {
  /** The GPU context. */
  readonly gpu: GpuContext;
  #encoder: GPUCommandEncoder | undefined;
  #pass: GPUComputePassEncoder | undefined;
  #transient: GPUBuffer[] = [];
  /**
   * Uniforms made but not yet bound, with the flush count when they were made. A caller may make a
   * uniform, then await a pipeline while another run on the same recorder flushes: such a uniform
   * must outlive that flush. It is destroyed after the flush that follows its binding (or, if it is
   * never bound, after the second flush).
   */
  #unbound = new Map<GPUBuffer, number>();
  #flushes = 0;
  #dispatches = 0;
  /** Pipeline keys dispatched since the last flush; true for a pipeline's first dispatch in the process. */
  #pending = new Map<string, boolean>();

  /** @param gpu The GPU context to record for. */
  constructor(gpu: GpuContext) {
    this.gpu = gpu;
  }

  /** Dispatches recorded since the recorder was made. */
  get dispatchCount(): number {
    return this.#dispatches;
  }

  /**
   * Creates a uniform buffer holding `bytes`, destroyed after the flush that follows the dispatch
   * binding it.
   *
   * @param bytes The struct's bytes (multiple of 16), e.g. from a `StructLayout`.
   * @param label Label for errors.
   * @returns The uniform buffer.
   */
  uniform(bytes: ArrayBuffer, label = "params"): GPUBuffer {
    this.gpu.assertAlive();
    const buffer = this.gpu.device.createBuffer({
      size: Math.max(16, bytes.byteLength),
      usage: GPUBufferUsage.UNIFORM,
      mappedAtCreation: true,
      label,
    });
    new Uint8Array(buffer.getMappedRange()).set(new Uint8Array(bytes));
    buffer.unmap();
    this.#unbound.set(buffer, this.#flushes);
    return buffer;
  }

  /** Registers a buffer to destroy after the next flush (scratch space). */
  releaseAfterFlush(buffer: GPUBuffer): void {
    this.#transient.push(buffer);
  }

  /**
   * Records one dispatch into the open pass (opening one if needed).
   *
   * @param spec Pipeline, bindings and grid.
   * @throws {RangeError} When a grid dimension is not an integer in [0, max per dimension].
   */
  dispatch(spec: DispatchSpec): void {
    this.gpu.assertAlive();
    const [x, y = 1, z = 1] = spec.workgroups;
    const max = this.gpu.device.limits.maxComputeWorkgroupsPerDimension;
    for (const n of [x, y, z]) {
      if (!Number.isInteger(n) || n < 0 || n > max) {
        throw new RangeError(
          `Cannot dispatch "${spec.label}": workgroup count ${n} must be an integer in [0, ${max}] (grid [${x}, ${y}, ${z}])`,
        );
      }
    }
    if (x === 0 || y === 0 || z === 0) return;
    if (kernelDebugEnabled()) {
      console.error(`[kernel] ${pipelineKey(spec.label, spec.constants)} workgroups=[${x}, ${y}, ${z}]`);
    }
    const bindGroup = this.gpu.device.createBindGroup({
      label: spec.label,
      layout: spec.pipeline.getBindGroupLayout(0),
      entries: spec.bindings.map((b, binding) => ({
        binding,
        resource: b instanceof GPUBuffer
          ? { buffer: b }
          : { buffer: b.buffer, offset: b.offset ?? 0, size: b.size },
      })),
    });
    for (const b of spec.bindings) {
      const buffer = b instanceof GPUBuffer ? b : b.buffer;
      if (this.#unbound.delete(buffer)) this.#transient.push(buffer);
    }
    const pass = this.#openPass();
    pass.setPipeline(spec.pipeline);
    pass.setBindGroup(0, bindGroup);
    pass.dispatchWorkgroups(x, y, z);
    this.#dispatches++;
    const key = pipelineKey(spec.label, spec.constants);
    const first = !dispatchedPipelines.has(spec.pipeline);
    dispatchedPipelines.add(spec.pipeline);
    this.#pending.set(key, (this.#pending.get(key) ?? false) || first);
  }

  /** Records a buffer-to-buffer copy (closing the open pass first). */
  copy(
    source: GPUBuffer,
    sourceOffset: number,
    target: GPUBuffer,
    targetOffset: number,
    bytes: number,
  ): void {
    if (bytes === 0) return;
    this.#closePass();
    this.#encoder ??= this.gpu.device.createCommandEncoder({ label: "recorder" });
    this.#encoder.copyBufferToBuffer(source, sourceOffset, target, targetOffset, bytes);
  }

  /**
   * Runs `record` inside its own pass bracketed by timestamp queries, submits, and
   * returns the GPU time of the pass in nanoseconds (`undefined` without timestamp support).
   *
   * @param record Records the dispatches to time.
   * @returns GPU nanoseconds of the pass, or `undefined`.
   */
  async timed(record: () => void): Promise<number | undefined> {
    if (!this.gpu.facts.hasTimestamps) {
      record();
      this.flush();
      return undefined;
    }
    this.flush();
    const device = this.gpu.device;
    const querySet = device.createQuerySet({ type: "timestamp", count: 2, label: "timer" });
    const resolve = device.createBuffer({
      size: 16,
      usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC,
      label: "timer resolve",
    });
    const readback = device.createBuffer({
      size: 16,
      usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
    });
    this.#encoder = device.createCommandEncoder({ label: "timed" });
    this.#pass = this.#encoder.beginComputePass({
      label: "timed pass",
      timestampWrites: { querySet, beginningOfPassWriteIndex: 0, endOfPassWriteIndex: 1 },
    });
    record();
    this.#closePass();
    this.#encoder!.resolveQuerySet(querySet, 0, 2, resolve, 0);
    this.#encoder!.copyBufferToBuffer(resolve, 0, readback, 0, 16);
    const pending = this.#describePending(); // before flush clears it: names the timed kernels
    this.flush();
    const call = { ...pending, what: `waiting for the timed pass (${pending.what})` };
    await guardedAsync(call, () => readback.mapAsync(GPUMapMode.READ));
    const [begin, end] = new BigUint64Array(readback.getMappedRange());
    readback.unmap();
    for (const b of [readback, resolve]) b.destroy();
    querySet.destroy();
    return Number(end - begin);
  }

  /** Ends the open pass and submits everything recorded. */
  flush(): void {
    this.#closePass();
    if (this.#encoder) {
      this.gpu.assertAlive();
      const commands = this.#encoder.finish();
      // Mesa's GL driver compiles a kernel's machine code at its first dispatch, inside submit, on
      // this thread: guard it so a stuck compile ends with a message instead of a silent hang.
      guarded(this.#describePending(), () => this.gpu.device.queue.submit([commands]));
      this.#encoder = undefined;
      this.#pending.clear();
    }
    for (const b of this.#transient) b.destroy();
    this.#transient = [];
    for (const [b, madeAt] of this.#unbound) {
      if (madeAt < this.#flushes) {
        b.destroy();
        this.#unbound.delete(b);
      }
    }
    this.#flushes++;
  }

  #describePending(): { what: string; adapter: string; fix: string } {
    const kernels = [...this.#pending].map(([key, first]) => `"${key}"${first ? " (first dispatch)" : ""}`);
    const shown = kernels.length > 4 ? [...kernels.slice(0, 4), `${kernels.length - 4} more`] : kernels;
    return {
      what: kernels.length
        ? `running kernel${kernels.length > 1 ? "s" : ""} ${shown.join(", ")}`
        : "submitting GPU work",
      adapter: describeAdapter(this.gpu.facts),
      fix: slowGpuFix(this.gpu.facts),
    };
  }

  #openPass(): GPUComputePassEncoder {
    this.#encoder ??= this.gpu.device.createCommandEncoder({ label: "recorder" });
    this.#pass ??= this.#encoder.beginComputePass({ label: "recorder pass" });
    return this.#pass;
  }

  #closePass(): void {
    this.#pass?.end();
    this.#pass = undefined;
  }
}

/**
 * Splits `invocations` one-dimensional invocations over a 2-D grid of workgroups of
 * `workgroupSize`, for counts past the 65,535 workgroups one dimension allows.
 * Kernels recover the linear index as `gid.x + gid.y * (num_workgroups.x * WG)`.
 *
 * @param invocations Number of invocations needed.
 * @param workgroupSize Invocations per workgroup.
 * @param maxPerDimension The device's maxComputeWorkgroupsPerDimension.
 * @returns Workgroup counts `[x, y]`.
 */
export function grid1d(
  invocations: number,
  workgroupSize: number,
  maxPerDimension = 65535,
): [number, number] {
  const groups = Math.ceil(invocations / workgroupSize);
  if (groups <= maxPerDimension) return [groups, 1];
  const y = Math.ceil(groups / maxPerDimension);
  return [Math.ceil(groups / y), y];
}

/** What {@linkcode dispatch1d} records. */
export interface Dispatch1dSpec {
  /** The kernel (compiled once per override constants, then cached). */
  kernel: KernelSource;
  /** Override constants; `WORKGROUP_SIZE` is also the grid's workgroup size. */
  constants: OverrideConstants & { WORKGROUP_SIZE: number };
  /** Invocations (elements, walkers, seeds); 0 records nothing. */
  invocations: number;
  /** Bindings of group 0 in binding order. */
  bindings: Binding[];
}

/**
 * Records one dispatch of `invocations` one-dimensional invocations of a kernel: its pipeline, a
 * {@linkcode grid1d} grid within the device's per-dimension limit, and the dispatch.
 *
 * @param rec The recorder.
 * @param spec Kernel, constants, invocations and bindings.
 * @throws {KernelCompileError} When the kernel does not compile.
 */
export async function dispatch1d(rec: CommandRecorder, spec: Dispatch1dSpec): Promise<void> {
  if (spec.invocations === 0) return;
  const pipeline = await getPipeline(rec.gpu, spec.kernel, spec.constants);
  const max = rec.gpu.device.limits.maxComputeWorkgroupsPerDimension;
  rec.dispatch({
    pipeline,
    label: spec.kernel.label,
    constants: spec.constants,
    bindings: spec.bindings,
    workgroups: grid1d(spec.invocations, spec.constants.WORKGROUP_SIZE, max),
  });
}
