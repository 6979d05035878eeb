/**
 * Edge of Stochastic Stability measurements on the mlp preset (784-512-512-10, squared loss, init scale
 * 0.2) at initialisation, on n Fashion-MNIST training images (the full data, or the shipped subset where
 * it is absent; normalised with the fixed constants, one-hot targets), webgpu:
 *
 * - `gradient b` / `gradient n`: seconds of one loss + gradient on a batch of b and on all n rows: the
 *   units of the "gradient-equivalents" below;
 * - `lambda_max power` / `lambda_max lanczos`: one cold-start measurement (tolerance 0.005: the relative
 *   residual, the relative Ritz residual bound) on the n rows by power iteration and by Lanczos (30-vector
 *   basis), in seconds and in full-batch gradient-equivalents;
 * - `batch sharpness`: S batches of b (fixed, no early stop), measured `batched` (K batches in one pass,
 *   lib/models/mlp_batch_curvature.ts), `recorded` (per-batch gradient and H v, one read per K) and
 *   `loop` (a read-back per batch, the original's way) in the same run: batches/s with the ratio to the
 *   loop (target >= 3x on the CPU adapter), and each in mini-batch gradient-equivalents per batch;
 * - `batch sharpness measurement`: one measurement to the spec's stopping rule (relative standard error
 *   0.005, 20 to 1000 batches), batched, in mini-batch gradient-equivalents;
 * - `sgd steps cadence` / `sgd steps bare`: SGD steps per second of lib/eoss/training.ts `runEossTraining`
 *   (eta 0.01) over `--steps` steps with the original's measurement cadence (full loss every 32, lambda_max
 *   256, batch sharpness 128, step sharpness 16; the spec's estimator settings) and, in the same run, the
 *   same steps with no measurement (the baseline); the cadence row carries the seconds of each measurement
 *   kind.
 *
 * Options: `--n=1024 --b=8 --samples=128 --blocks=32 --steps=512` (`--quick`: n 512, 64 samples, 256
 * steps), `--part=all` (`lambda`: the gradients and lambda_max rows only; `bs`: the gradients and batch
 * sharpness rows only; `sgd`: the SGD rows only).
 *
 * @module
 */
import { type BenchOptions, type BenchRow, compared } from "./_harness.ts";
import { acquireGpu } from "../lib/gpu/device.ts";
import { WebGpuBackend } from "../lib/backend/webgpu.ts";
import { FASHION_MNIST_NORMALIZATION, loadFashionMnist } from "../lib/data/fashion_mnist.ts";
import { datasetTensors, seededSubset, selectSamples } from "../lib/data/dataset.ts";
import { mlpPreset } from "../lib/models/mlp.ts";
import { Mlp } from "../lib/models/mlp_model.ts";
import { batchSharpness, type BatchSharpnessMethod } from "../lib/eoss/batch_sharpness.ts";
import { lambdaMax } from "../lib/eoss/lambda_max.ts";
import { runEossTraining } from "../lib/eoss/training.ts";
import { eossConfig } from "../lib/eoss/training_config.ts";
import { loadEossData } from "../lib/eoss/training_data.ts";

/** One-line description for `--help`. */
export const description =
  "EoSS measurements on the mlp preset: lambda_max and batch sharpness in gradient-equivalents; batched batch sharpness vs the per-batch loop";

const BENCH = "eoss";

