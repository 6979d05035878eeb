import { assert, assertClose, assertExact } from "./_assert.ts";
import { testBothBackends, testGpuOnly } from "./_backends.ts";
import { BASE, every } from "./_teacher_student.ts";
import { ReferenceBackend } from "../lib/backend/reference.ts";
import { WebGpuBackend } from "../lib/backend/webgpu.ts";
import { maxStepsPerDispatch } from "../lib/gpu/loop_budget.ts";
import { teacherStudentSgdIterations } from "../kernels/teacher_student/teacher_student_sgd.ts";
import {
  HE3_UNNORMALISED,
  LegacySpike,
  Perceptron,
  RademacherCumulant,
  SkewedCumulant,
} from "../lib/teacher_student/samplers.ts";
import { evolution, runTeacherStudent, type TeacherStudentConfig } from "../lib/teacher_student/trainer.ts";
import { activationCoefficients } from "../lib/activations.ts";
import { lossGradient, lossValue } from "../lib/teacher_student/losses.ts";
import { teacherStudentStep } from "../lib/teacher_student/steps.ts";
import { testValues } from "./_assert.ts";

/** Configurations the kernel must reproduce: every data model, loss, optimizer and sampling mode. */
const CASES: [string, Partial<TeacherStudentConfig>][] = [
  ["He3 teacher, relu student, corr, online single", {}],
  ["unnormalised He3 + noise, tanh student, MSE, spherical off", {
    model: new Perceptron({ d: 37, seed: 3, activation: HE3_UNNORMALISED, noise: 0.3 }),
    student: "tanh",
    loss: "mse",
    spherical: false,
  }],
  // A He3 student at lr 2 takes steps of ~0.5 in w (|grad| ~ 10): chaotic, f32 rounding grows to O(1)
  // within 100 steps; at lr 0.1 the trajectories stay within ~1e-6.
  ["Rademacher cumulant, He3 student, twice step, repeat mode", {
    model: new RademacherCumulant({ d: 37, seed: 5 }),
    student: "he3",
    learningRate: 0.1,
    optimizer: "twice",
    sampling: "repeat",
    pRepeat: 0.4,
    datasetSize: 3,
  }],
  ["skewed cumulant, relu + He2 student, extragradient, twice sampling", {
    model: new SkewedCumulant({ d: 37, seed: 6, rho: 0.7, pSpike: 0.6 }),
    student: { relu: 1, he2: 0.5 },
    optimizer: { extragradient: 0.5 },
    sampling: "twice",
  }],
  ["legacy spike, sigmoid student, MSE, d = 1, one walker", {
    model: new LegacySpike({ d: 1, seed: 7 }),
    student: "sigmoid",
    loss: "mse",
    walkers: 1,
  }],
  // Rows of more than 4 CACHE_BLOCKS = 1024 values take the storage path on the CPU adapter too.
  ["He3 teacher, d = 1030 (rows in storage, not cached)", { model: new Perceptron({ d: 1030, seed: 3 }) }],
];

for (const [name, change] of CASES) {
  testGpuOnly(`teacher-student kernel matches the float64 loop over 100 steps: ${name}`, async (gpu) => {
    const config = { ...BASE, ...change };
    const want = await runTeacherStudent(new ReferenceBackend(), config);
    const got = await runTeacherStudent(new WebGpuBackend(gpu), config);
    // f32 normals differ from f64 Box-Muller by ~1e-6 and each step rounds w in f32; over 100 steps at
    // lr / d ~ 0.05 the overlaps drift apart by at most ~1e-5, so 2e-4 + 1e-3 |m| leaves margin.
    const dm = assertClose(got.overlap, want.overlap, { atol: 2e-4, rtol: 1e-3 }, "overlap m");
    const dg = assertClose(got.gradientNorm, want.gradientNorm, { atol: 2e-4, rtol: 2e-3 }, "|grad|");
    assertExact(got.repeats, want.repeats, "repeat counts (discrete draws are bit-identical)");
    assertClose(got.repeatedPreactivation, want.repeatedPreactivation, { atol: 2e-4, rtol: 1e-3 }, "h");
    const dw = assertClose(got.weights, want.weights, { atol: 2e-4, rtol: 1e-3 }, "final weights");
    console.log(
      `max diff: m ${dm.toExponential(2)}, |grad| ${dg.toExponential(2)}, w ${dw.toExponential(2)}`,
    );
  });
}

