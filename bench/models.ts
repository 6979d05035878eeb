/**
 * Model throughput: samples per second of a forward+backward pass (loss and gradient) and of an exact
 * Hessian-vector product (H v alone, the R-operator), webgpu against the float64 reference backend in
 * the same run, and the HVP / gradient cost ratio (target <= 3), squared loss.
 *
 * - `--model=mlp` (the default): the `mlp` preset (3072 -> 512 -> 512 -> 10, 1,841,162 parameters) at
 *   batch 8, 64 and 1024 (`--quick`: 8 and 64, one reference size), the reference at the same batches.
 *   Options: `--preset=mlp_s` etc., `--inputs=784`.
 * - `--model=cnn`: the `cnn` preset (3x32x32, conv 64-64-128, FC 512-10, 2,477,514 parameters) at batch
 *   8 and 32 (`--quick`: 8), the reference at batch 2 only (~1 s per sample) as the baseline of every
 *   webgpu row. Options: `--channels=1 --size=28` (the Fashion-MNIST shape).
 *
 * A timed webgpu call records `calls` evaluations back to back (about 0.5 GFLOP) and reads the loss once,
 * so the ~11 ms host wait of the CPU adapter is amortised; the reference backend runs one evaluation per
 * call. Gradient and H v calls alternate (medians of each), so that the load of a shared machine moves
 * both alike. `gflops` counts 3 forward passes of multiply-adds per gradient sample.
 *
 * @module
 */
import { type BenchOptions, type BenchRow, compared } from "./_harness.ts";
import { acquireGpu } from "../lib/gpu/device.ts";
import { WebGpuBackend } from "../lib/backend/webgpu.ts";
import { ReferenceBackend } from "../lib/backend/reference.ts";
import type { Backend } from "../lib/backend/backend.ts";
import type { Tensor } from "../lib/backend/tensor.ts";
import { mlpMultiplyAdds, mlpPreset, type MlpPresetName } from "../lib/models/mlp.ts";
import { Mlp } from "../lib/models/mlp_model.ts";
import { cnnMultiplyAdds, cnnPreset, type CnnSpec } from "../lib/models/cnn.ts";
import { Cnn } from "../lib/models/cnn_model.ts";
import type { EvaluateOptions, EvaluateResult } from "../lib/models/evaluate_options.ts";
import type { ParameterLayout } from "../lib/models/parameters.ts";
import { randomReference } from "../lib/rng/philox.ts";

/** One-line description for `--help`. */
export const description =
  "MLP (--model=mlp, default) or CNN (--model=cnn) forward+backward and Hessian-vector product samples/s (webgpu vs reference), HVP/gradient ratio";

const BENCH = "models";

/** What the timing needs of a model (Mlp and Cnn both have it). */
interface Model {
  readonly layout: ParameterLayout;
  readonly inputs: number;
  readonly outputs: number;
  init(seed: number): Tensor;
  evaluate(params: Tensor, x: Tensor, y: Tensor, options: EvaluateOptions): Promise<EvaluateResult>;
  dispose(): void;
}

interface Timing {
  gradient: number;
  hvp: number;
}

/** Seconds per evaluation of the gradient and of H v on one batch. */
async function timeModel(
  backend: Backend,
  model: Model,
  batch: number,
  calls: number,
  minSeconds: number,
): Promise<Timing> {
  const nIn = model.inputs, nOut = model.outputs;
  const x = backend.tensor(randomReference(batch, nIn, { seed: 1 }), [batch, nIn]);
  const y = backend.tensor(randomReference(batch, nOut, { seed: 2 }), [batch, nOut]);
  const params = model.init(3);
  const direction = backend.tensor(randomReference(1, model.layout.count, { seed: 4 }));
  const loss = backend.zeros([1]);
  const gradient = backend.zeros([model.layout.count]), hessianVector = backend.zeros([model.layout.count]);
  const once = async (withHvp: boolean) => {
    const t0 = performance.now();
    for (let c = 0; c < calls; c++) {
      await model.evaluate(
        params,
        x,
        y,
        withHvp ? { direction, into: { loss, hessianVector } } : { gradient: true, into: { loss, gradient } },
      );
    }
    await backend.read(loss);
    return (performance.now() - t0) / 1000 / calls;
  };
  const reference = backend.name === "reference";
  if (!reference) {
    // Warm-up: pipelines and scratch buffers.
    await once(false);
    await once(true);
  }
  // The two alternate, so a change of load on the machine shifts both alike (their ratio is reported);
  // medians of at least 3 (1 on the reference backend) and `minSeconds` each.
  const times: Timing[] = [];
  const start = performance.now();
  while (times.length < (reference ? 1 : 3) || (performance.now() - start) / 1000 < 2 * minSeconds) {
    times.push({ gradient: await once(false), hvp: await once(true) });
    if (times.length >= 1000) break;
  }
  const median = (v: number[]) => v.sort((p, q) => p - q)[Math.floor(v.length / 2)];
  const result = { gradient: median(times.map((t) => t.gradient)), hvp: median(times.map((t) => t.hvp)) };
  backend.dispose(x, y, params, direction, loss, gradient, hessianVector);
  model.dispose();
  return result;
}

