import { assert, assertClose, assertExact } from "./_assert.ts";
import { testBothBackends, testGpuOnly } from "./_backends.ts";
import { BASE } from "./_teacher_student.ts";
import { ReferenceBackend } from "../lib/backend/reference.ts";
import { WebGpuBackend } from "../lib/backend/webgpu.ts";
import type { GpuContext } from "../lib/gpu/device.ts";
import { CommandRecorder } from "../lib/gpu/recorder.ts";
import { createBuffer, readBuffers, uploadBuffer } from "../lib/gpu/buffers.ts";
import { checkCompleted, IncompleteDispatchError, maxStepsPerDispatch } from "../lib/gpu/loop_budget.ts";
import {
  encodeTeacherStudentSgdWorkgroup,
  teacherStudentSgdWorkgroupIterations,
} from "../kernels/teacher_student/teacher_student_sgd_workgroup.ts";
import {
  encodeTeacherStudentSgd,
  type TeacherStudentSgdArgs,
  teacherStudentSgdIterations,
} from "../kernels/teacher_student/teacher_student_sgd.ts";
import {
  chooseTeacherStudentKernel,
  teacherStudentKernel,
  teacherStudentThreadsPerWalker,
} from "../lib/teacher_student/kernel_choice.ts";
import {
  type DataModel,
  LegacySpike,
  Perceptron,
  RademacherCumulant,
  SkewedCumulant,
} from "../lib/teacher_student/samplers.ts";
import {
  evolution,
  runTeacherStudent,
  type TeacherStudentConfig,
  toBlocks,
} from "../lib/teacher_student/trainer.ts";
import { initializeWeights } from "../lib/teacher_student/init.ts";
import { activationCoefficients } from "../lib/activations.ts";

// The workgroup kernel must reproduce the thread kernel and the float64 loop for every sampling mode,
// optimizer and loss, with d not a multiple of 4 and smaller than the workgroup (on the CPU adapter 8
// threads per walker: d = 7 and 1 leave most threads without a block, d = 130 gives them 4 or 5).
const CASES: [string, Partial<TeacherStudentConfig>][] = [
  ["d = 37, 5 walkers, relu, corr, online single", {}],
  ["d = 7, one walker, tanh, MSE, noise, spherical off", {
    model: new Perceptron({ d: 7, seed: 4, noise: 0.3 }),
    student: "tanh",
    loss: "mse",
    spherical: false,
    walkers: 1,
  }],
  ["d = 130, Rademacher cumulant, He3 student, twice step, repeat sampling", {
    model: new RademacherCumulant({ d: 130, seed: 5 }),
    student: "he3",
    learningRate: 0.1,
    optimizer: "twice",
    sampling: "repeat",
    pRepeat: 0.4,
    datasetSize: 3,
  }],
  // A walker that memorised a repeated sample has x nearly parallel to w (h = -10.83, |x|^2 = 117.39 at
  // step 73 of walker 1): |c| sqrt(|x|^2 - h^2) would cancel in float32, so both kernels sum
  // |x - p h w|^2 over the row at save times instead.
  ["d = 37, skewed cumulant, relu + He2, extragradient, twice sampling", {
    model: new SkewedCumulant({ d: 37, seed: 6, rho: 0.7, pSpike: 0.6 }),
    student: { relu: 1, he2: 0.5 },
    optimizer: { extragradient: 0.5 },
    sampling: "twice",
  }],
  ["d = 130, one walker, legacy spike, sigmoid, MSE, extragradient, repeat sampling", {
    model: new LegacySpike({ d: 130, seed: 7 }),
    student: "sigmoid",
    loss: "mse",
    optimizer: { extragradient: 1 },
    sampling: "repeat",
    pRepeat: 0.5,
    datasetSize: 2,
    walkers: 1,
  }],
  ["d = 1, one walker, legacy spike, MSE", {
    model: new LegacySpike({ d: 1, seed: 7 }),
    student: "sigmoid",
    loss: "mse",
    walkers: 1,
  }],
];

