// The second-moment contraction lambda_max(E_B[(I - eta H_B)^2]) (lib/eoss/second_moment.ts) on a quadratic
// loss, where H_B = (2/b) X~_B^T X~_B is known in closed form (a one-layer linear model with the squared
// loss, X~ = [X, 1]): the float64 matrix E_B[(I - eta H_B)^2] over the same seeded batches, its top
// eigenvalue by the Jacobi solver, against the estimator on both backends, at a step size where every
// direction contracts and at one where one does not.
import { assert, assertClose } from "./_assert.ts";
import { testBothBackends } from "./_backends.ts";
import type { Backend } from "../lib/backend/backend.ts";
import { Mlp } from "../lib/models/mlp_model.ts";
import { randomReference } from "../lib/rng/philox.ts";
import { symmetricEigen } from "../lib/spectral/jacobi_eigen.ts";
import { BatchStream } from "../lib/eoss/batch_stream.ts";
import type { SharpnessProblem } from "../lib/eoss/batch_sharpness.ts";
import { secondMomentContraction, secondMomentExcessOperator } from "../lib/eoss/second_moment.ts";

const N = 40, D = 5, P = D + 1, B = 4, K = 10;
const X = randomReference(N, D, { seed: 21 }), Y = randomReference(N, 1, { seed: 22 });
const THETA = Float64Array.from(randomReference(1, P, { seed: 23 }), (v) => 0.5 * v);

/** (2/b) X~_B^T X~_B. */
function batchHessian(rows: ArrayLike<number>): Float64Array {
  const h = new Float64Array(P * P);
  for (const i of Array.from(rows)) {
    const r = [...X.subarray(i * D, i * D + D), 1];
    for (let a = 0; a < P; a++) for (let c = 0; c < P; c++) h[a * P + c] += (2 / rows.length) * r[a] * r[c];
  }
  return h;
}

/** E_B[(I - eta H_B)^2] over the batches, in float64. */
function secondMoment(eta: number, batches: Uint32Array[]): Float64Array {
  const m = new Float64Array(P * P);
  for (const batch of batches) {
    const h = batchHessian(batch), a = new Float64Array(P * P);
    for (let i = 0; i < P; i++) {
      for (let j = 0; j < P; j++) a[i * P + j] = (i === j ? 1 : 0) - eta * h[i * P + j];
    }
    for (let i = 0; i < P; i++) {
      for (let j = 0; j < P; j++) {
        let s = 0;
        for (let l = 0; l < P; l++) s += a[i * P + l] * a[l * P + j];
        m[i * P + j] += s / batches.length;
      }
    }
  }
  return m;
}

function problem(backend: Backend): SharpnessProblem {
  const model = new Mlp(
    backend,
    { sizes: [D, 1], activation: "identity", init: "kaiming", initScale: 1 },
    "squared",
  );
  return { model, params: backend.tensor(THETA), x: backend.tensor(X, [N, D]), y: backend.tensor(Y, [N, 1]) };
}

const seed = 5, measurement = 3;
const batches = Array.from({ length: K }, (_, j) => new BatchStream(N, B, seed).batch(measurement, j));
const topOf = (m: Float64Array) => Math.max(...symmetricEigen(m, P).values);

testBothBackends(
  "second-moment contraction: the top eigenvalue of E_B[(I - eta H_B)^2] on a quadratic",
  async (backend) => {
    const p = problem(backend);
    const rtol = backend.name === "reference" ? 1e-9 : 2e-4;
    // eta 0.05 contracts every direction; eta 1.5 does not (E[h^2] / E[h] > 2/eta along the top direction).
    for (const eta of [0.05, 1.5]) {
      const exact = topOf(secondMoment(eta, batches));
      assert.ok(eta === 0.05 ? exact < 1 : exact > 1, `closed form at eta ${eta}: ${exact}`);
      const r = await secondMomentContraction(p, {
        learningRate: eta,
        batchSize: B,
        batches: K,
        seed,
        measurement,
        tolerance: 1e-6,
      });
      assertClose([r.contraction], [exact], { rtol }, `contraction at eta ${eta}`);
      assertClose(
        [r.excess],
        [exact - 1],
        { rtol: backend.name === "reference" ? 1e-8 : 2e-3 },
        `excess at eta ${eta}`,
      );
      assert.ok(r.steps <= P && r.batches === K);
    }
    // The operator itself: A v = (E_B[(I - eta H_B)^2] - I) v for a random v.
    const eta = 0.3, v = randomReference(1, P, { seed: 31 }), m = secondMoment(eta, batches);
    const op = await secondMomentExcessOperator(p, eta, batches);
    const vt = backend.tensor(v), out = backend.zeros([P]);
    await op.apply(vt, out);
    const expected = Array.from({ length: P }, (_, i) => {
      let s = -v[i];
      for (let j = 0; j < P; j++) s += m[i * P + j] * v[j];
      return s;
    });
    assertClose(await backend.read(out), expected, {
      rtol,
      atol: backend.name === "reference" ? 1e-12 : 1e-5,
    }, "A v");
    op.dispose();
    backend.dispose(vt, out, p.params, p.x, p.y);
    await assertRejects(() => secondMomentExcessOperator(p, 0, batches), /eta 0 \(> 0\)/);
  },
);

async function assertRejects(f: () => Promise<unknown>, pattern: RegExp) {
  await f().then(
    () => assert.fail(`expected a rejection matching ${pattern}`),
    (e) => assert.match(String(e), pattern),
  );
}
