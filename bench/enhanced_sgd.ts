/**
 * EnhancedSGD step cost (lib/enhanced_sgd) against plain momentum SGD (lib/optim, fused) on the same
 * parameters, measured in the same run: the statistics' overhead (three dispatches: ranges, histogram,
 * finish), the noise (Backend.random), and the controller's host round trip, with the clean controller every
 * step, every 10 steps and never (no loss given), and faithful mode (a host wait every step).
 *
 * Parameters: the `mlp_s` preset's 203,530 (784-256-10; `--preset=` another lib/models/mlp.ts preset). A
 * timed call records `reps` steps and reads one float. Also reported: the seconds per controller round trip
 * (EnhancedSGD.hostWaitSeconds / hostWaits).
 *
 * @module
 */
import { type BenchOptions, type BenchRow, compared, timeAsync } from "./_harness.ts";
import { acquireGpu } from "../lib/gpu/device.ts";
import { WebGpuBackend } from "../lib/backend/webgpu.ts";
import { mlpLayout, mlpPreset, type MlpPresetName } from "../lib/models/mlp.ts";
import { Optimizer } from "../lib/optim/optimizer.ts";
import { EnhancedSGD } from "../lib/enhanced_sgd/optimizer.ts";
import type { EnhancedSgdOptions } from "../lib/enhanced_sgd/options.ts";
import { randomReference } from "../lib/rng/philox.ts";

/** One-line description for `--help`. */
export const description =
  "EnhancedSGD step cost (statistics, noise, controller every step / every 10 / faithful) vs fused momentum SGD";

const BENCH = "enhanced_sgd";

/** Yields the rows. */
export async function* run(options: BenchOptions): AsyncGenerator<BenchRow> {
  const backend = new WebGpuBackend(await acquireGpu());
  const preset = (options.args.preset as MlpPresetName | undefined) ?? "mlp_s";
  const layout = mlpLayout(mlpPreset(preset, { inputs: 784 }));
  const n = layout.count;
  const reps = options.quick ? 10 : 40;
  const minSeconds = options.quick ? 0.3 : 1;
  const params = backend.tensor(randomReference(1, n, { seed: 1 }).map((v) => v * 0.05));
  const gradient = backend.tensor(randomReference(1, n, { seed: 2 }).map((v) => v * 1e-3));
  const loss = backend.tensor([1.5]);
  const probe = backend.zeros([1]);
  const perStep = async (step: () => Promise<void>) =>
    await timeAsync(async () => {
      for (let r = 0; r < reps; r++) await step();
      await backend.read(probe);
    }, { minSeconds }) / reps;
  const common = { parameters: n, preset, reps };
  const momentum = new Optimizer(backend, layout, { kind: "momentum", lr: 0.01, momentum: 0.9 });
  const base: BenchRow = {
    bench: BENCH,
    variant: "momentum SGD (fused)",
    value: 1e6 * await perStep(() => momentum.step(params, gradient)),
    unit: "us/step",
    ...common,
  };
  momentum.dispose();
  yield base;
  const cases: { variant: string; options: EnhancedSgdOptions; withLoss: boolean }[] = [
    { variant: "ESGD clean, no controller, no noise", options: { applyNoise: false }, withLoss: false },
    { variant: "ESGD clean, no controller", options: {}, withLoss: false },
    { variant: "ESGD clean, controller every 10 steps", options: { controllerEvery: 10 }, withLoss: true },
    { variant: "ESGD clean, controller every step", options: { controllerEvery: 1 }, withLoss: true },
    {
      variant: "ESGD faithful (controller every step)",
      options: { mode: "faithful", stepsPerEpoch: 100 },
      withLoss: true,
    },
  ];
  for (const c of cases) {
    const opt = new EnhancedSGD(backend, layout, c.options);
    const seconds = await perStep(() =>
      c.withLoss ? opt.step(params, gradient, loss) : opt.step(params, gradient)
    );
    // lower is better for us/step: ratio = base / value so that > 1 means faster than the baseline
    const row: BenchRow = {
      bench: BENCH,
      variant: c.variant,
      value: 1e6 * seconds,
      unit: "us/step",
      ...common,
      roundTripUs: opt.hostWaits ? 1e6 * opt.hostWaitSeconds / opt.hostWaits : null,
      controllerCalls: opt.hostWaits,
    };
    yield { ...compared(row, base), ratio: base.value / row.value };
    opt.dispose();
  }
  backend.dispose(params, gradient, loss, probe);
}