for (const [name, change] of CASES) {
  testGpuOnly(`workgroup kernel matches the thread kernel and the float64 loop: ${name}`, async (gpu) => {
    const config = { ...BASE, ...change };
    const backend = new WebGpuBackend(gpu);
    const want = await runTeacherStudent(new ReferenceBackend(), config);
    const thread = await runTeacherStudent(backend, { ...config, kernel: "thread" });
    const got = await runTeacherStudent(backend, { ...config, kernel: "workgroup" });
    // Same f32 normals as the thread kernel; the dot products are summed in another order, so each
    // f32 kernel is ~1e-6 per step from the f64 loop and the trajectories drift apart by <~1e-5 over
    // 100 steps: the thread kernel's tolerances against the reference, 2e-4 + 1e-3 |m|, leave margin.
    const tol = { atol: 2e-4, rtol: 1e-3 };
    const dm = assertClose(got.overlap, want.overlap, tol, "overlap m vs f64");
    const gradTol = { atol: 2e-4, rtol: 2e-3 };
    const dg = assertClose(got.gradientNorm, want.gradientNorm, gradTol, "|grad| vs f64");
    assertExact(got.repeats, want.repeats, "repeat counts (discrete draws are bit-identical)");
    assertClose(got.repeatedPreactivation, want.repeatedPreactivation, tol, "repeated h vs f64");
    const dw = assertClose(got.weights, want.weights, tol, "final weights vs f64");
    const dt = assertClose(got.overlap, thread.overlap, tol, "overlap m vs thread kernel");
    assertClose(got.gradientNorm, thread.gradientNorm, gradTol, "|grad| vs thread kernel");
    assertExact(got.repeats, thread.repeats, "repeat counts vs thread kernel");
    const dtw = assertClose(got.weights, thread.weights, tol, "final weights vs thread kernel");
    console.log(
      `max diff vs f64: m ${dm.toExponential(2)}, |grad| ${dg.toExponential(2)}, w ${dw.toExponential(2)}; ` +
        `vs thread kernel: m ${dt.toExponential(2)}, w ${dtw.toExponential(2)}`,
    );
  });
}

/** One direct dispatch of the workgroup kernel with explicit threads per walker (what the trainer does). */
async function runDirect(
  gpu: GpuContext,
  model: DataModel,
  walkers: number,
  steps: number,
  threadsPerWalker: number,
  encode = encodeTeacherStudentSgdWorkgroup,
): Promise<{ overlap: Float32Array; completed: Uint32Array }> {
  const d = model.d, blocks = Math.ceil(d / 4);
  const f32u = Float32Array.from(model.direction);
  const buffers = {
    teacher: uploadBuffer(gpu, toBlocks(model.direction, 1, d), "teacher direction"),
    weights: uploadBuffer(
      gpu,
      toBlocks(initializeWeights(model.direction, walkers, model.seed), walkers, d),
      "w",
    ),
    scratch: createBuffer(gpu, blocks * walkers * 16, "sample scratch"),
    saveTimes: uploadBuffer(gpu, Uint32Array.from([steps]), "save times"),
    history: createBuffer(gpu, 4 * walkers * 4, "history"),
    state: uploadBuffer(
      gpu,
      Float32Array.from({ length: 4 * walkers }, (_, i) => [0, NaN, 1, 0][i % 4]),
      "st",
    ),
    completed: createBuffer(gpu, walkers * 4, "completed"),
  };
  const rec = new CommandRecorder(gpu);
  await encode(rec, {
    buffers,
    model: model.params,
    settings: {
      loss: "corr",
      student: activationCoefficients("relu"),
      learningRate: 2,
      spherical: true,
      optimizer: "single",
    },
    d,
    walkers,
    walkerOffset: 0,
    steps,
    stepOffset: 0,
    seed: model.seed,
    chunk: 0,
    sampling: "online",
    sharedSample: false,
    pRepeat: 0,
    datasetSize: 1,
    normalize: true,
    uu: f32u.reduce((s, v) => s + v * v, 0),
    saveNext: 0,
    saveEnd: 1,
    saveBase: 0,
    threadsPerWalker,
  });
  rec.flush();
  const [h, c] = await readBuffers(gpu, [
    { buffer: buffers.history, byteLength: 4 * walkers * 4 },
    { buffer: buffers.completed, byteLength: walkers * 4 },
  ]);
  for (const b of Object.values(buffers)) b.destroy();
  return { overlap: new Float32Array(h).subarray(0, walkers), completed: new Uint32Array(c) };
}

