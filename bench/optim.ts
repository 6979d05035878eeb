/**
 * Optimizers and the training loop (lib/optim, lib/training), each against baselines measured in the same run:
 *
 * 1. Parameters updated per second by each fused optimizer step on the 1,841,162 parameters of the `mlp`
 *    preset (3072-512-512-10), against (a) a streaming roofline kernel that reads and writes the same bytes
 *    (kernels/optim/stream.wgsl: sgd 2 reads + 1 write per element, momentum 3 + 2, adam 4 + 3; target: the
 *    fused update within 2x, ratio >= 0.5) and (b) the same update composed from `Backend` ops
 *    (axpy/scale/copy, one dispatch each; target: fused >= 2x faster). Adam cannot be composed from those ops
 *    (no elementwise product, quotient or square root), so it has no composed row.
 * 2. SGD steps per second of the library training loop on the Fashion-MNIST `mlp` (784-512-512-10, squared
 *    loss, n = 256 synthetic rows, lr 0.02) at batch 8 and 64, against the loop train_fashion_mnist.ts had
 *    before (kept below as `oldScriptLoop`: evaluate, a loss read every 25 steps, axpy), and an
 *    evaluate-only loop (no update, no readback: what the model's passes alone cost). Host waits (mapAsync
 *    calls) are counted per 100 steps.
 *
 * A timed update call records `reps` steps back to back and reads one float (one host wait per call).
 * Options: `--steps=N` (loop steps per variant, 2000 by default, 200 with --quick), `--reps=N` (updates per
 * timed call, 40), `--part=update|loop` (one half only).
 *
 * @module
 */
import { type BenchOptions, type BenchRow, compared, timeAsync } from "./_harness.ts";
import { acquireGpu } from "../lib/gpu/device.ts";
import { WebGpuBackend } from "../lib/backend/webgpu.ts";
import type { Backend } from "../lib/backend/backend.ts";
import type { Tensor } from "../lib/backend/tensor.ts";
import { mlpLayout, mlpPreset } from "../lib/models/mlp.ts";
import { Mlp } from "../lib/models/mlp_model.ts";
import { Optimizer } from "../lib/optim/optimizer.ts";
import type { OptimizerOptions } from "../lib/optim/hyperparameters.ts";
import { encodeStreamRoofline } from "../kernels/optim/companions.ts";
import { createBuffer } from "../lib/gpu/buffers.ts";
import { EpochStream } from "../lib/training/data_stream.ts";
import { runTrainingLoop } from "../lib/training/loop.ts";
import { randomReference } from "../lib/rng/philox.ts";

/** One-line description for `--help`. */
export const description =
  "fused optimizer updates (params/s) vs a stream roofline and Backend-op composition; training-loop SGD steps/s vs the old script loop";

const BENCH = "optim";

let mapCalls = 0;
const originalMapAsync = GPUBuffer.prototype.mapAsync;
GPUBuffer.prototype.mapAsync = function (...args: Parameters<GPUBuffer["mapAsync"]>) {
  mapCalls++;
  return originalMapAsync.apply(this, args);
};

interface UpdateCase {
  variant: string;
  options: OptimizerOptions;
  /** Reads and writes per element of the update (for the roofline). */
  reads: number;
  writes: number;
  /** The same update from Backend ops, when it can be composed. */
  composed?: (b: Backend, p: Tensor, g: Tensor, state: Tensor, scratch: Tensor) => Promise<void>;
}

const LR = 0.01, MU = 0.9, WD = 1e-4;