Deno.test("loss gradients match float64 central differences (with and without projection)", () => {
  const d = 9, x = testValues(d, 1, -2, 2), w0 = testValues(d, 2);
  const norm = Math.hypot(...w0), w = w0.map((v) => v / norm);
  for (const student of ["relu", "tanh", "he3", "sigmoid"] as const) {
    for (const loss of ["mse", "corr"] as const) {
      const c = activationCoefficients(student), y = 0.7;
      const f = (v: Float64Array) => lossValue(loss, c, v.reduce((s, vi, i) => s + vi * x[i], 0), y);
      const eps = 1e-6;
      const fd = Float64Array.from({ length: d }, (_, i) => {
        const p = w.slice(), m = w.slice();
        p[i] += eps;
        m[i] -= eps;
        return (f(p) - f(m)) / (2 * eps);
      });
      // Central differences: O(eps^2 f''') truncation plus O(1e-16 / eps) cancellation, ~1e-9 here.
      assertClose(
        lossGradient(loss, c, w, x, y, false),
        fd,
        { atol: 1e-7, rtol: 1e-6 },
        `${student} ${loss}`,
      );
      const wfd = fd.reduce((s, g, i) => s + g * w[i], 0);
      const projected = fd.map((g, i) => g - wfd * w[i]);
      assertClose(lossGradient(loss, c, w, x, y, true), projected, { atol: 1e-7, rtol: 1e-6 }, "projected");
    }
  }
});

Deno.test("TwiceStep is two SingleSteps on one sample; ExtraGradient(0) is SingleStep", () => {
  const d = 11, x = testValues(d, 3, -2, 2), w = testValues(d, 4);
  const s = {
    loss: "corr" as const,
    student: activationCoefficients("tanh"),
    learningRate: 3,
    spherical: true,
  };
  const one = teacherStudentStep(w, x, 1, { ...s, optimizer: "single" });
  const two = teacherStudentStep(one.w, x, 1, { ...s, optimizer: "single" });
  assertClose(teacherStudentStep(w, x, 1, { ...s, optimizer: "twice" }).w, two.w, { atol: 1e-15 }, "twice");
  assertClose(
    teacherStudentStep(w, x, 1, { ...s, optimizer: { extragradient: 0 } }).w,
    one.w,
    { atol: 1e-15 },
    "eg",
  );
});

testGpuOnly("results do not depend on steps per dispatch, chunk lengths, or walker batching", async (gpu) => {
  const backend = new WebGpuBackend(gpu);
  const config = { ...BASE, sampling: "repeat" as const, pRepeat: 0.3, datasetSize: 4 };
  const one = await runTeacherStudent(backend, { ...config, stepsPerDispatch: 100 });
  const many = await runTeacherStudent(backend, { ...config, stepsPerDispatch: 7 });
  assert.equal(many.dispatches, 15);
  assertExact(many.overlap, one.overlap, "7-step dispatches vs one");
  assertExact(many.repeats, one.repeats, "repeat counts");
  const chunks = [];
  for await (const c of evolution(backend, { ...config, chunkSteps: 30, stepsPerDispatch: 11 })) {
    chunks.push(c);
  }
  assert.deepEqual(chunks.map((c) => c.stepsDone), [30, 60, 90, 100]);
  assertExact(chunks.flatMap((c) => [...c.overlap]), one.overlap, "chunks of 30 steps");
  const w = config.walkers,
    last = await runTeacherStudent(backend, { ...config, walkers: 2, walkerOffset: 3 });
  const tail = one.overlap.filter((_, i) => i % w >= 3);
  assertExact(last.overlap, tail, "walkers 3..4 run alone vs in a batch of 5");
});

