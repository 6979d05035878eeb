/**
 * Runs a behavioural test once per backend (STYLE.md habit 6).
 *
 * The webgpu variant needs an adapter. Without one it is skipped with a notice,
 * except when `CI=true`, where it fails loudly: CI must never skip GPU tests silently.
 *
 * @module
 */
import { ReferenceBackend } from "../lib/backend/reference.ts";
import { WebGpuBackend } from "../lib/backend/webgpu.ts";
import type { Backend } from "../lib/backend/backend.ts";
import { type GpuContext, NoGpuAdapterError, tryAcquireGpu } from "../lib/gpu/device.ts";
import { readBuffer, uploadBuffer } from "../lib/gpu/buffers.ts";
import { getPipeline } from "../lib/gpu/pipelines.ts";
import { CommandRecorder } from "../lib/gpu/recorder.ts";

/** True when running in CI (`CI=true`). */
export const IN_CI = Deno.env.get("CI") === "true";

/**
 * True when the run must have a GPU adapter: in CI, unless the adapters are hidden on purpose with
 * `DENO_WEBGPU_BACKEND=none` (CI's leg for a machine without any driver, where the reference backend runs alone).
 */
export const GPU_REQUIRED = IN_CI && Deno.env.get("DENO_WEBGPU_BACKEND") !== "none";

const gpu: GpuContext | null = await tryAcquireGpu();
if (!gpu) {
  if (GPU_REQUIRED) throw new NoGpuAdapterError("CI=true: GPU tests must run, install mesa-vulkan-drivers");
  console.error(
    "No WebGPU adapter: webgpu tests are skipped" +
      (IN_CI ? " (DENO_WEBGPU_BACKEND=none)" : " (set CI=true to make that an error)"),
  );
}

/** The GPU context of the test process, or null. */
export const testGpu = gpu;

/**
 * Whether the adapter keeps the sign of zero through a select (`select(x, 0, x < 0)` of a stored -0
 * is -0). Vulkan adapters do; wgpu's GL backend on llvmpipe gives +0. Tests compare signed zeros exactly only where
 * the backend keeps them (see {@linkcode keepsSignedZero}).
 */
export const GPU_KEEPS_SIGNED_ZERO: boolean = gpu ? await probeSignedZero(gpu) : true;

/** True when `backend` keeps the sign of zero (the reference always does). */
export function keepsSignedZero(backend: Backend): boolean {
  return backend.name === "reference" || GPU_KEEPS_SIGNED_ZERO;
}

async function probeSignedZero(context: GpuContext): Promise<boolean> {
  const probe = {
    label: "signed_zero_probe",
    parts: [{
      file: "tests/_backends.ts (inline)",
      code: "@group(0) @binding(0) var<storage, read_write> v: array<f32>;\n" +
        "@compute @workgroup_size(1)\nfn main() { v[1] = select(v[0], 0.0, v[0] < 0.0); }\n",
    }],
  };
  const buffer = uploadBuffer(context, new Float32Array([-0, 1]), "signed zero probe");
  const rec = new CommandRecorder(context);
  rec.dispatch({
    pipeline: await getPipeline(context, probe),
    label: probe.label,
    bindings: [buffer],
    workgroups: [1],
  });
  rec.flush();
  const [, negated] = new Float32Array(await readBuffer(context, buffer));
  buffer.destroy();
  const keeps = Object.is(negated, -0);
  if (!keeps) {
    console.error(`Adapter ${context.facts.description} turns -0 into +0: signed-zero checks relaxed`);
  }
  return keeps;
}

/** The backends under test, by name. */
export const backends: { name: "reference" | "webgpu"; make: () => Backend; ignore: boolean }[] = [
  { name: "reference", make: () => new ReferenceBackend(), ignore: false },
  { name: "webgpu", make: () => new WebGpuBackend(gpu!), ignore: gpu === null },
];

/**
 * Registers `fn` as one Deno test per backend, named `"<name> [<backend>]"`.
 *
 * @param name Test name.
 * @param fn The test body, given the backend.
 */
export function testBothBackends(name: string, fn: (backend: Backend) => Promise<void> | void): void {
  for (const b of backends) {
    Deno.test({ name: `${name} [${b.name}]`, ignore: b.ignore, fn: () => fn(b.make()) });
  }
}

/** Registers a test that needs the GPU (skipped without one, failing in CI as above). */
export function testGpuOnly(name: string, fn: (gpu: GpuContext) => Promise<void> | void): void {
  Deno.test({ name: `${name} [webgpu]`, ignore: gpu === null, fn: () => fn(gpu!) });
}
