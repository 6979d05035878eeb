/**
 * Matmul throughput: our WGSL variants against TensorFlow.js's WebGPU backend on the
 * same adapter, and the float64 reference backend.
 *
 * Each timed call records `repeats` products of two n x n matrices (about 1 GFLOP)
 * and waits for the GPU once, reading C back (TF.js: `data()` of the last product),
 * so the ~11 ms host wait of the CPU adapter (DESIGN.md section 3) is amortised the
 * same way for both. Compilation is excluded by a warm-up call. Rows carry `n`, and
 * `baseline: "tfjs-webgpu"` + `ratio` wherever TF.js ran. A last row gives the best
 * variant's share of the machine's fp32 peak and how that peak was computed.
 *
 * @module
 */
import { type BenchOptions, type BenchRow, compared, timeAsync } from "./_harness.ts";
import { acquireGpu, type GpuContext } from "../lib/gpu/device.ts";
import { createBuffer, readBuffer, writeBuffer } from "../lib/gpu/buffers.ts";
import { CommandRecorder } from "../lib/gpu/recorder.ts";
import { planMatmul } from "../lib/backend/tensor.ts";
import { ReferenceBackend } from "../lib/backend/reference.ts";
import { encodeMatmul, MATMUL_VARIANTS } from "../kernels/matmul/matmul.ts";

/** One-line description for `--help`. */
export const description =
  "Matmul GFLOP/s at n = 256, 512, 1024: naive/blocked/tiled WGSL vs TensorFlow.js WebGPU and the reference backend";

const BENCH = "matmul";

/** Deterministic inputs in [-1, 1) (xorshift32). */
function inputs(size: number, seed: number): Float32Array {
  const out = new Float32Array(size);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < size; i++) {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    out[i] = s / 2147483648 - 1;
  }
  return out;
}

/** Products per timed call: about 1 GFLOP, at least one. */
function repeatsFor(n: number): number {
  return Math.max(1, Math.round(1e9 / (2 * n ** 3)));
}

interface TfjsMatmul {
  time(a: Float32Array, b: Float32Array, n: number, quick: boolean): Promise<number>;
}

/** Loads TF.js with its WebGPU backend, or returns why it cannot run. */
async function loadTfjs(): Promise<TfjsMatmul | string> {
  try {
    const tf = await import("npm:@tensorflow/tfjs-core@4");
    await import("npm:@tensorflow/tfjs-backend-webgpu@4");
    if (!(await tf.setBackend("webgpu"))) return 'tf.setBackend("webgpu") returned false';
    await tf.ready();
    return {
      async time(a, b, n, quick) {
        const ta = tf.tensor2d(a, [n, n]), tb = tf.tensor2d(b, [n, n]);
        const repeats = repeatsFor(n);
        const seconds = await timeAsync(async () => {
          const outs = [];
          for (let r = 0; r < repeats; r++) outs.push(tf.matMul(ta, tb));
          await outs[outs.length - 1].data();
          for (const o of outs) o.dispose();
        }, { minSeconds: quick ? 0.2 : 0.5 });
        tf.dispose([ta, tb]);
        return seconds / repeats;
      },
    };
  } catch (error) {
    return `TF.js WebGPU could not run: ${(error as Error).message}`;
  }
}

async function timeVariant(
  gpu: GpuContext,
  variant: string,
  a: Float32Array,
  b: Float32Array,
  n: number,
  quick: boolean,
) {
  const rec = new CommandRecorder(gpu);
  const [ba, bb, bc] = ["A", "B", "C"].map((name) => createBuffer(gpu, n * n * 4, `bench matmul ${name}`));
  writeBuffer(gpu, ba, a);
  writeBuffer(gpu, bb, b);
  const plan = planMatmul([n, n], [n, n]);
  const repeats = repeatsFor(n);
  const seconds = await timeAsync(async () => {
    for (let r = 0; r < repeats; r++) {
      await encodeMatmul(rec, {
        a: ba,
        b: bb,
        c: bc,
        plan,
        transposeA: false,
        transposeB: false,
        variant: variant as "naive",
      });
    }
    rec.flush();
    await readBuffer(gpu, bc);
  }, { minSeconds: quick ? 0.2 : 0.5 });
  for (const buffer of [ba, bb, bc]) buffer.destroy();
  return seconds / repeats;
}