testGpuOnly(
  "workgroup kernel with 2 and 64 threads per walker (the real-GPU size) matches f64",
  async (gpu) => {
    const model = new Perceptron({ d: 130, seed: 8 }), walkers = 3, steps = 60;
    const want = await runTeacherStudent(new ReferenceBackend(), {
      ...BASE,
      model,
      walkers,
      steps,
      saveTimes: [steps],
    });
    for (const threads of [2, 64]) {
      const got = await runDirect(gpu, model, walkers, steps, threads);
      assertExact(got.completed, [steps, steps, steps], `completed steps, ${threads} threads`);
      // As above: f32 rounding drifts ~1e-5 over 60 steps.
      const dm = assertClose(got.overlap, want.overlap, { atol: 2e-4, rtol: 1e-3 }, `m, ${threads} threads`);
      console.log(`${threads} threads per walker: max diff m ${dm.toExponential(2)}`);
    }
  },
);

testGpuOnly("workgroup kernel: results do not depend on steps per dispatch or chunk lengths", async (gpu) => {
  const backend = new WebGpuBackend(gpu);
  const config = {
    ...BASE,
    model: new Perceptron({ d: 130, seed: 9 }),
    kernel: "workgroup" as const,
    sampling: "repeat" as const,
    pRepeat: 0.3,
    datasetSize: 4,
  };
  const one = await runTeacherStudent(backend, { ...config, stepsPerDispatch: 100 });
  const many = await runTeacherStudent(backend, { ...config, stepsPerDispatch: 7 });
  assert.equal(one.dispatches, 1);
  assert.equal(many.dispatches, 15);
  assertExact(many.overlap, one.overlap, "7-step dispatches vs one");
  assertExact(many.gradientNorm, one.gradientNorm, "|grad|");
  assertExact(many.repeats, one.repeats, "repeat counts");
  assertExact(many.weights, one.weights, "final weights");
  const chunks = [];
  for await (const c of evolution(backend, { ...config, chunkSteps: 30, stepsPerDispatch: 11 })) {
    chunks.push(c);
  }
  assert.deepEqual(chunks.map((c) => c.stepsDone), [30, 60, 90, 100]);
  assertExact(chunks.flatMap((c) => [...c.overlap]), one.overlap, "chunks of 30 steps");
  const alone = await runTeacherStudent(backend, { ...config, walkers: 2, walkerOffset: 3 });
  assertExact(
    alone.overlap,
    one.overlap.filter((_, i) => i % 5 >= 3),
    "walkers 3..4 alone vs in a batch of 5",
  );
});

testGpuOnly(
  "workgroup kernel: a run longer than one dispatch's loop budget completes every step",
  async (gpu) => {
    const d = 64, it = teacherStudentKernel(gpu, "workgroup", 3, d).iterations(d);
    const cap = maxStepsPerDispatch(gpu, it.perStep, it.fixed);
    const steps = Number.isFinite(gpu.facts.loopLimit) ? 2 * cap + 5 : 3000;
    const result = await runTeacherStudent(new WebGpuBackend(gpu), {
      ...BASE,
      model: new Perceptron({ d, seed: 1, activation: "he1" }),
      kernel: "workgroup",
      learningRate: 0.4,
      walkers: 3,
      steps,
      saveTimes: [steps],
    });
    if (Number.isFinite(gpu.facts.loopLimit)) assert.equal(result.dispatches, 3);
    // lr 0.4 at d = 64: drift (lr/d)(1 - m^2)/2 balances noise (lr/d)^2 d m/4 near m = 0.9.
    for (const m of result.overlap) assert.ok(m > 0.8, `m after ${steps} steps: ${m}`);
  },
);

