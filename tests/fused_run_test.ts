/**
 * The one fused-run helper (lib/gpu/fused_run.ts): step planning, batches that fit device buffer limits, the
 * completed-step check, cancellation, and a trainer whose results do not depend on how walkers are batched.
 */
import { assert, assertExact } from "./_assert.ts";
import assertNode from "node:assert/strict";
import { testGpuOnly } from "./_backends.ts";
import { BASE } from "./_teacher_student.ts";
import { WebGpuBackend } from "../lib/backend/webgpu.ts";
import { planBatches, planStepsPerDispatch, runFused } from "../lib/gpu/fused_run.ts";
import { IncompleteDispatchError } from "../lib/gpu/loop_budget.ts";
import { CommandRecorder } from "../lib/gpu/recorder.ts";
import { runTeacherStudent } from "../lib/teacher_student/trainer.ts";
import { Perceptron } from "../lib/teacher_student/samplers.ts";

Deno.test("planBatches splits walkers so that no buffer passes the smaller device limit", () => {
  const limits = { maxBufferSize: 1000, maxStorageBufferBindingSize: 400 };
  const batches = planBatches(10, 100, limits);
  assertNode.deepEqual(batches, [{ first: 0, count: 4 }, { first: 4, count: 4 }, { first: 8, count: 2 }]);
  assertNode.deepEqual(planBatches(10, 100, limits, 3).map((b) => b.count), [3, 3, 3, 1]);
  assertNode.deepEqual(planBatches(3, 1, { maxBufferSize: 1e9, maxStorageBufferBindingSize: 1e9 }), [
    { first: 0, count: 3 },
  ]);
  assertNode.throws(() => planBatches(2, 500, limits), /one walker needs 500 bytes.*limit of 400 bytes/);
});

Deno.test("planStepsPerDispatch caps the request by the loop budget and the run length", () => {
  const limited = { facts: { loopLimit: 1000 } }; // budget 900
  assert(
    planStepsPerDispatch(limited, { what: "x", iterationsPerStep: 10, totalSteps: 1e6 }) === 90,
    "budget",
  );
  assert(
    planStepsPerDispatch(limited, { what: "x", iterationsPerStep: 10, totalSteps: 1e6, requested: 7 }) === 7,
    "request",
  );
  assert(planStepsPerDispatch(limited, { what: "x", iterationsPerStep: 10, totalSteps: 5 }) === 5, "length");
  assertNode.throws(
    () => planStepsPerDispatch(limited, { what: "x", iterationsPerStep: 10, totalSteps: 5, requested: 0.5 }),
    /Cannot run x: stepsPerDispatch is 0.5, must be an integer >= 1/,
  );
});

testGpuOnly("runFused chunks steps, checks the counters, reads back and stops on abort", async (gpu) => {
  const recorder = new CommandRecorder(gpu);
  const seen: [number, number, number][] = [];
  // An "encoder" that writes the counters the kernel would: copies of the expected step counts.
  const encode =
    (short: boolean) => (at: { stepOffset: number; steps: number; chunk: number; completed: GPUBuffer }) => {
      seen.push([at.stepOffset, at.steps, at.chunk]);
      const counts = new Uint32Array(3).fill(short && at.chunk === 1 ? at.steps - 1 : at.steps);
      gpu.device.queue.writeBuffer(at.completed, at.chunk * 12, counts);
    };
  const common = {
    gpu,
    recorder,
    label: "fake",
    invocations: 3,
    firstStep: 10,
    steps: 25,
    stepsPerDispatch: 10,
  };
  const run = await runFused({ ...common, checkEvery: 2, encode: encode(false) });
  assert(run.dispatches === 3, `3 dispatches, got ${run.dispatches}`);
  assertNode.deepEqual(seen, [[10, 10, 0], [20, 10, 1], [30, 5, 0]]);
  await assertNode.rejects(() => runFused({ ...common, encode: encode(true) }), IncompleteDispatchError);
  const abort = new AbortController();
  abort.abort();
  await assertNode.rejects(
    () => runFused({ ...common, encode: encode(false), signal: abort.signal }),
    /abort/i,
  );
});

testGpuOnly("teacher-student results do not depend on how walkers are split into batches", async (gpu) => {
  const backend = new WebGpuBackend(gpu);
  const config = {
    ...BASE,
    model: new Perceptron({ d: 37, seed: 3 }),
    walkers: 7,
    kernel: "thread" as const,
  };
  const whole = await runTeacherStudent(backend, config);
  const split = await runTeacherStudent(backend, { ...config, walkersPerBatch: 3 });
  assertExact(split.overlap, whole.overlap, "overlap, batches of 3 vs one batch of 7");
  assertExact(split.gradientNorm, whole.gradientNorm, "gradient norm");
  assertExact(split.weights, whole.weights, "final weights");
  assert(split.dispatches === 3 * whole.dispatches, `3 batches dispatch 3x: ${split.dispatches}`);
});
