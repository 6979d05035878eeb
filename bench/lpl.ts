/**
 * Sequence-steps per second of the toy 2-D LPL neuron (spec 3.3, paper Fig. 2): the fused kernel training
 * the paper's sweep, 50 sigma_y values x 10 repetitions of LPL with 200-sample batches, in one launch per
 * chunk of steps, against a baseline in the same run that trains the settings one at a time with the
 * plain-TypeScript float64 loop (lib/reference/lpl_toy_neuron.ts: same Philox data, per-sample math).
 * A "sequence-step" is one SGD step of one (setting, repetition) on a 200-sample batch.
 *
 * - typescript-one-setting-at-a-time: the baseline (a few settings, their rate per sequence-step; fastest of 3).
 * - fused-sweep: the whole 500-sequence sweep on the GPU adapter (fastest of 2).
 * - full-sweep-estimate: seconds for the paper's sweep (500 sequences x 10k steps) per rule at that rate.
 *
 * `--steps=N` sets the fused run's steps (default 2000; quick 500).
 *
 * The seed project's layer (spec 3.6, LPL-10; lib/lpl/seed_gpu.ts): 784 -> 128 with its learned predictor and
 * clamps, per-sample steps on weak views of 28x28 images, 5 ablation conditions x 4 seeds.
 * - seed-typescript-one-model-at-a-time: the baseline, the float64 host loop (trainSeedLayer) over a few
 *   models one after another, model-steps/s (fastest of 3).
 * - seed-fused-batch: the 20 models trained together by the fused kernel (one workgroup per model), fastest of 2.
 * Model-step = one per-sample update of one model (views, forward, predictor, W and P updates).
 *
 * The probe (lib/probes, LPL-15): one fit of the multinomial logistic-regression probe (C = 1, L-BFGS to
 * convergence) on the seed protocol's 800 training rows x 128 features x 10 classes, on the reference
 * backend (float64 TypeScript, the baseline) and on webgpu, seconds per fit (median of 3).
 * `--seed-steps=N` sets the fused seed run's steps (default 300; quick 60).
 *
 * @module
 */
import { getBackend } from "../lib/backend/select.ts";
import { WebGpuBackend } from "../lib/backend/webgpu.ts";
import { toySetting, trainToyNeurons } from "../lib/lpl/toy_neuron.ts";
import { logspace } from "../lib/lpl/toy_sweeps.ts";
import { toyInitialState, toySequenceReference } from "../lib/reference/lpl_toy_neuron.ts";
import type { ToyNeuronShape } from "../kernels/lpl/toy_neuron_types.ts";
import { type BenchOptions, type BenchRow, compared, timeAsync } from "./_harness.ts";
import { ReferenceBackend } from "../lib/backend/reference.ts";
import type { Backend } from "../lib/backend/backend.ts";
import { PhiloxStream } from "../lib/rng/philox.ts";
import { SEED_CONDITIONS, type SeedImages, trainSeedLayer } from "../lib/lpl/seed_training.ts";
import { trainSeedLayers } from "../lib/lpl/seed_gpu.ts";
import { fitLogisticProbe } from "../lib/probes/logistic_probe.ts";

export const description =
  "LPL: toy neuron sweep (50 sigma x 10 reps) and seed layer (5 conditions x 4 seeds) vs TypeScript one at a time; probe fit";

async function seconds(fn: () => Promise<unknown> | unknown): Promise<number> {
  const t0 = performance.now();
  await fn();
  return (performance.now() - t0) / 1000;
}

export async function* run(options: BenchOptions): AsyncGenerator<BenchRow> {
  const backend = await getBackend("webgpu");
  if (!(backend instanceof WebGpuBackend)) throw new Error("bench lpl needs a WebGPU adapter");
  const adapter = backend.description;
  const batch = 200, sigmas = logspace(-2, 2, 50), repetitions = 10;
  const sweep = (steps: number): ToyNeuronShape => ({
    settings: sigmas.map((s) => toySetting("lpl", s)),
    repetitions,
    batch,
    steps,
    recordEvery: 100,
    seed: 1,
  });

  // Baseline: settings one at a time (spread over the sigma range), float64 TypeScript.
  const baseSequences = [0, 120, 250, 380, 499].slice(0, options.quick ? 2 : 5);
  const baseSteps = options.quick ? 200 : 500;
  const baseShape = sweep(baseSteps);
  toySequenceReference(baseShape, toyInitialState(baseShape, 0), 0, 0, 50, new Float64Array(5)); // JIT warm-up
  let baseSeconds = Infinity; // fastest of three timings (machines are shared: the least disturbed one)
  for (let repeat = 0; repeat < 3; repeat++) {
    baseSeconds = Math.min(
      baseSeconds,
      await seconds(() => {
        for (const q of baseSequences) {
          const state = toyInitialState(baseShape, q);
          toySequenceReference(baseShape, state, q, 0, baseSteps, new Float64Array(baseSteps / 100));
        }
      }),
    );
  }
  const base: BenchRow = {
    bench: "lpl",
    variant: "typescript-one-setting-at-a-time",
    value: baseSequences.length * baseSteps / baseSeconds,
    unit: "sequence-steps/s",
    sequences: baseSequences.length,
    batch,
    steps: baseSteps,
  };
  yield base;

  const steps = typeof options.args.steps === "string"
    ? Number(options.args.steps)
    : options.quick
    ? 500
    : 2000;
  await trainToyNeurons(backend, sweep(20)); // compile
  let dispatches = 0, t = Infinity; // fastest of two timings, as for the baseline
  for (let repeat = 0; repeat < 2; repeat++) {
    t = Math.min(
      t,
      await seconds(async () => {
        dispatches = (await trainToyNeurons(backend, sweep(steps))).dispatches;
      }),
    );
  }
  const rate = sigmas.length * repetitions * steps / t;
  yield compared({
    bench: "lpl",
    variant: "fused-sweep",
    value: rate,
    unit: "sequence-steps/s",
    sequences: sigmas.length * repetitions,
    batch,
    steps,
    dispatches,
    adapter,
  }, base);
  yield {
    bench: "lpl",
    variant: "full-sweep-estimate",
    value: sigmas.length * repetitions * 10000 / rate,
    unit: "s per rule (500 sequences x 10k steps)",
    typescriptEstimate: sigmas.length * repetitions * 10000 / base.value,
    adapter,
  };
  yield* seedLayerRows(backend, options);
  yield* probeRows(backend, options);
}