testGpuOnly(
  "workgroup kernel: loop counts match where the CPU adapter stops; short runs are caught",
  async (gpu) => {
    if (!Number.isFinite(gpu.facts.loopLimit)) return; // no silent loop limit on this adapter
    const model = new Perceptron({ d: 64, seed: 2 }), threads = 8;
    const it = teacherStudentSgdWorkgroupIterations(model.d, threads);
    const fits = Math.floor((gpu.facts.loopLimit - it.fixed) / it.perStep);
    const asked = fits + 500;
    const { completed } = await runDirect(gpu, model, 2, asked, threads);
    // The counts must not underestimate the kernel's iterations (else planned steps would be cut short),
    // and are tight: llvmpipe stops within one step of the count's prediction.
    for (const done of completed) {
      assert.ok(done >= fits && done <= fits + 1, `completed ${done} of ${asked}, counts predict ${fits}`);
    }
    assert.throws(
      () => checkCompleted("teacher_student_sgd_workgroup", completed, asked),
      IncompleteDispatchError,
    );
  },
);

testGpuOnly(
  "thread kernel: loop counts match where the CPU adapter stops; a cut-short cache write-back is caught",
  async (gpu) => {
    if (!Number.isFinite(gpu.facts.loopLimit)) return; // no silent loop limit on this adapter
    for (const d of [64, 1030]) {
      const model = new Perceptron({ d, seed: 2 });
      const it = teacherStudentSgdIterations(d);
      const fits = Math.floor((gpu.facts.loopLimit - it.fixed) / it.perStep);
      const asked = fits + 50;
      const stored = (rec: CommandRecorder, a: TeacherStudentSgdArgs) =>
        encodeTeacherStudentSgd(rec, { ...a, cacheRows: false });
      const { completed } = await runDirect(gpu, model, 2, asked, 2, stored);
      // Never an underestimate (planned steps would be cut short), and tight: the plan also reserves the
      // cache write-back pass (blocks + 1), which the stored-rows path does not run, so the stop comes
      // up to (blocks + 2) / perStep steps later (d = 64: 3 steps).
      const slack = Math.ceil((Math.ceil(d / 4) + 2) / it.perStep) + 1;
      for (const done of completed) {
        assert.ok(
          done >= fits && done <= fits + slack,
          `d = ${d}: completed ${done} of ${asked}, counts predict ${fits}`,
        );
      }
      assert.throws(() => checkCompleted("teacher_student_sgd", completed, asked), IncompleteDispatchError);
      if (d <= 1024 && !gpu.facts.viaGl) { // no cached variant through GL (teacherStudentCacheRows)
        // With cached rows the limit also cuts the write-back of w: the kernel must then report the
        // dispatch incomplete (0 steps), never `steps` with stale weights.
        const cached = (rec: CommandRecorder, a: TeacherStudentSgdArgs) =>
          encodeTeacherStudentSgd(rec, { ...a, cacheRows: true });
        const cut = await runDirect(gpu, model, 2, asked, 2, cached);
        assertExact(cut.completed, [0, 0], `d = ${d}: cached rows, write-back cut short`);
        const whole = await runDirect(gpu, model, 2, fits, 2, cached);
        assertExact(whole.completed, [fits, fits], `d = ${d}: cached rows, ${fits} steps fit`);
      }
    }
  },
);

