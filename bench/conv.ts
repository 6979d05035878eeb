/**
 * Conv2d throughput on the layers of the `cnn` preset (3x32x32: conv3x3 3->64 at 32, 64->64 at 30,
 * 64->128 at 14, no padding): GFLOP/s of the forward, input-gradient and weight-gradient passes,
 * the matrix-product kernels (`gemm`, kernels/conv/conv2d_gemm.ts) against the direct kernels (`direct`,
 * the baseline) in the same run, at batch 8 (`--batch=`); then samples/s of the preset's full
 * gradient (loss + backward, cross-entropy) on webgpu with `auto` (gemm), on webgpu with the direct
 * kernels forced, and on the float64 reference backend (batch 2 only: ~1.5 s per sample).
 *
 * A timed webgpu call records `calls` passes back to back (about 0.3 GFLOP) and waits once, so the
 * ~11 ms host wait of the CPU adapter is amortised. A pass counts 2 C_out C_in K K H_out W_out flop
 * per sample (the input gradient the same, as the transposed product). Options: `--batch=8`,
 * `--quick` (fewer repeats, gradient at batch 8 only).
 *
 * @module
 */
import { type BenchOptions, type BenchRow, compared, timeAsync } from "./_harness.ts";
import { acquireGpu, type GpuContext } from "../lib/gpu/device.ts";
import { createBuffer, writeBuffer } from "../lib/gpu/buffers.ts";
import { CommandRecorder } from "../lib/gpu/recorder.ts";
import { WebGpuBackend } from "../lib/backend/webgpu.ts";
import { ReferenceBackend } from "../lib/backend/reference.ts";
import type { Backend } from "../lib/backend/backend.ts";
import { type Conv2dShape, conv2dSizes } from "../lib/reference/conv2d.ts";
import {
  encodeConv2dBackwardInput,
  encodeConv2dBackwardWeight,
  encodeConv2dForward,
  resolveConv2dVariant,
  setConv2dAutoVariant,
} from "../kernels/conv/conv2d.ts";
import { releaseConv2dScratch } from "../kernels/conv/conv2d_gemm.ts";
import { cnnMultiplyAdds, cnnPreset, cnnShapes } from "../lib/models/cnn.ts";
import { Cnn } from "../lib/models/cnn_model.ts";
import { randomReference } from "../lib/rng/philox.ts";

/** One-line description for `--help`. */
export const description =
  "Conv2d forward/input-gradient/weight-gradient GFLOP/s on the cnn preset's layers (gemm vs direct), cnn gradient samples/s (webgpu gemm, webgpu direct, reference)";

const BENCH = "conv";
const PASSES = ["forward", "backwardInput", "backwardWeight"] as const;

/** Seconds per pass of one layer with one variant. */
async function timePass(
  gpu: GpuContext,
  shape: Conv2dShape,
  pass: typeof PASSES[number],
  variant: "gemm" | "direct",
  minSeconds: number,
): Promise<number> {
  const s = conv2dSizes(shape);
  const values = (n: number, seed: number) =>
    Float32Array.from(randomReference(1, n, { seed }) as Float64Array);
  const buffer = (n: number, seed: number, label: string) => {
    const b = createBuffer(gpu, n * 4, label);
    writeBuffer(gpu, b, values(n, seed));
    return b;
  };
  const x = buffer(s.inputSize, 1, "x"), g = buffer(s.outputSize, 2, "g");
  const params = buffer(s.weightSize + shape.outChannels, 3, "params");
  const y = createBuffer(gpu, s.outputSize * 4, "y"), dx = createBuffer(gpu, s.inputSize * 4, "dx");
  const grad = createBuffer(gpu, (s.weightSize + shape.outChannels) * 4, "grad");
  const flop = 2 * s.outputSize * shape.inChannels * shape.kernelSize ** 2;
  const calls = Math.max(1, Math.round(3e8 / flop));
  const rec = new CommandRecorder(gpu);
  const record = async () => {
    if (pass === "forward") {
      await encodeConv2dForward(rec, {
        shape,
        x,
        weight: params,
        bias: params,
        biasOffset: s.weightSize,
        y,
        variant,
      });
    } else if (pass === "backwardInput") {
      await encodeConv2dBackwardInput(rec, { shape, gradOutput: g, weight: params, gradInput: dx, variant });
    } else {
      const biasOffset = s.weightSize;
      await encodeConv2dBackwardWeight(rec, { shape, x, gradOutput: g, grad, biasOffset, variant });
    }
  };
  const seconds = await timeAsync(async () => {
    for (let c = 0; c < calls; c++) await record();
    rec.flush();
    await gpu.device.queue.onSubmittedWorkDone();
  }, { warmup: 1, minRepeats: 3, minSeconds });
  releaseConv2dScratch(rec);
  rec.flush();
  for (const b of [x, g, params, y, dx, grad]) b.destroy();
  return seconds / calls;
}

