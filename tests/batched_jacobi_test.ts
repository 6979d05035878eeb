import { assert, assertClose, assertExact, U32 } from "./_assert.ts";
import { testBothBackends, testGpuOnly } from "./_backends.ts";
import type { Backend } from "../lib/backend/backend.ts";
import { ReferenceBackend } from "../lib/backend/reference.ts";
import { WebGpuBackend } from "../lib/backend/webgpu.ts";
import { batchedSymmetricEigen, gramMatrices } from "../lib/dyson/batched_eigen.ts";
import { freeFieldEigenvalues } from "../lib/dyson/free_field.ts";
import { symmetricEigen } from "../lib/spectral/jacobi_eigen.ts";
import { PhiloxStream } from "../lib/rng/philox.ts";
import { createBuffer, readBuffers, uploadBuffer } from "../lib/gpu/buffers.ts";
import { checkCompleted, IncompleteDispatchError } from "../lib/gpu/loop_budget.ts";
import { batchedJacobiIterationsPerSweep, encodeBatchedJacobi } from "../kernels/dyson/batched_jacobi.ts";
import { CommandRecorder } from "../lib/gpu/recorder.ts";

/** A Haar-ish orthogonal matrix: Gram-Schmidt of Philox normals (float64). */
function orthogonal(n: number, rng: PhiloxStream, index: number): Float64Array {
  const q = Float64Array.from({ length: n * n }, (_, e) => rng.normal(index, 1, e));
  for (let c = 0; c < n; c++) {
    for (let d = 0; d < c; d++) {
      let dot = 0;
      for (let r = 0; r < n; r++) dot += q[r * n + c] * q[r * n + d];
      for (let r = 0; r < n; r++) q[r * n + c] -= dot * q[r * n + d];
    }
    let norm = 0;
    for (let r = 0; r < n; r++) norm += q[r * n + c] ** 2;
    for (let r = 0; r < n; r++) q[r * n + c] /= Math.sqrt(norm);
  }
  return q;
}

/** Matrices Q diag(lambda) Q^T with the given spectra, [count, n^2], and the sorted spectra. */
function knownSpectra(n: number, count: number, seed: number, degenerate: boolean) {
  const rng = new PhiloxStream(seed, 7), mats = new Float64Array(count * n * n);
  const spectra = new Float64Array(count * n);
  for (let m = 0; m < count; m++) {
    // Degenerate: the free field's spectrum (pairs) shifted; else distinct normals.
    const lambda = degenerate
      ? Float64Array.from(freeFieldEigenvalues(n, 2), (k, i) => k - 5 + 0.01 * (m % 3) * (i === 0 ? 1 : 0))
      : Float64Array.from({ length: n }, (_, i) => 2 * rng.normal(m, 0, i));
    const q = orthogonal(n, rng, m);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let k = 0; k < n; k++) s += q[i * n + k] * lambda[k] * q[j * n + k];
        mats[m * n * n + i * n + j] = s;
      }
    }
    spectra.set(lambda.sort(), m * n);
  }
  return { mats, spectra };
}

function frobenius(a: ArrayLike<number>, from: number, to: number): number {
  let s = 0;
  for (let i = from; i < to; i++) s += a[i] ** 2;
  return Math.sqrt(s);
}

/** Unit roundoff of the backend's arithmetic. */
const unit = (b: Backend) => b instanceof WebGpuBackend ? U32 : 2 ** -52;