testGpuOnly(
  "thread kernel: rows cached in invocation memory or in storage give the same bits",
  async (gpu) => {
    if (gpu.facts.viaGl) return; // no cached variant through GL (teacherStudentCacheRows)
    for (const d of [1, 5, 37, 130]) {
      const model = new Perceptron({ d, seed: 4 });
      const cached = await runDirect(
        gpu,
        model,
        5,
        60,
        2,
        (rec, a) => encodeTeacherStudentSgd(rec, { ...a, cacheRows: true }),
      );
      const stored = await runDirect(
        gpu,
        model,
        5,
        60,
        2,
        (rec, a) => encodeTeacherStudentSgd(rec, { ...a, cacheRows: false }),
      );
      assertExact(stored.overlap, cached.overlap, `d = ${d}: overlap after 60 steps`);
      assertExact(stored.completed, cached.completed, `d = ${d}: completed`);
    }
  },
);

testGpuOnly("workgroup kernel indexes walkers on a 2D grid past 65,535 workgroups", async (gpu) => {
  const walkers = gpu.device.limits.maxComputeWorkgroupsPerDimension + 2, steps = 3;
  // A smooth student: with relu, one of 65,537 walkers meets h ~ 0, where f32 rounding flips relu'.
  const config = {
    ...BASE,
    model: new Perceptron({ d: 5, seed: 10 }),
    student: "tanh" as const,
    walkers,
    steps,
    saveTimes: [steps],
  };
  const got = await runTeacherStudent(new WebGpuBackend(gpu), { ...config, kernel: "workgroup" });
  const want = await runTeacherStudent(new ReferenceBackend(), config);
  // 3 steps at lr / d = 0.4: f32 rounding, measured 2e-6.
  const dm = assertClose(got.overlap, want.overlap, { atol: 2e-5, rtol: 1e-4 }, "overlap m of every walker");
  console.log(`${walkers} walkers: max diff m ${dm.toExponential(2)}`);
});

Deno.test("chooseTeacherStudentKernel: thread on the CPU adapter except 1-2 walkers, workgroup for few on GPUs", () => {
  const cpu = { facts: { isCpuAdapter: true, description: "llvmpipe (LLVM 15.0.6, 256 bits)" } };
  const real = { facts: { isCpuAdapter: false, description: "NVIDIA H100" } };
  const pick = (gpu: typeof cpu, walkers: number, d: number) =>
    chooseTeacherStudentKernel(gpu as unknown as GpuContext, walkers, d);
  assert.equal(pick(cpu, 1, 1000), "workgroup");
  assert.equal(pick(cpu, 2, 200), "workgroup");
  assert.equal(pick(cpu, 3, 200), "thread");
  assert.equal(pick(cpu, 256, 1000), "thread");
  assert.equal(pick(cpu, 1, 64), "thread");
  assert.equal(pick(real, 256, 1000), "workgroup");
  assert.equal(pick(real, 2047, 128), "workgroup");
  assert.equal(pick(real, 2048, 1000), "thread");
  assert.equal(pick(real, 16, 100), "thread");
  const threads = (description: string, isCpuAdapter = true) =>
    teacherStudentThreadsPerWalker({ facts: { isCpuAdapter, description } } as unknown as GpuContext);
  assert.equal(threads("llvmpipe (LLVM 15.0.6, 256 bits)"), 8);
  assert.equal(threads("llvmpipe (LLVM 12, 128 bits)"), 4);
  assert.equal(threads("llvmpipe (LLVM 18, 512 bits)"), 16);
  assert.equal(threads("SwiftShader"), 8);
  assert.equal(threads("NVIDIA H100", false), 64);
});

testBothBackends("bad kernel options and thread counts name the problem", async (backend) => {
  await assert.rejects(
    runTeacherStudent(backend, { ...BASE, kernel: "warp" as "thread" }),
    /kernel "warp", expected "auto", "thread" or "workgroup"/,
  );
  for (const t of [0, 3, 512]) {
    assert.throws(
      () => teacherStudentSgdWorkgroupIterations(37, t),
      /threadsPerWalker is \d+, must be a power/,
    );
  }
});
