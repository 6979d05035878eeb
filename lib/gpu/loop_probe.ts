/**
 * Measuring the adapter's silent per-invocation loop limit.
 *
 * @module
 */
import source from "./loop_probe.wgsl" with { type: "text" };
import type { GpuContext } from "./context.ts";
import { getPipeline, type KernelSource } from "./pipelines.ts";
import { CommandRecorder } from "./recorder.ts";
import { StructLayout } from "./params.ts";
import { createBuffer, readBuffer } from "./buffers.ts";

/** The uniform struct of lib/gpu/loop_probe.wgsl. */
const LOOP_PROBE_PARAMS = new StructLayout(
  "Params",
  "lib/gpu/loop_probe.wgsl",
  [
    ["iterations", "u32"],
    ["seed", "u32"],
  ] as const,
);

/** The probe kernel. */
export const LOOP_PROBE_KERNEL: KernelSource = {
  label: "loop_probe",
  parts: [{ file: "lib/gpu/loop_probe.wgsl", code: source }],
};

/**
 * Runs one invocation that asks for `iterations` loop iterations and returns how many it completed.
 *
 * @param gpu The GPU context.
 * @param iterations Iterations to ask for.
 * @returns Iterations completed (less than asked on adapters with a loop limit).
 */
export async function runLoopProbe(gpu: GpuContext, iterations: number): Promise<number> {
  const rec = new CommandRecorder(gpu);
  const out = createBuffer(gpu, 8, "loop probe result");
  const pipeline = await getPipeline(gpu, LOOP_PROBE_KERNEL);
  const params = rec.uniform(LOOP_PROBE_PARAMS.bytes({ iterations, seed: 12345 }));
  rec.dispatch({ pipeline, label: LOOP_PROBE_KERNEL.label, bindings: [out, params], workgroups: [1] });
  rec.flush();
  const [completed] = new Uint32Array(await readBuffer(gpu, out, 0, 8));
  out.destroy();
  return completed;
}

/** Iterations the probe asks for; an adapter that completes them all is treated as unlimited. */
export const LOOP_PROBE_ITERATIONS = 1 << 22;