testBothBackends(
  "batched Jacobi: eigenvalues of matrices of known spectrum, degenerate pairs included, odd sizes and counts",
  async (backend) => {
    for (
      const [n, count, degenerate] of [[1, 3, false], [2, 7, false], [3, 65, false], [7, 5, true], [
        10,
        131,
        true,
      ], [
        13,
        9,
        false,
      ], [16, 3, true]] as const
    ) {
      const { mats, spectra } = knownSpectra(n, count, 11 + n, degenerate);
      const got = await batchedSymmetricEigen(backend, mats, n);
      // Bound: input rounding plus ~n rotations' roundoff per entry: 8 n u ||A||_F per matrix.
      const bounds = Float64Array.from(
        spectra,
        (_, e) =>
          8 * n * unit(backend) * frobenius(mats, Math.floor(e / n) * n * n, (Math.floor(e / n) + 1) * n * n),
      );
      const diff = assertClose(got.values, spectra, { bounds }, `n = ${n}`);
      console.log(
        `n = ${n}, count = ${count}: max |lambda - lambda_true| = ${diff.toExponential(2)}, sweeps <= ${
          Math.max(...got.sweeps)
        }`,
      );
    }
  },
);

testBothBackends(
  "batched Jacobi: eigenvectors are orthonormal with residual A v = lambda v, also for degenerate pairs",
  async (backend) => {
    for (const [n, degenerate] of [[5, false], [10, true], [16, true]] as const) {
      const count = 9, { mats } = knownSpectra(n, count, 3 * n, degenerate);
      const { values, vectors } = await batchedSymmetricEigen(backend, mats, n, { vectors: true });
      assert.ok(vectors);
      let worstResidual = 0, worstOrtho = 0;
      for (let m = 0; m < count; m++) {
        const a = mats.subarray(m * n * n),
          v = vectors.subarray(m * n * n),
          norm = frobenius(mats, m * n * n, (m + 1) * n * n);
        for (let k = 0; k < n; k++) {
          for (let i = 0; i < n; i++) {
            let av = 0;
            for (let j = 0; j < n; j++) av += a[i * n + j] * v[j * n + k];
            worstResidual = Math.max(worstResidual, Math.abs(av - values[m * n + k] * v[i * n + k]) / norm);
          }
          for (let l = 0; l < n; l++) {
            let dot = 0;
            for (let i = 0; i < n; i++) dot += v[i * n + k] * v[i * n + l];
            worstOrtho = Math.max(worstOrtho, Math.abs(dot - (k === l ? 1 : 0)));
          }
        }
      }
      console.log(
        `n = ${n}: max residual / ||A||_F ${worstResidual.toExponential(2)}, max |V^T V - I| ${
          worstOrtho.toExponential(2)
        }`,
      );
      assert.ok(worstResidual < 8 * n * unit(backend), `residual ${worstResidual}`);
      assert.ok(worstOrtho < 8 * n * unit(backend), `orthogonality ${worstOrtho}`);
    }
  },
);

testGpuOnly(
  "batched Jacobi on the GPU matches the float64 reference on random symmetric and W^T W matrices",
  async (gpu) => {
    const rng = new PhiloxStream(5, 9), n = 10, count = 257;
    const w = Float64Array.from({ length: count * n * n }, (_, e) => rng.normal(0, 0, e));
    for (const mats of [w, gramMatrices(w, n, n)]) {
      const want = await batchedSymmetricEigen(new ReferenceBackend(), mats, n);
      const got = await batchedSymmetricEigen(new WebGpuBackend(gpu), mats, n);
      const bounds = Float64Array.from(want.values, (_, e) => {
        const m = Math.floor(e / n);
        return 8 * n * U32 * frobenius(mats, m * n * n, (m + 1) * n * n);
      });
      const diff = assertClose(got.values, want.values, { bounds }, "eigenvalues");
      console.log(
        `GPU vs float64 Jacobi, ${count} matrices of order ${n}: max diff ${diff.toExponential(2)}`,
      );
    }
  },
);

