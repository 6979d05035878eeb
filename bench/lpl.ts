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
 * @module
 */
import { getBackend } from "../lib/backend/select.ts";
import { WebGpuBackend } from "../lib/backend/webgpu.ts";
import { toySetting, trainToyNeurons } from "../lib/lpl/toy_neuron.ts";
import { logspace } from "../lib/lpl/toy_sweeps.ts";
import { toyInitialState, toySequenceReference } from "../lib/reference/lpl_toy_neuron.ts";
import type { ToyNeuronShape } from "../kernels/lpl/toy_neuron_types.ts";
import { type BenchOptions, type BenchRow, compared } from "./_harness.ts";

export const description =
  "LPL toy neuron: fused sweep (50 sigma x 10 reps) sequence-steps/s vs one setting at a time in TypeScript";

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
}