async function timeReference(a: Float32Array, b: Float32Array, n: number): Promise<number> {
  const backend = new ReferenceBackend();
  const ta = backend.tensor(a, [n, n]), tb = backend.tensor(b, [n, n]);
  return await timeAsync(() => backend.matmul(ta, tb), { warmup: 0, minRepeats: 2, minSeconds: 0.2 });
}

/** The fp32 peak of this machine from /proc/cpuinfo, or undefined when unreadable. */
function fp32Peak(adapter: string): { gflops: number; how: string } | undefined {
  try {
    const info = Deno.readTextFileSync("/proc/cpuinfo");
    const cores = navigator.hardwareConcurrency;
    const mhz = Number(/cpu MHz\s*:\s*([\d.]+)/.exec(info)?.[1]);
    const flags = /flags\s*:\s*(.*)/.exec(info)?.[1].split(" ") ?? [];
    // llvmpipe states its SIMD width ("256 bits"); otherwise use the widest vector ISA.
    const bits = Number(/(\d+) bits/.exec(adapter)?.[1]) ||
      (flags.includes("avx512f") ? 512 : flags.includes("avx2") ? 256 : 128);
    const lanes = bits / 32;
    const fmaUnits = flags.includes("fma") ? 2 : 1; // assumed: 2 FMA ports per core (most x86 cores since Haswell)
    const gflops = cores * (mhz / 1000) * lanes * fmaUnits * 2;
    if (!(gflops > 0)) return undefined;
    return {
      gflops,
      how: `${cores} cores x ${
        (mhz / 1000).toFixed(2)
      } GHz x ${lanes} fp32 lanes (${bits}-bit SIMD) x ${fmaUnits} FMA units x 2 flop`,
    };
  } catch {
    return undefined;
  }
}

/**
 * Yields one GFLOP/s row per implementation and size.
 *
 * @param options `quick` times n = 256 only.
 * @returns The rows, as measured.
 */
export async function* run(options: BenchOptions): AsyncGenerator<BenchRow> {
  const gpu = await acquireGpu();
  const sizes = options.quick ? [256] : [256, 512, 1024];
  const tfjs = await loadTfjs();
  if (typeof tfjs === "string") {
    yield { bench: BENCH, variant: "tfjs-webgpu", value: NaN, unit: "GFLOP/s", note: tfjs };
  }
  let best: BenchRow | undefined;
  for (const n of sizes) {
    const a = inputs(n * n, 1), b = inputs(n * n, 2);
    const flops = 2 * n ** 3;
    const gflopsRow = (variant: string, seconds: number): BenchRow => ({
      bench: BENCH,
      variant,
      value: flops / seconds / 1e9,
      unit: "GFLOP/s",
      n,
    });
    let base: BenchRow | undefined;
    if (typeof tfjs !== "string") {
      base = gflopsRow("tfjs-webgpu", await tfjs.time(a, b, n, options.quick));
      yield base;
    }
    const withBase = (row: BenchRow) => base ? compared(row, base) : row;
    for (const variant of MATMUL_VARIANTS) {
      const row = withBase(gflopsRow(variant, await timeVariant(gpu, variant, a, b, n, options.quick)));
      if (n === sizes[sizes.length - 1] && (!best || row.value > best.value)) best = row;
      yield row;
    }
    if (n <= 512) yield withBase(gflopsRow("reference", await timeReference(a, b, n)));
  }
  const peak = fp32Peak(gpu.facts.description);
  if (best && peak) {
    yield {
      bench: BENCH,
      variant: `${best.variant} (share of peak)`,
      value: best.value / peak.gflops,
      unit: "fraction of fp32 peak",
      n: best.n,
      peak: `${peak.gflops.toFixed(0)} GFLOP/s = ${peak.how}`,
    };
  }
}
