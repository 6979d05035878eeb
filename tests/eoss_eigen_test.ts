// Power iteration and Lanczos (lib/eoss) on operators with known spectra: clustered, negative and
// degenerate eigenvalues, warm starts, shifts, Ritz vectors; both backends.
import { assert, assertClose } from "./_assert.ts";
import { testBothBackends } from "./_backends.ts";
import { matrixWithSpectrum } from "./_eoss.ts";
import { matrixHvpOperator } from "../lib/eoss/hvp_operator.ts";
import { powerIteration } from "../lib/eoss/power_iteration.ts";
import { lanczos } from "../lib/eoss/lanczos.ts";
import { ScalarSlots } from "../lib/eoss/scalars.ts";
import type { Tensor } from "../lib/backend/tensor.ts";

const N = 40;

/** A spectrum: `top` first, then values spread in [low, high]. */
function spectrum(top: number[], low: number, high: number): number[] {
  const rest = Array.from(
    { length: N - top.length },
    (_, i) => low + ((high - low) * i) / (N - top.length - 1),
  );
  return [...top, ...rest];
}

testBothBackends(
  "power iteration: lambda_max of a known spectrum, warm start, residual stop",
  async (backend) => {
    const values = spectrum([10], -1, 6);
    const op = matrixHvpOperator(backend, matrixWithSpectrum(values, 1), N);
    const cold = await powerIteration(op, { tolerance: 1e-4, seed: 3 });
    assert.ok(cold.converged, `not converged: residual ${cold.residual} after ${cold.iterations}`);
    // Rayleigh quotient error <= residual^2 |rho| / gap, here << 1e-6 relative.
    assertClose([cold.eigenvalue], [10], { rtol: 1e-5 }, "lambda_max");
    assert.ok(cold.residual < 1e-4);
    const warm = await powerIteration(op, { tolerance: 1e-4, start: cold.vector });
    assert.ok(warm.iterations <= 2, `a warm start from the eigenvector took ${warm.iterations} iterations`);
    assertClose([warm.eigenvalue], [10], { rtol: 1e-5 });
    const capped = await powerIteration(op, { tolerance: 1e-9, maxIterations: 3, seed: 3 });
    assert.equal(capped.iterations, 3);
    assert.equal(capped.converged, false);
    backend.dispose(cold.vector, warm.vector, capped.vector);
    op.dispose();
  },
);

testBothBackends(
  "power iteration: the shift finds the bottom eigenvalue (negative curvature)",
  async (backend) => {
    const values = spectrum([8, -5], -1, 4);
    const op = matrixHvpOperator(backend, matrixWithSpectrum(values, 2), N);
    const top = await powerIteration(op, { tolerance: 1e-4, seed: 1 });
    assertClose([top.eigenvalue], [8], { rtol: 1e-5 });
    const bottom = await powerIteration(op, { tolerance: 1e-4, seed: 1, shift: top.eigenvalue });
    assert.ok(bottom.converged);
    assertClose([bottom.eigenvalue], [-5], { rtol: 1e-4 }, "lambda_min");
    backend.dispose(top.vector, bottom.vector);
    op.dispose();
  },
);

testBothBackends("power iteration: a degenerate top eigenvalue converges to it", async (backend) => {
  const values = spectrum([7, 7, 7], 0, 3);
  const op = matrixHvpOperator(backend, matrixWithSpectrum(values, 3), N);
  const r = await powerIteration(op, { tolerance: 1e-4, seed: 5 });
  assert.ok(r.converged);
  assertClose([r.eigenvalue], [7], { rtol: 1e-5 });
  backend.dispose(r.vector);
  op.dispose();
});

testBothBackends("Lanczos: top-k of a clustered spectrum, with Ritz vectors", async (backend) => {
  // Clustered: 10, 9.9, 9.8 close together above a bulk in [0, 2].
  const values = spectrum([10, 9.9, 9.8, 5], 0, 2);
  const a = matrixWithSpectrum(values, 4);
  const op = matrixHvpOperator(backend, a, N);
  const r = await lanczos(op, { k: 4, tolerance: 1e-5, vectors: true, seed: 2 });
  assert.ok(r.converged, `not converged after ${r.steps} steps: ${r.residuals}`);
  assertClose(r.values, [10, 9.9, 9.8, 5], { rtol: 1e-5 }, "top-4");
  // Each Ritz vector is a unit eigenvector: |A y - theta y| small.
  for (const [i, y] of r.vectors!.entries()) {
    const yv = Float64Array.from(await backend.read(y));
    const ay = Array.from({ length: N }, (_, row) => yv.reduce((s, v, c) => s + a[row * N + c] * v, 0));
    assertClose(ay, Array.from(yv, (v) => v * r.values[i]), { atol: 1e-4 }, `A y${i}`);
    assertClose([Math.hypot(...yv)], [1], { rtol: 1e-5 });
  }
  backend.dispose(...r.vectors!);
  op.dispose();
});