/** Random 28x28 images in [0, 1] (the update's cost does not depend on their content). */
function benchImages(count: number): SeedImages {
  const rng = new PhiloxStream(7), h = 28, w = 28;
  const pixels = Float64Array.from({ length: count * h * w }, (_, e) => rng.uniform(0, 0, e));
  return { pixels, labels: new Uint8Array(count), count, height: h, width: w };
}

async function* seedLayerRows(backend: WebGpuBackend, options: BenchOptions): AsyncGenerator<BenchRow> {
  const images = benchImages(500), outputs = 128, seeds = [1, 2, 3, 4];
  const baseModels = SEED_CONDITIONS.slice(0, options.quick ? 2 : 3), baseSteps = options.quick ? 40 : 150;
  trainSeedLayer(images, { outputs, steps: 20, seed: 1, condition: "full", logEvery: 20 }); // JIT warm-up
  let baseSeconds = Infinity;
  for (let repeat = 0; repeat < 3; repeat++) {
    baseSeconds = Math.min(
      baseSeconds,
      await seconds(() => {
        for (const condition of baseModels) {
          trainSeedLayer(images, { outputs, steps: baseSteps, seed: 1, condition, logEvery: baseSteps });
        }
      }),
    );
  }
  const base: BenchRow = {
    bench: "lpl",
    variant: "seed-typescript-one-model-at-a-time",
    value: baseModels.length * baseSteps / baseSeconds,
    unit: "model-steps/s",
    models: baseModels.length,
    inputs: 784,
    outputs,
    steps: baseSteps,
  };
  yield base;
  const steps = typeof options.args["seed-steps"] === "string"
    ? Number(options.args["seed-steps"])
    : options.quick
    ? 60
    : 300;
  const batch = { outputs, seeds, conditions: [...SEED_CONDITIONS], logEvery: 10 };
  await trainSeedLayers(backend, images, { ...batch, steps: 10 }); // compile
  let dispatches = 0, t = Infinity;
  for (let repeat = 0; repeat < 2; repeat++) {
    t = Math.min(
      t,
      await seconds(async () => {
        dispatches = (await trainSeedLayers(backend, images, { ...batch, steps })).dispatches;
      }),
    );
  }
  const models = SEED_CONDITIONS.length * seeds.length;
  yield compared({
    bench: "lpl",
    variant: "seed-fused-batch",
    value: models * steps / t,
    unit: "model-steps/s",
    models,
    inputs: 784,
    outputs,
    steps,
    dispatches,
    adapter: backend.description,
  }, base);
}

async function* probeRows(gpuBackend: WebGpuBackend, options: BenchOptions): AsyncGenerator<BenchRow> {
  const rows = 800, dims = 128, classes = 10, rng = new PhiloxStream(11);
  // Features with class structure (a class mean plus noise), so the fit runs its usual few dozen iterations.
  const labels = Uint8Array.from({ length: rows }, (_, i) => i % classes);
  const features = Float64Array.from(
    { length: rows * dims },
    (_, e) => rng.normal(0, 0, e) + 0.5 * Math.sin(labels[Math.floor(e / dims)] * 7 + (e % dims)),
  );
  const fit = async (backend: Backend) => {
    const x = backend.tensor(features, [rows, dims]);
    try {
      return await fitLogisticProbe(backend, x, labels, classes);
    } finally {
      backend.dispose(x);
    }
  };
  let measured: BenchRow | undefined;
  for (
    const [variant, backend] of [["probe-fit-reference", new ReferenceBackend()], [
      "probe-fit-webgpu",
      gpuBackend,
    ]] as const
  ) {
    const iterations = (await fit(backend)).iterations;
    const s = await timeAsync(() => fit(backend), {
      warmup: 0,
      minRepeats: options.quick ? 1 : 3,
      minSeconds: 0,
    });
    const row: BenchRow = {
      bench: "lpl",
      variant,
      value: s,
      unit: "s per fit",
      rows,
      dims,
      classes,
      iterations,
    };
    // Lower is better for seconds: the ratio is baseline time / this time.
    yield measured ? { ...row, baseline: measured.variant, ratio: (measured.value as number) / s } : row;
    measured ??= row;
  }
}