const CASES: UpdateCase[] = [
  {
    variant: "sgd",
    options: { kind: "sgd", lr: LR },
    reads: 2,
    writes: 1,
    composed: (b, p, g) => b.axpy(-LR, g, p),
  },
  {
    variant: "sgd+L2",
    options: { kind: "sgd", lr: LR, weightDecay: WD },
    reads: 2,
    writes: 1,
    composed: async (b, p, g, _s, tmp) => {
      await b.copy(g, tmp);
      await b.axpy(WD, p, tmp);
      await b.axpy(-LR, tmp, p);
    },
  },
  {
    variant: "momentum",
    options: { kind: "momentum", lr: LR, momentum: MU },
    reads: 3,
    writes: 2,
    composed: async (b, p, g, buf) => {
      await b.scale(buf, MU);
      await b.axpy(1, g, buf);
      await b.axpy(-LR, buf, p);
    },
  },
  {
    variant: "nesterov",
    options: { kind: "nesterov", lr: LR, momentum: MU },
    reads: 3,
    writes: 2,
    composed: async (b, p, g, buf) => {
      await b.scale(buf, MU);
      await b.axpy(1, g, buf);
      await b.axpy(-LR, g, p);
      await b.axpy(-LR * MU, buf, p);
    },
  },
  { variant: "adam", options: { kind: "adam", lr: 1e-3 }, reads: 4, writes: 3 },
  { variant: "adamw", options: { kind: "adamw", lr: 1e-3 }, reads: 4, writes: 3 },
  {
    variant: "adamw+groups",
    options: {
      kind: "adamw",
      lr: 1e-3,
      groups: [{ names: "*.bias", weightDecay: 0 }, { names: "fc3.*", lr: 1e-2 }],
    },
    reads: 4,
    writes: 3,
  },
  { variant: "sgd+clip", options: { kind: "sgd", lr: LR, maxGradNorm: 1 }, reads: 2, writes: 1 },
];

/**
 * The loop train_fashion_mnist.ts ran before the library loop (kept as the baseline): evaluate into fixed
 * tensors, read the batch loss every `logEvery` steps, `params -= lr * gradient` by axpy.
 */
async function oldScriptLoop(
  backend: Backend,
  model: Mlp,
  params: Tensor,
  data: EpochStream,
  steps: number,
  lr: number,
  logEvery = 25,
): Promise<void> {
  const loss = backend.zeros([1]), gradient = backend.zeros([model.layout.count]);
  for (let step = 0; step < steps; step++) {
    const batch = data.batch(step);
    await model.evaluate(params, batch.x, batch.y, {
      gradient: true,
      rows: batch.rows,
      into: { loss, gradient },
    });
    if (step % logEvery === 0 || step === steps - 1) await backend.read(loss);
    await backend.axpy(-lr, gradient, params);
  }
  await backend.read(loss);
  backend.dispose(loss, gradient);
}

async function* updateRows(backend: WebGpuBackend, quick: boolean, reps: number): AsyncGenerator<BenchRow> {
  const layout = mlpLayout(mlpPreset("mlp"));
  const n = layout.count;
  const params = backend.tensor(randomReference(1, n, { seed: 1 }));
  const gradient = backend.tensor(randomReference(1, n, { seed: 2 }).map((v) => v * 1e-3));
  const state = backend.zeros([n]), scratch = backend.zeros([n]);
  const probe = backend.zeros([1]);
  const minSeconds = quick ? 0.3 : 1;
  const streams = Array.from({ length: 4 }, (_, k) => createBuffer(backend.gpu, n * 4, `stream ${k}`));
  const perStep = async (record: () => Promise<void>) =>
    await timeAsync(async () => {
      for (let r = 0; r < reps; r++) await record();
      await backend.read(probe);
    }, { minSeconds }) / reps;
  const common = { parameters: n, reps };
  for (const c of CASES) {
    const opt = new Optimizer(backend, layout, c.options);
    const fused = await perStep(() => opt.step(params, gradient));
    const roof = await perStep(() =>
      encodeStreamRoofline(backend.recorder, {
        buffers: streams as [GPUBuffer, GPUBuffer, GPUBuffer, GPUBuffer],
        size: n,
        reads: c.reads,
        writes: c.writes,
      })
    );
    const bytes = (c.reads + c.writes) * 4 * n;
    const fusedRow: BenchRow = {
      bench: BENCH,
      variant: `${c.variant} fused`,
      value: n / fused,
      unit: "params/s",
      ...common,
      gbPerS: bytes / fused / 1e9,
      dispatches: c.options.maxGradNorm ? 3 : 1,
    };
    const roofRow: BenchRow = {
      bench: BENCH,
      variant: `${c.variant} stream roofline (${c.reads}R+${c.writes}W)`,
      value: n / roof,
      unit: "params/s",
      ...common,
      gbPerS: bytes / roof / 1e9,
    };
    yield roofRow;
    yield compared(fusedRow, roofRow);
    if (c.composed) {
      const composed = await perStep(() => c.composed!(backend, params, gradient, state, scratch));
      const composedRow: BenchRow = {
        bench: BENCH,
        variant: `${c.variant} composed from Backend ops`,
        value: n / composed,
        unit: "params/s",
        ...common,
      };
      yield composedRow;
      yield compared({ ...fusedRow, variant: `${c.variant} fused vs composed` }, composedRow);
    }
    opt.dispose();
  }
  for (const b of streams) b.destroy();
  backend.dispose(params, gradient, state, scratch, probe);
}