testBothBackends("Lanczos: bottom and largest-magnitude ends with negative eigenvalues", async (backend) => {
  const values = spectrum([3, -9, -8.5], -2, 2);
  const op = matrixHvpOperator(backend, matrixWithSpectrum(values, 5), N);
  const bottom = await lanczos(op, { k: 2, which: "smallest", tolerance: 1e-5, seed: 1 });
  assertClose(bottom.values, [-9, -8.5], { rtol: 1e-5 }, "bottom-2");
  const top = await lanczos(op, { k: 1, which: "largest", tolerance: 1e-5, seed: 1 });
  assertClose(top.values, [3], { rtol: 1e-5 }, "top-1");
  const magnitude = await lanczos(op, { k: 1, which: "magnitude", tolerance: 1e-5, seed: 1 });
  assertClose(magnitude.values, [-9], { rtol: 1e-5 }, "largest magnitude");
  op.dispose();
});

testBothBackends("Lanczos: a degenerate spectrum gives each distinct value once", async (backend) => {
  const values = spectrum([6, 6, 6, 4], 0, 1);
  const op = matrixHvpOperator(backend, matrixWithSpectrum(values, 6), N);
  const r = await lanczos(op, { k: 2, tolerance: 1e-5, seed: 4 });
  assertClose(r.values, [6, 4], { rtol: 1e-5 }, "distinct top-2");
  op.dispose();
});

testBothBackends(
  "Lanczos: an operator of rank below the step count stops on an invariant subspace",
  async (backend) => {
    const values = Array.from({ length: N }, (_, i) => (i < 3 ? 3 - i : 0));
    const op = matrixHvpOperator(backend, matrixWithSpectrum(values, 7), N);
    const r = await lanczos(op, { k: 3, tolerance: 1e-6, seed: 9, maxSteps: 30 });
    assert.ok(r.converged);
    assert.ok(r.steps <= 5, `took ${r.steps} steps for rank 3`);
    assertClose(r.values, [3, 2, 1], { rtol: 1e-5 });
    op.dispose();
  },
);

testBothBackends(
  "Lanczos and power iteration at 300,000 dimensions (identity plus rank 3)",
  async (backend) => {
    // H v = v + sum_k lambda_k (u_k . v) u_k with orthonormal u_k (disjoint supports): eigenvalues
    // 1 + lambda_k and 1 (degenerate). Beyond one dispatch's 65,535-workgroup grid at every basis size.
    const n = 300_000, lambdas = [9, 5, -3];
    const u = lambdas.map((_, k) => {
      const values = new Float64Array(n);
      for (let i = k; i < n; i += 3) values[i] = ((i * 7919) % 13) - 6;
      const norm = Math.hypot(...values.filter((v) => v !== 0));
      return backend.tensor(values.map((v) => v / norm));
    });
    const op = {
      backend,
      dimension: n,
      async apply(v: Tensor, out: Tensor) {
        await backend.copy(v, out);
        const slots = new ScalarSlots(backend, 3);
        for (const [k, uk] of u.entries()) await slots.dot(uk, v, k);
        const c = await slots.read();
        slots.dispose();
        for (const [k, uk] of u.entries()) await backend.axpy(lambdas[k] * c[k], uk, out);
      },
      dispose() {
        backend.dispose(...u);
      },
    };
    const top = await lanczos(op, { k: 2, tolerance: 1e-5, seed: 1 });
    assertClose(top.values, [10, 6], { rtol: 1e-4 }, "top-2");
    const bottom = await lanczos(op, { k: 1, which: "smallest", tolerance: 1e-5, seed: 1 });
    assertClose(bottom.values, [-2], { rtol: 1e-4 }, "bottom");
    const power = await powerIteration(op, { tolerance: 1e-4, seed: 2 });
    assertClose([power.eigenvalue], [10], { rtol: 1e-4 });
    backend.dispose(power.vector);
    op.dispose();
  },
);

testBothBackends(
  "Lanczos: a start inside a 2-dimensional invariant subspace gives 2 exact values for k = 3",
  async (backend) => {
    const d = new Float64Array(36);
    [5, 2, 7, 1, 3, 4].forEach((v, i) => (d[i * 6 + i] = v));
    const op = matrixHvpOperator(backend, d, 6);
    const start = backend.tensor([1, 1, 0, 0, 0, 0]);
    const r = await lanczos(op, { k: 3, start, tolerance: 1e-6 });
    assert.ok(r.converged);
    assert.equal(r.steps, 2);
    assertClose(r.values, [5, 2], { rtol: 1e-5 });
    backend.dispose(start);
    op.dispose();
  },
);
