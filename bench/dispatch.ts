/**
 * What a dispatch, a submit and a host wait cost on this adapter.
 *
 * - dispatch-in-pass: N tiny dispatches recorded into one pass, one submit, one wait;
 *   (time - time of one dispatch) / (N - 1).
 * - submit: N submits of one tiny dispatch each, one wait at the end, per submit.
 * - host-wait: submit + mapAsync of a small and of a 4 MiB readback, per round trip.
 * - host-wait-batched: 8 readbacks awaited together, per readback (they overlap).
 * `inDispatches` says how many in-pass dispatches each cost is worth (costs: lower is better,
 * so these rows carry no `ratio`).
 *
 * @module
 */
import { acquireGpu } from "../lib/gpu/device.ts";
import { getPipeline } from "../lib/gpu/pipelines.ts";
import { CommandRecorder } from "../lib/gpu/recorder.ts";
import { createBuffer, readBuffer, readBuffers } from "../lib/gpu/buffers.ts";
import { type BenchOptions, type BenchRow, timeAsync } from "./_harness.ts";

export const description = "cost per dispatch inside one pass, per submit, and per host wait (microseconds)";

const NOOP = {
  label: "bench_touch",
  parts: [{
    file: "bench/dispatch.ts (inline)",
    code: "@group(0) @binding(0) var<storage, read_write> o: array<u32>;\n" +
      "@compute @workgroup_size(1)\nfn main() { o[0] = o[0] + 1u; }\n",
  }],
};

export async function* run(options: BenchOptions): AsyncGenerator<BenchRow> {
  const gpu = await acquireGpu();
  const adapter = gpu.facts.description;
  const pipeline = await getPipeline(gpu, NOOP);
  const counter = createBuffer(gpu, 16, "counter");
  const rec = new CommandRecorder(gpu);
  const n = options.quick ? 50 : 400;
  const record = (count: number) => {
    for (let i = 0; i < count; i++) {
      rec.dispatch({ pipeline, label: NOOP.label, bindings: [counter], workgroups: [1] });
    }
  };
  const wait = () => gpu.device.queue.onSubmittedWorkDone();
  const one = await timeAsync(async () => {
    record(1);
    rec.flush();
    await wait();
  });
  const many = await timeAsync(async () => {
    record(n);
    rec.flush();
    await wait();
  });
  const perDispatch = Math.max((many - one) / (n - 1), 1e-9) * 1e6;
  const base: BenchRow = {
    bench: "dispatch",
    variant: "dispatch-in-pass",
    value: perDispatch,
    unit: "us",
    n,
    adapter,
  };
  yield base;
  const submits = await timeAsync(async () => {
    for (let i = 0; i < n; i++) {
      record(1);
      rec.flush();
    }
    await wait();
  });
  const perSubmit = Math.max((submits - one) / (n - 1), 1e-9) * 1e6;
  yield {
    bench: "dispatch",
    variant: "submit",
    value: perSubmit,
    unit: "us",
    n,
    adapter,
    inDispatches: perSubmit / perDispatch,
  };
  const big = createBuffer(gpu, 4 << 20, "big");
  for (const [label, buffer, bytes] of [["4 B", counter, 4], ["4 MiB", big, 4 << 20]] as const) {
    const t = await timeAsync(async () => {
      record(1);
      rec.flush();
      await readBuffer(gpu, buffer, 0, bytes);
    }) * 1e6;
    yield {
      bench: "dispatch",
      variant: "host-wait",
      value: t,
      unit: "us",
      bytes: label,
      adapter,
      inDispatches: t / perDispatch,
    };
  }
  const batched = await timeAsync(async () => {
    record(1);
    rec.flush();
    await readBuffers(gpu, Array.from({ length: 8 }, () => ({ buffer: counter, byteLength: 4 })));
  }) * 1e6 / 8;
  yield {
    bench: "dispatch",
    variant: "host-wait-batched",
    value: batched,
    unit: "us/readback",
    readbacks: 8,
    adapter,
    inDispatches: batched / perDispatch,
  };
  counter.destroy();
  big.destroy();
}