testGpuOnly(
  "batched Jacobi: results do not depend on sweeps per dispatch, and long runs split within the loop budget",
  async (gpu) => {
    const backend = new WebGpuBackend(gpu), n = 16, { mats } = knownSpectra(n, 5, 2, true);
    const whole = await batchedSymmetricEigen(backend, mats, n, { maxSweeps: 30, vectors: true });
    const split = await batchedSymmetricEigen(backend, mats, n, {
      maxSweeps: 30,
      vectors: true,
      sweepsPerDispatch: 4,
    });
    assertExact(split.values, whole.values, "values");
    assertExact(split.vectors!, whole.vectors!, "vectors");
    assert.equal(split.dispatches, 8);
    const perSweep = batchedJacobiIterationsPerSweep(n);
    if (Number.isFinite(gpu.facts.loopLimit)) {
      assert.ok(30 * perSweep > gpu.facts.loopLimit, "30 sweeps at n = 16 exceed the limit");
      assert.equal(whole.dispatches, 2);
    }
  },
);

testGpuOnly(
  "batched Jacobi: completed-sweep counters catch a dispatch the adapter stopped early",
  async (gpu) => {
    if (!Number.isFinite(gpu.facts.loopLimit)) return; // no silent limit to catch on this adapter
    // The planner counts every loop as written; the compiler may unroll the pair and row loops
    // (N is a constant), leaving only the sweep loop, so ask for more sweeps than the limit itself.
    const n = 4, sweeps = gpu.facts.loopLimit + 1000;
    assert.ok(sweeps * batchedJacobiIterationsPerSweep(n) > gpu.facts.loopLimit);
    const rec = new CommandRecorder(gpu);
    const matrices = uploadBuffer(gpu, Float32Array.from(knownSpectra(n, 1, 4, false).mats), "m");
    const vectors = createBuffer(gpu, 16, "v"), rotating = createBuffer(gpu, 4, "s");
    const completed = createBuffer(gpu, 4, "done");
    await encodeBatchedJacobi(rec, {
      matrices,
      vectors,
      rotatingSweeps: rotating,
      completed,
      n,
      count: 1,
      sweeps,
      chunk: 0,
      tolerance: 0,
      withVectors: false,
    });
    rec.flush();
    const [done] = await readBuffers(gpu, [{ buffer: completed }]);
    const count = new Uint32Array(done)[0];
    console.log(`asked ${sweeps} sweeps past the loop limit, the adapter completed ${count}`);
    assert.ok(count < sweeps);
    assert.throws(() => checkCompleted("batched_jacobi", [count], sweeps), IncompleteDispatchError);
    for (const b of [matrices, vectors, rotating, completed]) b.destroy();
  },
);

testBothBackends("batched Jacobi: bad arguments, empty batches and W^T W", async (backend) => {
  await assert.rejects(() => batchedSymmetricEigen(backend, [1, 2, 3], 2), /3 values are not n x n/);
  await assert.rejects(() => batchedSymmetricEigen(backend, [1, NaN, NaN, 1], 2), TypeError);
  await assert.rejects(() => batchedSymmetricEigen(backend, [1], 1, { maxSweeps: 0 }), /maxSweeps is 0/);
  if (backend instanceof WebGpuBackend) {
    await assert.rejects(() => batchedSymmetricEigen(backend, new Float64Array(17 * 17), 17), /at most 16/);
  }
  const empty = await batchedSymmetricEigen(backend, [], 3);
  assert.equal(empty.values.length, 0);
  // An exactly diagonal matrix needs no rotation; 2x2 [[2, 1], [1, 2]] has eigenvalues 1 and 3.
  const easy = await batchedSymmetricEigen(backend, [3, 0, 0, -1, 2, 1, 1, 2], 2);
  assertClose(easy.values, [-1, 3, 1, 3], { atol: 4 * unit(backend) * 3 });
  assert.equal(easy.sweeps[0], 0);
  const w = [1, 2, 3, 4, 5, 6]; // 2 x 3: W^T W
  assertExact(gramMatrices(w, 2, 3), [17, 22, 27, 22, 29, 36, 27, 36, 45]);
  assert.throws(() => gramMatrices(w, 4, 2), /not 4 x 2/);
  assertExact(symmetricEigen([3, 0, 0, -1], 2).values, [-1, 3]);
});