/** Runs the benchmark. */
export async function* run(options: BenchOptions): AsyncGenerator<BenchRow> {
  const n = Number(options.args.n ?? (options.quick ? 512 : 1024)), b = Number(options.args.b ?? 8);
  const samples = Number(options.args.samples ?? (options.quick ? 64 : 128));
  const blocks = Number(options.args.blocks ?? 32), part = String(options.args.part ?? "all");
  const steps = Number(options.args.steps ?? (options.quick ? 256 : 512));
  if (!["all", "lambda", "bs", "sgd"].includes(part)) {
    throw new TypeError(`Cannot run "eoss": --part=${part}, expected all, lambda, bs or sgd`);
  }
  const backend = new WebGpuBackend(await acquireGpu());
  if (part === "sgd" || part === "all") yield* sgdSteps(backend, n, b, steps);
  if (part === "sgd") return;
  const train = await loadFashionMnist({ split: "train" });
  const data = selectSamples(train, seededSubset(train.shape[0], n, 1));
  const { x, y } = datasetTensors(backend, data, { normalization: FASHION_MNIST_NORMALIZATION });
  const model = new Mlp(backend, mlpPreset("mlp", { inputs: 784 }), "squared");
  const params = model.init(8888);
  const problem = { model, params, x, y };
  const common = { preset: "mlp", inputs: 784, n, b, data: train.source };

  const gradientSeconds = async (rows: number, repeats: number) => {
    const indices = Uint32Array.from({ length: rows }, (_, i) => i);
    const xs = await backend.gatherRows(x, indices), ys = await backend.gatherRows(y, indices);
    const loss = backend.zeros([1]), gradient = backend.zeros([model.layout.count]);
    const once = () => model.evaluate(params, xs, ys, { gradient: true, into: { loss, gradient } });
    await once();
    await backend.read(loss);
    const t0 = performance.now();
    for (let r = 0; r < repeats; r++) await once();
    await backend.read(loss);
    const seconds = (performance.now() - t0) / 1000 / repeats;
    backend.dispose(xs, ys, loss, gradient);
    return seconds;
  };
  const gradientB = await gradientSeconds(b, 20), gradientN = await gradientSeconds(n, 3);
  yield { bench: BENCH, variant: "gradient b", value: gradientB * 1000, unit: "ms", ...common };
  yield { bench: BENCH, variant: "gradient n", value: gradientN * 1000, unit: "ms", ...common };

  for (const solver of part === "bs" ? [] : ["power", "lanczos"] as const) {
    const t0 = performance.now();
    const top = await lambdaMax(problem, { tolerance: 0.005, maxIterations: 300, seed: 1, solver });
    const lambdaSeconds = (performance.now() - t0) / 1000;
    backend.dispose(top.vector);
    yield {
      bench: BENCH,
      variant: `lambda_max ${solver}`,
      value: lambdaSeconds / gradientN,
      unit: "gradient-eq",
      ...common,
      seconds: lambdaSeconds,
      hvps: top.iterations,
      lambdaMax: top.eigenvalue,
      residual: top.residual,
      converged: top.converged,
    };
  }

  // Warm-up of the pipelines of each path, then S batches each.
  const base = { batchSize: b, seed: 3, blockBatches: blocks };
  for (const method of part === "lambda" ? [] : ["batched", "recorded", "loop"] as const) {
    await batchSharpness(problem, { ...base, method, minSamples: 2, maxSamples: 2 });
  }
  const rows: Partial<Record<BatchSharpnessMethod, BenchRow>> = {};
  for (const method of part === "lambda" ? [] : ["loop", "recorded", "batched"] as const) {
    const start = performance.now();
    const r = await batchSharpness(problem, { ...base, method, minSamples: samples, maxSamples: samples });
    const seconds = (performance.now() - start) / 1000;
    const row: BenchRow = {
      bench: BENCH,
      variant: `batch sharpness ${method}`,
      value: samples / seconds,
      unit: "batches/s",
      ...common,
      samples,
      blocks: method === "loop" ? 1 : blocks,
      seconds,
      gradientEqPerBatch: seconds / samples / gradientB,
      batchSharpness: r.batchSharpness,
      standardError: r.standardError,
    };
    rows[method] = row;
    yield method === "loop" ? row : compared(row, rows.loop!);
  }
  if (part !== "lambda") {
    // One measurement to the spec's rule (relative SE 0.005, 20..1000 batches), batched.
    const start = performance.now();
    const r = await batchSharpness(problem, { batchSize: b, seed: 4, blockBatches: blocks });
    const seconds = (performance.now() - start) / 1000;
    yield {
      bench: BENCH,
      variant: "batch sharpness measurement",
      value: seconds / gradientB,
      unit: "gradient-eq",
      ...common,
      seconds,
      samples: r.samples,
      method: r.method,
      batchSharpness: r.batchSharpness,
      relativeError: r.standardError / r.batchSharpness,
    };
  }
  backend.dispose(x, y, params);
  model.dispose();
}

/** SGD steps/s with the original's cadence and without measurements (the baseline), same run. */
async function* sgdSteps(
  backend: WebGpuBackend,
  n: number,
  b: number,
  steps: number,
): AsyncGenerator<BenchRow> {
  const base = eossConfig({
    data: { dataset: "fashion-mnist", n, source: "auto" },
    optimizer: { batchSize: b, learningRate: 0.01, steps, stopRule: "none", stopLoss: 0 },
  });
  const data = await loadEossData(base.data, base.seeds.data);
  const common = { preset: "mlp", inputs: 784, n, b, data: data.source, steps };
  const bare = eossConfig({
    ...base,
    cadences: {
      fullLoss: null,
      lambdaMax: null,
      batchSharpness: null,
      stepSharpness: null,
      gni: null,
      trace: null,
    },
  }, base);
  // Warm-up: compiles the training and measurement pipelines.
  await runEossTraining(eossConfig({ optimizer: { steps: 2 } }, base), { backend, data });
  const rows: Record<string, BenchRow> = {};
  for (const [variant, config] of [["sgd steps bare", bare], ["sgd steps cadence", base]] as const) {
    const r = await runEossTraining(config, { backend, data });
    const s = r.summary.seconds;
    const row: BenchRow = {
      bench: BENCH,
      variant,
      value: steps / s.total,
      unit: "steps/s",
      ...common,
      seconds: s.total,
      trainingSeconds: s.training,
      ...Object.fromEntries(
        Object.entries(s.measurements).filter(([, v]) => v > 0).map(([k, v]) => [`${k}Seconds`, v]),
      ),
      measuredRows: r.rows.length,
    };
    rows[variant] = row;
    yield variant === "sgd steps bare" ? row : compared(row, rows["sgd steps bare"]);
  }
}
