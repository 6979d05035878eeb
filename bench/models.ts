/**
 * MLP throughput: samples per second of a forward+backward pass (loss and gradient) and
 * of an exact Hessian-vector product on the `mlp` preset (3072 -> 512 -> 512 -> 10,
 * 1,841,162 parameters, squared loss), webgpu against the float64 reference backend in
 * the same run, at batch 8, 64 and 1024 (`--quick`: 8 and 64, one reference size), and the
 * HVP / gradient cost ratio (target <= 3).
 *
 * A timed webgpu call records `calls` evaluations back to back (about 0.5 GFLOP) and reads
 * the loss once, so the ~11 ms host wait of the CPU adapter is amortised; the reference
 * backend runs one evaluation per call. Options: `--preset=mlp_s` etc., `--inputs=784`.
 *
 * @module
 */
import { type BenchOptions, type BenchRow, compared, timeAsync } from "./_harness.ts";
import { acquireGpu } from "../lib/gpu/device.ts";
import { WebGpuBackend } from "../lib/backend/webgpu.ts";
import { ReferenceBackend } from "../lib/backend/reference.ts";
import type { Backend } from "../lib/backend/backend.ts";
import { mlpMultiplyAdds, mlpPreset, type MlpPresetName } from "../lib/models/mlp.ts";
import { Mlp } from "../lib/models/mlp_model.ts";
import { randomReference } from "../lib/rng/philox.ts";

/** One-line description for `--help`. */
export const description =
  "MLP forward+backward and Hessian-vector product samples/s at batch 8, 64, 1024 (webgpu vs reference), HVP/gradient ratio";

const BENCH = "models";

interface Timing {
  gradient: number;
  hvp: number;
}

/** Seconds per evaluation of the gradient and of H v on one batch. */
async function timeModel(
  backend: Backend,
  mlp: Mlp,
  batch: number,
  calls: number,
  minSeconds: number,
): Promise<Timing> {
  const { sizes } = mlp.spec;
  const nIn = sizes[0], nOut = sizes[sizes.length - 1];
  const x = backend.tensor(randomReference(batch, nIn, { seed: 1 }), [batch, nIn]);
  const y = backend.tensor(randomReference(batch, nOut, { seed: 2 }), [batch, nOut]);
  const params = mlp.init(3);
  const direction = backend.tensor(randomReference(1, mlp.layout.count, { seed: 4 }));
  const loss = backend.zeros([1]);
  const gradient = backend.zeros([mlp.layout.count]), hessianVector = backend.zeros([mlp.layout.count]);
  const time = (withHvp: boolean) =>
    timeAsync(async () => {
      for (let c = 0; c < calls; c++) {
        await mlp.evaluate(
          params,
          x,
          y,
          withHvp ? { direction, into: { loss, hessianVector } } : {
            gradient: true,
            into: { loss, gradient },
          },
        );
      }
      await backend.read(loss);
    }, {
      warmup: backend.name === "reference" ? 0 : 1,
      minRepeats: backend.name === "reference" ? 1 : 3,
      minSeconds,
    }) as Promise<number>;
  const gradientSeconds = await time(false) / calls;
  const hvpSeconds = await time(true) / calls;
  backend.dispose(x, y, params, direction, loss, gradient, hessianVector);
  mlp.dispose();
  return { gradient: gradientSeconds, hvp: hvpSeconds };
}

/** Runs the benchmark. */
export async function* run(options: BenchOptions): AsyncGenerator<BenchRow> {
  const preset = (options.args.preset as MlpPresetName | undefined) ?? "mlp";
  const inputs = Number(options.args.inputs ?? 3072);
  const spec = mlpPreset(preset, { inputs });
  const batches = options.quick ? [8, 64] : [8, 64, 1024];
  const referenceBatches = options.quick ? [8] : [8, 64, 1024];
  const gpu = await acquireGpu();
  const webgpu = new WebGpuBackend(gpu);
  const reference = new ReferenceBackend();
  const minSeconds = options.quick ? 0.3 : 1;
  const flopsPerSample = 2 * mlpMultiplyAdds(spec);
  for (const batch of batches) {
    const calls = Math.max(1, Math.round(5e8 / (3 * flopsPerSample * batch)));
    const gpuTime = await timeModel(webgpu, new Mlp(webgpu, spec, "squared"), batch, calls, minSeconds);
    const common = { preset, inputs, batch, params: spec.sizes.join("-") };
    let refTime: Timing | undefined;
    if (referenceBatches.includes(batch)) {
      refTime = await timeModel(reference, new Mlp(reference, spec, "squared"), batch, 1, 0);
    }
    for (const kind of ["gradient", "hvp"] as const) {
      const name = kind === "gradient" ? "forward+backward" : "hvp";
      const gpuRow: BenchRow = {
        bench: BENCH,
        variant: `webgpu ${name}`,
        value: batch / gpuTime[kind],
        unit: "samples/s",
        ...common,
        // A gradient is ~3 forward products per sample: its matmul GFLOP/s achieved.
        ...(kind === "gradient" ? { gflops: (3 * flopsPerSample * batch) / gpuTime[kind] / 1e9 } : {}),
      };
      if (refTime) {
        const refRow: BenchRow = {
          bench: BENCH,
          variant: `reference ${name}`,
          value: batch / refTime[kind],
          unit: "samples/s",
          ...common,
        };
        yield refRow;
        yield compared(gpuRow, refRow);
      } else {
        yield gpuRow;
      }
    }
    yield {
      bench: BENCH,
      variant: "webgpu hvp/gradient time",
      value: gpuTime.hvp / gpuTime.gradient,
      unit: "x",
      ...common,
      target: "<= 3",
    };
    if (refTime) {
      yield {
        bench: BENCH,
        variant: "reference hvp/gradient time",
        value: refTime.hvp / refTime.gradient,
        unit: "x",
        ...common,
      };
    }
  }
}