async function* loopRows(backend: WebGpuBackend, steps: number): AsyncGenerator<BenchRow> {
  const spec = mlpPreset("mlp", { inputs: 784 });
  const rows = 256, lr = 0.02;
  const x = randomReference(rows, 784, { seed: 5 });
  const y = new Float64Array(rows * 10);
  for (let r = 0; r < rows; r++) y[r * 10 + (r % 10)] = 1;
  for (const batch of [8, 64]) {
    const model = new Mlp(backend, spec, "squared");
    const stream = () =>
      new EpochStream(
        backend,
        rows,
        batch,
        () => ({ x: backend.tensor(x, [rows, 784]), y: backend.tensor(y, [rows, 10]) }),
      );
    const common = { batch, steps, parameters: model.layout.count, n: rows, lr };
    const timed = async (run: (params: Tensor, data: EpochStream) => Promise<unknown>) => {
      const params = model.init(1), data = stream();
      await run(params, data); // warm up: compile every pipeline
      const before = mapCalls;
      const t0 = performance.now();
      await run(params, data);
      const seconds = (performance.now() - t0) / 1000;
      backend.dispose(params);
      data.dispose();
      return { stepsPerS: steps / seconds, waitsPer100: (mapCalls - before) * 100 / steps };
    };
    const old = await timed((params, data) => oldScriptLoop(backend, model, params, data, steps, lr));
    const evaluateOnly = await timed(async (params, data) => {
      const loss = backend.zeros([1]), gradient = backend.zeros([model.layout.count]);
      for (let s = 0; s < steps; s++) {
        const b = data.batch(s);
        await model.evaluate(params, b.x, b.y, { gradient: true, rows: b.rows, into: { loss, gradient } });
      }
      await backend.read(loss);
      backend.dispose(loss, gradient);
    });
    const library = await timed(async (params, data) => {
      const optimizer = new Optimizer(backend, model.layout, { kind: "sgd", lr });
      await runTrainingLoop({ model, params, optimizer, data, steps, historyChunk: 200 });
      optimizer.dispose();
    });
    const row = (variant: string, t: { stepsPerS: number; waitsPer100: number }): BenchRow => ({
      bench: BENCH,
      variant,
      value: t.stepsPerS,
      unit: "steps/s",
      ...common,
      hostWaitsPer100Steps: t.waitsPer100,
    });
    const oldRow = row("old script loop (axpy, loss read every 25 steps)", old);
    yield oldRow;
    yield compared(row("library loop sgd", library), oldRow);
    yield compared(row("evaluate only (no update, no reads)", evaluateOnly), oldRow);
    model.dispose();
  }
}

/** Runs the benchmark. */
export async function* run(options: BenchOptions): AsyncGenerator<BenchRow> {
  const backend = new WebGpuBackend(await acquireGpu());
  const steps = Number(options.args.steps ?? (options.quick ? 200 : 2000));
  const reps = Number(options.args.reps ?? 40);
  console.error(`${BENCH}: on ${backend.description}`);
  const part = String(options.args.part ?? "all");
  if (part === "all" || part === "update") yield* updateRows(backend, options.quick, reps);
  if (part === "all" || part === "loop") yield* loopRows(backend, steps);
}