testGpuOnly("a run longer than one dispatch's loop budget completes every step", async (gpu) => {
  const d = 64, it = teacherStudentSgdIterations(d);
  const cap = maxStepsPerDispatch(gpu, it.perStep, it.fixed);
  const steps = Number.isFinite(gpu.facts.loopLimit) ? 2 * cap + 5 : 3000;
  const result = await runTeacherStudent(new WebGpuBackend(gpu), {
    ...BASE,
    model: new Perceptron({ d, seed: 1, activation: "he1" }),
    learningRate: 0.4,
    walkers: 3,
    steps,
    saveTimes: [steps],
  });
  if (Number.isFinite(gpu.facts.loopLimit)) assert.equal(result.dispatches, 3);
  // lr 0.4 at d = 64: drift (lr/d)(1 - m^2)/2 balances noise (lr/d)^2 d m/4 near m = 0.9.
  for (const m of result.overlap) assert.ok(m > 0.8, `m after ${steps} steps: ${m}`);
});

testBothBackends("online SGD learns a k = 1 teacher; time 0 records the initial overlap", async (backend) => {
  const r = await runTeacherStudent(backend, {
    ...BASE,
    model: new Perceptron({ d: 32, seed: 2, activation: "he1" }),
    learningRate: 0.3,
    steps: 1500,
    walkers: 4,
    init: { fixed: 0.01 },
    saveTimes: [0, 750, 1500],
  });
  assert.deepEqual(r.times, [0, 750, 1500]);
  for (let k = 0; k < 4; k++) {
    assertClose([r.overlap[k]], [0.01], { atol: 1e-6 }, "m(0)");
    assert.ok(r.overlap[2 * 4 + k] > 0.8, `walker ${k}: m(1500) = ${r.overlap[2 * 4 + k]}`);
  }
});

testBothBackends(
  "repeat mode with p = 1 and one sample: every step repeats; shared samples tie walkers",
  async (b) => {
    const rep = await runTeacherStudent(b, {
      ...BASE,
      walkers: 2,
      steps: 20,
      sampling: "repeat",
      pRepeat: 1,
      datasetSize: 1,
      saveTimes: [5, 20],
    });
    assert.deepEqual([...rep.repeats], [5, 5, 15, 15]);
    assert.ok(rep.repeatedPreactivation.every(Number.isFinite));
    const w0 = Float64Array.from({ length: 37 }, (_, i) => (i === 0 ? 1 : 0));
    const twin = Float64Array.from([...w0, ...w0]);
    const short = { ...BASE, walkers: 2, steps: 20, saveTimes: every(20), initialWeights: twin };
    const shared = await runTeacherStudent(b, { ...short, sharedSample: true });
    const own = await runTeacherStudent(b, short);
    for (let t = 0; t < 20; t++) assert.equal(shared.overlap[2 * t], shared.overlap[2 * t + 1]);
    assert.ok(own.overlap[2 * 19] !== own.overlap[2 * 19 + 1], "independent samples separate twin walkers");
  },
);

testBothBackends("bad configurations name the problem", async (backend) => {
  const run = (c: Partial<TeacherStudentConfig>) => runTeacherStudent(backend, { ...BASE, ...c });
  await assert.rejects(run({ walkers: 0 }), /walkers is 0, must be an integer >= 1/);
  await assert.rejects(run({ learningRate: NaN }), /learningRate is NaN/);
  await assert.rejects(run({ pRepeat: 2 }), /pRepeat is 2/);
  await assert.rejects(run({ saveTimes: [3, 2] }), /saveTimes must be distinct sorted/);
  await assert.rejects(run({ loss: "hinge" as "mse" }), /loss "hinge"/);
  await assert.rejects(run({ initialWeights: new Float64Array(3) }), /initialWeights has 3 values/);
});