/** Seconds per gradient of the cnn preset on one batch. */
async function timeGradient(backend: Backend, batch: number, minSeconds: number): Promise<number> {
  const spec = cnnPreset("cnn");
  const cnn = new Cnn(backend, spec, "crossEntropy");
  const x = backend.tensor(randomReference(batch, cnn.inputs, { seed: 1 }), [batch, cnn.inputs]);
  const labels = new Float64Array(batch * cnn.outputs);
  for (let i = 0; i < batch; i++) labels[i * cnn.outputs + (i % cnn.outputs)] = 1;
  const y = backend.tensor(labels, [batch, cnn.outputs]);
  const params = cnn.init(3);
  const loss = backend.zeros([1]), gradient = backend.zeros([cnn.layout.count]);
  const reference = backend.name === "reference";
  const seconds = await timeAsync(async () => {
    await cnn.evaluate(params, x, y, { gradient: true, into: { loss, gradient } });
    await backend.read(loss);
  }, { warmup: reference ? 0 : 1, minRepeats: reference ? 1 : 3, minSeconds });
  backend.dispose(x, y, params, loss, gradient);
  cnn.dispose();
  return seconds;
}

/** Runs the benchmark. */
export async function* run(options: BenchOptions): AsyncGenerator<BenchRow> {
  const batch = Number(options.args.batch ?? 8);
  const minSeconds = options.quick ? 0.2 : 1;
  const gpu = await acquireGpu();
  const spec = cnnPreset("cnn");
  const blocks = cnnShapes(spec).blocks;
  for (const [i, b] of blocks.entries()) {
    const shape: Conv2dShape = {
      batch,
      inChannels: b.inChannels,
      outChannels: b.outChannels,
      height: b.height,
      width: b.width,
      kernelSize: b.kernelSize,
      padding: b.padding,
    };
    const s = conv2dSizes(shape);
    const flop = 2 * s.outputSize * shape.inChannels * shape.kernelSize ** 2;
    const layer = `conv${i + 1} ${b.inChannels}->${b.outChannels} ${b.height}x${b.width}`;
    for (const pass of PASSES) {
      const common = { layer, pass, batch, auto: resolveConv2dVariant(gpu, shape, pass) };
      const row = async (variant: "gemm" | "direct"): Promise<BenchRow> => ({
        bench: BENCH,
        variant: `${variant} ${pass}`,
        value: flop / await timePass(gpu, shape, pass, variant, minSeconds) / 1e9,
        unit: "GFLOP/s",
        ...common,
      });
      const base = await row("direct");
      yield base;
      yield compared(await row("gemm"), base);
    }
  }

  // The whole gradient of the preset: webgpu (auto = gemm), webgpu forced onto the direct kernels,
  // and the float64 reference at batch 2.
  const webgpu = new WebGpuBackend(gpu);
  const flopPerSample = 3 * 2 * cnnMultiplyAdds(spec);
  const gradientRow = (variant: string, b: number, seconds: number): BenchRow => ({
    bench: BENCH,
    variant,
    value: b / seconds,
    unit: "samples/s",
    batch: b,
    gflops: flopPerSample * b / seconds / 1e9,
  });
  const reference = gradientRow("reference gradient", 2, await timeGradient(new ReferenceBackend(), 2, 0));
  yield reference;
  for (const b of options.quick ? [8] : [8, 32]) {
    setConv2dAutoVariant("direct");
    const direct = gradientRow("webgpu gradient, direct conv", b, await timeGradient(webgpu, b, minSeconds));
    setConv2dAutoVariant("auto");
    const gemm = gradientRow("webgpu gradient", b, await timeGradient(webgpu, b, minSeconds));
    yield compared(direct, reference);
    yield compared(gemm, reference);
    yield { ...compared(gemm, direct), variant: "webgpu gradient (gemm vs direct)" };
  }
}
