import { assert, assertClose, assertExact } from "./_assert.ts";
import { testBothBackends, testGpuOnly } from "./_backends.ts";
import { ensembleSingularValues, runTeacherStudentEnsemble } from "../lib/dyson/ts_trainer.ts";
import { minibatchCovariances, type TeacherStudentEnsembleConfig } from "../lib/dyson/teacher_student.ts";
import { singularValues } from "../lib/spectral/symmetric_eigen_large.ts";
import { ReferenceBackend } from "../lib/backend/reference.ts";
import { WebGpuBackend } from "../lib/backend/webgpu.ts";

const SWEEP: TeacherStudentEnsembleConfig = {
  settings: [
    { learningRate: 0.1, batchSize: 16, noise: 0.1 },
    { learningRate: 0.3, batchSize: 4, noise: 0.05 },
    { learningRate: 0.2, batchSize: 7, noise: 0.08 },
  ],
  seeds: 3,
  epochs: 4,
  batchesPerEpoch: 50,
  saveEvery: 2,
  seed: 1,
};

testGpuOnly("the fused teacher-student kernel matches the float64 loop (2x2 and 3x3 sweeps)", async (gpu) => {
  for (const config of [SWEEP, { ...SWEEP, n: 3, teacher: [2, 0, 0, 0, 2, 0.5, 0, 0.5, 1] }]) {
    const want = await runTeacherStudentEnsemble(new ReferenceBackend(), config);
    const got = await runTeacherStudentEnsemble(new WebGpuBackend(gpu), config);
    // 200 contracting steps in f32 vs f64: within 2e-6 absolute.
    const d = assertClose(got.weights, want.weights, { atol: 2e-6, rtol: 1e-6 }, "W");
    assertClose(got.snapshots, want.snapshots, { atol: 2e-6, rtol: 1e-6 }, "snapshots");
    console.log(`n = ${config.n ?? 2}: max |W_gpu - W_f64| ${d.toExponential(2)}`);
  }
});

testGpuOnly(
  "teacher-student results do not depend on steps per dispatch or on the sweep around a setting",
  async (gpu) => {
    const backend = new WebGpuBackend(gpu);
    const whole = await runTeacherStudentEnsemble(backend, SWEEP);
    const chunked = await runTeacherStudentEnsemble(backend, { ...SWEEP, stepsPerDispatch: 3 });
    assert.equal(chunked.dispatches, 67); // two groups of completed-step checks
    assertExact(chunked.weights, whole.weights, "3-step dispatches");
    const alone = await runTeacherStudentEnsemble(backend, {
      ...SWEEP,
      settings: [{ ...SWEEP.settings[2], seed: 3 }],
    });
    assertExact(alone.weights, whole.weights.subarray(2 * 12), "setting 2 alone");
  },
);

testBothBackends(
  "without noise every student converges to the teacher; with it, the epoch map has a fixed point",
  async (backend) => {
    const quiet = await runTeacherStudentEnsemble(backend, {
      ...SWEEP,
      settings: [{ learningRate: 0.3, batchSize: 8, noise: 0 }],
      epochs: 6,
    });
    assertClose(quiet.weights, new Array(3).fill([2, 0, 0, 2]).flat(), { atol: 1e-5 }, "W = W_T");
    const noisy = await runTeacherStudentEnsemble(backend, { ...SWEEP, epochs: 8 });
    const nn = 4, slots = 5;
    for (let seed = 0; seed < 9; seed++) {
      const at = (slot: number) =>
        noisy.snapshots.subarray((seed * slots + slot) * nn, (seed * slots + slot + 1) * nn);
      // Fixed data, noise and order: W after epoch 4 and after epoch 8 agree (to f32 rounding).
      assertClose(at(4), at(2), { atol: 1e-5 }, `seed ${seed} epoch 8 vs 4`);
      assert.ok(Math.abs(at(4)[0] - 2) < 0.1, `seed ${seed} W_00 ${at(4)[0]}`);
    }
  },
);

testBothBackends(
  "GOE-like noise leaves W nearly symmetric, with seed-to-seed spread ~ eps sqrt(alpha / |B|)",
  async (backend) => {
    const result = await runTeacherStudentEnsemble(backend, {
      settings: [{ learningRate: 0.1, batchSize: 4, noise: 0.1 }],
      seeds: 64,
      epochs: 2,
      batchesPerEpoch: 100,
      seed: 9,
    });
    let asym = 0, spread = 0;
    for (let s = 0; s < 64; s++) {
      const w = result.weights.subarray(4 * s, 4 * s + 4);
      asym += Math.abs(w[1] - w[2]) / 64;
      spread += (w[1] + w[2]) ** 2 / 4 / 64;
    }
    const sv = ensembleSingularValues(result.weights, 2);
    // The paper's data show mean |W12 - W21| of 1e-4 to 6e-3: the symmetric noise dominates.
    assert.ok(
      asym < 0.5 * Math.sqrt(spread) && asym < 6e-3,
      `|W12 - W21| ${asym} vs spread ${Math.sqrt(spread)}`,
    );
    // Off-diagonal std: the same order as eps sqrt(alpha / |B|) = 0.016 (within a factor of 3).
    const scale = 0.1 * Math.sqrt(0.1 / 4);
    assert.ok(Math.sqrt(spread) > scale / 3 && Math.sqrt(spread) < 3 * scale, `spread ${Math.sqrt(spread)}`);
    assertClose(sv.subarray(0, 2), singularValues(result.weights.subarray(0, 4), 2, 2), { atol: 1e-12 });
  },
);

Deno.test("minibatch covariances average x x^T of the shared inputs", () => {
  const cov = minibatchCovariances(2, 200, 50, 4);
  let trace = 0, off = 0;
  for (let j = 0; j < 200; j++) (trace += (cov[4 * j] + cov[4 * j + 3]) / 200, off += cov[4 * j + 1] / 200);
  assert.ok(Math.abs(trace - 2) < 0.03 && Math.abs(off) < 0.02, `mean trace ${trace}, off-diagonal ${off}`);
  assertExact(minibatchCovariances(2, 3, 50, 4), cov.subarray(0, 12), "prefix");
});

testBothBackends("bad teacher-student configurations name the problem", async (backend) => {
  await assert.rejects(runTeacherStudentEnsemble(backend, { ...SWEEP, seeds: 0 }), /seeds is 0/);
  await assert.rejects(
    runTeacherStudentEnsemble(backend, { ...SWEEP, teacher: [1, 2] }),
    /teacher has 2 values/,
  );
  await assert.rejects(
    runTeacherStudentEnsemble(backend, {
      ...SWEEP,
      settings: [{ learningRate: 0.1, batchSize: 2, noise: -1 }],
    }),
    /noise is -1/,
  );
  if (backend.name === "webgpu") {
    await assert.rejects(runTeacherStudentEnsemble(backend, { ...SWEEP, n: 9 }), /at most 8/);
  }
});