const NAMES = { gradient: "forward+backward", hvp: "hvp" } as const;

/** samples/s rows of one backend at one batch; `gflops` on gradient rows when flopsPerSample is given. */
function rows(
  backend: string,
  time: Timing,
  common: Record<string, unknown>,
  flopsPerSample?: number,
): Record<keyof Timing, BenchRow> {
  const batch = common.batch as number;
  const row = (kind: keyof Timing): BenchRow => ({
    bench: BENCH,
    variant: `${backend} ${NAMES[kind]}`,
    value: batch / time[kind],
    unit: "samples/s",
    ...common,
    // A gradient is ~3 forward products per sample: its GFLOP/s achieved.
    ...(kind === "gradient" && flopsPerSample
      ? { gflops: (3 * flopsPerSample * batch) / time[kind] / 1e9 }
      : {}),
  });
  return { gradient: row("gradient"), hvp: row("hvp") };
}

function ratioRow(backend: string, time: Timing, common: Record<string, unknown>, target = false): BenchRow {
  return {
    bench: BENCH,
    variant: `${backend} hvp/gradient time`,
    value: time.hvp / time.gradient,
    unit: "x",
    ...common,
    ...(target ? { target: "<= 3" } : {}),
  };
}

/** The MLP rows (unchanged from before `--model` existed). */
async function* runMlp(options: BenchOptions): AsyncGenerator<BenchRow> {
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
    const gpuRows = rows("webgpu", gpuTime, common, flopsPerSample);
    let refTime: Timing | undefined;
    if (referenceBatches.includes(batch)) {
      refTime = await timeModel(reference, new Mlp(reference, spec, "squared"), batch, 1, 0);
    }
    for (const kind of ["gradient", "hvp"] as const) {
      if (refTime) {
        const refRow = rows("reference", refTime, common)[kind];
        yield refRow;
        yield compared(gpuRows[kind], refRow);
      } else {
        yield gpuRows[kind];
      }
    }
    yield ratioRow("webgpu", gpuTime, common, true);
    if (refTime) yield ratioRow("reference", refTime, common);
  }
}

/** The CNN rows: the reference at batch 2 first (the baseline), then webgpu at each batch. */
async function* runCnn(options: BenchOptions): AsyncGenerator<BenchRow> {
  const channels = Number(options.args.channels ?? 3), size = Number(options.args.size ?? 32);
  const spec: CnnSpec = cnnPreset("cnn", { channels, size });
  const batches = options.quick ? [8] : [8, 32];
  const referenceBatch = 2;
  const gpu = await acquireGpu();
  const webgpu = new WebGpuBackend(gpu);
  const reference = new ReferenceBackend();
  const minSeconds = options.quick ? 0.3 : 1;
  const flopsPerSample = 2 * cnnMultiplyAdds(spec);
  const input = `${channels}x${size}x${size}`;
  const model = (backend: Backend) => new Cnn(backend, spec, "squared");

  const refCommon = { preset: "cnn", input, batch: referenceBatch };
  const refTime = await timeModel(reference, model(reference), referenceBatch, 1, 0);
  const refRows = rows("reference", refTime, refCommon, flopsPerSample);
  yield refRows.gradient;
  yield refRows.hvp;
  yield ratioRow("reference", refTime, refCommon);
  for (const batch of batches) {
    const calls = Math.max(1, Math.round(5e8 / (3 * flopsPerSample * batch)));
    const common = { preset: "cnn", input, batch };
    const gpuTime = await timeModel(webgpu, model(webgpu), batch, calls, minSeconds);
    const gpuRows = rows("webgpu", gpuTime, common, flopsPerSample);
    yield compared(gpuRows.gradient, refRows.gradient);
    yield compared(gpuRows.hvp, refRows.hvp);
    yield ratioRow("webgpu", gpuTime, common, true);
  }
}

/** Runs the benchmark. */
export async function* run(options: BenchOptions): AsyncGenerator<BenchRow> {
  const model = options.args.model ?? "mlp";
  if (model === "mlp") yield* runMlp(options);
  else if (model === "cnn") yield* runCnn(options);
  else throw new TypeError(`Cannot run "models": --model=${model}, expected mlp or cnn`);
}
